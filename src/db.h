/* db.h — PostgreSQL access: one connection per thread, statements prepared on first use.
 * SQL text is always a static string of the caller's; input goes in as parameters only. */
#ifndef HERALD_DB_H
#define HERALD_DB_H
#include <libpq-fe.h>
#include <stdint.h>

#define DB_MAX_STMTS 256

struct db {
	PGconn *conn;
	const char *stmts[DB_MAX_STMTS];   /* statement "sN" is the SQL text stmts[N] (by pointer) */
	int nstmts;
	char sqlstate[6];                  /* of the last failure, "" when it was not a server error */
	char err[512];
	int reconnect;                     /* reopen a dead session and retry (db_thread, db_session) */
	int in_tx;                         /* between db_begin and db_commit/db_rollback */
	char *setup;                       /* session SQL run again after each reconnect, or NULL */
	unsigned long resets;              /* sessions replaced by a reconnect: their locks, LISTENs
					    * and prepared statements are gone */
	double used_at;                    /* now_mono() of the last statement's end */
	/* While a statement waits for the server: called with the session's socket, it waits a
	 * short while for the socket to be readable and may do other work meanwhile (a dispatch
	 * worker moves its provider transfers, so a stalled statement does not make them time
	 * out). NULL: the wait blocks in libpq. */
	void (*wait)(void *arg, int fd);
	void *wait_arg;
};

/* Opens a new connection (session time zone UTC). NULL on failure with err filled. The caller
 * owns it and closes it with db_close(). */
struct db *db_connect(const char *conninfo, char *err, size_t errlen);
void db_close(struct db *db);

/* The calling thread's connection, opened on first use and reopened when it broke. NULL when
 * the server cannot be reached (logged). Closed by db_thread_close() or at thread exit. */
struct db *db_thread(void);
void db_thread_close(void);
/* Sets the conninfo that db_thread() uses (copied). */
void db_set_conninfo(const char *conninfo);

/* Reconnect and retry. On a connection that has it (every db_thread() connection, and one
 * given to db_session), a statement that finds the session dead before it was sent, or whose
 * sending failed on a broken connection before any part of it completed, is sent again on a
 * new session once, outside a transaction (db_begin .. db_commit/db_rollback) only; the caller
 * sees only the result. A statement that may have run is never sent twice. Each new session
 * counts in db->resets: an owner of session state (advisory locks) compares it to know it
 * lost them. Runs setup (may be NULL; a static string) now and after every reconnect, and
 * turns reconnecting on for db. 0 or -1. */
int db_session(struct db *db, const char *setup);

/* Runs sql with text parameters (NULL = SQL NULL) as a prepared statement. Returns a result
 * with PGRES_TUPLES_OK or PGRES_COMMAND_OK that the caller frees with PQclear, or NULL with
 * db->sqlstate and db->err set (and logged unless it is a constraint violation). */
PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params);
/* db_exec without a prepared statement: planned at each call with the parameter values known,
 * so a statement with optional filters ("$1 IS NULL OR col = $1") uses the index of the
 * filters given. For admin lists, whose filter combinations would otherwise each need a
 * prepared statement of their own. */
PGresult *db_exec_once(struct db *db, const char *sql, int nparams, const char *const *params);
/* n as the text of a statement parameter, written into buf (DB_NUM_LEN bytes) and returned. */
#define DB_NUM_LEN 24
const char *db_num(char *buf, int64_t n);
/* db_exec with id as the only parameter ($1). */
PGresult *db_exec_id(struct db *db, const char *sql, int64_t id);
/* db_exec for statements whose rows are not needed: 0 or -1. */
int db_run(struct db *db, const char *sql, int nparams, const char *const *params);
/* db_exec for the number of rows a statement returned or changed: that, or -1. */
long db_rows(struct db *db, const char *sql, int nparams, const char *const *params);
/* Runs one or more statements without parameters (not prepared): 0 or -1. */
int db_simple(struct db *db, const char *sql);

int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Field accessors: value text ("" for NULL), NULL test, int64 (0 for NULL). */
const char *db_str(const PGresult *r, int row, int col);
int db_null(const PGresult *r, int row, int col);
int64_t db_i64(const PGresult *r, int row, int col);

/* True when the last failure was of the class: unique (23505), foreign key (23503), check (23514). */
int db_is_unique(const struct db *db);
int db_is_fk(const struct db *db);
int db_is_check(const struct db *db);
/* The last failure was a deadlock or a serialization failure: the transaction, run again,
 * can succeed. */
int db_is_transient(const struct db *db);

#endif
