/* model_webhook.c — webhooks. The secret is written and never read back: no object, page,
 * history entry or log line carries it (only webhook.c reads it, to sign). */
#include "model_webhook.h"
#include "log.h"
#include "pgarr.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *const webhook_events[] = {"message.sent", "message.failed", "message.delivered", "message.undelivered",
				      "message.expired", "mailing.finished", NULL};

/* A webhook's object, for a webhooks row aliased h. */
#define WEBHOOK_JSON \
	"json_build_object('id', h.id, 'user_id', h.user_id, 'username', (SELECT username FROM users WHERE id = h.user_id)," \
	" 'url', h.url, 'events', h.events, 'enabled', h.enabled, 'created_at', api_ts(h.created_at)," \
	" 'updated_at', api_ts(h.updated_at))::text"

struct webhook_in {
	const char *url, *secret;   /* NULL: not given */
	char *events;               /* text[] literal (malloc'ed), NULL: not given */
	const char *enabled;        /* "t", "f", NULL: not given */
	int64_t user_id;
};

/* events: a non-empty array of known names, each once. */
static void validate_events(json_t *a, struct webhook_in *w, struct verr *v)
{
	size_t i, j, n = json_array_size(a);
	json_t *e;
	int ok = json_is_array(a) && n >= 1;
	json_array_foreach(a, i, e) {
		const char *s = json_string_value(e);
		int known = 0;
		for (j = 0; s && webhook_events[j]; j++)
			known |= strcmp(s, webhook_events[j]) == 0;
		for (j = 0; j < i; j++)
			known &= !json_equal(e, json_array_get(a, j));
		ok &= known;
	}
	if (!ok)
		verr_add(v, "events", "valid.webhook_events", "message.sent, message.failed, message.delivered, "
			 "message.undelivered, message.expired, mailing.finished");
	else
		w->events = pgarr_from_json(a);
}

static int validate(json_t *in, int creating, int partial, struct webhook_in *w, struct verr *v)
{
	static const char *const fields[] = {"url", "events", "secret", "enabled", "user_id", NULL};
	int enabled = 1;
	memset(w, 0, sizeof(*w));
	jv_only(in, fields, v);
	if (jv_str(in, "url", !partial, 1, WEBHOOK_URL_MAX, &w->url, v) == 1)
		if (valid_http_url(w->url, WEBHOOK_URL_MAX))
			verr_add(v, "url", valid_http_url(w->url, WEBHOOK_URL_MAX), WEBHOOK_URL_MAX);
	if (json_object_get(in, "events"))
		validate_events(json_object_get(in, "events"), w, v);
	else if (!partial)
		verr_add(v, "events", "valid.required");
	if (jv_str(in, "secret", creating, 1, WEBHOOK_SECRET_MAX, &w->secret, v) == 1 &&
	    !valid_visible(w->secret, WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX))
		verr_add(v, "secret", "valid.webhook_secret", WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX);
	if (jv_bool(in, "enabled", 0, &enabled, v) == 1 || !partial)   /* PUT: its default */
		w->enabled = enabled ? "t" : "f";
	if (creating)
		jv_i64(in, "user_id", 1, 1, INT64_MAX, &w->user_id, v);
	return verr_any(v) ? -1 : 0;
}

static enum model_rc written(struct db *db, PGresult *r, struct webhook_in *w, struct model_err *e, json_t **out)
{
	free(w->events);
	if (r == NULL && model_err_db(e, db) == MODEL_IN_USE)
		return model_err_field(e, MODEL_INVALID, "user_id", "valid.no_user", "");
	return e->rc = r ? res_row(db, r, out) : e->rc;
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	static const char q[] = "INSERT INTO webhooks AS h (user_id, url, events, secret, enabled)"
				" VALUES ($1::bigint, $2, $3::text[], $4, $5::boolean) RETURNING " WEBHOOK_JSON;
	struct webhook_in w;
	if (validate(in, 1, 0, &w, &e->fields) < 0) {
		free(w.events);
		return e->rc = MODEL_INVALID;
	}
	char uid[DB_NUM_LEN];
	const char *p[] = {db_num(uid, w.user_id), w.url, w.events, w.secret, w.enabled};
	if (written(db, db_exec(db, q, 5, p), &w, e, out) == MODEL_OK)
		log_info("webhook.created", LI("webhook_id", json_integer_value(json_object_get(*out, "id"))),
			 LI("user_id", w.user_id));
	return e->rc;
}

