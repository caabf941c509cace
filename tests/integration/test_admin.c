/* Integration tests of the admin sign-in and its safety: cookie flags, session ids and
 * timeouts, sign-out, CSRF binding, safe redirects, escaping, deactivation. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "itest.h"

struct page {
	long status;
	char *body;
	char *location, *set_cookie, *cache_control, *csp;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct page *pg = arg;
	size_t len = strlen(pg->body);
	pg->body = realloc(pg->body, len + size * n + 1);
	memcpy(pg->body + len, p, size * n);
	pg->body[len + size * n] = '\0';
	return size * n;
}

static size_t on_hdr(char *p, size_t size, size_t n, void *arg)
{
	struct page *pg = arg;
	size_t len = size * n;
	static const struct { const char *name; size_t off; } want[] = {
		{"Location:", offsetof(struct page, location)},
		{"Set-Cookie:", offsetof(struct page, set_cookie)},
		{"Cache-Control:", offsetof(struct page, cache_control)},
		{"Content-Security-Policy:", offsetof(struct page, csp)},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t k = strlen(want[i].name);
		if (len > k && strncasecmp(p, want[i].name, k) == 0) {
			char **slot = (char **)((char *)pg + want[i].off);
			while (k < len && p[k] == ' ')
				k++;
			size_t end = len;
			while (end > k && (p[end - 1] == '\r' || p[end - 1] == '\n'))
				end--;
			free(*slot);
			*slot = strndup(p + k, end - k);
		}
	}
	return len;
}

/* One request; cookie "name=value" (may be NULL), form body (NULL: none), extra header. */
static struct page *req(const char *method, const char *path, const char *cookie, const char *form,
			const char *header)
{
	struct page *pg = calloc(1, sizeof(*pg));
	pg->body = calloc(1, 1);
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", getenv("HERALD_TEST_URL"), path);
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
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
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, pg);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, pg);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK, "%s %s failed", method, path);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &pg->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return pg;
}

static void page_free(struct page *pg)
{
	free(pg->body);
	free(pg->location);
	free(pg->set_cookie);
	free(pg->cache_control);
	free(pg->csp);
	free(pg);
}

/* Signs in and returns the cookie "name=value" (malloc'ed). */
static char *login(const char *user, const char *pw, const char *header)
{
	char form[300];
	snprintf(form, sizeof(form), "username=%s&password=%s", user, pw);
	struct page *pg = req("POST", "/admin/login", NULL, form, header);
	cr_assert_eq(pg->status, 303, "login of %s: %ld", user, pg->status);
	cr_assert_not_null(pg->set_cookie);
	char *cookie = strndup(pg->set_cookie, strcspn(pg->set_cookie, ";"));
	page_free(pg);
	return cookie;
}

/* The csrf_token of the page at path (malloc'ed). */
static char *csrf_of(const char *cookie, const char *path)
{
	struct page *pg = req("GET", path, cookie, NULL, NULL);
	cr_assert_eq(pg->status, 200, "GET %s: %ld", path, pg->status);
	const char *p = strstr(pg->body, "name=\"csrf_token\" value=\"");
	cr_assert_not_null(p);
	p += strlen("name=\"csrf_token\" value=\"");
	char *t = strndup(p, strcspn(p, "\""));
	page_free(pg);
	return t;
}

static long status_of(const char *method, const char *path, const char *cookie, const char *form)
{
	struct page *pg = req(method, path, cookie, form, NULL);
	long s = pg->status;
	page_free(pg);
	return s;
}

Test(admin, cookie_flags_plain_and_behind_tls)
{
	struct page *pg = req("POST", "/admin/login", NULL, "username=t_viewer&password=password-viewer", NULL);
	cr_assert_eq(pg->status, 303);
	cr_expect_str_eq(pg->location, "/admin/");
	cr_expect(strncmp(pg->set_cookie, "herald_session=", 15) == 0, "%s", pg->set_cookie);
	cr_expect(strstr(pg->set_cookie, "; HttpOnly") && strstr(pg->set_cookie, "; SameSite=Strict") &&
		  strstr(pg->set_cookie, "; Path=/"), "%s", pg->set_cookie);
	cr_expect_null(strstr(pg->set_cookie, "Secure"));
	page_free(pg);
	pg = req("POST", "/admin/login", NULL, "username=t_viewer&password=password-viewer", "X-Forwarded-Proto: https");
	cr_assert_eq(pg->status, 303);
	cr_expect(strncmp(pg->set_cookie, "__Host-herald_session=", 22) == 0, "%s", pg->set_cookie);
	cr_expect_not_null(strstr(pg->set_cookie, "; Secure"));
	char *cookie = strndup(pg->set_cookie, strcspn(pg->set_cookie, ";"));
	page_free(pg);
	/* the TLS cookie works behind TLS only */
	pg = req("GET", "/admin/", cookie, NULL, "X-Forwarded-Proto: https");
	cr_expect_eq(pg->status, 200);
	cr_expect_str_eq(pg->cache_control, "no-store");
	cr_expect(pg->csp && strstr(pg->csp, "default-src 'self'"));
	page_free(pg);
	cr_expect_eq(status_of("GET", "/admin/", cookie, NULL), 303);
	free(cookie);
}

