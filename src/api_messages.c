/* api_messages.c — /api/v1/messages and /api/v1/mailings/{id}/messages: reading messages and
 * direct sending, thin handlers over model_message. */
#include "api_handlers.h"
#include "audit.h"
#include "idempotency.h"
#include "message_search.h"
#include "model_mailing.h"
#include "model_message.h"
#include "util.h"

/* Reads ?limit, ?cursor and ?count into q and count, ?status= and ?phone= into s. -1 after
 * answering 400. */
static int read_query(struct http_req *req, struct res_query *q, int *count, struct message_search *s)
{
	s->status = http_query(req, "status");
	s->phone = http_query(req, "phone");
	if (api_list_query(req, q, count) < 0)
		return -1;
	if (s->status && message_status_code(s->status) < 0) {
		http_problem(req, 400, "status must be pending, sending, sent, failed, expired, cancelled, delivered or undelivered", NULL);
		return -1;
	}
	if (s->phone && valid_phone(s->phone)) {
		http_problem(req, 400, "phone must be 11 digits starting with 7", NULL);
		return -1;
	}
	return 0;
}

/* GET /messages (of_mailing 0: the mailing from ?mailing_id, if any) and
 * /mailings/{id}/messages (of_mailing 1: the path's, which must exist). */
static void list(struct http_req *req, int of_mailing)
{
	struct res_query q = {"id", NULL, NULL, 0, {NULL}, NULL, NULL, NULL};
	struct message_search s = {NULL};
	struct res_page page;
	struct db *db;
	int64_t id, total = 0;
	int count;
	json_t *m = NULL;
	if ((of_mailing && api_path_id(req, 0, &id) < 0) || read_query(req, &q, &count, &s) < 0)
		return;
	s.mailing_id = of_mailing ? req->params[0] : http_query(req, "mailing_id");
	if (!of_mailing && s.mailing_id && parse_i64(s.mailing_id, 1, INT64_MAX, &id) < 0) {
		http_problem(req, 400, "mailing_id must be a positive whole number", NULL);
		return;
	}
	if ((db = api_db(req)) == NULL)
		return;
	enum model_rc rc = of_mailing ? mailing_get(db, id, &m) : MODEL_OK;
	json_decref(m);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	rc = message_search_list(db, &q, &s, &page);
	if (rc == MODEL_OK && count && message_search_count(db, &s, &total, NULL) < 0)
		rc = model_db_rc(db);
	api_list_answer(req, rc, &page, count ? &total : NULL);
}

void api_messages_list(struct http_req *req)
{
	list(req, 0);
}

void api_mailings_messages(struct http_req *req)
{
	list(req, 1);
}

void api_messages_get(struct http_req *req)
{
	api_object_id(req, message_get);
}

/* A direct send: the validated input, and whether it is a batch. */
struct send {
	struct message_in in;
	int batch;
};

/* Queues the send (idem_create_fn): 202, or 422 for a single phone on the stop list. */
static void create(struct http_req *req, struct db *db, void *ctx)
{
	const struct send *s = ctx;
	if (!s->batch && api_stoplist_refuse(req, db, s->in.phone))
		return;
	json_t *obj = NULL;
	enum model_rc rc = s->batch ? message_batch(db, &s->in, req->user.id, &obj)
				    : message_send(db, &s->in, req->user.id, &obj);
	if (rc == MODEL_OK) {
		json_t *id = json_object_get(obj, s->batch ? "mailing_id" : "id");
		audit_outcome(db, req, pool_printf(&req->pool, "%s %lld", s->batch ? "mailing" : "message",
						   (long long)json_integer_value(id)), obj);
	}
	api_object(req, rc, 202, obj);
}

/* POST /messages (batch 0) and /messages/batch (batch 1): 202, the engine sends. */
static void queue(struct http_req *req, int batch)
{
	struct verr v = VERR_INIT;
	struct send s = {.batch = batch};
	struct db *db;
	json_t *body = api_body_object(req);
	if (body == NULL)
		return;
	if (message_validate(body, batch, &s.in, &v) < 0)
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	else if ((db = api_db(req)) != NULL)
		idem_run(req, db, create, &s);
	message_in_free(&s.in);
}

void api_messages_send(struct http_req *req) { queue(req, 0); }
void api_messages_batch(struct http_req *req) { queue(req, 1); }
