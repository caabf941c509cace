/* model_message.c — messages and direct sending. */
#include "model_message.h"
#include "model_message_sql.h"
#include "log.h"
#include "model_mailing.h"
#include "model_stoplist.h"
#include "pgarr.h"
#include "rfc3339.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHONE_ERRORS 100   /* bad phones named one by one; the rest are counted */

/* Every phone of "phones" (1..MESSAGE_BATCH_MAX valid phones) into out->phones. */
static void validate_phones(json_t *in, struct message_in *out, struct verr *v)
{
	json_t *a = json_object_get(in, "phones"), *item;
	size_t i, bad = 0;
	if (a == NULL) {
		verr_add(v, "phones", "valid.required");
		return;
	}
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > MESSAGE_BATCH_MAX) {
		verr_add(v, "phones", "valid.phones", MESSAGE_BATCH_MAX);
		return;
	}
	json_array_foreach(a, i, item) {
		const char *why = json_is_string(item) ? valid_phone(json_string_value(item)) : "valid.string";
		if (why && bad++ < PHONE_ERRORS) {
			char field[32];
			snprintf(field, sizeof(field), "phones[%zu]", i);
			verr_add(v, field, why);
		}
	}
	if (bad > PHONE_ERRORS)
		verr_add(v, "phones", "valid.bad_phones", bad, PHONE_ERRORS);
	if (bad == 0)
		out->phones = pgarr_from_json(a);
}

int message_validate(json_t *in, int batch, struct message_in *out, struct verr *v)
{
	static const char *const fields[] = {"phone", "text", "send_at", "end_at", NULL};
	static const char *const batch_fields[] = {"phones", "text", "send_at", "end_at", NULL};
	memset(out, 0, sizeof(*out));
	jv_only(in, batch ? batch_fields : fields, v);
	if (batch)
		validate_phones(in, out, v);
	else if (jv_str(in, "phone", 1, 1, 11, &out->phone, v) == 1 && valid_phone(out->phone))
		verr_add(v, "phone", valid_phone(out->phone));
	jv_str(in, "text", 1, 1, MAILING_TEXT_MAX, &out->text, v);
	double now = now_real(), send = now, end;
	int has_send = jv_time(in, "send_at", 0, &out->send_at, v) == 1 &&
		       rfc3339_epoch(out->send_at, &send) == 0;
	int has_end = jv_time(in, "end_at", 0, &out->end_at, v) == 1 && rfc3339_epoch(out->end_at, &end) == 0;
	if (has_end && (end <= now || end <= send))
		verr_add(v, "end_at", "valid.end_after_send");
	else if (has_send && !has_end && send + MESSAGE_EXPIRY_S <= now)
		verr_add(v, "send_at", "valid.send_too_old");
	return verr_any(v) ? -1 : 0;
}

void message_in_free(struct message_in *in)
{
	free(in->phones);
	in->phones = NULL;
}

enum model_rc message_get(struct db *db, int64_t id, json_t **out)
{
	static const char q[] = "SELECT " MESSAGE_OBJ " FROM messages g WHERE g.id = $1";
	return res_row(db, db_exec_id(db, q, id), out);
}

enum model_rc message_get_many(struct db *db, const char *ids, json_t **out)
{
	static const char q[] = "SELECT coalesce(json_object_agg(g.id, " MESSAGE_BUILD "), '{}')::text"
				" FROM messages g WHERE g.id = ANY ($1::bigint[])";
	const char *p[] = {ids};
	return res_row(db, db_exec(db, q, 1, p), out);
}

enum model_rc message_send(struct db *db, const struct message_in *in, int64_t created_by, json_t **out)
{
	static const char q[] =
		"INSERT INTO messages AS g (client_id, phone, text, due_at, expires_at, created_by)"
		" SELECT (SELECT id FROM clients WHERE phone = $1), $1, $2, d,"
		" coalesce($4::timestamptz, d + interval '" MESSAGE_EXPIRY "'), $5::bigint"
		" FROM (SELECT coalesce($3::timestamptz, now()) AS d) t"
		" RETURNING " MESSAGE_OBJ ", pg_notify('herald_messages', '')";
	char by[DB_NUM_LEN];
	db_num(by, created_by);
	const char *p[] = {in->phone, in->text, in->send_at, in->end_at, created_by > 0 ? by : NULL};
	enum model_rc rc = res_row(db, db_exec(db, q, 5, p), out);
	if (rc == MODEL_OK)
		log_info("message.queued", LI("message_id", json_integer_value(json_object_get(*out, "id"))));
	return rc;
}

enum model_rc message_batch(struct db *db, const struct message_in *in, int64_t created_by, json_t **out)
{
	static const char q[] =
		"WITH m AS (INSERT INTO mailings (kind, start_at, end_at, text, status, started_at, created_by)"
		"  SELECT 'batch', d, coalesce($3::timestamptz, d + interval '" MESSAGE_EXPIRY "'), $1,"
		"  'running', now(), $4 FROM (SELECT coalesce($2::timestamptz, now()) AS d) t"
		"  RETURNING id, start_at, end_at),"
		" g AS (INSERT INTO messages (mailing_id, client_id, phone, due_at, expires_at, status, last_error)"
		"  SELECT m.id, c.id, p.phone, m.start_at, m.end_at, " STOPLIST_STATUS ", " STOPLIST_LAST_ERROR
		"  FROM m CROSS JOIN (SELECT DISTINCT unnest($5::text[]) AS phone) p"
		"  LEFT JOIN clients c ON c.phone = p.phone" STOPLIST_JOIN("p.phone") " RETURNING status)"
		" SELECT json_build_object('mailing_id', m.id, 'count', (SELECT count(*) FROM g),"
		"  'stop_listed', (SELECT count(*) FROM g WHERE status = " MSG_SQL(MSG_CANCELLED) "))::text,"
		" pg_notify('herald_mailings', m.id::text), pg_notify('herald_messages', '') FROM m";
	char by[DB_NUM_LEN];
	db_num(by, created_by);
	const char *p[] = {in->text, in->send_at, in->end_at, created_by > 0 ? by : NULL, in->phones};
	enum model_rc rc = res_row(db, db_exec(db, q, 5, p), out);
	if (rc == MODEL_OK)
		log_info("mailing.batch_created", LI("mailing_id", json_integer_value(json_object_get(*out, "mailing_id"))),
			 LI("user_id", created_by));
	return rc;
}

