/* api_mailings.c — /api/v1/mailings: thin handlers over model_mailing. */
#include "api_handlers.h"
#include "i18n.h"
#include "model_mailing.h"
#include "util.h"

#include <stdint.h>

/* Answers a mailing (obj, stolen) with status, or why there is none: the state rule that
 * refused a change, the end_at that does not fit. */
static void answer(struct http_req *req, struct db *db, enum model_rc rc, int status, json_t *obj, const char *why)
{
	struct verr v = VERR_INIT;
	if (rc == MODEL_OK)
		http_json(req, status, obj);
	else if (rc == MODEL_INVALID) {
		verr_add(&v, mailing_why_field(why), why);
		http_fail(req, rc, NULL, verr_take(&v));
	} else if (rc == MODEL_ERROR)
		http_db_fail(req, db);
	else
		http_fail(req, rc, why ? i18n_text("en", why) : NULL, NULL);
}

/* Records a write of mailing id in the history, with its fields before and after (either may
 * be NULL), as the admin's pages record theirs. */
static void record(struct http_req *req, struct db *db, const char *verb, int64_t id, json_t *before, json_t *after)
{
	res_record(req, db, &res_mailings, verb, pool_printf(&req->pool, "%lld", (long long)id), before, after);
}

/* The mailing as it is before a write (in the request's pool; NULL when it cannot be read:
 * the write then finds out why). */
static json_t *before_write(struct http_req *req, struct db *db, int64_t id)
{
	json_t *obj = NULL;
	return mailing_get(db, id, &obj) == MODEL_OK ? pool_json(&req->pool, obj) : NULL;
}

int api_mailing_status_query(struct http_req *req, const char **out)
{
	*out = http_query(req, "status");
	if (*out && mailing_status_valid(*out) < 0) {
		http_problem(req, 400, "status must be scheduled, running, finished or cancelled", NULL);
		return -1;
	}
	return 0;
}

void api_mailings_list(struct http_req *req)
{
	struct mailing_query q = {{"id", NULL, NULL, 0, {NULL}, NULL, NULL, NULL}, NULL, NULL, NULL, NULL};
	struct res_page page = {NULL, NULL, NULL, NULL};
	struct db *db;
	int count;
	int64_t total = 0;
	if (api_list_query(req, &q.page, &count) < 0 || api_mailing_status_query(req, &q.status) < 0 ||
	    (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = mailing_list(db, &q, &page);
	if (rc == MODEL_OK && count)
		rc = mailing_count(db, q.status, &total);
	api_list_answer(req, rc, &page, count ? &total : NULL);
}

void api_mailings_get(struct http_req *req)
{
	api_object_id(req, mailing_get);
}

void api_mailings_create(struct http_req *req)
{
	struct verr v = VERR_INIT;
	struct mailing_in in;
	struct db *db;
	json_t *body = api_body_object(req);
	if (body == NULL)
		return;
	if (mailing_validate(body, 1, &in, &v) < 0)
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	else if ((db = api_db(req)) != NULL) {
		json_t *obj;
		const char *why = NULL;
		enum model_rc rc = mailing_insert(db, &in, req->user.id, &obj, &why);
		if (rc == MODEL_OK) {
			json_int_t id = json_integer_value(json_object_get(obj, "id"));
			http_header(req, "Location", pool_printf(&req->pool, "/api/v1/mailings/%lld", (long long)id));
			record(req, db, "created", id, NULL, obj);
		}
		answer(req, db, rc, 201, obj, why);
	}
	mailing_in_free(&in);
}

void api_mailings_update(struct http_req *req)
{
	struct verr v = VERR_INIT;
	struct mailing_in in;
	struct db *db;
	int64_t id;
	if (api_path_id(req, 0, &id) < 0)
		return;
	json_t *body = api_body_object(req);
	if (body == NULL)
		return;
	if (mailing_validate(body, req->method == HTTP_PUT, &in, &v) < 0)
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	else if ((db = api_db(req)) != NULL) {
		json_t *obj = NULL, *before = before_write(req, db, id);
		const char *why = NULL;
		enum model_rc rc = mailing_update(db, id, &in, &obj, &why);
		if (rc == MODEL_OK)
			record(req, db, "updated", id, before, obj);
		answer(req, db, rc, 200, obj, why);
	}
	mailing_in_free(&in);
}

void api_mailings_preview(struct http_req *req)
{
	int64_t id, client_id = 0;
	const char *c = http_query(req, "client_id");
	if (c && parse_i64(c, 1, INT64_MAX, &client_id) < 0) {
		http_problem(req, 400, "client_id must be a positive integer", NULL);
		return;
	}
	struct db *db = api_path_db(req, &id);
	if (db == NULL)
		return;
	json_t *obj = NULL;
	enum model_rc rc = mailing_preview(db, id, client_id, NULL, &obj);
	answer(req, db, rc, 200, obj, rc == MODEL_NOT_FOUND ? "there is no such mailing, or no such client" : NULL);
}

/* cancel and retry-failed: POST with no body needed; verb names it in the history. */
static void act(struct http_req *req, enum model_rc (*fn)(struct db *, int64_t, json_t **, const char **),
		const char *verb)
{
	int64_t id;
	struct db *db = api_path_db(req, &id);
	if (db == NULL)
		return;
	json_t *obj = NULL, *before = before_write(req, db, id);
	const char *why = NULL;
	enum model_rc rc = fn(db, id, &obj, &why);
	if (rc == MODEL_OK)
		record(req, db, verb, id, before, obj);
	answer(req, db, rc, 200, obj, why);
}

void api_mailings_cancel(struct http_req *req) { act(req, mailing_cancel, "cancelled"); }
void api_mailings_retry_failed(struct http_req *req) { act(req, mailing_retry_failed, "retried"); }

void api_mailings_delete(struct http_req *req)
{
	int64_t id;
	struct db *db = api_path_db(req, &id);
	if (db == NULL)
		return;
	json_t *before = before_write(req, db, id);
	enum model_rc rc = mailing_delete(db, id);
	if (rc == MODEL_OK) {
		record(req, db, "deleted", id, before, NULL);
		http_no_content(req);
	}
	else
		answer(req, db, rc, 204, NULL, NULL);
}
