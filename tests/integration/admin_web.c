/* admin_web.c — admin page requests for the integration tests (see admin_web.h). */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "admin_web.h"
#include "itest.h"

/* The pages these tests read are asked for in English, as a browser set to English asks (the
 * server's default is HERALD_LANGUAGE, Russian). */
#define ENGLISH "Accept-Language: en"

static size_t on_hdr(char *p, size_t size, size_t n, void *arg)
{
	struct web_page *pg = arg;
	size_t len = size * n;
	if (!itest_header(p, len, "Location:", &pg->location) && !itest_header(p, len, "Set-Cookie:", &pg->set_cookie) &&
	    !itest_header(p, len, "Cache-Control:", &pg->cache_control))
		itest_header(p, len, "Content-Security-Policy:", &pg->csp);
	return len;
}

/* Performs the request c has been set up for and cleans c up; what names it when it fails. */
static struct web_page *perform(CURL *c, const char *what)
{
	struct web_page *pg = calloc(1, sizeof(*pg));
	struct itest_sink body = {calloc(1, 1), 0};
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, itest_sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, pg);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK, "%s failed", what);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &pg->status);
	curl_easy_cleanup(c);
	pg->body = body.data;
	return pg;
}

/* One request; cookie "name=value" (may be NULL), form body (NULL: none), extra header (an
 * Accept-Language of its own replaces the English one the tests read by default). */
struct web_page *web_req(const char *method, const char *path, const char *cookie, const char *form,
			const char *header)
{
	char url[2048], what[2100];
	snprintf(url, sizeof(url), "%s%s", getenv("HERALD_TEST_URL"), path);
	snprintf(what, sizeof(what), "%s %s", method, path);
	CURL *c = curl_easy_init();
	int own_language = header && strncasecmp(header, "Accept-Language:", 16) == 0;
	struct curl_slist *h = own_language ? NULL : curl_slist_append(NULL, ENGLISH);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (cookie)
		curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
	if (form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
	}
	if (header)
		h = curl_slist_append(h, header);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	struct web_page *pg = perform(c, what);
	curl_slist_free_all(h);
	return pg;
}

void web_free(struct web_page *pg)
{
	free(pg->body);
	free(pg->location);
	free(pg->set_cookie);
	free(pg->cache_control);
	free(pg->csp);
	free(pg);
}

/* Signs in and returns the cookie "name=value" (malloc'ed). */
char *web_login(const char *user, const char *pw, const char *header)
{
	char form[300];
	snprintf(form, sizeof(form), "username=%s&password=%s", user, pw);
	struct web_page *pg = web_req("POST", "/admin/login", NULL, form, header);
	cr_assert_eq(pg->status, 303, "login of %s: %ld", user, pg->status);
	cr_assert_not_null(pg->set_cookie);
	char *cookie = strndup(pg->set_cookie, strcspn(pg->set_cookie, ";"));
	web_free(pg);
	return cookie;
}

/* The csrf_token of the page at path (malloc'ed). */
char *web_csrf(const char *cookie, const char *path)
{
	struct web_page *pg = web_req("GET", path, cookie, NULL, NULL);
	cr_assert_eq(pg->status, 200, "GET %s: %ld", path, pg->status);
	const char *p = strstr(pg->body, "name=\"csrf_token\" value=\"");
	cr_assert_not_null(p);
	p += strlen("name=\"csrf_token\" value=\"");
	char *t = strndup(p, strcspn(p, "\""));
	web_free(pg);
	return t;
}

struct web_page *web_post(const char *cookie, const char *path, const char *fmt, ...)
{
	char *csrf = web_csrf(cookie, "/admin/"), *rest = NULL, *form = NULL;
	va_list ap;
	va_start(ap, fmt);
	cr_assert(vasprintf(&rest, fmt, ap) >= 0);
	va_end(ap);
	cr_assert(asprintf(&form, "csrf_token=%s&%s", csrf, rest) >= 0);
	struct web_page *pg = web_req("POST", path, cookie, form, NULL);
	free(csrf);
	free(rest);
	free(form);
	return pg;
}

