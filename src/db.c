/* db.c — connections, prepared statements, transactions. */
#include "db.h"
#include "log.h"
#include "util.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_SQL "SET TIME ZONE 'UTC'; SET application_name = 'herald'"
#define IDLE_CHECK_S 1.0       /* a session idle this long is checked before a statement is sent */

static char *conninfo_default;
static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

void db_set_conninfo(const char *conninfo)
{
	free(conninfo_default);
	conninfo_default = xstrdup(conninfo);
}

static int run_setup(PGconn *c, const char *sql);

static void notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

struct db *db_connect(const char *conninfo, char *err, size_t errlen)
{
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(c));
		err[strcspn(err, "\n")] = '\0';
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, notice_quiet, NULL);
	run_setup(c, SESSION_SQL);
	struct db *db = xcalloc(1, sizeof(*db));
	db->conn = c;
	return db;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	free(db);
}

static void thread_destroy(void *p)
{
	db_close(p);
}

static void make_key(void)
{
	pthread_key_create(&thread_key, thread_destroy);
}

struct db *db_thread(void)
{
	pthread_once(&key_once, make_key);
	struct db *db = pthread_getspecific(thread_key);
	if (db != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return db;
	if (db != NULL) {
		db_close(db);
		pthread_setspecific(thread_key, NULL);
	}
	char err[512];
	db = db_connect(conninfo_default ? conninfo_default : "", err, sizeof(err));
	if (db == NULL) {
		log_error("db.connect_failed", LS("error", err));
		return NULL;
	}
	db->reconnect = 1;
	pthread_setspecific(thread_key, db);
	return db;
}

void db_thread_close(void)
{
	pthread_once(&key_once, make_key);
	struct db *db = pthread_getspecific(thread_key);
	db_close(db);
	pthread_setspecific(thread_key, NULL);
}

static void set_error(struct db *db, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state ? state : "");
	snprintf(db->err, sizeof(db->err), "%s",
		 r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : PQerrorMessage(db->conn));
	db->err[strcspn(db->err, "\n")] = '\0';
	if (strncmp(db->sqlstate, "23", 2) != 0)
		log_error("db.error", LS("sqlstate", db->sqlstate), LS("error", db->err));
}

/* --- reconnect ------------------------------------------------------------------------- */

/* 1 when the session is known dead. An idle session whose server went away (a terminated
 * backend, a restart) has left its last message and the end of the stream in the socket:
 * reading what is there, without waiting, tells. A session used in the last IDLE_CHECK_S is
 * not looked at: that poll() was one system call in six of an API request, and a statement
 * sent on a session that died meanwhile is lost before any of it completed, so run() sends it
 * again on a new one. */
static int session_dead(struct db *db)
{
	if (PQstatus(db->conn) != CONNECTION_OK)
		return 1;
	if (now_mono() - db->used_at < IDLE_CHECK_S)
		return 0;
	struct pollfd pfd = {PQsocket(db->conn), POLLIN, 0};
	for (int i = 0; i < 4 && poll(&pfd, 1, 0) == 1; i++)
		if (!PQconsumeInput(db->conn))
			break;
	return PQstatus(db->conn) != CONNECTION_OK;
}

static int run_setup(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	return ok ? 0 : -1;
}

/* A new session in place of the dead one: 0, or -1 with the error set. */
static int reopen(struct db *db)
{
	PQreset(db->conn);
	db->nstmts = 0;
	if (PQstatus(db->conn) != CONNECTION_OK || run_setup(db->conn, SESSION_SQL) < 0 ||
	    (db->setup && run_setup(db->conn, db->setup) < 0)) {
		set_error(db, NULL);
		return -1;
	}
	db->resets++;
	log_warn("db.reconnected", LI("resets", db->resets));
	return 0;
}

int db_session(struct db *db, const char *setup)
{
	db->setup = (char *)setup;
	db->reconnect = 1;
	return setup ? db_simple(db, setup) : 0;
}

/* --- statements ------------------------------------------------------------------------ */

enum how { HOW_PREPARED, HOW_ONCE, HOW_SIMPLE };

/* Until the next result has come (or the session broke), db->wait waits in its place. */
static void await(struct db *db)
{
	if (db->wait == NULL)
		return;
	while (PQisBusy(db->conn) && PQstatus(db->conn) == CONNECTION_OK) {
		db->wait(db->wait_arg, PQsocket(db->conn));
		if (!PQconsumeInput(db->conn))
			return;
	}
}

/* Collects the results of what was sent, as PQexec does: the first error, else the last
 * result. *completed is set when any statement of it completed (it may have changed data). */
