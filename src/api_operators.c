/* api_operators.c — /api/v1/operators: thin handlers over model_operator. */
#include "api_handlers.h"
#include "model_operator.h"

void api_operators_list(struct http_req *req)
{
	struct page pg;
	struct db *db;
	if (api_page(req, &pg, 0) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = operator_list(db, &pg), *c = r && pg.count ? operator_count(db) : NULL;
	api_answer_list(req, db, &pg, r, c);
}

void api_operators_get(struct http_req *req)
{
	struct db *db = api_db(req);
	if (db == NULL)
		return;
	PGresult *r = operator_get(db, req->params[0]);
	api_answer(req, db, 200, r, NULL);
}

/* POST (create), PUT (replace) and PATCH (change) share validation. */
static void save(struct http_req *req, int create)
{
	struct verr v = VERR_INIT;
	struct operator_in in;
	struct db *db;
	json_t *body = api_body_object(req);
	if (body == NULL)
		return;
	if (operator_validate(body, create ? NULL : req->params[0], req->method == HTTP_PUT, &in, &v) < 0)
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	else if ((db = api_db(req)) != NULL) {
		PGresult *r = create ? operator_insert(db, &in) : operator_update(db, &in, req->method == HTTP_PUT);
		api_answer(req, db, create ? 201 : 200, r, "/api/v1/operators/");
	}
}

void api_operators_create(struct http_req *req) { save(req, 1); }
void api_operators_update(struct http_req *req) { save(req, 0); }

void api_operators_delete(struct http_req *req)
{
	struct db *db = api_db(req);
	if (db == NULL)
		return;
	int rc = operator_delete(db, req->params[0]);
	if (rc < 0 && db_is_fk(db))
		http_problem(req, 409, "clients use this operator; move or delete them first", NULL);
	else if (rc < 0)
		http_db_fail(req, db);
	else if (rc == 0)
		http_problem(req, 404, "no such object", NULL);
	else
		http_no_content(req);
}
