/* model_mailing.c — mailings. */
#include "model_mailing.h"
#include "list.h"
#include "log.h"
#include "message_status.h"
#include "pgarr.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Row: the mailing's JSON (column 0) and id (column 1), for a row aliased m. */
#define MAILING_JSON \
	"json_build_object('id', m.id, 'start_at', api_ts(m.start_at), 'end_at', api_ts(m.end_at)," \
	" 'text', m.text, 'filter', json_build_object('operator_codes', m.filter_operator_codes," \
	" 'tags', m.filter_tags), 'send_window', CASE WHEN m.window_start IS NULL THEN NULL" \
	" ELSE json_build_object('start', to_char(m.window_start, 'HH24:MI'), 'end'," \
	" to_char(m.window_end, 'HH24:MI')) END, 'status', m.status," \
	" 'stats', mailing_stats_json(m.id), 'created_at', api_ts(m.created_at)," \
	" 'updated_at', api_ts(m.updated_at))::text, m.id"

#define NOTIFY "pg_notify('herald_mailings', m.id::text)"
#define LIST_ITEM_ERRORS 20   /* per list field, so one bad list cannot flood the answer */

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
			verr_add(v, field, "unknown field");
		}
	}
}

/* A list of strings of minlen..maxlen characters each passing rule (may be NULL), at most
 * MAILING_FILTER_MAX of them; absent means empty. Returns the text[] literal (owned), or NULL
 * with errors under field. */
static char *string_list(json_t *obj, const char *key, const char *field, long minlen, long maxlen,
			 const char *(*rule)(const char *), struct verr *v)
{
	json_t *a = json_object_get(obj, key), *item;
	size_t i, bad = 0;
	if (a == NULL)
		return xstrdup("{}");
	if (!json_is_array(a)) {
		verr_add(v, field, "must be a list of strings");
		return NULL;
	}
	if (json_array_size(a) > MAILING_FILTER_MAX) {
		verr_add(v, field, "may hold at most %d items", MAILING_FILTER_MAX);
		return NULL;
	}
	json_array_foreach(a, i, item) {
		const char *why = NULL;
		long n = json_is_string(item) ? utf8_length(json_string_value(item), json_string_length(item)) : -1;
		if (!json_is_string(item))
			why = "must be a string";
		else if (n < 0 || strlen(json_string_value(item)) != json_string_length(item))
			why = "must be valid UTF-8 text without NUL characters";
		else if (n < minlen || n > maxlen)
			why = "has the wrong length";
		else if (rule)
			why = rule(json_string_value(item));
		if (why && bad++ < LIST_ITEM_ERRORS)
			verr_add(v, field, "item %zu: %s", i, why);
	}
	return bad ? NULL : pgarr_from_json(a);
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
		verr_add(v, "filter", "must be an object {\"operator_codes\": [...], \"tags\": [...]} or null");
		return;
	}
	only_keys(f, "filter", keys, v);
	out->operator_codes = string_list(f, "operator_codes", "filter.operator_codes", 3, 3,
					  valid_operator_code, v);
	out->tags = string_list(f, "tags", "filter.tags", 1, 64, NULL, v);
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
		verr_add(v, "send_window", "must be an object {\"start\": \"HH:MM\", \"end\": \"HH:MM\"} or null");
		return;
	}
	only_keys(w, "send_window", keys, v);
	for (int i = 0; i < 2; i++) {
		json_t *s = json_object_get(w, keys[i]);
		if (s == NULL)
			verr_add(v, names[i], "this field is required");
		else if (!json_is_string(s) || (minutes[i] = parse_hhmm(json_string_value(s))) < 0)
			verr_add(v, names[i], "must be a time of day \"HH:MM\" (00:00 to 23:59)");
		else
			hhmm[i] = json_string_value(s);
	}
	if (hhmm[0] && hhmm[1] && minutes[0] == minutes[1])
		verr_add(v, "send_window.end", "must differ from start (start after end wraps midnight)");
	out->window_start = hhmm[0];
	out->window_end = hhmm[1];
}

