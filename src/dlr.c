/* dlr.c — delivery reports (dlr.h): the one statement that applies one, and its counters. */
#include "dlr.h"
#include "group_commit.h"
#include "log.h"
#include "message_status.h"
#include "pgarr.h"

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

/* Reports that arrive together are written together (group_commit.h): a report still costs no
 * round trip of its own, and concurrent reports share one statement, one transaction and one
 * update of the counters' rows, which every report of a mailing would otherwise take in turn. */
#define BATCH_MAX DLR_BATCH_MAX

struct report {
	struct group_item gi;  /* first: the group commit's */
	int64_t provider, id;
	int status, denied;
	int deferred;          /* an outcome other than DLR_OK is counted by the caller, once it is
				* final (dlr_count_final): dlr_apply_many's caller tries again */
	const char *error;
	char secret[2 * crypto_hash_sha256_BYTES + 1];   /* the posted secret's SHA-256 in hex; "": none */
	enum dlr_rc rc;
};

/* The batch: $1 providers, $2 messages, $3 new statuses, $4 errors, $5 the SHA-256 (hex) of each
 * posted secret (NULL: a report herald received itself, from an upstream SMSC). A message changes
 * only while it is sent by that provider and the secret, if any, is that provider's dlr_secret;
 * the messages' triggers count it, queue its SMPP receipt and its webhook events in the same
 * statement. The rows read beside the update are the ones before it (the statement's snapshot),
 * which tell an unknown message, another provider's, a repeat of the report it already has, and
 * one that is not sent apart. A message still pending or sending is not sent yet, whoever's it
 * will be: a report can overtake the write of the provider's answer (and of provider_id), and the
 * provider is to try it again. One row per report, in the batch's order. */
static const char sql_apply[] =
    "WITH r AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::text[], $5::text[])"
    "             WITH ORDINALITY AS r(provider, id, status, error, secret, k)),"
    " a AS (SELECT r.k, r.secret IS NULL OR EXISTS (SELECT 1 FROM providers p WHERE p.id = r.provider"
    "         AND p.dlr_secret IS NOT NULL AND sha256(convert_to(p.dlr_secret, 'UTF8')) = decode(r.secret, 'hex')) AS ok"
    "       FROM r),"
    /* the messages by their primary key (= ANY), whatever the planner guesses of unnest's rows */
    " m AS (SELECT id, status, provider_id FROM messages WHERE id = ANY ($2::bigint[])),"
    " u AS (UPDATE messages g SET status = r.status, reported_at = now(),"
    "        last_error = CASE WHEN r.status = " MSG_SQL(MSG_UNDELIVERED) " THEN left(r.error, " MSG_SQL(DLR_ERROR_MAX) ")"
    "                          ELSE g.last_error END"
    "       FROM r JOIN a USING (k)"
    "      WHERE g.id = ANY ($2::bigint[]) AND a.ok AND g.id = r.id AND g.provider_id = r.provider"
    "        AND g.status = " MSG_SQL(MSG_SENT) " RETURNING r.k)"
    " SELECT a.ok, u.k IS NOT NULL, m.status,"
    "        m.provider_id = r.provider OR m.status IN (" MSG_SQL(MSG_PENDING) ", " MSG_SQL(MSG_SENDING) ")"
    "   FROM r JOIN a USING (k) LEFT JOIN u USING (k) LEFT JOIN m ON m.id = r.id ORDER BY r.k";

static enum dlr_rc counted(int outcome, enum dlr_rc rc)
{
	atomic_fetch_add_explicit(&counts[outcome], 1, memory_order_relaxed);
	return rc;
}

/* rc as x's outcome, counted as outcome unless its caller counts it (deferred). */
static enum dlr_rc tally(const struct report *x, int outcome, enum dlr_rc rc)
{
	return x->deferred && rc != DLR_OK ? rc : counted(outcome, rc);
}

/* The outcome of report x from row i of r (sql_apply's). */
static void outcome_of(struct report *x, PGresult *r, int i)
{
	int ok = *PQgetvalue(r, i, 0) == 't', changed = *PQgetvalue(r, i, 1) == 't';
	int known = !PQgetisnull(r, i, 2) && *PQgetvalue(r, i, 3) == 't', was = atoi(PQgetvalue(r, i, 2));
	x->denied = !ok;
	if (!ok) {
		x->rc = tally(x, DM_UNAUTHORIZED, DLR_UNKNOWN);
	} else if (changed) {
		log_debug("dlr.applied", LI("message_id", x->id), LI("provider_id", x->provider),
			  LS("status", message_status_name(x->status)));
		x->rc = tally(x, DM_APPLIED, DLR_OK);
	} else if (!known) {
		x->rc = tally(x, DM_UNKNOWN, DLR_UNKNOWN);
	} else {
		x->rc = was == x->status ? tally(x, DM_REPEATED, DLR_OK) : tally(x, DM_NOT_SENT, DLR_NOT_SENT);
	}
}

