/* itest.h — helpers for integration tests: call the running herald over real HTTP (libcurl)
 * and look into the real PostgreSQL the harness started (tests/run.sh). Environment:
 * HERALD_TEST_URL, HERALD_TEST_TOKEN_{ADMIN,OPERATOR,VIEWER}, DATABASE_URL. */
#ifndef HERALD_ITEST_H
#define HERALD_ITEST_H
#include <curl/curl.h>
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
/* Sends like api() and asserts the answer's status; the answer is freed. */
void api_expect(long status, const char *token, const char *method, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A walk over every page of a list as the viewer, following next_cursor. */
#define ITEST_WALK_PAGES 100000
struct itest_walk {
	const char *path;      /* with its query started and the limit: "/api/v1/tags?limit=4" */
	size_t limit;          /* no page may hold more rows */
	const char *key;       /* a field (integer or string) that ascends from row to row */
	long long *count;      /* or NULL: asks count=true and stores the first page's count */
	void (*each)(json_t *row, void *arg);   /* or NULL: called for every row */
	void *arg;
};
/* Asserts 200 on each page, the limit and the order of key (each row once); returns the number
 * of rows. */
long itest_walk(struct itest_walk *w);

/* A libcurl write callback (CURLOPT_WRITEFUNCTION) appending to a struct itest_sink, whose data
 * stays NUL-terminated; start with {NULL, 0} and free data. */
struct itest_sink {
	char *data;
	size_t len;
};
size_t itest_sink_write(char *p, size_t size, size_t n, void *sink);
/* An easy handle of the request api_raw() sends (with header, NULL: none), its body into sink
 * and its header list in *headers, for a curl multi handle: the caller runs it, then frees the
 * list (curl_slist_free_all) and the handle. */
CURL *itest_handle(const char *token, const char *method, const char *path, const char *header,
		   const char *content_type, const char *body, size_t len, struct itest_sink *sink,
		   struct curl_slist **headers);
/* When the header line[0..len) is name ("Location:"), its value without the spaces before and
 * the CRLF after replaces *value (malloc'ed; the old one is freed) and 1 is returned; else 0. */
int itest_header(const char *line, size_t len, const char *name, char **value);

/* Test phones come from two disjoint ranges, so no test's client meets another's:
 * - uniq_phone: 70 + nine random digits, a phone no other test uses;
 * - code_phone: 7 + an operator code (uniq_code's, 100..999) + n in seven digits, the phones of
 *   an operator's clients (eng_clients seeds them as code_phone(op, 1..)). A test that needs a
 *   block of many phones takes a code of its own for them, so that no random phone falls in it. */
void uniq_phone(char out[12]);
void code_phone(const char *code, long n, char out[12]);
/* A short unique word for names (tags, users): prefix + random hex. */
void uniq_name(const char *prefix, char *out, size_t outlen);
/* An operator code (3 digits) no operator has yet. */
void uniq_code(char out[4]);

/* A metric's value in the text of /metrics: the number on the sample line of series (a name
 * with its labels, as the page writes them); 0 when the page has no such line. */
long long itest_metric(const char *text, const char *series);

/* A connection to the test database (cached per process); fails the test when unreachable. */
PGconn *itest_db(void);
/* Runs sql and returns row 0 column 0 as a malloc'ed string (NULL when no row). */
char *itest_sql(const char *sql, ...) __attribute__((format(printf, 1, 2)));
/* Fails the test (after the others of its kind) unless itest_sql's answer is want. */
void itest_sql_is(const char *want, const char *sql, ...) __attribute__((format(printf, 2, 3)));

/* Shorthands for JSON fields of a response. */
const char *jstr(json_t *obj, const char *path);   /* "a.b" descends objects */
long long jint(json_t *obj, const char *path);
/* True when obj (a problem, or one item's errors in a bulk answer) names field in "errors". */
int jhas_error(json_t *obj, const char *field);

#endif
