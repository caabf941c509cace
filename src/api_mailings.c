/* api_mailings.c — /api/v1/mailings: thin handlers over model_mailing. */
#include "api_handlers.h"
#include "model_mailing.h"

/* ?status= of a mailing list: 0 with *out NULL (absent) or the status; -1 after answering 400. */
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
	struct page pg;
	struct db *db;
	const char *status;
	if (api_page(req, &pg, 1) < 0 || api_mailing_status_query(req, &status) < 0 ||
	    (db = api_db(req)) == NULL)
		return;
	PGresult *r = mailing_list(db, &pg, status), *c = r && pg.count ? mailing_count(db, status) : NULL;
	api_answer_list(req, db, &pg, r, c);
}

void api_mailings_get(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = mailing_get(db, id);
	api_answer(req, db, 200, r, NULL);
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
		PGresult *r = mailing_insert(db, &in, req->user.id);
		api_answer(req, db, 201, r, "/api/v1/mailings/");
	}
	mailing_in_free(&in);
}

/* Answers the outcome of a change that state rules may refuse. */
static void answer(struct http_req *req, struct db *db, enum model_rc rc, PGresult *r, const char *why)
{
	struct verr v = VERR_INIT;
	if (rc == MODEL_OK)
		api_row(req, 200, r, NULL);
	else if (rc == MODEL_INVALID) {
		verr_add(&v, "end_at", "%s", why);
		http_fail(req, rc, NULL, verr_take(&v));
	} else if (rc == MODEL_ERROR)
		http_db_fail(req, db);
	else
		http_fail(req, rc, why, NULL);
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
		PGresult *r = NULL;
		const char *why = NULL;
		enum model_rc rc = mailing_update(db, id, &in, &r, &why);
		answer(req, db, rc, r, why);
	}
	mailing_in_free(&in);
}

/* cancel and retry-failed: POST with no body needed. */
static void act(struct http_req *req, enum model_rc (*fn)(struct db *, int64_t, PGresult **, const char **))
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = NULL;
	const char *why = NULL;
	enum model_rc rc = fn(db, id, &r, &why);
	answer(req, db, rc, r, why);
}

void api_mailings_cancel(struct http_req *req) { act(req, mailing_cancel); }
void api_mailings_retry_failed(struct http_req *req) { act(req, mailing_retry_failed); }

void api_mailings_delete(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = mailing_delete(db, id);
	if (rc == MODEL_OK)
		http_no_content(req);
	else
		answer(req, db, rc, NULL, NULL);
}