static PGresult *collect(struct db *db, int *completed)
{
	PGresult *keep = NULL, *r;
	for (;;) {
		await(db);
		if ((r = PQgetResult(db->conn)) == NULL)
			break;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
			*completed = 1;
		if (keep != NULL && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(keep);
			keep = r;
		}
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
			break;
	}
	return keep;
}

static int stmt_find(struct db *db, const char *sql)
{
	for (int i = 0; i < db->nstmts; i++)
		if (db->stmts[i] == sql)
			return i;
	return -1;
}

/* Sends sql once, the way how says, and returns what came back (NULL when nothing did). */
static PGresult *send_once(struct db *db, enum how how, const char *sql, int nparams,
			   const char *const *params, int *completed)
{
	char name[16];
	int i;
	*completed = 0;
	switch (how) {
	case HOW_SIMPLE:
		return PQsendQuery(db->conn, sql) ? collect(db, completed) : NULL;
	case HOW_ONCE:
		return PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0)
			   ? collect(db, completed) : NULL;
	case HOW_PREPARED:
		break;
	}
	if ((i = stmt_find(db, sql)) < 0) {
		if (db->nstmts == DB_MAX_STMTS)
			fatal("more than %d distinct prepared statements", DB_MAX_STMTS);
		int prepared = 0;
		snprintf(name, sizeof(name), "s%d", db->nstmts);
		PGresult *r = PQsendPrepare(db->conn, name, sql, nparams, NULL) ? collect(db, &prepared) : NULL;
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return r;
		PQclear(r);
		i = db->nstmts;
		db->stmts[db->nstmts++] = sql;
	}
	snprintf(name, sizeof(name), "s%d", i);
	return PQsendQueryPrepared(db->conn, name, nparams, params, NULL, NULL, 0) ? collect(db, completed) : NULL;
}

/* Runs sql; on a reconnecting connection outside a transaction, a dead session is replaced
 * before sending, and a statement lost with its connection before any part of it completed
 * is sent once more on a new session. */
static PGresult *run(struct db *db, enum how how, const char *sql, int nparams, const char *const *params)
{
	for (int attempt = 0;; attempt++) {
		int may_retry = db->reconnect && !db->in_tx;
		if (may_retry && session_dead(db) && reopen(db) < 0)
			return NULL;
		int completed;
		PGresult *r = send_once(db, how, sql, nparams, params, &completed);
		db->used_at = now_mono();
		ExecStatusType st = PQresultStatus(r);
		if (r != NULL && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK))
			return r;
		if (may_retry && attempt == 0 && !completed && PQstatus(db->conn) != CONNECTION_OK) {
			PQclear(r);
			continue;
		}
		set_error(db, r);
		PQclear(r);
		return NULL;
	}
}

PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	return run(db, HOW_PREPARED, sql, nparams, params);
}

PGresult *db_exec_once(struct db *db, const char *sql, int nparams, const char *const *params)
{
	return run(db, HOW_ONCE, sql, nparams, params);
}

const char *db_num(char *buf, int64_t n)
{
	snprintf(buf, DB_NUM_LEN, "%lld", (long long)n);
	return buf;
}

PGresult *db_exec_id(struct db *db, const char *sql, int64_t id)
{
	char ids[DB_NUM_LEN];
	const char *p[] = {db_num(ids, id)};
	return db_exec(db, sql, 1, p);
}

int db_run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_exec(db, sql, nparams, params);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

long db_rows(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_exec(db, sql, nparams, params);
	if (r == NULL)
		return -1;
	long n = atol(PQcmdTuples(r));
	PQclear(r);
	return n;
}

int db_simple(struct db *db, const char *sql)
{
	PGresult *r = run(db, HOW_SIMPLE, sql, 0, NULL);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int db_begin(struct db *db)
{
	if (db_simple(db, "BEGIN") < 0)
		return -1;
	db->in_tx = 1;
	return 0;
}

int db_commit(struct db *db)
{
	int rc = db_simple(db, "COMMIT");
	db->in_tx = 0;
	return rc;
}

void db_rollback(struct db *db)
{
	PGresult *r = PQexec(db->conn, "ROLLBACK");
	PQclear(r);
	db->in_tx = 0;
}

const char *db_str(const PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col);
}

int db_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col);
}

int64_t db_i64(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

int db_is_unique(const struct db *db) { return strcmp(db->sqlstate, "23505") == 0; }
int db_is_fk(const struct db *db) { return strcmp(db->sqlstate, "23503") == 0; }
int db_is_check(const struct db *db) { return strcmp(db->sqlstate, "23514") == 0; }
int db_is_transient(const struct db *db)
{
	return strcmp(db->sqlstate, "40P01") == 0 || strcmp(db->sqlstate, "40001") == 0;
}
