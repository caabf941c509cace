/* model_mailing.c — mailings. */
#include "model_mailing.h"
#include "list.h"
#include "log.h"
#include "message_status.h"
#include "personal.h"
#include "rfc3339.h"
#include "sms.h"
#include "tmpl.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mailing's JSON text (the API's object), for a row aliased m. */
#define MAILING_OBJ \
	"json_build_object('id', m.id, 'start_at', api_ts(m.start_at), 'end_at', api_ts(m.end_at)," \
	" 'text', coalesce(m.text, (SELECT t.text FROM templates t WHERE t.id = m.template_id))," \
	" 'template_id', m.template_id, 'filter', json_build_object('operator_codes', m.filter_operator_codes," \
	" 'tags', m.filter_tags), 'send_window', CASE WHEN m.window_start IS NULL THEN NULL" \
	" ELSE json_build_object('start', to_char(m.window_start, 'HH24:MI'), 'end'," \
	" to_char(m.window_end, 'HH24:MI')) END, 'status', m.status," \
	" 'stats', mailing_stats_json(m.id), 'created_at', api_ts(m.created_at)," \
	" 'updated_at', api_ts(m.updated_at))::text"

#define NOTIFY "pg_notify('herald_mailings', m.id::text)"

static const char *const mailing_statuses[] = {"scheduled", "running", "finished", "cancelled", NULL};

int mailing_status_valid(const char *s)
{
	return list_has(mailing_statuses, s) ? 0 : -1;
}

/* Unknown keys of the object obj (named name) become "name.key" errors. */
static void only_keys(json_t *obj, const char *name, const char *const *allowed, struct verr *v)
{
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		if (!list_has(allowed, key)) {
			char field[96];
			snprintf(field, sizeof(field), "%s.%s", name, key);
			verr_add(v, field, "valid.unknown_field");
		}
	}
}

void mailing_filter_validate(json_t *f, struct mailing_in *out, struct verr *v)
{
	static const char *const keys[] = {"operator_codes", "tags", NULL};
	if (json_is_null(f)) {
		out->operator_codes = xstrdup("{}");
		out->tags = xstrdup("{}");
		return;
	}
	if (!json_is_object(f)) {
		verr_add(v, "filter", "valid.filter");
		return;
	}
	only_keys(f, "filter", keys, v);
	out->operator_codes = jv_str_list(f, "operator_codes", "filter.operator_codes", 3, 3, MAILING_FILTER_MAX,
					  valid_operator_code, v);
	out->tags = jv_str_list(f, "tags", "filter.tags", 1, 64, MAILING_FILTER_MAX, NULL, v);
}

static void validate_window(json_t *w, struct mailing_in *out, struct verr *v)
{
	static const char *const keys[] = {"start", "end", NULL};
	static const char *const names[] = {"send_window.start", "send_window.end"};
	const char *hhmm[2] = {NULL, NULL};
	int minutes[2] = {-1, -1};
	out->window_given = 1;
	if (json_is_null(w))
		return;
	if (!json_is_object(w)) {
		verr_add(v, "send_window", "valid.send_window");
		return;
	}
	only_keys(w, "send_window", keys, v);
	for (int i = 0; i < 2; i++) {
		json_t *s = json_object_get(w, keys[i]);
		if (s == NULL)
			verr_add(v, names[i], "valid.required");
		else if (!json_is_string(s) || (minutes[i] = parse_hhmm(json_string_value(s))) < 0)
			verr_add(v, names[i], "valid.time_of_day");
		else
			hhmm[i] = json_string_value(s);
	}
	if (hhmm[0] && hhmm[1] && minutes[0] == minutes[1])
		verr_add(v, "send_window.end", "valid.window_end");
	out->window_start = hhmm[0];
	out->window_end = hhmm[1];
}