Test(admin, signed_out_requests_go_to_login_with_next)
{
	struct page *pg = req("GET", "/admin/operators/", NULL, NULL, NULL);
	cr_expect_eq(pg->status, 303);
	cr_expect_str_eq(pg->location, "/admin/login?next=%2Fadmin%2Foperators%2F");
	page_free(pg);
	pg = req("GET", "/admin/", "herald_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
	cr_expect_eq(pg->status, 303);
	page_free(pg);
	pg = req("GET", "/admin/login?next=/admin/tokens/", NULL, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "name=\"next\" value=\"/admin/tokens/\""));
	page_free(pg);
}

Test(admin, next_only_leads_inside_the_admin)
{
	static const struct { const char *next, *want; } cases[] = {
		{"%2Fadmin%2Foperators%2F%3Fsort%3Dname", "/admin/operators/?sort=name"},
		{"%2F%2Fevil.example%2F", "/admin/"},
		{"https%3A%2F%2Fevil.example%2Fadmin%2F", "/admin/"},
		{"%2Fadmin%2F%2Fevil.example", "/admin/"},
		{"%2Fadmin%2F%5Cevil", "/admin/"},
		{"%2Fadmin%2F%0D%0ASet-Cookie%3A%20x%3Dy", "/admin/"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char form[300];
		snprintf(form, sizeof(form), "username=t_viewer&password=password-viewer&next=%s", cases[i].next);
		struct page *pg = req("POST", "/admin/login", NULL, form, NULL);
		cr_expect_eq(pg->status, 303);
		cr_expect_str_eq(pg->location, cases[i].want, "next=%s", cases[i].next);
		page_free(pg);
	}
}

Test(admin, new_session_id_at_login_and_logout_ends_it)
{
	char *a = login("t_operator", "password-operator", NULL);
	cr_expect_eq(status_of("GET", "/admin/", a, NULL), 200);
	/* signing in again while holding a session replaces it */
	struct page *pg = req("POST", "/admin/login", a, "username=t_operator&password=password-operator", NULL);
	cr_assert_eq(pg->status, 303);
	char *b = strndup(pg->set_cookie, strcspn(pg->set_cookie, ";"));
	page_free(pg);
	cr_expect_str_neq(a, b);
	cr_expect_eq(status_of("GET", "/admin/", a, NULL), 303);
	cr_expect_eq(status_of("GET", "/admin/", b, NULL), 200);
	/* logout needs the CSRF token, then deletes the session */
	cr_expect_eq(status_of("POST", "/admin/logout", b, "x=1"), 403);
	char *t = csrf_of(b, "/admin/"), form[200];
	snprintf(form, sizeof(form), "csrf_token=%s", t);
	pg = req("POST", "/admin/logout", b, form, NULL);
	cr_expect_eq(pg->status, 303);
	cr_expect_str_eq(pg->location, "/admin/login");
	cr_expect_not_null(strstr(pg->set_cookie, "Max-Age=0"));
	page_free(pg);
	cr_expect_eq(status_of("GET", "/admin/", b, NULL), 303);
	free(a);
	free(b);
	free(t);
}

Test(admin, idle_and_absolute_timeouts)
{
	char *a = login("t_viewer", "password-viewer", NULL), *b = login("t_viewer", "password-viewer", NULL);
	cr_expect_eq(status_of("GET", "/admin/", a, NULL), 200);
	free(itest_sql("UPDATE admin_sessions SET last_seen_at = now() - interval '31 minutes'"
		       " WHERE last_seen_at = (SELECT max(last_seen_at) FROM admin_sessions s JOIN users u"
		       " ON u.id = s.user_id WHERE u.username = 't_viewer') RETURNING 1"));
	/* the touched one is a (just used); b was not used after login */
	cr_expect_eq(status_of("GET", "/admin/", a, NULL), 303);
	cr_expect_eq(status_of("GET", "/admin/", b, NULL), 200);
	free(itest_sql("UPDATE admin_sessions SET created_at = now() - interval '13 hours'"
		       " WHERE last_seen_at = (SELECT max(last_seen_at) FROM admin_sessions s JOIN users u"
		       " ON u.id = s.user_id WHERE u.username = 't_viewer') RETURNING 1"));
	cr_expect_eq(status_of("GET", "/admin/", b, NULL), 303, "a session older than 12 hours must end");
	free(a);
	free(b);
}

Test(admin, csrf_token_is_bound_to_its_session)
{
	char *a = login("t_operator", "password-operator", NULL), *b = login("t_operator", "password-operator", NULL);
	char *ta = csrf_of(a, "/admin/operators/add"), *tb = csrf_of(b, "/admin/operators/add"), form[300];
	cr_expect_str_neq(ta, tb);
	snprintf(form, sizeof(form), "csrf_token=%s&code=99&name=x", ta);
	cr_expect_eq(status_of("POST", "/admin/operators/add", b, form), 403);
	cr_expect_eq(status_of("POST", "/admin/operators/add", a, form), 422);
	free(a);
	free(b);
	free(ta);
	free(tb);
}

Test(admin, stored_values_are_escaped)
{
	char code[8];
	for (;;) {
		snprintf(code, sizeof(code), "%03d", 100 + rand() % 900);
		char *n = itest_sql("SELECT count(*) FROM operators WHERE code = '%s'", code);
		int used = strcmp(n, "0") != 0;
		free(n);
		if (!used)
			break;
	}
	struct resp *r = api(tok_admin(), "POST", "/api/v1/operators",
			     "{\"code\": \"%s\", \"name\": \"<script>alert(1)</script>\\\" onmouseover='x'\"}", code);
	cr_assert_eq(r->status, 201);
	resp_free(r);
	char *a = login("t_viewer", "password-viewer", NULL), path[64];
	snprintf(path, sizeof(path), "/admin/operators/?q=%s", code);
	struct page *pg = req("GET", path, a, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_null(strstr(pg->body, "<script>alert(1)"));
	cr_expect_not_null(strstr(pg->body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover&#61;&#39;x&#39;"));
	page_free(pg);
	snprintf(path, sizeof(path), "/admin/operators/%s", code);
	pg = req("GET", path, a, NULL, NULL);
	cr_expect_null(strstr(pg->body, "<script>alert(1)"));
	cr_expect_not_null(strstr(pg->body, "value=\"&lt;script&gt;"));
	page_free(pg);
	free(itest_sql("DELETE FROM operators WHERE code = '%s' RETURNING 1", code));
	free(a);
}

Test(admin, deactivating_a_user_ends_their_sessions)
{
	char name[40], form[400];
	uniq_name("deact", name, sizeof(name));
	char *adm = login("t_admin", "password-admin", NULL), *t = csrf_of(adm, "/admin/users/add");
	snprintf(form, sizeof(form), "csrf_token=%s&username=%s&password=long-enough-1&role=operator", t, name);
	cr_assert_eq(status_of("POST", "/admin/users/add", adm, form), 303);
	char *u = login(name, "long-enough-1", NULL);
	cr_expect_eq(status_of("GET", "/admin/operators/add", u, NULL), 200);
	char *id = itest_sql("SELECT id FROM users WHERE username = '%s'", name), path[64];
	snprintf(path, sizeof(path), "/admin/users/%s", id);
	snprintf(form, sizeof(form), "csrf_token=%s&role=operator", t);   /* is_active unchecked */
	cr_expect_eq(status_of("POST", path, adm, form), 303);
	cr_expect_eq(status_of("GET", "/admin/", u, NULL), 303);
	snprintf(form, sizeof(form), "username=%s&password=long-enough-1", name);
	cr_expect_eq(status_of("POST", "/admin/login", NULL, form), 401);
	free(adm);
	free(t);
	free(u);
	free(id);
}

Test(admin, password_change_checks_and_signs_out_other_sessions)
{
	char name[40], form[600];
	uniq_name("pw", name, sizeof(name));
	char *adm = login("t_admin", "password-admin", NULL), *t = csrf_of(adm, "/admin/users/add");
	snprintf(form, sizeof(form), "csrf_token=%s&username=%s&password=first-pass-1&role=viewer", t, name);
	cr_assert_eq(status_of("POST", "/admin/users/add", adm, form), 303);
	char *a = login(name, "first-pass-1", NULL), *b = login(name, "first-pass-1", NULL);
	char *ta = csrf_of(a, "/admin/password");
	snprintf(form, sizeof(form), "csrf_token=%s&current_password=wrong-one-1&new_password=second-pass-2"
		 "&new_password_again=second-pass-2", ta);
	struct page *pg = req("POST", "/admin/password", a, form, NULL);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-current_password\"><p>this is not your current password"));
	page_free(pg);
	snprintf(form, sizeof(form), "csrf_token=%s&current_password=first-pass-1&new_password=short"
		 "&new_password_again=short", ta);
	pg = req("POST", "/admin/password", a, form, NULL);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-new_password\"><p>a password is 8 to"));
	page_free(pg);
	snprintf(form, sizeof(form), "csrf_token=%s&current_password=first-pass-1&new_password=second-pass-2"
		 "&new_password_again=second-pass-2", ta);
	cr_expect_eq(status_of("POST", "/admin/password", a, form), 200);
	cr_expect_eq(status_of("GET", "/admin/", a, NULL), 200, "the changing session stays");
	cr_expect_eq(status_of("GET", "/admin/", b, NULL), 303, "other sessions end");
	snprintf(form, sizeof(form), "username=%s&password=first-pass-1", name);
	cr_expect_eq(status_of("POST", "/admin/login", NULL, form), 401);
	free(login(name, "second-pass-2", NULL));
	free(adm);
	free(t);
	free(a);
	free(b);
	free(ta);
}

