/* dlr.c — delivery reports (dlr.h): the one statement that applies one, and its counters. */
#include "dlr.h"
#include "log.h"
#include "message_status.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What became of the reports (herald_dlr_reports_total{outcome}). */
enum { DM_APPLIED, DM_REPEATED, DM_UNKNOWN, DM_NOT_SENT, DM_UNAUTHORIZED, DM_INVALID, DM_ERROR, DM_COUNT };
static const char *const outcome_names[DM_COUNT] = {
	"applied", "repeated", "unknown", "not_sent", "unauthorized", "invalid", "error",
};
static atomic_ullong counts[DM_COUNT];

/* $1 provider, $2 message, $3 the new status, $4 the error, $5 the SHA-256 of the secret posted
 * (NULL: a report herald received itself, from an upstream SMSC). The message changes only while
 * it is sent by that provider, and the messages' triggers count it, queue its SMPP receipt and
 * its webhook events in the same statement. The row read beside the update is the one before it
 * (the snapshot of the statement), which tells an unknown message, another provider's, a repeat
 * of the report it already has, and one that is not sent apart, with no second round trip. */
static const char sql_apply[] =
    "WITH a AS (SELECT $5::bytea IS NULL OR EXISTS (SELECT 1 FROM providers WHERE id = $1::bigint"
    "             AND dlr_secret IS NOT NULL AND sha256(convert_to(dlr_secret, 'UTF8')) = $5::bytea) AS ok),"
    " u AS (UPDATE messages SET status = $3::smallint, reported_at = now(),"
    "        last_error = CASE WHEN $3::smallint = " MSG_SQL(MSG_UNDELIVERED) " THEN left($4, " MSG_SQL(DLR_ERROR_MAX) ")"
    "                          ELSE last_error END"
    "      WHERE id = $2::bigint AND provider_id = $1::bigint AND status = " MSG_SQL(MSG_SENT)
    "        AND (SELECT ok FROM a) RETURNING 1)"
    " SELECT (SELECT ok FROM a), EXISTS (SELECT 1 FROM u), m.status, m.provider_id = $1::bigint"
    "   FROM (SELECT 1) one LEFT JOIN messages m ON m.id = $2::bigint";

static enum dlr_rc counted(int outcome, enum dlr_rc rc)
{
	atomic_fetch_add_explicit(&counts[outcome], 1, memory_order_relaxed);
	return rc;
}

static enum dlr_rc apply(PGconn *db, int64_t provider_id, const char *secret_hash, int64_t message_id, int status,
			 const char *error, int *denied)
{
	char pid[24], mid[24], st[8];
	snprintf(pid, sizeof(pid), "%lld", (long long)provider_id);
	snprintf(mid, sizeof(mid), "%lld", (long long)message_id);
	snprintf(st, sizeof(st), "%d", status);
	const char *p[] = {pid, mid, st, status == MSG_UNDELIVERED ? (error ? error : "undelivered") : NULL, secret_hash};
	*denied = 0;
	if (status != MSG_DELIVERED && status != MSG_UNDELIVERED)
		return counted(DM_INVALID, DLR_NOT_SENT);
	PGresult *r = PQexecParams(db, sql_apply, 5, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		log_error("dlr.failed", LI("message_id", message_id), LI("provider_id", provider_id),
			  LS("error", PQresultErrorMessage(r)));
		PQclear(r);
		return counted(DM_ERROR, DLR_DB);
	}
	int ok = *PQgetvalue(r, 0, 0) == 't', changed = *PQgetvalue(r, 0, 1) == 't';
	int known = !PQgetisnull(r, 0, 2) && *PQgetvalue(r, 0, 3) == 't', was = atoi(PQgetvalue(r, 0, 2));
	PQclear(r);
	if (!ok) {
		*denied = 1;
		return counted(DM_UNAUTHORIZED, DLR_UNKNOWN);
	}
	if (changed) {
		log_debug("dlr.applied", LI("message_id", message_id), LI("provider_id", provider_id),
			  LS("status", message_status_name(status)));
		return counted(DM_APPLIED, DLR_OK);
	}
	if (!known)
		return counted(DM_UNKNOWN, DLR_UNKNOWN);
	if (was == status)
		return counted(DM_REPEATED, DLR_OK);
	return counted(DM_NOT_SENT, DLR_NOT_SENT);
}

enum dlr_rc dlr_apply(PGconn *db, int64_t provider_id, int64_t message_id, int status, const char *error)
{
	int denied;
	return apply(db, provider_id, NULL, message_id, status, error, &denied);
}

enum dlr_rc dlr_apply_posted(PGconn *db, int64_t provider_id, const char *secret, int64_t message_id,
			     int status, const char *error, int *denied)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 + 2 * sizeof(h) + 1] = "\\x";
	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(hex + 2, sizeof(hex) - 2, h, sizeof(h));
	return apply(db, provider_id, hex, message_id, status, error, denied);
}

void dlr_count_refused(int unauthorized)
{
	counted(unauthorized ? DM_UNAUTHORIZED : DM_INVALID, DLR_NOT_SENT);
}

void dlr_metrics(struct buf *out)
{
	buf_printf(out, "# HELP herald_dlr_reports_total Delivery reports received (this instance), by outcome: applied,"
			" repeated (the status it had already), unknown (no such message of that provider),"
			" not_sent (not awaiting a report), unauthorized (a wrong dlr_secret), invalid (a bad body),"
			" error (the database failed).\n# TYPE herald_dlr_reports_total counter\n");
	for (int i = 0; i < DM_COUNT; i++)
		buf_printf(out, "herald_dlr_reports_total{outcome=\"%s\"} %llu\n", outcome_names[i],
			   (unsigned long long)atomic_load(&counts[i]));
}
