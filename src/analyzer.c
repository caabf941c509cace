/* analyzer.c — one thread that runs ANALYZE after large writes (see analyzer.h). Writers only
 * add to a counter under a mutex; the thread waits for the burst to settle, reads the table's
 * size from pg_class, and analyzes the tables whose noted changes are large. Changes too small
 * to earn an ANALYZE are carried over and count towards the next burst. */
#include "analyzer.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "util.h"
#include "worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static void *run(void *arg);
struct worker analyzer_worker = WORKER_INIT("analyzer.thread_failed", run);   /* the thread, its lock and wake-up */

static const char *const table_name[ANALYZER_NTABLES] = {"clients", "messages"};
static const char *const analyze_sql[ANALYZER_NTABLES] = {"ANALYZE clients", "ANALYZE messages"};
static const char sql_rows[] = "SELECT reltuples::bigint FROM pg_class WHERE oid = $1::regclass";

static long long noted[ANALYZER_NTABLES];  /* rows noted since the thread last took them */
static double first_note, last_note;       /* now_mono() of the burst's first and last note */

void analyzer_note(enum analyzer_table t, long long rows)
{
	if ((unsigned)t >= ANALYZER_NTABLES || rows <= 0)
		return;
	pthread_mutex_lock(&analyzer_worker.mu);
	last_note = now_mono();
	if (first_note == 0)
		first_note = last_note;
	noted[t] += rows;
	pthread_cond_signal(&analyzer_worker.cv);
	pthread_mutex_unlock(&analyzer_worker.mu);
}

/* Waits (analyzer_worker.mu held) until a burst has settled; moves its counts into carry.
 * 0, or -1 to stop. */
static int wait_burst(long long carry[ANALYZER_NTABLES])
{
	while (!analyzer_worker.stopping) {
		double now = now_mono(), due = last_note + ANALYZER_SETTLE_MS / 1000.0;
		if (first_note == 0) {
			pthread_cond_wait(&analyzer_worker.cv, &analyzer_worker.mu);
			continue;
		}
		if (due > first_note + ANALYZER_WAIT_MAX_MS / 1000.0)
			due = first_note + ANALYZER_WAIT_MAX_MS / 1000.0;
		if (now >= due) {
			for (int t = 0; t < ANALYZER_NTABLES; t++) {
				carry[t] += noted[t];
				noted[t] = 0;
			}
			first_note = 0;
			return 0;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		long long ns = until.tv_nsec + (long long)((due - now) * 1e9) + 1000000;
		until.tv_sec += (time_t)(ns / 1000000000);
		until.tv_nsec = (long)(ns % 1000000000);
		pthread_cond_timedwait(&analyzer_worker.cv, &analyzer_worker.mu, &until);
	}
	return -1;
}

/* The table's rows as of its last ANALYZE or VACUUM (0 when never), or -1 on an error. */
static long long table_rows(struct db *db, enum analyzer_table t)
{
	const char *p[] = {table_name[t]};
	PGresult *r = db_exec(db, sql_rows, 1, p);
	if (r == NULL)
		return -1;
	long long n = PQntuples(r) ? db_i64(r, 0, 0) : 0;
	PQclear(r);
	return n < 0 ? 0 : n;
}

/* Analyzes each table whose carried changes are large; a table analyzed starts again from 0. */
static void analyze_large(struct db *db, long long carry[ANALYZER_NTABLES])
{
	for (int t = 0; t < ANALYZER_NTABLES; t++) {
		if (carry[t] <= 0)
			continue;
		long long rows = table_rows(db, t);
		if (rows < 0 || (carry[t] < ANALYZER_ROWS && carry[t] * 10 < rows))
			continue;
		double t0 = now_mono();
		if (db_simple(db, analyze_sql[t]) < 0)
			continue;   /* logged (db.error); the changes stay for the next burst */
		log_info("analyzer.analyzed", LS("table", table_name[t]), LI("changed", carry[t]),
			 LI("rows_before", rows), LD("ms", (now_mono() - t0) * 1000));
		carry[t] = 0;
	}
}

static void *run(void *arg)
{
	(void)arg;
	long long carry[ANALYZER_NTABLES] = {0};
	struct db *db = NULL;
	char err[512];
	pthread_mutex_lock(&analyzer_worker.mu);
	while (wait_burst(carry) == 0) {
		pthread_mutex_unlock(&analyzer_worker.mu);
		if (db != NULL && PQstatus(db->conn) != CONNECTION_OK) {
			db_close(db);
			db = NULL;
		}
		if (db == NULL && ((db = db_connect(cfg.database_url, err, sizeof(err))) == NULL ||
				   db_simple(db, "SET application_name = 'herald-analyzer'") < 0)) {
			log_error("analyzer.db_failed", LS("error", db ? db->err : err));
			db_close(db);
			db = NULL;
		}
		if (db)
			analyze_large(db, carry);
		pthread_mutex_lock(&analyzer_worker.mu);
	}
	pthread_mutex_unlock(&analyzer_worker.mu);
	db_close(db);
	return NULL;
}
