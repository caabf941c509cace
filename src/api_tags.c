/* api_tags.c — /api/v1/tags: thin handlers over model_tag. */
#include "api_handlers.h"
#include "model_tag.h"

void api_tags_list(struct http_req *req)
{
	struct page pg;
	struct db *db;
	if (api_page(req, &pg, 1) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = tag_list(db, &pg), *c = r && pg.count ? tag_count(db) : NULL;
	api_answer_list(req, db, &pg, r, c);
}

void api_tags_get(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = tag_get(db, req->params[0]);
	api_answer(req, db, 200, r, NULL);
}

/* POST (create), PUT (replace) and PATCH (change) share validation. */
static void save(struct http_req *req, int create)
{
	struct verr v = VERR_INIT;
	struct tag_in in;
	struct db *db;
	int64_t id;
	if (!create && api_path_id(req, 0, &id) < 0)
		return;
	json_t *body = api_body_object(req);
	if (body == NULL)
		return;
	if (tag_validate(body, req->method == HTTP_PATCH, &in, &v) < 0)
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	else if ((db = api_db(req)) != NULL) {
		PGresult *r = create ? tag_insert(db, &in) : tag_update(db, req->params[0], &in);
		if (r == NULL && db_is_unique(db))
			http_problem(req, 409, "a tag with this name already exists", NULL);
		else if (r == NULL)
			http_db_fail(req, db);
		else
			api_row(req, create ? 201 : 200, r, "/api/v1/tags/");
	}
}

void api_tags_create(struct http_req *req) { save(req, 1); }
void api_tags_update(struct http_req *req) { save(req, 0); }

void api_tags_delete(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	int rc = tag_delete(db, req->params[0]);
	if (rc < 0 && db_is_fk(db))
		http_problem(req, 409, "clients use this tag; retag or delete them first", NULL);
	else if (rc < 0)
		http_db_fail(req, db);
	else if (rc == 0)
		http_problem(req, 404, "no such object", NULL);
	else
		http_no_content(req);
}