int mailing_validate(json_t *in, int full, struct mailing_in *out, struct verr *v)
{
	static const char *const fields[] = {"start_at", "end_at", "text", "template_id", "filter", "send_window", NULL};
	json_t *f;
	memset(out, 0, sizeof(*out));
	jv_only(in, fields, v);
	int has_start = jv_time(in, "start_at", full, &out->start_at, v) == 1;
	int has_end = jv_time(in, "end_at", full, &out->end_at, v) == 1;
	int has_text = json_object_get(in, "text") != NULL, has_template = json_object_get(in, "template_id") != NULL;
	if (has_text && has_template)
		verr_add(v, "template_id", "valid.text_or_template");
	else if (full && !has_text && !has_template)
		verr_add(v, "text", "valid.text_required");
	if (has_text && jv_str(in, "text", 1, 1, MAILING_TEXT_MAX, &out->text, v) == 1)
		personal_check(out->text, "text", v);
	if (has_template && jv_i64(in, "template_id", 1, 1, INT64_MAX, &out->template_id, v) == 1)
		db_num(out->template_text, out->template_id);
	if ((f = json_object_get(in, "filter")) != NULL)
		mailing_filter_validate(f, out, v);
	else if (full) {
		out->operator_codes = xstrdup("{}");
		out->tags = xstrdup("{}");
	}
	if ((f = json_object_get(in, "send_window")) != NULL)
		validate_window(f, out, v);
	else
		out->window_given = full;
	double t0, t1;
	if (has_start && has_end && rfc3339_epoch(out->start_at, &t0) == 0 &&
	    rfc3339_epoch(out->end_at, &t1) == 0 && t1 <= t0)
		verr_add(v, "end_at", "valid.end_after_start");
	return verr_any(v) ? -1 : 0;
}

void mailing_in_free(struct mailing_in *in)
{
	free(in->operator_codes);
	free(in->tags);
	in->operator_codes = in->tags = NULL;
}

enum model_rc mailing_get(struct db *db, int64_t id, json_t **out)
{
	static const char q[] = "SELECT " MAILING_OBJ " FROM mailings m WHERE m.id = $1";
	return res_row(db, db_exec_id(db, q, id), out);
}

const char mailing_no_template[] = "valid.no_template";

const char *mailing_why_field(const char *why)
{
	return why == mailing_no_template ? "template_id" : "end_at";
}

/* A write that named a template that does not exist. */
static enum model_rc template_missing(enum model_rc rc, const char **why)
{
	if (rc == MODEL_IN_USE) {
		*why = mailing_no_template;
		return MODEL_INVALID;
	}
	return rc;
}

enum model_rc mailing_insert(struct db *db, const struct mailing_in *in, int64_t created_by, json_t **out,
			     const char **why)
{
	static const char q[] =
		"INSERT INTO mailings AS m (start_at, end_at, text, filter_operator_codes, filter_tags,"
		" window_start, window_end, created_by, template_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
		" RETURNING " MAILING_OBJ ", " NOTIFY;
	char by[DB_NUM_LEN];
	db_num(by, created_by);
	const char *p[] = {in->start_at, in->end_at, in->text, in->operator_codes, in->tags,
			   in->window_start, in->window_end, created_by > 0 ? by : NULL,
			   in->template_id ? in->template_text : NULL};
	enum model_rc rc = template_missing(res_row(db, db_exec(db, q, 9, p), out), why);
	if (rc == MODEL_OK)
		log_info("mailing.created", LI("mailing_id", json_integer_value(json_object_get(*out, "id"))),
			 LI("user_id", created_by));
	return rc;
}

enum model_rc mailing_preview(struct db *db, int64_t id, int64_t client_id, const char *phone, json_t **out)
{
	static const char q[] =
		"SELECT coalesce(m.text, t.text), coalesce(c.phone, $3), g.name, c.attributes::text,"
		" c.id IS NULL AND $2::bigint > 0"
		" FROM mailings m LEFT JOIN templates t ON t.id = m.template_id"
		" LEFT JOIN clients c ON c.id = $2::bigint OR c.phone = $3 LEFT JOIN tags g ON g.id = c.tag_id"
		" WHERE m.id = $1::bigint";
	char ids[DB_NUM_LEN], cid[DB_NUM_LEN], err[300];
	const char *p[] = {db_num(ids, id), db_num(cid, client_id), phone};
	PGresult *r = db_exec(db, q, 3, p);
	if (r == NULL)
		return model_db_rc(db);
	if (PQntuples(r) == 0 || *db_str(r, 0, 4) == 't') {
		PQclear(r);
		return MODEL_NOT_FOUND;
	}
	struct buf text = BUF_INIT;
	struct tmpl_set *t = personal_is(db_str(r, 0, 0)) ? personal_parse(db_str(r, 0, 0), err, sizeof(err)) : NULL;
	if (t) {
		json_t *ctx = personal_context(db_null(r, 0, 1) ? "" : db_str(r, 0, 1), db_null(r, 0, 2) ? NULL : db_str(r, 0, 2),
					       db_null(r, 0, 3) ? NULL : db_str(r, 0, 3));
		if (personal_render(t, ctx, &text) < 0)
			text.len = 0;
		json_decref(ctx);
		tmpl_set_free(t);
	} else {
		buf_puts(&text, db_str(r, 0, 0));
	}
	PQclear(r);
	buf_append(&text, "", 0);
	struct sms_size size;
	sms_measure(text.data, &size);
	*out = json_pack("{s:s, s:s, s:i, s:I}", "text", text.data, "encoding", size.encoding, "segments",
			 size.segments, "length", (json_int_t)size.units);
	buf_free(&text);
	return MODEL_OK;
}