Test(admin, roles_gate_pages)
{
	char *v = login("t_viewer", "password-viewer", NULL), *o = login("t_operator", "password-operator", NULL);
	struct page *pg = req("GET", "/admin/users/", v, NULL, NULL);
	cr_expect_eq(pg->status, 403);
	cr_expect_not_null(strstr(pg->body, "Your role may not"));
	page_free(pg);
	cr_expect_eq(status_of("GET", "/admin/users/", o, NULL), 403);
	cr_expect_eq(status_of("GET", "/admin/operators/add", v, NULL), 403);
	cr_expect_eq(status_of("GET", "/admin/operators/add", o, NULL), 200);
	cr_expect_eq(status_of("GET", "/admin/tokens/", v, NULL), 200);
	cr_expect_eq(status_of("GET", "/admin/operators/?sort=bogus", v, NULL), 400);
	cr_expect_eq(status_of("GET", "/admin/operators/?cursor=%%%%", v, NULL), 400);
	cr_expect_eq(status_of("GET", "/admin/operators/?unknown=1", v, NULL), 400);
	pg = req("GET", "/admin/", o, NULL, NULL);
	cr_expect_null(strstr(pg->body, "href=\"/admin/users/\""), "operators do not see Users");
	cr_expect_not_null(strstr(pg->body, "href=\"/admin/operators/\""));
	page_free(pg);
	free(v);
	free(o);
}