long web_status(const char *method, const char *path, const char *cookie, const char *form)
{
	struct web_page *pg = web_req(method, path, cookie, form, NULL);
	long s = pg->status;
	web_free(pg);
	return s;
}


struct web_page *web_upload(const char *path, const char *cookie, const char *csrf, const char *filename,
			    const char *content)
{
	char url[2048], what[2100];
	snprintf(url, sizeof(url), "%s%s", getenv("HERALD_TEST_URL"), path);
	snprintf(what, sizeof(what), "upload to %s", path);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, ENGLISH);
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "csrf_token");
	curl_mime_data(part, csrf, CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "file");
	curl_mime_filename(part, filename);
	curl_mime_type(part, "text/csv");
	curl_mime_data(part, content, CURL_ZERO_TERMINATED);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	struct web_page *pg = perform(c, what);
	curl_mime_free(mime);
	curl_slist_free_all(h);
	return pg;
}

/* The page's "next page" link, its HTML escapes undone (malloc'ed), or NULL. */
char *web_rel_href(const char *body, const char *rel)
{
	char attr[32];
	snprintf(attr, sizeof(attr), "\" rel=\"%s\"", rel);
	const char *nx = strstr(body, attr);
	if (nx == NULL)
		return NULL;
	const char *h = nx;
	while (h > body && strncmp(h, "href=\"", 6) != 0)
		h--;
	char *out = strndup(h + 6, (size_t)(nx - h - 6));
	static const struct { const char *esc, *ch; } esc[] = {{"&amp;", "&"}, {"&#61;", "="}};
	for (size_t i = 0; i < 2; i++)
		for (char *p; (p = strstr(out, esc[i].esc));) {
			*p = esc[i].ch[0];
			memmove(p + 1, p + strlen(esc[i].esc), strlen(p + strlen(esc[i].esc)) + 1);
		}
	return out;
}

/* GETs path as cookie: its body (malloc'ed) after expecting 200, have and not lacks. */
static char *page_with(const char *cookie, const char *path, const char *have, const char *lacks)
{
	struct web_page *pg = web_req("GET", path, cookie, NULL, NULL);
	cr_assert_eq(pg->status, 200, "%s: %ld %s", path, pg->status, pg->body);
	cr_expect_not_null(strstr(pg->body, have), "%s: no %s", path, have);
	cr_expect_null(strstr(pg->body, lacks), "%s: %s", path, lacks);
	char *body = strdup(pg->body);
	web_free(pg);
	return body;
}

void web_expect_two_pages(const char *cookie, const char *path, const char *first, const char *second)
{
	char *body = page_with(cookie, path, first, second), *next = web_rel_href(body, "next");
	cr_assert_not_null(next, "%s: no next page", path);
	free(body);
	body = page_with(cookie, next, second, first);
	char *prev = web_rel_href(body, "prev");
	cr_assert_not_null(prev, "%s: no previous page", next);
	cr_expect_null(strstr(body, "rel=\"next\""), "%s: the last page has no next one", next);
	free(body);
	body = page_with(cookie, prev, first, second);
	cr_expect_null(strstr(body, "rel=\"prev\""), "%s: the first page has no previous one", prev);
	cr_expect_not_null(strstr(body, "rel=\"next\""), "%s: the first page has a next one", prev);
	free(body);
	free(prev);
	free(next);
}

void web_add_user(const char *name, const char *role)
{
	char *adm = web_login("t_admin", "password-admin", NULL);
	struct web_page *pg = web_post(adm, "/admin/users/add", "username=%s&password=long-enough-1&role=%s", name, role);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	free(adm);
}

void web_expect_texts(const char *cookie, const char *path, const char *const *texts)
{
	struct web_page *pg = web_req("GET", path, cookie, NULL, NULL);
	cr_expect_eq(pg->status, 200, "%s", path);
	for (; *texts; texts++)
		cr_expect(strstr(pg->body, *texts), "%s: no %s in %s", path, *texts, pg->body);
	web_free(pg);
}
