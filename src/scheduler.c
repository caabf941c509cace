/* scheduler.c — the scheduler role: one leader across every instance (a session advisory lock on
 * the scheduler's own connection; whoever fails to take it retries every second, and a leader
 * whose connection dies has lost it). The leader LISTENs on herald_mailings and wakes at the
 * earliest next start_at / end_at, on NOTIFY, and at least every second; each wake runs cheap
 * indexed queries only:
 *   start   scheduled mailings whose start_at passed: one transaction each that locks the row,
 *           freezes the recipients (INSERT INTO messages … SELECT … FROM clients; a recipient on
 *           the stop list gets a message frozen cancelled, "stop list"), sets each
 *           message's due_at (now, or the next opening of the send window in the client's zone,
 *           never later than end_at) and marks the mailing running, freezing its text (a
 *           template's is copied into it); a mailing whose end_at has
 *           passed before it could start is finished with no messages;
 *   end     running mailings whose end_at passed: pending messages expire, status finished;
 *   finish  running mailings with nothing pending or sending (read from message_counts);
 *   expire  once a minute, Idempotency-Keys past their time (idempotency.c). */
#include "scheduler.h"
#include "analyzer.h"
#include "config.h"
#include "db.h"
#include "idempotency.h"
#include "log.h"
#include "message_status.h"
#include "model_stoplist.h"
#include "recipients.h"
#include "util.h"
#include "window.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEADER_LOCK "7236735302365461"  /* pg advisory lock key of the scheduler leader */
#define WAKE_MAX_MS 1000
#define WAKE_MIN_MS 20
#define EXPIRE_EVERY_S 60.0     /* Idempotency-Keys past their time are deleted this often */

static pthread_t thread;
static atomic_int stopping;

static const char sql_lock[] = "SELECT pg_try_advisory_lock(" LEADER_LOCK ")";

static const char sql_due[] =
    "SELECT id FROM mailings WHERE status = 'scheduled' AND start_at <= now()"
    " ORDER BY start_at LIMIT 50";

/* Whether the mailing is still open, and whether it filters by tags and by operators. */
static const char sql_lock_mailing[] =
    "SELECT end_at > now(), cardinality(filter_tags) > 0, cardinality(filter_operator_codes) > 0"
    "  FROM mailings WHERE id = $1 AND status = 'scheduled' AND start_at <= now() FOR UPDATE";

/* The messages of a mailing: one statement for each combination of filters (recipients.h). */
#define FREEZE_SQL(tags, ops) \
	"INSERT INTO messages (mailing_id, client_id, phone, due_at, expires_at, status, last_error)" \
	" SELECT g.id, c.id, c.phone," \
	"        least(g.end_at, " SQL_WINDOW_NEXT("now()", "c.timezone", "g.window_start", "g.window_end") ")," \
	"        g.end_at, " STOPLIST_STATUS ", " STOPLIST_LAST_ERROR \
	"   FROM mailings g" RECIPIENTS_TAGS##tags STOPLIST_JOIN("c.phone") " WHERE g.id = $1" RECIPIENTS_OPS##ops

static const char *const sql_freeze[2][2] = {{FREEZE_SQL(0, 0), FREEZE_SQL(0, 1)},
					     {FREEZE_SQL(1, 0), FREEZE_SQL(1, 1)}};

/* A mailing made from a template takes its text now: it is frozen from here on. */
static const char sql_mark_running[] =
    "UPDATE mailings SET status = 'running', started_at = now(), updated_at = now(),"
    " text = coalesce(text, (SELECT t.text FROM templates t WHERE t.id = template_id)) WHERE id = $1";

static const char sql_notify_messages[] = "SELECT pg_notify('herald_messages', '')";

static const char sql_finish_unstarted[] =
    "UPDATE mailings SET status = 'finished', finished_at = now(), updated_at = now() WHERE id = $1";

static const char sql_ended[] =
    "SELECT id FROM mailings WHERE status = 'running' AND end_at <= now() ORDER BY end_at LIMIT 50";

