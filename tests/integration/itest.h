/* itest.h — helpers for integration tests: call the running herald over real HTTP (libcurl)
 * and look into the real PostgreSQL the harness started (tests/run.sh). Environment:
 * HERALD_TEST_URL, HERALD_TEST_TOKEN_{ADMIN,OPERATOR,VIEWER}, DATABASE_URL. */
#ifndef HERALD_ITEST_H
#define HERALD_ITEST_H
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

struct resp {
	long status;
	char *body;
	json_t *json;          /* parsed body, NULL when it is not JSON */
	char *content_type;
	char *location;
	char *allow;
	char *headers;         /* every response header line, as received */
};

/* The tokens of the three users the harness created. */
const char *tok_admin(void);
const char *tok_operator(void);
const char *tok_viewer(void);

/* Sends method path (relative to HERALD_TEST_URL) with token (NULL: no Authorization) and a
 * JSON body made from fmt (NULL: no body), Content-Type application/json. */
struct resp *api(const char *token, const char *method, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with any content type and raw bytes. */
struct resp *api_raw(const char *token, const char *method, const char *path,
		     const char *content_type, const char *body, size_t len);
/* api() with one more request header ("Name: value"; NULL: none). */
struct resp *api_hdr(const char *token, const char *method, const char *path, const char *header,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 when the response has header name with value (both compared without case). */
int resp_has_header(const struct resp *r, const char *name, const char *value);
void resp_free(struct resp *r);

/* A phone number no other test uses: 7 + 10 digits. */
void uniq_phone(char out[12]);
/* A short unique word for names (tags, users): prefix + random hex. */
void uniq_name(const char *prefix, char *out, size_t outlen);

/* A connection to the test database (cached per process); fails the test when unreachable. */
PGconn *itest_db(void);
/* Runs sql and returns row 0 column 0 as a malloc'ed string (NULL when no row). */
char *itest_sql(const char *sql, ...) __attribute__((format(printf, 1, 2)));

/* Shorthands for JSON fields of a response. */
const char *jstr(json_t *obj, const char *path);   /* "a.b" descends objects */
long long jint(json_t *obj, const char *path);

#endif
