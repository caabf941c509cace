/* api_resource.c — the API's CRUD of any resource, driven by the descriptor of its route
 * (route.res): GET list and one, POST, PUT/PATCH, DELETE. */
#include "api_handlers.h"
#include "resource.h"
#include "route.h"

#include <stdlib.h>

/* The path's key; -1 after answering 404. */
static int path_key(struct http_req *req, const struct resource *r, struct res_key *k)
{
	if (req->nparams < 1 || res_key_parse(r, req->params[0], k) < 0) {
		http_fail(req, MODEL_NOT_FOUND, NULL, NULL);
		return -1;
	}
	return 0;
}

/* Answers a write: obj (borrowed) with status (204: no body), else field errors with 422, the
 * resource's own sentences for 409. */
static void written(struct http_req *req, const struct resource *r, enum model_rc rc, struct model_err *e,
		    int status, json_t *obj)
{
	if (rc == MODEL_OK && status == 204)
		http_no_content(req);
	else if (rc == MODEL_OK)
		http_json(req, status, json_incref(obj));
	else if (e->rc == MODEL_INVALID)
		http_fail(req, e->rc, NULL, verr_take(&e->fields));
	else
		http_fail(req, e->rc, e->rc == MODEL_DUPLICATE ? r->api_taken : e->rc == MODEL_IN_USE ? r->api_in_use : NULL,
			  NULL);
	verr_free(&e->fields);
}

int api_list_query(struct http_req *req, struct res_query *q, int *count)
{
	const char *cursor = http_query(req, "cursor");
	if (api_limit(req, &q->limit) < 0 || api_query_bool(req, "count", count) < 0)
		return -1;
	if (cursor && res_cursor_decode(req, cursor, &q->after) < 0) {
		http_problem(req, 400, "cursor is not one this API gave out", NULL);
		return -1;
	}
	return 0;
}

void api_list_answer(struct http_req *req, enum model_rc rc, struct res_page *page, const int64_t *total)
{
	pool_json(&req->pool, page->objs);
	pool_defer(&req->pool, free, page->next);
	if (rc == MODEL_INVALID) {
		http_problem(req, 400, "cursor is not one this API gave out", NULL);
		return;
	}
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	json_t *out = json_pack("{s:O, s:n}", "results", page->objs, "next_cursor");
	if (page->next) {
		char c[RES_CURSOR_MAX * 2];
		res_cursor_encode(page->next, c, sizeof(c));
		json_object_set_new(out, "next_cursor", json_string(c));
	}
	if (total)
		json_object_set_new(out, "count", json_integer(*total));
	http_json(req, 200, out);
}

void api_res_list(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct res_query q = {r->api_sort, NULL, NULL, 0};
	struct res_page page = {NULL, NULL};
	struct db *db;
	int count;
	int64_t total = 0;
	if (api_list_query(req, &q, &count) < 0 || (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = r->model->list(db, &q, &page);
	if (rc == MODEL_OK && count)
		rc = r->model->count(db, &total);
	api_list_answer(req, rc, &page, count ? &total : NULL);
}

void api_res_get(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct res_key k;
	struct db *db;
	json_t *obj;
	if (path_key(req, r, &k) < 0 || (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = res_get(req, db, r, &k, &obj);
	if (rc == MODEL_OK)
		http_json(req, 200, json_incref(obj));
	else
		http_fail(req, rc, NULL, NULL);
}

void api_res_create(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct model_err e = MODEL_ERR_INIT;
	struct db *db;
	json_t *in = api_body_object(req), *obj;
	if (in == NULL || (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = res_create(req, db, r, in, &e, &obj);
	json_t *key = json_object_get(obj, r->key);
	if (rc == MODEL_OK)
		http_header(req, "Location", json_is_integer(key)
			    ? pool_printf(&req->pool, "%s%lld", r->api_base, (long long)json_integer_value(key))
			    : pool_printf(&req->pool, "%s%s", r->api_base, json_string_value(key)));
	written(req, r, rc, &e, 201, obj);
}

/* PUT/PATCH (the body) or DELETE (del) of the path's object. */
static void write_key(struct http_req *req, int del)
{
	const struct resource *r = req->route->res;
	struct model_err e = MODEL_ERR_INIT;
	struct res_key k;
	struct db *db;
	json_t *in = NULL, *obj = NULL;
	if (path_key(req, r, &k) < 0 || (!del && (in = api_body_object(req)) == NULL) || (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = del ? (e.rc = res_delete(req, db, r, &k))
			       : res_update(req, db, r, &k, in, req->method == HTTP_PATCH, &e, &obj);
	written(req, r, rc, &e, del ? 204 : 200, obj);
}

void api_res_update(struct http_req *req)
{
	write_key(req, 0);
}

void api_res_delete(struct http_req *req)
{
	write_key(req, 1);
}