enum model_rc mailing_count(struct db *db, const char *status, int64_t *n)
{
	static const char q[] = "SELECT count(*) FROM mailings WHERE $1::text IS NULL OR status = $1";
	const char *p[] = {status};
	return res_count(db, db_exec(db, q, 1, p), n);
}

/* Ends a transaction after a refusal or failure. */
static enum model_rc abandon(struct db *db, PGresult *r, enum model_rc rc)
{
	PQclear(r);
	db_rollback(db);
	return rc;
}

/* Commits, handing the mailing of row r to *out (NULL: not wanted). */
static enum model_rc finish(struct db *db, PGresult *r, json_t **out)
{
	if (r == NULL || db_commit(db) < 0)
		return abandon(db, r, MODEL_ERROR);
	if (out)
		return res_row(db, r, out);
	PQclear(r);
	return MODEL_OK;
}

/* One transaction on a mailing and its messages; what: its own arguments. */
typedef enum model_rc (*mailing_tx)(struct db *db, int64_t id, const void *what, json_t **out, const char **why);

/* once, run again when PostgreSQL ended it as a deadlock (or a serialization failure): the
 * transactions here lock the mailing's messages in the table's order, the dispatcher's outcome
 * writes in theirs, and PostgreSQL then ends one of the two (the dispatcher writes its outcomes
 * again too). */
static enum model_rc retried(mailing_tx once, struct db *db, int64_t id, const void *what, json_t **out,
			     const char **why)
{
	enum model_rc rc;
	for (int attempt = 1;; attempt++) {
		rc = once(db, id, what, out, why);
		if (rc != MODEL_ERROR || !db_is_transient(db) || attempt == 3)
			return rc;
		log_warn("mailing.retried_after_deadlock", LI("mailing_id", id), LI("attempt", attempt));
	}
}