static const char sql_end_mailing[] =
    "UPDATE mailings SET status = 'finished', finished_at = now(), updated_at = now()"
    " WHERE id = $1 AND status = 'running' AND end_at <= now()";

static const char sql_expire[] =
    "UPDATE messages SET status = " MSG_SQL(MSG_EXPIRED) ","
    " last_error = 'end_at passed before it could be sent'"
    " WHERE mailing_id = $1 AND status = " MSG_SQL(MSG_PENDING);

static const char sql_finish_done[] =
    "UPDATE mailings g SET status = 'finished', finished_at = now(), updated_at = now()"
    " WHERE g.status = 'running' AND NOT EXISTS (SELECT 1 FROM message_counts c"
    "   WHERE c.mailing_id = g.id AND c.status IN (" MSG_SQL(MSG_PENDING) ", " MSG_SQL(MSG_SENDING) ")"
    "     AND c.n > 0)"
    " RETURNING g.id, mailing_stats_json(g.id)::text";

static const char sql_next_wake[] =
    "SELECT extract(epoch FROM least((SELECT min(start_at) FROM mailings WHERE status = 'scheduled'),"
    "                                (SELECT min(end_at) FROM mailings WHERE status = 'running')) - now()) * 1000";

/* Starts mailing id (text) in one transaction; 0, or -1 on a database error. */
static int start_one(struct db *db, const char *id)
{
	const char *p[] = {id};
	double t0 = now_mono();
	if (db_begin(db) < 0)
		return -1;
	PGresult *r = db_exec(db, sql_lock_mailing, 1, p);
	if (r == NULL)
		goto fail;
	if (PQntuples(r) == 0) {          /* changed or started by someone else meanwhile */
		PQclear(r);
		db_rollback(db);
		return 0;
	}
	int open = strcmp(db_str(r, 0, 0), "t") == 0;
	const char *freeze = sql_freeze[strcmp(db_str(r, 0, 1), "t") == 0][strcmp(db_str(r, 0, 2), "t") == 0];
	PQclear(r);
	if (!open) {
		if (db_run(db, sql_finish_unstarted, 1, p) < 0 || db_commit(db) < 0)
			goto fail;
		log_info("mailing.finished", LI("mailing_id", atoll(id)),
			 LS("reason", "end_at passed before it could start"), LI("recipients", 0));
		return 0;
	}
	r = db_exec(db, freeze, 1, p);
	if (r == NULL)
		goto fail;
	long n = atol(PQcmdTuples(r));
	PQclear(r);
	if (db_run(db, sql_mark_running, 1, p) < 0 || db_run(db, sql_notify_messages, 0, NULL) < 0 ||
	    db_commit(db) < 0)
		goto fail;
	log_info("mailing.started", LI("mailing_id", atoll(id)), LI("recipients", n),
		 LD("ms", (now_mono() - t0) * 1000));
	/* A big start changes the table's size by orders of magnitude: fresh statistics keep the
	 * dispatchers' plans on the indexes (ANALYZE also invalidates their cached plans). The
	 * analyzer runs it on its own connection, once for a burst of starts, while this loop goes on. */
	analyzer_note(ANALYZER_MESSAGES, n);
	return 0;
fail:
	db_rollback(db);
	log_error("mailing.start_failed", LI("mailing_id", atoll(id)), LS("error", db->err));
	return -1;
}

static int end_one(struct db *db, const char *id)
{
	const char *p[] = {id};
	if (db_begin(db) < 0)
		return -1;
	long n = db_rows(db, sql_end_mailing, 1, p);
	if (n < 0)
		goto fail;
	if (n == 0) {
		db_rollback(db);
		return 0;
	}
	if ((n = db_rows(db, sql_expire, 1, p)) < 0 || db_commit(db) < 0)
		goto fail;
	log_info("mailing.finished", LI("mailing_id", atoll(id)), LS("reason", "end_at passed"), LI("expired", n));
	return 0;
fail:
	db_rollback(db);
	log_error("mailing.end_failed", LI("mailing_id", atoll(id)), LS("error", db->err));
	return -1;
}