/* sql_apply is prepared once per session (its plan is the costly part of a small batch): the
 * writing thread remembers the connection and backend it prepared it on. */
#define STMT "herald_dlr_apply"
static __thread PGconn *prepared_on;
static __thread int prepared_pid;

static int prepared(PGconn *db)
{
	if (prepared_on == db && prepared_pid == PQbackendPID(db))
		return 0;
	PGresult *r = PQprepare(db, STMT, sql_apply, 5, NULL);
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK || (state && strcmp(state, "42P05") == 0) ? 0 : -1;
	if (rc < 0)
		log_error("dlr.prepare_failed", LS("error", PQresultErrorMessage(r)));
	PQclear(r);
	prepared_on = rc == 0 ? db : NULL;
	prepared_pid = PQbackendPID(db);
	return rc;
}

/* Writes the n reports of batch (their group_items) with one statement on conn (a PGconn) and
 * sets their outcomes. */
static void write_batch(void *conn, struct group_item **batch, int n)
{
	PGconn *db = conn;
	struct pgarr_cols a;
	pgarr_cols_start(&a, 5);
	for (int i = 0; i < n; i++) {
		struct report *x = (struct report *)batch[i];
		pgarr_int(&a.col[0], x->provider);
		pgarr_int(&a.col[1], x->id);
		pgarr_int(&a.col[2], x->status);
		pgarr_text(&a.col[3], x->status == MSG_UNDELIVERED ? (x->error ? x->error : "undelivered") : NULL);
		pgarr_text(&a.col[4], *x->secret ? x->secret : NULL);
	}
	pgarr_cols_end(&a);
	PGresult *r = prepared(db) < 0 ? NULL : PQexecPrepared(db, STMT, 5, a.param, NULL, NULL, 0);
	int fine = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == n;
	if (!fine)
		prepared_on = NULL;   /* prepared again by the next batch, in case the session lost it */
	if (!fine)
		log_error("dlr.failed", LI("reports", n), LS("error", PQresultErrorMessage(r)));
	for (int i = 0; i < n; i++) {
		struct report *x = (struct report *)batch[i];
		if (fine)
			outcome_of(x, r, i);
		else
			x->rc = tally(x, DM_ERROR, DLR_DB);
	}
	PQclear(r);
	pgarr_cols_free(&a);
}

static struct group_commit group = GROUP_COMMIT_INIT(BATCH_MAX, write_batch);

/* Queues x and returns once it is written, by this caller or another. */
static enum dlr_rc apply(PGconn *db, struct report *x)
{
	group_commit(&group, db, &x->gi);
	return x->rc;
}

enum dlr_rc dlr_apply(PGconn *db, int64_t provider_id, int64_t message_id, int status, const char *error)
{
	if (status != MSG_DELIVERED && status != MSG_UNDELIVERED)
		return counted(DM_INVALID, DLR_NOT_SENT);
	struct report x = {.provider = provider_id, .id = message_id, .status = status, .error = error};
	return apply(db, &x);
}

void dlr_apply_many(PGconn *db, int n, const int64_t *provider_ids, const int64_t *message_ids, const int *statuses,
		    const char *const *errors, enum dlr_rc *rcs)
{
	struct report reports[BATCH_MAX];
	struct group_item *batch[BATCH_MAX];
	for (int done = 0; done < n;) {
		int k = 0;
		for (; k < BATCH_MAX && done + k < n; k++) {
			int i = done + k;
			reports[k] = (struct report){.provider = provider_ids[i], .id = message_ids[i], .status = statuses[i],
						     .error = errors[i], .deferred = 1};
			batch[k] = &reports[k].gi;
		}
		write_batch(db, batch, k);
		for (int j = 0; j < k; j++)
			rcs[done + j] = reports[j].rc;
		done += k;
	}
}

enum dlr_rc dlr_apply_posted(PGconn *db, int64_t provider_id, const char *secret, int64_t message_id,
			     int status, const char *error, int *denied)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	struct report x = {.provider = provider_id, .id = message_id, .status = status, .error = error};
	*denied = 0;
	if (status != MSG_DELIVERED && status != MSG_UNDELIVERED)
		return counted(DM_INVALID, DLR_NOT_SENT);
	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(x.secret, sizeof(x.secret), h, sizeof(h));
	enum dlr_rc rc = apply(db, &x);
	*denied = x.denied;
	return rc;
}

void dlr_count_final(enum dlr_rc rc)
{
	counted(rc == DLR_DB ? DM_ERROR : rc == DLR_NOT_SENT ? DM_NOT_SENT : DM_UNKNOWN, rc);
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
