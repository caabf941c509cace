/* reporter.c — the "report" role: a thread per instance that, on the one instance holding the
 * reporter advisory lock, sends the daily report at HERALD_REPORT_TIME (HERALD_DEFAULT_TIMEZONE), or at
 * start-up when that time has passed today and today's report is not sent. The day's row in
 * reports, claimed with INSERT ... ON CONFLICT, keeps it once-only across instances and
 * restarts; a failed send is retried after report_deliver's backoff. */
#include "reporter.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "report.h"
#include "util.h"
#include "worker.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *run(void *arg);
struct worker reporter_worker = WORKER_INIT("report.thread_failed", run);   /* the thread, its lock and wake-up */

#define CHECK_EVERY_S 2

/* Today's day in the report time zone when its report time has passed and no daily row is
 * sent, waiting for its retry, or being sent by a live instance. */
static const char q_due[] =
    "SELECT d.day::text FROM (SELECT (now() AT TIME ZONE $1)::date AS day,"
    "                                (now() AT TIME ZONE $1)::time >= $2::time AS due) d"
    " WHERE d.due AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.kind = 'daily' AND r.day = d.day"
    "   AND (r.status = 'sent' OR (r.status = 'failed' AND r.next_attempt_at > now())"
    "        OR (r.status = 'sending' AND r.lease_until >= now())))";

/* Takes the day: a new row, or a failed one whose retry time came, or a 'sending' one whose
 * instance died (its lease ended; the Message-ID stays the same). No row: someone else has it. */
static const char q_claim[] =
    "INSERT INTO reports AS r (kind, day, status, attempts, lease_until, message_id, recipients)"
    " VALUES ('daily', $1::date, 'sending', 1, now() + interval '10 minutes', $2, $3)"
    " ON CONFLICT (day) WHERE kind = 'daily' DO UPDATE SET status = 'sending',"
    "   attempts = r.attempts + 1, lease_until = excluded.lease_until, recipients = excluded.recipients"
    " WHERE (r.status = 'failed' AND r.next_attempt_at <= now())"
    "    OR (r.status = 'sending' AND r.lease_until < now())"
    " RETURNING id, message_id, attempts";

static void daily(struct db *db)
{
	const char *p[] = {cfg.default_timezone, cfg.report_time};
	PGresult *r = db_exec(db, q_due, 2, p);
	if (r == NULL || PQntuples(r) == 0) {
		PQclear(r);
		return;
	}
	char *day = xstrdup(db_str(r, 0, 0)), *msgid = mail_message_id(cfg.report_from);
	PQclear(r);
	const char *c[] = {day, msgid, cfg.report_to};
	r = db_exec(db, q_claim, 3, c);
	if (r != NULL && PQntuples(r) == 1) {
		char err[512];
		log_info("report.daily", LS("day", day), LI("report_id", db_i64(r, 0, 0)), LI("attempt", db_i64(r, 0, 2)));
		report_deliver(db, db_i64(r, 0, 0), db_str(r, 0, 1), err, sizeof(err));
	}
	PQclear(r);
	free(day);
	free(msgid);
}

static int try_lead(struct db *db)
{
	static const char q[] = "SELECT pg_try_advisory_lock(hashtext('herald.reporter'))";
	PGresult *r = db_exec(db, q, 0, NULL);
	int won = r && strcmp(db_str(r, 0, 0), "t") == 0;
	PQclear(r);
	if (won)
		log_info("report.leader", LI("pid", getpid()));
	return won;
}

static void *run(void *arg)
{
	char why[256], err[512];
	int leader = 0, db_down = 0;
	unsigned long session = 0;   /* db->resets when the lock was taken */
	if (!report_enabled(why, sizeof(why))) {
		log_info("report.disabled", LS("reason", why));
		return NULL;
	}
	struct db *db = NULL;
	time_t next_check = 0;
	while (!worker_stopping(&reporter_worker)) {
		if (db != NULL && PQstatus(db->conn) != CONNECTION_OK) {
			db_close(db);
			db = NULL;
			leader = 0;
		}
		if (db == NULL && (db = db_connect(cfg.database_url, err, sizeof(err))) != NULL)
			db_session(db, NULL);
		else if (db == NULL && !db_down)
			log_error("report.db_failed", LS("error", err));
		if (leader && db != NULL && db->resets != session) {
			log_warn("report.leadership_lost", LS("reason", "session replaced"));
			leader = 0;
		}
		db_down = db == NULL;
		if (db && time(NULL) >= next_check) {
			next_check = time(NULL) + CHECK_EVERY_S;
			if (!leader && (leader = try_lead(db)))
				session = db->resets;
			if (leader)
				daily(db);
		}
		worker_idle(&reporter_worker, 1000);
	}
	db_close(db);   /* ends the advisory lock with the session */
	return NULL;
}