/* A scheduled mailing's fields, or a running one's end (its open messages expire with it). */
static enum model_rc update_once(struct db *db, int64_t id, const void *what, json_t **out, const char **why)
{
	const struct mailing_in *in = what;
	static const char q_lock[] =
		"SELECT status,"
		" ($2::timestamptz IS NOT NULL AND $2::timestamptz <> start_at)"
		" OR ($4::text IS NOT NULL AND $4::text IS DISTINCT FROM text)"
		" OR ($10::bigint IS NOT NULL AND $10::bigint IS DISTINCT FROM template_id)"
		" OR ($5::text[] IS NOT NULL AND $5::text[] <> filter_operator_codes)"
		" OR ($6::text[] IS NOT NULL AND $6::text[] <> filter_tags)"
		" OR ($7::boolean AND (window_start IS DISTINCT FROM $8::time"
		"     OR window_end IS DISTINCT FROM $9::time)),"
		" coalesce($2::timestamptz, start_at) < coalesce($3::timestamptz, end_at),"
		" $3::timestamptz IS NOT NULL AND $3::timestamptz <> end_at"
		" FROM mailings WHERE id = $1 FOR UPDATE";
	static const char q_update[] =
		"UPDATE mailings m SET start_at = coalesce($2::timestamptz, start_at),"
		" end_at = coalesce($3::timestamptz, end_at),"
		" text = CASE WHEN $10::bigint IS NOT NULL THEN NULL ELSE coalesce($4::text, text) END,"
		" template_id = CASE WHEN $4::text IS NOT NULL THEN NULL ELSE coalesce($10::bigint, template_id) END,"
		" filter_operator_codes = coalesce($5::text[], filter_operator_codes),"
		" filter_tags = coalesce($6::text[], filter_tags),"
		" window_start = CASE WHEN $7::boolean THEN $8::time ELSE window_start END,"
		" window_end = CASE WHEN $7::boolean THEN $9::time ELSE window_end END, updated_at = now()"
		" WHERE m.id = $1 RETURNING " MAILING_OBJ ", " NOTIFY;
	static const char q_expiry[] =
		"UPDATE messages SET expires_at = $2 WHERE mailing_id = $1"
		" AND status IN (" MSG_SQL(MSG_PENDING) ", " MSG_SQL(MSG_SENDING) ")";
	char ids[DB_NUM_LEN];
	const char *p[] = {db_num(ids, id), in->start_at, in->end_at, in->text, in->operator_codes, in->tags,
			   in->window_given ? "true" : "false", in->window_start, in->window_end,
			   in->template_id ? in->template_text : NULL};
	if (db_begin(db) < 0)
		return MODEL_ERROR;
	PGresult *lock = db_exec(db, q_lock, 10, p);
	if (lock == NULL)
		return abandon(db, NULL, MODEL_ERROR);
	if (PQntuples(lock) == 0)
		return abandon(db, lock, MODEL_NOT_FOUND);
	const char *status = db_str(lock, 0, 0);
	int running = strcmp(status, "running") == 0, end_moves = *db_str(lock, 0, 3) == 't';
	if (!running && strcmp(status, "scheduled") != 0) {
		*why = "valid.mailing_closed";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	if (running && *db_str(lock, 0, 1) == 't') {
		*why = "valid.mailing_running";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	if (*db_str(lock, 0, 2) != 't') {
		*why = "valid.end_after_start";
		return abandon(db, lock, MODEL_INVALID);
	}
	PQclear(lock);
	if (running && end_moves) {
		const char *pe[] = {ids, in->end_at};
		if (db_run(db, q_expiry, 2, pe) < 0)
			return abandon(db, NULL, MODEL_ERROR);
	}
	PGresult *r = db_exec(db, q_update, 10, p);
	if (r == NULL && template_missing(model_db_rc(db), why) == MODEL_INVALID)
		return abandon(db, NULL, MODEL_INVALID);
	enum model_rc rc = finish(db, r, out);
	if (rc == MODEL_OK)
		log_info("mailing.updated", LI("mailing_id", id), LS("status", running ? "running" : "scheduled"),
			 LS("end_at_moved", end_moves ? "yes" : "no"));
	return rc;
}

enum model_rc mailing_update(struct db *db, int64_t id, const struct mailing_in *in, json_t **out,
			     const char **why)
{
	return retried(update_once, db, id, in, out, why);
}

/* A change of a mailing's state in one transaction: the mailing is locked (lock: its status
 * and whether end_at is ahead), refuse may say why not (NULL: go on), then q_messages ($1 the
 * id) changes its messages and q_mailing ($1 the id, $2 whether messages changed when
 * mailing_params is 2) the mailing; the log event counts the messages under counted. */
struct mailing_change {
	const char *q_messages, *q_mailing;
	int mailing_params;
	const char *(*refuse)(const PGresult *lock);
	const char *event, *counted;
};

static enum model_rc change_once(struct db *db, int64_t id, const void *what, json_t **out, const char **why)
{
	const struct mailing_change *c = what;
	static const char q_lock[] = "SELECT status, end_at > now() FROM mailings WHERE id = $1 FOR UPDATE";
	char ids[DB_NUM_LEN];
	const char *p[] = {db_num(ids, id), NULL};
	PGresult *lock;
	if (db_begin(db) < 0)
		return MODEL_ERROR;
	if ((lock = db_exec(db, q_lock, 1, p)) == NULL || PQntuples(lock) == 0)
		return abandon(db, lock, lock ? MODEL_NOT_FOUND : MODEL_ERROR);
	if (c->refuse && (*why = c->refuse(lock)) != NULL)
		return abandon(db, lock, MODEL_CONFLICT);
	PQclear(lock);
	long n = db_rows(db, c->q_messages, 1, p);
	if (n < 0)
		return abandon(db, NULL, MODEL_ERROR);
	p[1] = n > 0 ? "true" : "false";
	enum model_rc rc = finish(db, db_exec(db, c->q_mailing, c->mailing_params, p), out);
	if (rc == MODEL_OK)
		log_info(c->event, LI("mailing_id", id), LI(c->counted, n));
	return rc;
}

static const char *cancel_refused(const PGresult *lock)
{
	const char *status = db_str(lock, 0, 0);
	return strcmp(status, "finished") == 0 || strcmp(status, "cancelled") == 0
		? "valid.mailing_ended" : NULL;
}

enum model_rc mailing_cancel(struct db *db, int64_t id, json_t **out, const char **why)
{
	static const struct mailing_change c = {
		"UPDATE messages SET status = " MSG_SQL(MSG_CANCELLED) " WHERE mailing_id = $1 AND status = "
		MSG_SQL(MSG_PENDING),
		"UPDATE mailings m SET status = 'cancelled', finished_at = now(), updated_at = now()"
		" WHERE m.id = $1 RETURNING " MAILING_OBJ ", " NOTIFY,
		1, cancel_refused, "mailing.cancelled", "messages_cancelled"};
	return retried(change_once, db, id, &c, out, why);
}

static const char *retry_refused(const PGresult *lock)
{
	if (strcmp(db_str(lock, 0, 0), "cancelled") == 0)
		return "valid.mailing_cancelled";
	return *db_str(lock, 0, 1) != 't' ? "valid.mailing_past_end" : NULL;
}

enum model_rc mailing_retry_failed(struct db *db, int64_t id, json_t **out, const char **why)
{
	static const struct mailing_change c = {
		"WITH u AS (UPDATE messages SET status = " MSG_SQL(MSG_PENDING) ", due_at = now()"
		"  WHERE mailing_id = $1 AND status = " MSG_SQL(MSG_FAILED) " RETURNING id)"
		" INSERT INTO message_queue (message_id, due_at) SELECT id, now() FROM u"
		" ON CONFLICT (message_id) DO UPDATE SET due_at = excluded.due_at",
		"UPDATE mailings m SET updated_at = now(),"
		" status = CASE WHEN status = 'finished' AND $2::boolean THEN 'running' ELSE status END,"
		" finished_at = CASE WHEN status = 'finished' AND $2::boolean THEN NULL ELSE finished_at END"
		" WHERE m.id = $1 RETURNING " MAILING_OBJ ", " NOTIFY,
		2, retry_refused, "mailing.retry_failed", "messages_retried"};
	return retried(change_once, db, id, &c, out, why);
}

enum model_rc mailing_delete(struct db *db, int64_t id)
{
	/* Deleting the messages in the same transaction as the mailing is what cancelling a running
	 * mailing first amounts to: nobody sees the mailing running with its messages gone. */
	static const struct mailing_change c = {
		"DELETE FROM messages WHERE mailing_id = $1",
		"WITH c AS (DELETE FROM message_counts WHERE mailing_id = $1),"
		" mm AS (DELETE FROM message_minutes WHERE mailing_id = $1)"
		" DELETE FROM mailings m WHERE m.id = $1 RETURNING " NOTIFY,
		1, NULL, "mailing.deleted", "messages_deleted"};
	const char *why;
	return retried(change_once, db, id, &c, NULL, &why);
}

#define MAILING_LIST(keycmp, key, order) \
	"SELECT " MAILING_OBJ ", json_build_array(" key ")::text FROM mailings m" \
	" WHERE ($1::json IS NULL OR " keycmp ") AND ($2::text IS NULL OR strpos(lower(m.text), lower($2)) > 0)" \
	" AND ($4::text IS NULL OR m.status = $4)" \
	" AND ($5::date IS NULL OR m.start_at >= ($5::date)::timestamp AT TIME ZONE coalesce($7::text, 'UTC'))" \
	" AND ($6::date IS NULL OR m.start_at < ($6::date + 1)::timestamp AT TIME ZONE coalesce($7::text, 'UTC'))" \
	" ORDER BY " order " LIMIT $3"

enum model_rc mailing_list(struct db *db, const struct mailing_query *q, struct res_page *out)
{
	static const struct res_order orders[] = {
		{"id", MAILING_LIST("m.id > ($1::json->>0)::bigint", "m.id", "m.id"), "i"},
		{"-id", MAILING_LIST("m.id < ($1::json->>0)::bigint", "m.id", "m.id DESC"), "i"},
		{"start_at", MAILING_LIST("(m.start_at, m.id) > (($1::json->>0)::timestamptz, ($1::json->>1)::bigint)",
					  "api_ts(m.start_at), m.id", "m.start_at, m.id"), "si"},
		{"-start_at", MAILING_LIST("(m.start_at, m.id) < (($1::json->>0)::timestamptz, ($1::json->>1)::bigint)",
					   "api_ts(m.start_at), m.id", "m.start_at DESC, m.id DESC"), "si"},
	};
	size_t i = 0;
	while (i < ARRAY_LEN(orders) - 1 && strcmp(orders[i].sort, q->page.sort) != 0)
		i++;
	if (!res_key_fits(q->page.after, orders[i].key_types))
		return MODEL_INVALID;
	char lim[DB_NUM_LEN];
	const char *p[] = {q->page.after, q->page.q, db_num(lim, q->page.limit + 1), q->status,
			   q->from, q->to, q->zone};
	return res_rows(db, db_exec(db, orders[i].sql, 7, p), q->page.limit, out);
}

enum model_rc mailing_message_total(struct db *db, json_t *keys, int64_t *n)
{
	static const char q[] = "SELECT coalesce(sum(n), 0) FROM message_counts WHERE mailing_id IN"
				" (SELECT json_array_elements_text($1::json)::bigint)";
	char *ids = json_dumps(keys, JSON_COMPACT);
	const char *p[] = {ids};
	enum model_rc rc = res_count(db, db_exec(db, q, 1, p), n);
	free(ids);
	return rc;
}

/* --- the descriptor's model (resource.h): the admin's pages; the API's handlers call the
 * functions above, whose 409 details are the state rules' own sentences ----------------- */

static enum model_rc model_get(struct db *db, const struct res_key *k, json_t **out)
{
	return mailing_get(db, k->id, out);
}

/* The admin's add form (resource.h's creator): a mailing of the user whose id is in's
 * created_by. */
static enum model_rc model_insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	struct mailing_in mi;
	const char *why = NULL;
	enum model_rc rc = MODEL_INVALID;
	int64_t by = json_integer_value(json_object_get(in, "created_by"));
	json_object_del(in, "created_by");
	if (mailing_validate(in, 1, &mi, &e->fields) == 0)
		rc = mailing_insert(db, &mi, by, out, &why);
	mailing_in_free(&mi);
	return model_err_field(e, rc, rc == MODEL_INVALID && why ? mailing_why_field(why) : NULL, why ? why : "");
}

/* partial: only what in gives changes (a running mailing's end_at); else the whole mailing.
 * A state rule that refuses is reported on "status", an end_at that does not fit on end_at. */
static enum model_rc model_update(struct db *db, const struct res_key *k, json_t *in, int partial,
				  struct model_err *e, json_t **out)
{
	struct mailing_in mi;
	const char *why = NULL;
	enum model_rc rc = MODEL_INVALID;
	if (mailing_validate(in, !partial, &mi, &e->fields) == 0)
		rc = mailing_update(db, k->id, &mi, out, &why);
	mailing_in_free(&mi);
	return model_err_field(e, rc, rc == MODEL_INVALID && why ? mailing_why_field(why) : rc == MODEL_CONFLICT ? "status" : NULL,
			       why ? why : "");
}

static enum model_rc model_remove(struct db *db, const struct res_key *k)
{
	return mailing_delete(db, k->id);
}

/* The admin's list: the descriptor's filters status, from and to, days of q->zone; those that
 * are not valid are reported in q->bad. */
static enum model_rc model_list(struct db *db, const struct res_query *q, struct res_page *out)
{
	struct mailing_query mq = {*q, q->filter[0], q->filter[1], q->filter[2], q->zone};
	if (mq.status && mailing_status_valid(mq.status) < 0)
		verr_add(q->bad, "status", "valid.mailing_status");
	if (mq.from && rfc3339_date_valid(mq.from) < 0)
		verr_add(q->bad, "from", "valid.date");
	if (mq.to && rfc3339_date_valid(mq.to) < 0)
		verr_add(q->bad, "to", "valid.date");
	return verr_any(q->bad) ? MODEL_INVALID : mailing_list(db, &mq, out);
}

const struct res_model mailing_model = {.get = model_get, .insert = model_insert, .update = model_update,
					.remove = model_remove, .list = model_list};