/* Runs one (start_one, end_one) for each mailing id that sql finds, until told to stop; a
 * failure is logged by one and retried on the next round. */
static void each_due(struct db *db, const char *sql, int (*one)(struct db *db, const char *id))
{
	PGresult *r = db_exec(db, sql, 0, NULL);
	for (int i = 0; r && i < PQntuples(r) && !atomic_load(&stopping); i++)
		one(db, db_str(r, i, 0));
	PQclear(r);
}

static int finish_done(struct db *db)
{
	PGresult *r = db_exec(db, sql_finish_done, 0, NULL);
	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		log_info("mailing.finished", LI("mailing_id", db_i64(r, i, 0)), LS("reason", "every message final"),
			 LS("stats", db_str(r, i, 1)));
	PQclear(r);
	return 0;
}

static int next_wake_ms(struct db *db)
{
	PGresult *r = db_exec(db, sql_next_wake, 0, NULL);
	double ms = WAKE_MAX_MS;
	if (r && !db_null(r, 0, 0))
		ms = strtod(db_str(r, 0, 0), NULL) + 1;
	if (r)
		PQclear(r);
	return ms < WAKE_MIN_MS ? WAKE_MIN_MS : ms > WAKE_MAX_MS ? WAKE_MAX_MS : (int)ms;
}

/* Waits up to ms for a notification on db; drains what came. Returns 1 when one came. */
static int wait_notify(struct db *db, int ms)
{
	struct pollfd pfd = {PQsocket(db->conn), POLLIN, 0};
	if (pfd.fd < 0 || poll(&pfd, 1, ms) <= 0)
		return 0;
	PQconsumeInput(db->conn);
	PGnotify *n;
	int got = 0;
	while ((n = PQnotifies(db->conn)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

static void *scheduler_main(void *arg)
{
	(void)arg;
	struct db *db = NULL;
	int leader = 0;
	unsigned long session = 0;   /* db->resets when the lock was taken */
	double next_expire = 0;
	char err[512];
	while (!atomic_load(&stopping)) {
		if (db == NULL || PQstatus(db->conn) != CONNECTION_OK) {
			if (leader)
				log_warn("scheduler.leadership_lost", LS("reason", "connection lost"));
			leader = 0;
			db_close(db);
			db = db_connect(cfg.database_url, err, sizeof(err));
			if (db == NULL || db_session(db, "SET application_name = 'herald-scheduler'; LISTEN herald_mailings") < 0) {
				if (db == NULL)
					log_error("scheduler.db_unreachable", LS("error", err));
				poll(NULL, 0, 1000);
				continue;
			}
		}
		if (leader && db->resets != session) {
			log_warn("scheduler.leadership_lost", LS("reason", "session replaced"));
			leader = 0;
		}
		if (!leader) {
			PGresult *r = db_exec(db, sql_lock, 0, NULL);
			session = db->resets;
			leader = r && strcmp(db_str(r, 0, 0), "t") == 0;
			if (r)
				PQclear(r);
			if (!leader) {
				wait_notify(db, 1000);
				continue;
			}
			log_info("scheduler.leader", LI("pid", getpid()));
		}
		each_due(db, sql_due, start_one);
		each_due(db, sql_ended, end_one);
		finish_done(db);
		if (now_mono() >= next_expire) {
			idem_expire(db);
			next_expire = now_mono() + EXPIRE_EVERY_S;
		}
		/* a changed mailing (retry-failed, end_at moved) may have made messages due: wake the
		 * dispatchers of every instance */
		if (wait_notify(db, next_wake_ms(db)))
			db_run(db, sql_notify_messages, 0, NULL);
	}
	db_close(db);           /* ends the session: the advisory lock goes with it */
	return NULL;
}

int scheduler_start(void)
{
	atomic_store(&stopping, 0);
	if (pthread_create(&thread, NULL, scheduler_main, NULL) != 0) {
		log_error("scheduler.thread_failed", LS("error", strerror(errno)));
		return -1;
	}
	return 0;
}

void scheduler_stop(void)
{
	atomic_store(&stopping, 1);
	pthread_join(thread, NULL);
}