int mailing_validate(json_t *in, int full, struct mailing_in *out, struct verr *v)
{
	static const char *const fields[] = {"start_at", "end_at", "text", "filter", "send_window", NULL};
	json_t *f;
	memset(out, 0, sizeof(*out));
	jv_only(in, fields, v);
	int has_start = jv_time(in, "start_at", full, &out->start_at, v) == 1;
	int has_end = jv_time(in, "end_at", full, &out->end_at, v) == 1;
	jv_str(in, "text", full, 1, MAILING_TEXT_MAX, &out->text, v);
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
		verr_add(v, "end_at", "must be after start_at");
	return verr_any(v) ? -1 : 0;
}

void mailing_in_free(struct mailing_in *in)
{
	free(in->operator_codes);
	free(in->tags);
	in->operator_codes = in->tags = NULL;
}

PGresult *mailing_get(struct db *db, int64_t id)
{
	static const char q[] = "SELECT " MAILING_JSON " FROM mailings m WHERE m.id = $1";
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids};
	return db_exec(db, q, 1, p);
}

PGresult *mailing_insert(struct db *db, const struct mailing_in *in, int64_t created_by)
{
	static const char q[] =
		"INSERT INTO mailings AS m (start_at, end_at, text, filter_operator_codes, filter_tags,"
		" window_start, window_end, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
		" RETURNING " MAILING_JSON ", " NOTIFY;
	char by[24];
	snprintf(by, sizeof(by), "%lld", (long long)created_by);
	const char *p[] = {in->start_at, in->end_at, in->text, in->operator_codes, in->tags,
			   in->window_start, in->window_end, created_by > 0 ? by : NULL};
	PGresult *r = db_exec(db, q, 8, p);
	if (r && PQntuples(r))
		log_info("mailing.created", LI("mailing_id", db_i64(r, 0, 1)), LI("user_id", created_by));
	return r;
}

PGresult *mailing_list(struct db *db, const struct page *pg, const char *status)
{
	static const char q[] = "SELECT " MAILING_JSON " FROM mailings m WHERE m.id > $1::bigint"
				" AND ($3::text IS NULL OR m.status = $3) ORDER BY m.id LIMIT $2";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg->limit + 1);
	const char *p[] = {pg->after, lim, status};
	return db_exec(db, q, 3, p);
}

PGresult *mailing_count(struct db *db, const char *status)
{
	static const char q[] = "SELECT count(*) FROM mailings WHERE $1::text IS NULL OR status = $1";
	const char *p[] = {status};
	return db_exec(db, q, 1, p);
}

/* Locks the mailing row for the rest of the transaction: its status, or NULL (no such mailing;
 * error: db->sqlstate set). The result stays in *lock for the caller to PQclear. */
static const char *lock_status(struct db *db, const char *ids, PGresult **lock)
{
	static const char q[] = "SELECT status, end_at > now() FROM mailings WHERE id = $1 FOR UPDATE";
	const char *p[] = {ids};
	*lock = db_exec(db, q, 1, p);
	return *lock && PQntuples(*lock) ? db_str(*lock, 0, 0) : NULL;
}

/* Ends a transaction after a refusal or failure. */
static enum model_rc abandon(struct db *db, PGresult *r, enum model_rc rc)
{
	PQclear(r);
	db_rollback(db);
	return rc;
}

/* Commits, handing the mailing row r to *out. */
static enum model_rc finish(struct db *db, PGresult *r, PGresult **out)
{
	if (r == NULL || db_commit(db) < 0)
		return abandon(db, r, MODEL_ERROR);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MODEL_NOT_FOUND;
	}
	*out = r;
	return MODEL_OK;
}

