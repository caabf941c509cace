/* api_resource.c — the API's CRUD of any resource, driven by the descriptor of its route
 * (route.res): GET list and one, POST, PUT/PATCH, DELETE. */
#include "api_handlers.h"
#include "resource.h"
#include "route.h"

#include <stdlib.h>
#include <string.h>

/* The path's key into k, and the database; NULL after answering 404 or 503. */
static struct db *path_db(struct http_req *req, const struct resource *r, struct res_key *k)
{
	if (req->nparams < 1 || res_key_parse(r, req->params[0], k) < 0) {
		http_fail(req, MODEL_NOT_FOUND, NULL, NULL);
		return NULL;
	}
	return api_db(req);
}

/* The user whose objects the caller sees and changes: their own always where the resource says
 * so (r->api_own), else res_owner_of's (NULL: everyone's). */
static const char *api_owner(struct http_req *req, const struct resource *r)
{
	return r->api_own ? pool_printf(&req->pool, "%lld", (long long)req->user.id) : res_owner_of(req, r);
}

/* 0 when the object of k is one the caller may see (it exists; with an owner, it is theirs):
 * else -1 after answering 404 (another user's object is answered as absent) or the failure. */
static int api_visible(struct http_req *req, struct db *db, const struct resource *r, const struct res_key *k)
{
	json_t *obj = NULL;
	const char *owner = api_owner(req, r);
	enum model_rc rc = owner ? res_get(req, db, r, k, &obj) : MODEL_OK;
	if (rc == MODEL_OK && owner && json_integer_value(json_object_get(obj, res_owner(r)->name)) != req->user.id)
		rc = MODEL_NOT_FOUND;
	if (rc != MODEL_OK)
		http_fail(req, rc, NULL, NULL);
	return rc == MODEL_OK ? 0 : -1;
}

/* Answers a failed write: field errors with 422, the resource's own sentences for 409. */
static void write_failed(struct http_req *req, const struct resource *r, struct model_err *e)
{
	json_t *fields = verr_take(&e->fields);
	if (e->rc == MODEL_INVALID) {
		http_fail(req, e->rc, NULL, fields);
		return;
	}
	json_decref(fields);
	http_fail(req, e->rc, e->rc == MODEL_DUPLICATE ? r->api_taken : e->rc == MODEL_IN_USE ? r->api_in_use : NULL,
		  NULL);
}

/* Ends the list page written into req->out after its results: next_cursor and, when counted,
 * count. */
static void list_end(struct http_req *req, const char *next, const int64_t *count)
{
	struct buf *b = &req->out;
	buf_puts(b, ",\"next_cursor\":");
	if (next) {
		char c[RES_CURSOR_MAX * 2];
		res_cursor_encode(next, c, sizeof(c));
		buf_json_str(b, c);
	} else {
		buf_puts(b, "null");
	}
	if (count)
		buf_printf(b, ",\"count\":%lld", (long long)*count);
	buf_putc(b, '}');
	req->status = 200;
	req->content_type = "application/json";
}

/* The page of q: the objects' JSON text in out (list_json's, or list's objects written). */
static enum model_rc list_page(struct db *db, const struct resource *r, const struct res_query *q, struct buf *out,
			       char **next)
{
	if (r->list_json)
		return r->list_json(db, q, out, next, NULL);
	struct res_page page = {NULL, NULL, NULL, NULL};
	enum model_rc rc = res_model_list(r->model, db, q, &page);
	*next = page.next;
	free(page.first);
	if (rc == MODEL_OK) {
		char *s = json_dumps(page.objs, JSON_COMPACT);
		buf_puts(out, s);
		free(s);
	}
	json_decref(page.objs);
	return rc;
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
	pool_defer(&req->pool, free, page->first);
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
	struct verr bad = VERR_INIT;
	struct res_query q = {r->api_sort, NULL, NULL, 0, {NULL}, &bad, NULL, NULL};
	char *next = NULL;
	struct db *db;
	int count;
	int64_t total = 0;
	for (size_t i = 0; i < r->nfilters; i++)
		q.filter[i] = strcmp(r->filters[i].type, "owner") == 0 ? api_owner(req, r) : http_query(req, r->filters[i].name);
	if (api_list_query(req, &q, &count) < 0 || (db = api_db(req)) == NULL)
		return;
	req->static_body = NULL;
	buf_reset(&req->out);
	buf_puts(&req->out, "{\"results\":");
	enum model_rc rc = list_page(db, r, &q, &req->out, &next);
	if (rc == MODEL_OK && count)
		rc = r->count_of ? r->count_of(db, &q, &total) : res_model_count(r->model, db, &total);
	if (rc == MODEL_INVALID && verr_any(&bad))
		http_problem(req, 400, "a filter is not valid", verr_take(&bad));
	else if (rc == MODEL_INVALID)
		http_problem(req, 400, "cursor is not one this API gave out", NULL);
	else if (rc != MODEL_OK)
		http_fail(req, rc, NULL, NULL);
	else
		list_end(req, next, count ? &total : NULL);
	free(next);
}

/* Answers the call that came to e->rc: obj with 200 (with none, 204), else the failure. */
static void answer(struct http_req *req, const struct resource *r, struct model_err *e, json_t *obj)
{
	if (e->rc != MODEL_OK)
		write_failed(req, r, e);
	else if (obj)
		http_json(req, 200, json_incref(obj));
	else
		http_no_content(req);
}

void api_res_get(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct model_err e = MODEL_ERR_INIT;
	struct res_key k;
	struct db *db = path_db(req, r, &k);
	json_t *obj;
	if (db && api_visible(req, db, r, &k) == 0) {
		e.rc = res_get(req, db, r, &k, &obj);
		answer(req, r, &e, obj);
	}
}

void api_res_create(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct model_err e = MODEL_ERR_INIT;
	struct db *db;
	json_t *in = api_body_object(req), *obj;
	if (in == NULL || (db = api_db(req)) == NULL)
		return;
	if (res_owner(r))   /* the caller's own */
		json_object_set_new(in, res_owner(r)->name, json_integer(req->user.id));
	if (res_create(req, db, r, in, &e, &obj) != MODEL_OK) {
		write_failed(req, r, &e);
		return;
	}
	json_t *key = json_object_get(obj, r->key);
	http_header(req, "Location", json_is_integer(key)
		    ? pool_printf(&req->pool, "%s%lld", r->api_base, (long long)json_integer_value(key))
		    : pool_printf(&req->pool, "%s%s", r->api_base, json_string_value(key)));
	http_json(req, 201, json_incref(obj));
}

void api_res_update(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct model_err e = MODEL_ERR_INIT;
	struct res_key k;
	struct db *db = path_db(req, r, &k);
	json_t *in, *obj = NULL;
	if (db && (in = api_body_object(req)) != NULL && api_visible(req, db, r, &k) == 0) {
		res_update(req, db, r, &k, in, req->method == HTTP_PATCH, &e, &obj);
		answer(req, r, &e, obj);
	}
}

void api_res_delete(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct model_err e = MODEL_ERR_INIT;
	struct res_key k;
	struct db *db = path_db(req, r, &k);
	if (db && api_visible(req, db, r, &k) == 0) {
		e.rc = res_delete(req, db, r, &k);
		answer(req, r, &e, NULL);
	}
}
