/* db.c — connections, prepared statements, transactions. */
#include "db.h"
#include "log.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *conninfo_default;
static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

void db_set_conninfo(const char *conninfo)
{
	free(conninfo_default);
	conninfo_default = xstrdup(conninfo);
}

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
	PGresult *r = PQexec(c, "SET TIME ZONE 'UTC'; SET application_name = 'herald'");
	PQclear(r);
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

static int stmt_index(struct db *db, const char *sql, int nparams)
{
	for (int i = 0; i < db->nstmts; i++)
		if (db->stmts[i] == sql)
			return i;
	if (db->nstmts == DB_MAX_STMTS)
		fatal("more than %d distinct prepared statements", DB_MAX_STMTS);
	char name[16];
	snprintf(name, sizeof(name), "s%d", db->nstmts);
	PGresult *r = PQprepare(db->conn, name, sql, nparams, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_error(db, r);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	db->stmts[db->nstmts] = sql;
	return db->nstmts++;
}

PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	int i = stmt_index(db, sql, nparams);
	if (i < 0)
		return NULL;
	char name[16];
	snprintf(name, sizeof(name), "s%d", i);
	PGresult *r = PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return r;
	set_error(db, r);
	PQclear(r);
	return NULL;
}

PGresult *db_exec_once(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return r;
	set_error(db, r);
	PQclear(r);
	return NULL;
}

int db_run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_exec(db, sql, nparams, params);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int db_simple(struct db *db, const char *sql)
{
	PGresult *r = PQexec(db->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		PQclear(r);
		return 0;
	}
	set_error(db, r);
	PQclear(r);
	return -1;
}

int db_begin(struct db *db) { return db_simple(db, "BEGIN"); }
int db_commit(struct db *db) { return db_simple(db, "COMMIT"); }

void db_rollback(struct db *db)
{
	PGresult *r = PQexec(db->conn, "ROLLBACK");
	PQclear(r);
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