enum model_rc mailing_update(struct db *db, int64_t id, const struct mailing_in *in,
			       PGresult **out, const char **why)
{
	static const char q_lock[] =
		"SELECT status,"
		" ($2::timestamptz IS NOT NULL AND $2::timestamptz <> start_at)"
		" OR ($4::text IS NOT NULL AND $4::text <> text)"
		" OR ($5::text[] IS NOT NULL AND $5::text[] <> filter_operator_codes)"
		" OR ($6::text[] IS NOT NULL AND $6::text[] <> filter_tags)"
		" OR ($7::boolean AND (window_start IS DISTINCT FROM $8::time"
		"     OR window_end IS DISTINCT FROM $9::time)),"
		" coalesce($2::timestamptz, start_at) < coalesce($3::timestamptz, end_at),"
		" $3::timestamptz IS NOT NULL AND $3::timestamptz <> end_at"
		" FROM mailings WHERE id = $1 FOR UPDATE";
	static const char q_update[] =
		"UPDATE mailings m SET start_at = coalesce($2::timestamptz, start_at),"
		" end_at = coalesce($3::timestamptz, end_at), text = coalesce($4::text, text),"
		" filter_operator_codes = coalesce($5::text[], filter_operator_codes),"
		" filter_tags = coalesce($6::text[], filter_tags),"
		" window_start = CASE WHEN $7::boolean THEN $8::time ELSE window_start END,"
		" window_end = CASE WHEN $7::boolean THEN $9::time ELSE window_end END, updated_at = now()"
		" WHERE m.id = $1 RETURNING " MAILING_JSON ", " NOTIFY;
	static const char q_expiry[] =
		"UPDATE messages SET expires_at = $2 WHERE mailing_id = $1"
		" AND status IN (" MSG_SQL(MSG_PENDING) ", " MSG_SQL(MSG_SENDING) ")";
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids, in->start_at, in->end_at, in->text, in->operator_codes, in->tags,
			   in->window_given ? "true" : "false", in->window_start, in->window_end};
	if (db_begin(db) < 0)
		return MODEL_ERROR;
	PGresult *lock = db_exec(db, q_lock, 9, p);
	if (lock == NULL)
		return abandon(db, NULL, MODEL_ERROR);
	if (PQntuples(lock) == 0)
		return abandon(db, lock, MODEL_NOT_FOUND);
	const char *status = db_str(lock, 0, 0);
	int running = strcmp(status, "running") == 0, end_moves = *db_str(lock, 0, 3) == 't';
	if (!running && strcmp(status, "scheduled") != 0) {
		*why = "a finished or cancelled mailing cannot be changed";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	if (running && *db_str(lock, 0, 1) == 't') {
		*why = "a running mailing can only change end_at";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	if (*db_str(lock, 0, 2) != 't') {
		*why = "must be after start_at";
		return abandon(db, lock, MODEL_INVALID);
	}
	PQclear(lock);
	if (running && end_moves) {
		const char *pe[] = {ids, in->end_at};
		if (db_run(db, q_expiry, 2, pe) < 0)
			return abandon(db, NULL, MODEL_ERROR);
	}
	enum model_rc rc = finish(db, db_exec(db, q_update, 9, p), out);
	if (rc == MODEL_OK)
		log_info("mailing.updated", LI("mailing_id", id), LS("status", running ? "running" : "scheduled"),
			 LS("end_at_moved", end_moves ? "yes" : "no"));
	return rc;
}

enum model_rc mailing_cancel(struct db *db, int64_t id, PGresult **out, const char **why)
{
	static const char q_messages[] = "UPDATE messages SET status = " MSG_SQL(MSG_CANCELLED)
		" WHERE mailing_id = $1 AND status = " MSG_SQL(MSG_PENDING);
	static const char q_mailing[] =
		"UPDATE mailings m SET status = 'cancelled', finished_at = now(), updated_at = now()"
		" WHERE m.id = $1 RETURNING " MAILING_JSON ", " NOTIFY;
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids};
	PGresult *lock;
	if (db_begin(db) < 0)
		return MODEL_ERROR;
	const char *status = lock_status(db, ids, &lock);
	if (status == NULL)
		return abandon(db, lock, lock ? MODEL_NOT_FOUND : MODEL_ERROR);
	if (strcmp(status, "finished") == 0 || strcmp(status, "cancelled") == 0) {
		*why = "the mailing is already finished or cancelled";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	PQclear(lock);
	PGresult *r = db_exec(db, q_messages, 1, p);
	if (r == NULL)
		return abandon(db, NULL, MODEL_ERROR);
	long n = atol(PQcmdTuples(r));
	PQclear(r);
	enum model_rc rc = finish(db, db_exec(db, q_mailing, 1, p), out);
	if (rc == MODEL_OK)
		log_info("mailing.cancelled", LI("mailing_id", id), LI("messages_cancelled", n));
	return rc;
}

enum model_rc mailing_retry_failed(struct db *db, int64_t id, PGresult **out, const char **why)
{
	static const char q_messages[] =
		"WITH u AS (UPDATE messages SET status = " MSG_SQL(MSG_PENDING) ", due_at = now()"
		"  WHERE mailing_id = $1 AND status = " MSG_SQL(MSG_FAILED) " RETURNING id)"
		" INSERT INTO message_queue (message_id, due_at) SELECT id, now() FROM u"
		" ON CONFLICT (message_id) DO UPDATE SET due_at = excluded.due_at";
	static const char q_mailing[] =
		"UPDATE mailings m SET updated_at = now(),"
		" status = CASE WHEN status = 'finished' AND $2::boolean THEN 'running' ELSE status END,"
		" finished_at = CASE WHEN status = 'finished' AND $2::boolean THEN NULL ELSE finished_at END"
		" WHERE m.id = $1 RETURNING " MAILING_JSON ", " NOTIFY;
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	PGresult *lock;
	if (db_begin(db) < 0)
		return MODEL_ERROR;
	const char *status = lock_status(db, ids, &lock);
	if (status == NULL)
		return abandon(db, lock, lock ? MODEL_NOT_FOUND : MODEL_ERROR);
	if (strcmp(status, "cancelled") == 0) {
		*why = "a cancelled mailing cannot be retried";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	if (*db_str(lock, 0, 1) != 't') {
		*why = "the mailing's end_at has passed; failed messages can no longer be sent";
		return abandon(db, lock, MODEL_CONFLICT);
	}
	PQclear(lock);
	const char *p[] = {ids};
	PGresult *r = db_exec(db, q_messages, 1, p);
	if (r == NULL)
		return abandon(db, NULL, MODEL_ERROR);
	long n = atol(PQcmdTuples(r));
	PQclear(r);
	const char *pm[] = {ids, n > 0 ? "true" : "false"};
	enum model_rc rc = finish(db, db_exec(db, q_mailing, 2, pm), out);
	if (rc == MODEL_OK)
		log_info("mailing.retry_failed", LI("mailing_id", id), LI("messages_retried", n));
	return rc;
}

enum model_rc mailing_delete(struct db *db, int64_t id)
{
	/* Deleting the messages in the same transaction as the mailing is what cancelling a running
	 * mailing first amounts to: nobody sees the mailing running with its messages gone. */
	static const char q_messages[] = "DELETE FROM messages WHERE mailing_id = $1";
	static const char q_mailing[] =
		"WITH c AS (DELETE FROM message_counts WHERE mailing_id = $1),"
		" mm AS (DELETE FROM message_minutes WHERE mailing_id = $1)"
		" DELETE FROM mailings m WHERE m.id = $1 RETURNING " NOTIFY;
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids};
	PGresult *lock, *r;
	if (db_begin(db) < 0)
		return MODEL_ERROR;
	if (lock_status(db, ids, &lock) == NULL)
		return abandon(db, lock, lock ? MODEL_NOT_FOUND : MODEL_ERROR);
	PQclear(lock);
	if ((r = db_exec(db, q_messages, 1, p)) == NULL)
		return abandon(db, NULL, MODEL_ERROR);
	long n = atol(PQcmdTuples(r));
	PQclear(r);
	if (db_run(db, q_mailing, 1, p) < 0 || db_commit(db) < 0)
		return abandon(db, NULL, MODEL_ERROR);
	log_info("mailing.deleted", LI("mailing_id", id), LI("messages_deleted", n));
	return MODEL_OK;
}

/* Row for the admin lists, for a mailings row aliased m: counts from the counters. */
#define MAILING_ROW \
	"(json_build_object('id', m.id, 'status', m.status, 'start_at', api_ts(m.start_at)," \
	" 'end_at', api_ts(m.end_at), 'excerpt', CASE WHEN char_length(m.text) > 30" \
	" THEN left(m.text, 29) || '…' ELSE m.text END)::jsonb" \
	" || (SELECT jsonb_build_object('total', coalesce(sum(n), 0)," \
	"  'sent', coalesce(sum(n) FILTER (WHERE status = " MSG_SQL(MSG_SENT) "), 0)," \
	"  'failed', coalesce(sum(n) FILTER (WHERE status = " MSG_SQL(MSG_FAILED) "), 0))" \
	"  FROM message_counts c WHERE c.mailing_id = m.id))::text"

#define MAILING_SEARCH(keycmp, key) \
	"SELECT " MAILING_ROW ", json_build_array(" key ")::text FROM mailings m" \
	" WHERE ($1::json IS NULL OR " keycmp ") AND ($2::text IS NULL OR m.status = $2)" \
	" AND ($3::date IS NULL OR m.start_at >= ($3::date)::timestamp AT TIME ZONE 'UTC')" \
	" AND ($4::date IS NULL OR m.start_at < ($4::date + 1)::timestamp AT TIME ZONE 'UTC')" \
	" AND ($5::text IS NULL OR strpos(lower(m.text), lower($5)) > 0)"

PGresult *mailing_search(struct db *db, const char *sort, const char *after_json, const char *status,
			 const char *from, const char *to, const char *q, int limit)
{
	static const char by_id[] =
		MAILING_SEARCH("m.id > ($1::json->>0)::bigint", "m.id") " ORDER BY m.id LIMIT $6";
	static const char by_id_desc[] =
		MAILING_SEARCH("m.id < ($1::json->>0)::bigint", "m.id") " ORDER BY m.id DESC LIMIT $6";
	static const char by_start[] =
		MAILING_SEARCH("(m.start_at, m.id) > (($1::json->>0)::timestamptz, ($1::json->>1)::bigint)",
			       "m.start_at, m.id") " ORDER BY m.start_at, m.id LIMIT $6";
	static const char by_start_desc[] =
		MAILING_SEARCH("(m.start_at, m.id) < (($1::json->>0)::timestamptz, ($1::json->>1)::bigint)",
			       "m.start_at, m.id") " ORDER BY m.start_at DESC, m.id DESC LIMIT $6";
	const char *sql = strcmp(sort, "id") == 0 ? by_id : strcmp(sort, "start_at") == 0 ? by_start
			: strcmp(sort, "-start_at") == 0 ? by_start_desc : by_id_desc;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {after_json, status, from, to, q, lim};
	return db_exec(db, sql, 6, p);
}

PGresult *mailing_messages(struct db *db, int64_t id, const char *status, const char *after_json, int limit)
{
	static const char q[] =
		"SELECT json_build_object('id', g.id, 'phone', g.phone, 'status', message_status_name(g.status),"
		" 'attempts', g.attempts, 'last_error', g.last_error, 'sent_at', api_ts(g.sent_at))::text,"
		" json_build_array(g.id)::text FROM messages g WHERE g.mailing_id = $1"
		" AND (g.mailing_id, g.id) > ($1, coalesce(($2::json->>0)::bigint, 0))"
		" AND ($3::smallint IS NULL OR g.status = $3) ORDER BY g.mailing_id, g.id LIMIT $4";
	char ids[24], lim[16];
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {ids, after_json, status, lim};
	return db_exec(db, q, 4, p);
}

PGresult *mailing_running(struct db *db, int n)
{
	static const char q[] = "SELECT " MAILING_ROW ", m.id FROM mailings m WHERE m.status = 'running'"
				" ORDER BY m.start_at DESC, m.id DESC LIMIT $1";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", n);
	const char *p[] = {lim};
	return db_exec(db, q, 1, p);
}

PGresult *mailing_message_total(struct db *db, const char *ids_json)
{
	static const char q[] = "SELECT coalesce(sum(n), 0) FROM message_counts WHERE mailing_id IN"
				" (SELECT json_array_elements_text($1::json)::bigint)";
	const char *p[] = {ids_json};
	return db_exec(db, q, 1, p);
}
