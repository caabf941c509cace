/* api_messages.c — /api/v1/messages and /api/v1/mailings/{id}/messages: reading messages and
 * direct sending, thin handlers over model_message. */
#include "api_handlers.h"
#include "idempotency.h"
#include "model_mailing.h"
#include "model_message.h"
#include "util.h"

/* Reads ?status= and ?phone= into f (status as its code "0".."7", in code_buf). -1 after answering 400. */
static int read_filter(struct http_req *req, struct message_filter *f, char code_buf[2])
{
	const char *status = http_query(req, "status");
	int code;
	f->status = NULL;
	f->phone = http_query(req, "phone");
	if (status) {
		if ((code = message_status_code(status)) < 0) {
			http_problem(req, 400, "status must be pending, sending, sent, failed, expired, cancelled, delivered or undelivered", NULL);
			return -1;
		}
		code_buf[0] = (char)('0' + code);
		code_buf[1] = '\0';
		f->status = code_buf;
	}
	if (f->phone && valid_phone(f->phone)) {
		http_problem(req, 400, "phone must be 11 digits starting with 7", NULL);
		return -1;
	}
	return 0;
}

static void list(struct http_req *req, struct db *db, const struct page *pg, const struct message_filter *f)
{
	PGresult *r = message_list(db, pg, f), *c = r && pg->count ? message_count(db, f) : NULL;
	api_answer_list(req, db, pg, r, c);
}

void api_messages_list(struct http_req *req)
{
	struct page pg;
	struct message_filter f;
	struct db *db;
	char code[2];
	int64_t mailing_id;
	if (api_page(req, &pg, 1) < 0 || read_filter(req, &f, code) < 0)
		return;
	f.mailing_id = http_query(req, "mailing_id");
	if (f.mailing_id && parse_i64(f.mailing_id, 1, INT64_MAX, &mailing_id) < 0) {
		http_problem(req, 400, "mailing_id must be a positive whole number", NULL);
		return;
	}
	if ((db = api_db(req)) != NULL)
		list(req, db, &pg, &f);
}

void api_mailings_messages(struct http_req *req)
{
	struct page pg;
	struct message_filter f;
	struct db *db;
	char code[2];
	int64_t id;
	if (api_path_id(req, 0, &id) < 0 || api_page(req, &pg, 1) < 0 || read_filter(req, &f, code) < 0 ||
	    (db = api_db(req)) == NULL)
		return;
	json_t *m;
	enum model_rc rc = mailing_get(db, id, &m);
	json_decref(m);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	f.mailing_id = req->params[0];
	list(req, db, &pg, &f);
}

void api_messages_get(struct http_req *req)
{
	api_answer_id(req, message_get);
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
	PGresult *r = s->batch ? message_batch(db, &s->in, req->user.id) : message_send(db, &s->in, req->user.id);
	api_answer(req, db, 202, r, NULL);
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