static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	static const char q[] = "UPDATE webhooks h SET url = coalesce($2, url), events = coalesce($3::text[], events),"
				" secret = coalesce($4, secret), enabled = coalesce($5::boolean, enabled), updated_at = now()"
				" WHERE h.id = $1::bigint RETURNING " WEBHOOK_JSON;
	struct webhook_in w;
	json_object_del(in, "user_id");   /* a webhook stays its owner's */
	if (validate(in, 0, partial, &w, &e->fields) < 0) {
		free(w.events);
		return e->rc = MODEL_INVALID;
	}
	const char *p[] = {k->text, w.url, w.events, w.secret, w.enabled};
	if (written(db, db_exec(db, q, 5, p), &w, e, out) == MODEL_OK)
		log_info("webhook.updated", LS("webhook_id", k->text));
	return e->rc;
}

/* The webhooks of the owner $4 (NULL: every user's), searched in their URLs. */
#define WEBHOOKS_OF "(SELECT * FROM webhooks WHERE $4::bigint IS NULL OR user_id = $4::bigint) h"
#define WEBHOOK_MATCH "strpos(lower(h.url), lower($2)) > 0"

/* q->filter[0]: the owner whose webhooks are listed (NULL: every user's) */
static enum model_rc list(struct db *db, const struct res_query *q, struct res_page *out)
{
	static const struct res_order orders[] = {
		{"id", RES_LIST_SQL(WEBHOOK_JSON, WEBHOOKS_OF, WEBHOOK_MATCH, "h.id > ($1::json->>0)::bigint", "h.id", "h.id"), "i"},
		{"-id", RES_LIST_SQL(WEBHOOK_JSON, WEBHOOKS_OF, WEBHOOK_MATCH, "h.id < ($1::json->>0)::bigint", "h.id", "h.id DESC"), "i"},
	};
	int64_t user_id;
	if (q->filter[0] && parse_i64(q->filter[0], 1, INT64_MAX, &user_id) < 0)
		return MODEL_INVALID;
	return res_list_filtered(db, orders, ARRAY_LEN(orders), q, 1, out);
}

enum model_rc webhook_count_of(struct db *db, const struct res_query *q, int64_t *n)
{
	const char *p[] = {q->filter[0]};
	return res_count(db, db_exec(db, "SELECT count(*) FROM webhooks WHERE $1::bigint IS NULL OR user_id = $1::bigint",
				     1, p), n);
}

json_t *webhook_deliveries(struct db *db, int64_t id, int n)
{
	static const char q[] =
	    "SELECT coalesce(json_agg(json_build_object('id', id, 'event', event, 'status', status, 'attempts', attempts,"
	    " 'last_code', last_code, 'last_answer', last_answer,"
	    " 'next_at', CASE WHEN status = 'pending' THEN api_ts(next_at) END, 'created_at', api_ts(created_at))"
	    " ORDER BY id DESC), '[]')::text"
	    " FROM (SELECT * FROM webhook_deliveries WHERE webhook_id = $1::bigint ORDER BY id DESC LIMIT $2) d";
	char ids[DB_NUM_LEN], lim[DB_NUM_LEN];
	const char *p[] = {db_num(ids, id), db_num(lim, n)};
	json_t *a;
	res_row(db, db_exec(db, q, 2, p), &a);
	return a;
}

enum model_rc webhook_waiting(struct db *db, int64_t id, int64_t *n)
{
	return res_count(db, db_exec_id(db, "SELECT webhook_waiting($1::bigint)", id), n);
}

enum model_rc webhook_queue_test(struct db *db, int64_t id)
{
	static const char q[] = "INSERT INTO webhook_deliveries (webhook_id, event) VALUES ($1, '" WEBHOOK_TEST_EVENT "')";
	PGresult *r = db_exec_id(db, q, id);
	if (r == NULL)
		return model_db_rc(db);
	PQclear(r);
	log_info("webhook.test_queued", LI("webhook_id", id));
	return MODEL_OK;
}

const struct res_model webhook_model = {
	.insert = insert, .update = update, .list = list,
	.get_sql = "SELECT " WEBHOOK_JSON " FROM webhooks h WHERE h.id = $1::bigint",
	.remove_sql = "DELETE FROM webhooks WHERE id = $1::bigint",
	.removed = "webhook.deleted", .removed_key = "webhook_id",
};