Test(admin, history_records_who_changed_what)
{
	char code[8], form[300], path[160];
	for (;;) {
		snprintf(code, sizeof(code), "%03d", 100 + rand() % 900);
		char *n = itest_sql("SELECT (SELECT count(*) FROM operators WHERE code = '%s') + (SELECT count(*) FROM audit_log"
				    " WHERE object = 'operator %s')", code, code);   /* API writes are in the history too */
		int used = strcmp(n, "0") != 0;
		free(n);
		if (!used)
			break;
	}
	char *o = login("t_operator", "password-operator", NULL), *t = csrf_of(o, "/admin/operators/add");
	snprintf(form, sizeof(form), "csrf_token=%s&code=%s&name=first", t, code);
	cr_assert_eq(status_of("POST", "/admin/operators/add", o, form), 303);
	snprintf(form, sizeof(form), "csrf_token=%s&name=second", t);
	snprintf(path, sizeof(path), "/admin/operators/%s", code);
	cr_assert_eq(status_of("POST", path, o, form), 303);
	char *n = itest_sql("SELECT string_agg(action || ':' || username || ':' || (detail->>'name'), ',' ORDER BY id)"
			    " FROM audit_log WHERE object = 'operator %s'", code);
	cr_expect_str_eq(n, "operator.created:t_operator:first,operator.updated:t_operator:second");
	free(n);
	/* admins see it on the operator's page and in the history list; operators do not */
	char *a = login("t_admin", "password-admin", NULL);
	struct page *pg = req("GET", path, a, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "Recent changes"));
	cr_expect_not_null(strstr(pg->body, "operator.updated"));
	page_free(pg);
	snprintf(path, sizeof(path), "/admin/history/?action=operator.created&q=operator+%s", code);
	pg = req("GET", path, a, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "t_operator"));
	cr_expect_null(strstr(pg->body, "operator.updated</td>"));
	page_free(pg);
	cr_expect_eq(status_of("GET", "/admin/history/", o, NULL), 403);
	cr_expect_eq(status_of("GET", "/admin/history/?action=nonsense", a, NULL), 400);
	free(itest_sql("DELETE FROM operators WHERE code = '%s' RETURNING 1", code));
	free(o);
	free(t);
	free(a);
}
