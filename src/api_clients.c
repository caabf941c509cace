/* api_clients.c — /api/v1/clients and /api/v1/clients/bulk: thin handlers over model_client. */
#include "api_handlers.h"
#include "model_client.h"

void api_clients_list(struct http_req *req)
{
	struct page pg;
	struct db *db;
	struct verr v = VERR_INIT;
	struct client_filter f = {http_query(req, "tag"), http_query(req, "operator_code"),
				  http_query(req, "phone_prefix"), http_query(req, "timezone"), ""};
	if (client_filter_check(&f, &v) < 0) {
		http_problem(req, 400, "a filter is not valid", verr_take(&v));
		return;
	}
	if (api_page(req, &pg, 1) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = client_list(db, &pg, &f), *c = NULL;
	if (r && pg.count)
		c = client_count(db, &f);
	api_answer_list_rows(req, db, &pg, r, c, client_json, 0);
}

void api_clients_get(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = client_get(db, req->params[0]);
	if (r == NULL)
		http_db_fail(req, db);
	else
		api_row_with(req, 200, r, NULL, client_json, 0);
}

/* POST (create), PUT (replace) and PATCH (change) share validation. */
static void save(struct http_req *req, int create)
{
	struct verr v = VERR_INIT;
	struct client_in in;
	struct db *db;
	int64_t id;
	if (!create && api_path_id(req, 0, &id) < 0)
		return;
	json_t *body = api_body_object(req);
	if (body == NULL)
		return;
	if (client_validate(body, req->method == HTTP_PATCH, &in, &v) < 0)
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	else if ((db = api_db(req)) != NULL) {
		PGresult *r = create ? client_insert(db, &in) : client_update(db, req->params[0], &in);
		if (r == NULL && db_is_unique(db))
			http_problem(req, 409, "a client with this phone already exists", NULL);
		else if (r == NULL)
			http_db_fail(req, db);
		else
			api_row_with(req, create ? 201 : 200, r, "/api/v1/clients/", client_json, 0);
	}
}

void api_clients_create(struct http_req *req) { save(req, 1); }
void api_clients_update(struct http_req *req) { save(req, 0); }

void api_clients_delete(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	int rc = client_delete(db, req->params[0]);
	if (rc < 0)
		http_db_fail(req, db);
	else if (rc == 0)
		http_problem(req, 404, "no such object", NULL);
	else
		http_no_content(req);
}

void api_clients_bulk(struct http_req *req)
{
	struct client_bulk_result res;
	struct db *db;
	json_t *body = http_body_json(req);
	if (body == NULL)
		return;
	if (!json_is_array(body))
		http_problem(req, 400, "the body must be a JSON array of client objects", NULL);
	else if (json_array_size(body) > CLIENT_BULK_MAX) {
		struct verr v = VERR_INIT;
		verr_add(&v, "items", "at most %d items per request", CLIENT_BULK_MAX);
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	} else if ((db = api_db(req)) != NULL) {
		if (client_bulk(db, body, &res) < 0) {
			json_decref(res.errors);
			http_db_fail(req, db);
		} else {
			http_json(req, 200, json_pack("{s:I,s:I,s:o}", "created", (json_int_t)res.created,
						      "updated", (json_int_t)res.updated, "errors", res.errors));
		}
	}
}
