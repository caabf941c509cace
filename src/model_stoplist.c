/* model_stoplist.c — the stop list. */
#include "model_stoplist.h"
#include "phone.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STOPLIST_ROW "json_build_object('phone', phone, 'reason', reason, 'created_at', api_ts(created_at))::text"
#define STOPLIST_JSON STOPLIST_ROW ", phone"

int stoplist_validate(json_t *in, struct stoplist_in *out, struct verr *v)
{
	static const char *const fields[] = {"phone", "reason", NULL};
	memset(out, 0, sizeof(*out));
	jv_only(in, fields, v);
	if (jv_str(in, "phone", 1, 1, PHONE_INPUT_MAX, &out->phone, v) == 1) {
		if (phone_normalise(out->phone, out->phone_norm) < 0)
			verr_add(v, "phone", PHONE_REFUSED);
		out->phone = out->phone_norm;
	}
	jv_str(in, "reason", 0, 0, STOPLIST_REASON_MAX, &out->reason, v);
	return verr_any(v) ? -1 : 0;
}

int stoplist_has(struct db *db, const char *phone)
{
	static const char q[] = "SELECT 1 FROM stoplist WHERE phone = $1";
	const char *p[] = {phone};
	long n = db_rows(db, q, 1, p);
	return n < 0 ? -1 : n > 0;
}

long stoplist_import(struct db *db, const char *phones, const char *reasons)
{
	static const char q[] =
		"INSERT INTO stoplist (phone, reason)"
		" SELECT DISTINCT ON (u.phone) u.phone, u.reason FROM unnest($1::text[], $2::text[]) AS u(phone, reason)"
		" ORDER BY u.phone ON CONFLICT (phone) DO NOTHING";
	const char *p[] = {phones, reasons};
	long n = db_rows(db, q, 2, p);
	if (n >= 0)
		log_info("stoplist.imported", LI("added", n));
	return n;
}

/* --- the resource descriptor's model ------------------------------------------------------ */

static enum model_rc entry_insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	struct stoplist_in s;
	if (stoplist_validate(in, &s, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	static const char q[] = "INSERT INTO stoplist (phone, reason) VALUES ($1, coalesce($2, ''))"
				" RETURNING " STOPLIST_JSON;
	const char *p[] = {s.phone, s.reason};
	if (res_written(db, db_exec(db, q, 2, p), e, "phone", "valid.on_stoplist", out) == MODEL_OK)
		log_info("stoplist.added", LS("phone", s.phone));
	return e->rc;
}

static enum model_rc entry_update(struct db *db, const struct res_key *k, json_t *in, int partial,
				struct model_err *e, json_t **out)
{
	static const char *const fields[] = {"reason", NULL};
	static const char q[] = "UPDATE stoplist SET reason = coalesce($2, reason) WHERE phone = $1"
				" RETURNING " STOPLIST_JSON;
	const char *reason = NULL;
	(void)partial;   /* the reason is the only field: absent leaves it */
	jv_only(in, fields, &e->fields);
	jv_str(in, "reason", 0, 0, STOPLIST_REASON_MAX, &reason, &e->fields);
	if (verr_any(&e->fields))
		return e->rc = MODEL_INVALID;
	const char *p[] = {k->text, reason};
	if ((e->rc = res_row(db, db_exec(db, q, 2, p), out)) == MODEL_OK)
		log_info("stoplist.updated", LS("phone", k->text));
	return e->rc;
}

#define STOPLIST_SEARCH(keycmp, order) \
	RES_LIST_SQL(STOPLIST_ROW, "stoplist", "strpos(phone, $2) > 0", keycmp, "phone", order)

static const struct res_order orders[] = {
	{"phone", STOPLIST_SEARCH("phone > $1::json->>0", "phone"), "s"},
	{"-phone", STOPLIST_SEARCH("phone < $1::json->>0", "phone DESC"), "s"},
};

/* No bulk delete. */
const struct res_model stoplist_model = {
	.insert = entry_insert, .update = entry_update,
	RES_TABLE_SQL(STOPLIST_JSON, "stoplist", "phone = $1", "stoplist.deleted", "phone"),
	RES_ORDERS(orders),
};
