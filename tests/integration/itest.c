/* itest.c — integration test helpers. */
#include "itest.h"

#include <curl/curl.h>
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

static char *env(const char *name)
{
	char *v = getenv(name);
	cr_assert(v != NULL && *v, "%s is not set: run the tests through tests/run.sh", name);
	return v;
}

const char *tok_admin(void) { return env("HERALD_TEST_TOKEN_ADMIN"); }
const char *tok_operator(void) { return env("HERALD_TEST_TOKEN_OPERATOR"); }
const char *tok_viewer(void) { return env("HERALD_TEST_TOKEN_VIEWER"); }

size_t itest_sink_write(char *p, size_t size, size_t n, void *sink)
{
	struct itest_sink *s = sink;
	s->data = realloc(s->data, s->len + size * n + 1);
	memcpy(s->data + s->len, p, size * n);
	s->len += size * n;
	s->data[s->len] = '\0';
	return size * n;
}

int itest_header(const char *line, size_t len, const char *name, char **value)
{
	size_t k = strlen(name);
	if (len <= k || strncasecmp(line, name, k) != 0)
		return 0;
	while (k < len && line[k] == ' ')
		k++;
	while (len > k && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	free(*value);
	*value = strndup(line + k, len - k);
	return 1;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = size * n;
	size_t had = r->headers ? strlen(r->headers) : 0;
	r->headers = realloc(r->headers, had + len + 1);
	memcpy(r->headers + had, p, len);
	r->headers[had + len] = '\0';
	if (!itest_header(p, len, "Location:", &r->location) && !itest_header(p, len, "Allow:", &r->allow))
		itest_header(p, len, "Content-Type:", &r->content_type);
	return len;
}

CURL *itest_handle(const char *token, const char *method, const char *path, const char *header,
		   const char *content_type, const char *body, size_t len, struct itest_sink *sink,
		   struct curl_slist **headers)
{
	char url[4096], auth[512], ct[256];
	struct curl_slist *h = NULL;
	CURL *c = curl_easy_init();
	snprintf(url, sizeof(url), "%s%s", env("HERALD_TEST_URL"), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (body) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type ? content_type : "");
		h = curl_slist_append(h, content_type ? ct : "Content-Type:");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	if (header)
		h = curl_slist_append(h, header);
	if (header == NULL || strncasecmp(header, "Expect:", 7) != 0)
		h = curl_slist_append(h, "Expect:");   /* the body at once, unless the caller asks to wait */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, itest_sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	*headers = h;
	return c;
}

/* api_raw with an extra request header (NULL: none). */
static struct resp *request(const char *token, const char *method, const char *path, const char *header,
			    const char *content_type, const char *body, size_t len)
{
	struct resp *r = calloc(1, sizeof(*r));
	struct itest_sink s = {calloc(1, 1), 0};
	struct curl_slist *h;
	CURL *c = itest_handle(token, method, path, header, content_type, body, len, &s, &h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	CURLcode rc = curl_easy_perform(c);
	cr_assert(rc == CURLE_OK || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR,
		  "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->body = s.data;
	r->json = json_loadb(s.data, s.len, 0, NULL);
	return r;
}

struct resp *api_raw(const char *token, const char *method, const char *path,
		     const char *content_type, const char *body, size_t len)
{
	return request(token, method, path, NULL, content_type, body, len);
}

/* request() with a JSON body made from fmt and ap (fmt NULL: no body). */
static struct resp *vrequest(const char *token, const char *method, const char *path, const char *header,
			     const char *fmt, va_list ap)
{
	char *body = NULL;
	if (fmt)
		cr_assert(vasprintf(&body, fmt, ap) >= 0);
	struct resp *r = request(token, method, path, header, "application/json", body, body ? strlen(body) : 0);
	free(body);
	return r;
}

struct resp *api_hdr(const char *token, const char *method, const char *path, const char *header,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct resp *r = vrequest(token, method, path, header, fmt, ap);
	va_end(ap);
	return r;
}

int resp_has_header(const struct resp *r, const char *name, const char *value)
{
	size_t n = strlen(name), v = strlen(value);
	for (const char *p = r->headers; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		const char *q = p + n + 1;
		while (*q == ' ')
			q++;
		if (strncasecmp(q, value, v) == 0 && (q[v] == '\r' || q[v] == '\n' || q[v] == '\0'))
			return 1;
	}
	return 0;
}

struct resp *api(const char *token, const char *method, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct resp *r = vrequest(token, method, path, NULL, fmt, ap);
	va_end(ap);
	return r;
}

void api_expect(long status, const char *token, const char *method, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct resp *r = vrequest(token, method, path, NULL, fmt, ap);
	va_end(ap);
	cr_assert_eq(r->status, status, "%s %s: %ld, not %ld: %s", method, path, r->status, status, r->body);
	resp_free(r);
}

long itest_walk(struct itest_walk *w)
{
	char url[1024];
	long seen = 0;
	json_t *last = NULL;
	snprintf(url, sizeof(url), "%s%s", w->path, w->count ? "&count=true" : "");
	for (int pages = 0; pages < ITEST_WALK_PAGES; pages++) {
		struct resp *r = api(tok_viewer(), "GET", url, NULL);
		cr_assert_eq(r->status, 200, "%s: %s", url, r->body);
		if (pages == 0 && w->count)
			*w->count = jint(r->json, "count");
		json_t *rows = json_object_get(r->json, "results"), *row;
		size_t i;
		cr_assert_leq(json_array_size(rows), w->limit, "%s: a page over its limit", url);
		json_array_foreach(rows, i, row) {
			json_t *key = json_object_get(row, w->key);
			cr_assert(key != NULL, "%s: a row without %s", url, w->key);
			if (last)
				cr_assert(json_is_integer(key) ? json_integer_value(key) > json_integer_value(last)
					  : strcmp(json_string_value(key), json_string_value(last)) > 0,
					  "%s: %s out of order (each row once, ascending)", url, w->key);
			json_decref(last);
			last = json_incref(key);
			if (w->each)
				w->each(row, w->arg);
			seen++;
		}
		const char *next = jstr(r->json, "next_cursor");
		if (next == NULL) {
			resp_free(r);
			json_decref(last);
			return seen;
		}
		snprintf(url, sizeof(url), "%s&cursor=%s", w->path, next);
		resp_free(r);
	}
	cr_assert_fail("%s: more than %d pages", w->path, ITEST_WALK_PAGES);
	return seen;
}

void resp_free(struct resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	free(r->content_type);
	free(r->location);
	free(r->allow);
	free(r->headers);
	json_decref(r->json);
	free(r);
}

void uniq_phone(char out[12])
{
	unsigned long long x;
	cr_assert(getrandom(&x, sizeof(x), 0) == sizeof(x));
	snprintf(out, 12, "70%09llu", x % 1000000000ULL);
}

long long itest_metric(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')   /* a sample's line, not a longer name's or # HELP */
			return atoll(p + n + 1);
	return 0;
}

void code_phone(const char *code, long n, char out[12])
{
	cr_assert(strlen(code) == 3 && code[0] >= '1' && code[0] <= '9' && n >= 0 && n < 10000000, "%s %ld", code, n);
	snprintf(out, 12, "7%s%07ld", code, n);
}

void uniq_name(const char *prefix, char *out, size_t outlen)
{
	unsigned x;
	cr_assert(getrandom(&x, sizeof(x), 0) == sizeof(x));
	snprintf(out, outlen, "%s%08x", prefix, x);
}

void uniq_code(char out[4])
{
	char *c = itest_sql("SELECT lpad(n::text, 3, '0') FROM generate_series(100, 999) n"
			    " WHERE lpad(n::text, 3, '0') NOT IN (SELECT code FROM operators) ORDER BY random() LIMIT 1");
	cr_assert_not_null(c, "every operator code is taken");
	snprintf(out, 4, "%s", c);
	free(c);
}

PGconn *itest_db(void)
{
	static PGconn *c;
	if (c == NULL) {
		c = PQconnectdb(env("DATABASE_URL"));
		cr_assert(PQstatus(c) == CONNECTION_OK, "database: %s", PQerrorMessage(c));
	}
	return c;
}

char *itest_sql(const char *fmt, ...)
{
	char *sql;
	va_list ap;
	va_start(ap, fmt);
	cr_assert(vasprintf(&sql, fmt, ap) >= 0);
	va_end(ap);
	PGresult *r = PQexec(itest_db(), sql);
	ExecStatusType st = PQresultStatus(r);
	cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
	char *v = (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	free(sql);
	return v;
}

void itest_sql_is(const char *want, const char *fmt, ...)
{
	char *sql;
	va_list ap;
	va_start(ap, fmt);
	cr_assert(vasprintf(&sql, fmt, ap) >= 0);
	va_end(ap);
	char *v = itest_sql("%s", sql);
	cr_expect_str_eq(v ? v : "(no row)", want, "%s", sql);
	free(v);
	free(sql);
}

static json_t *descend(json_t *obj, const char *path)
{
	char key[128];
	while (obj && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		obj = json_is_array(obj) ? json_array_get(obj, (size_t)atoi(key)) : json_object_get(obj, key);
		path += n;
		if (*path == '.')
			path++;
	}
	return obj;
}

const char *jstr(json_t *obj, const char *path)
{
	return json_string_value(descend(obj, path));
}

long long jint(json_t *obj, const char *path)
{
	json_t *v = descend(obj, path);
	cr_assert(json_is_integer(v), "field %s is not an integer", path);
	return json_integer_value(v);
}

int jhas_error(json_t *obj, const char *field)
{
	return json_object_get(json_object_get(obj, "errors"), field) != NULL;
}
