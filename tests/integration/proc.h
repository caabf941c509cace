/* proc.h — helpers for engine tests: a database of the test's own (so no other herald touches
 * its mailings), real fakeprobe and herald processes on free ports, and plain HTTP calls.
 * Every process started here gets SIGKILL when the test process dies, and proc_cleanup()
 * (the suite's .fini) kills what is left and drops the database. */
#ifndef HERALD_PROC_H
#define HERALD_PROC_H
#include <jansson.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	int port;
	char url[64];          /* http://127.0.0.1:port */
	char log[512];         /* stdout + stderr of the process */
};

/* Creates a fresh database, migrates it and makes it the one eng_sql() and herald_start() use. */
void eng_db_create(void);
/* Runs sql (printf-style) on that database: row 0 column 0, malloc'ed, NULL when no row.
 * A failing statement fails the test. */
char *eng_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* eng_sql as an integer (0 when NULL). */
long long eng_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Creates user name with role (password "password-" + name) in that database and returns a
 * new API token of it (malloc'ed). */
char *eng_token(const char *name, const char *role);

/* Runs build/herald with args (shell words) against that database, with the extra environment
 * assignments env (shell words, "" for none); stderr goes to the test's log folder. Returns the
 * exit status and puts stdout (malloc'ed) into *out. */
int eng_cli(const char *env, const char *args, char **out);

/* build/fakeprobe on a free port with the given extra arguments (NULL-terminated). */
struct proc fakeprobe_start(const char *const *args);
/* build/herald serve on a free port against the test database, with extra "K=V" environment
 * entries (NULL-terminated; HERALD_PROVIDER_URL=fp means the given fakeprobe); waits for /healthz. */
struct proc herald_start(const struct proc *fp, const char *const *env);
/* Sends sig; waits up to wait_s for the exit; returns the exit status (128+signal when killed),
 * -1 when it did not exit in time (then it is SIGKILLed). */
int proc_stop(struct proc *p, int sig, double wait_s);
/* Kills every process still running and drops the database. */
void proc_cleanup(void);

/* HTTP to any URL: the body (malloc'ed, NULL when none), status in *status when not NULL. */
char *url_text(const char *method, const char *url, const char *body, long *status);
/* The same with Authorization: Bearer token (NULL: none). */
char *url_text_as(const char *token, const char *method, const char *url, const char *body, long *status);
/* HTTP to any URL: the JSON body (NULL when none), status in *status when not NULL. */
json_t *url_json(const char *method, const char *url, const char *body, long *status);
/* Runs the transfers of a curl multi handle (void *: a CURLM) until every one has ended. */
void url_multi_finish(void *multi);
/* fakeprobe /stats field. */
long long fp_stat(const struct proc *fp, const char *field);
/* Polls cond_sql (an integer SQL expression, non-zero = done) every 100 ms for up to s seconds;
 * returns 1 when it became true. */
int eng_wait(double s, const char *cond_sql, ...) __attribute__((format(printf, 2, 3)));

#endif
