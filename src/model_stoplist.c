/* model_stoplist.c — the stop list. */
#include "model_stoplist.h"
#include "phone.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STOPLIST_JSON \
	"json_build_object('phone', phone, 'reason', reason, 'created_at', api_ts(created_at))::text, phone"

int stoplist_validate(json_t *in, struct stoplist_in *out, struct verr *v)
{
	static const char *const fields[] = {"phone", "reason", NULL};
	memset(out, 0, sizeof(*out));
	jv_only(in, fields, v);
	if (jv_str(in, "phone", 1, 1, PHONE_INPUT_MAX, &out->phone, v) == 1) {
		if (phone_normalise(out->phone, out->phone_norm) < 0)
			verr_add(v, "phone", "%s", PHONE_REFUSED);
		out->phone = out->phone_norm;
	}
	jv_str(in, "reason", 0, 0, STOPLIST_REASON_MAX, &out->reason, v);
	return verr_any(v) ? -1 : 0;
}

PGresult *stoplist_get(struct db *db, const char *phone)
{
	static const char q[] = "SELECT " STOPLIST_JSON " FROM stoplist WHERE phone = $1";
	const char *p[] = {phone};
	return db_exec(db, q, 1, p);
}

PGresult *stoplist_insert(struct db *db, const struct stoplist_in *in)
{
	static const char q[] = "INSERT INTO stoplist (phone, reason) VALUES ($1, coalesce($2, ''))"
				" RETURNING " STOPLIST_JSON;
	const char *p[] = {in->phone, in->reason};
	PGresult *r = db_exec(db, q, 2, p);
	if (r)
		log_info("stoplist.added", LS("phone", in->phone));
	return r;
}

PGresult *stoplist_list(struct db *db, const struct page *pg)
{
	static const char q[] = "SELECT " STOPLIST_JSON " FROM stoplist WHERE phone > $1 ORDER BY phone LIMIT $2";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg->limit + 1);
	const char *p[] = {pg->after, lim};
	return db_exec(db, q, 2, p);
}

PGresult *stoplist_count(struct db *db)
{
	static const char q[] = "SELECT count(*) FROM stoplist";
	return db_exec(db, q, 0, NULL);
}

int stoplist_delete(struct db *db, const char *phone)
{
	static const char q[] = "DELETE FROM stoplist WHERE phone = $1";
	const char *p[] = {phone};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n)
		log_info("stoplist.deleted", LS("phone", phone));
	return n;
}

int stoplist_has(struct db *db, const char *phone)
{
	static const char q[] = "SELECT 1 FROM stoplist WHERE phone = $1";
	const char *p[] = {phone};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n > 0;
}

long stoplist_import(struct db *db, const char *phones, const char *reasons)
{
	static const char q[] =
		"INSERT INTO stoplist (phone, reason)"
		" SELECT DISTINCT ON (u.phone) u.phone, u.reason FROM unnest($1::text[], $2::text[]) AS u(phone, reason)"
		" ORDER BY u.phone ON CONFLICT (phone) DO NOTHING";
	const char *p[] = {phones, reasons};
	PGresult *r = db_exec(db, q, 2, p);
	if (r == NULL)
		return -1;
	long n = atol(PQcmdTuples(r));
	PQclear(r);
	log_info("stoplist.imported", LI("added", n));
	return n;
}
