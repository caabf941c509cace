/* Integration tests of the admin sign-in and its safety: cookie flags, session ids and
 * timeouts, sign-out, CSRF binding, safe redirects, escaping, deactivation. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "admin_web.h"
#include "itest.h"

Test(admin, cookie_flags_plain_and_behind_tls)
{
	struct web_page *pg = web_req("POST", "/admin/login", NULL, "username=t_viewer&password=password-viewer", NULL);
	cr_assert_eq(pg->status, 303);
	cr_expect_str_eq(pg->location, "/admin/");
	cr_expect(strncmp(pg->set_cookie, "herald_session=", 15) == 0, "%s", pg->set_cookie);
	cr_expect(strstr(pg->set_cookie, "; HttpOnly") && strstr(pg->set_cookie, "; SameSite=Strict") &&
		  strstr(pg->set_cookie, "; Path=/"), "%s", pg->set_cookie);
	cr_expect_not_null(strstr(pg->set_cookie, "; Secure"), "Secure on plain HTTP too: %s", pg->set_cookie);
	web_free(pg);
	pg = web_req("POST", "/admin/login", NULL, "username=t_viewer&password=password-viewer", "X-Forwarded-Proto: https");
	cr_assert_eq(pg->status, 303);
	cr_expect(strncmp(pg->set_cookie, "__Host-herald_session=", 22) == 0, "%s", pg->set_cookie);
	cr_expect_not_null(strstr(pg->set_cookie, "; Secure"));
	char *cookie = strndup(pg->set_cookie, strcspn(pg->set_cookie, ";"));
	web_free(pg);
	/* the TLS cookie works behind TLS only */
	pg = web_req("GET", "/admin/", cookie, NULL, "X-Forwarded-Proto: https");
	cr_expect_eq(pg->status, 200);
	cr_expect_str_eq(pg->cache_control, "no-store");
	cr_expect(pg->csp && strstr(pg->csp, "default-src 'self'"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/", cookie, NULL), 303);
	free(cookie);
}

Test(admin, signed_out_requests_go_to_login_with_next)
{
	struct web_page *pg = web_req("GET", "/admin/operators/", NULL, NULL, NULL);
	cr_expect_eq(pg->status, 303);
	cr_expect_str_eq(pg->location, "/admin/login?next=%2Fadmin%2Foperators%2F");
	web_free(pg);
	pg = web_req("GET", "/admin/", "herald_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
	cr_expect_eq(pg->status, 303);
	web_free(pg);
	pg = web_req("GET", "/admin/login?next=/admin/tokens/", NULL, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "name=\"next\" value=\"/admin/tokens/\""));
	web_free(pg);
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
		struct web_page *pg = web_req("POST", "/admin/login", NULL, form, NULL);
		cr_expect_eq(pg->status, 303);
		cr_expect_str_eq(pg->location, cases[i].want, "next=%s", cases[i].next);
		web_free(pg);
	}
}

Test(admin, new_session_id_at_login_and_logout_ends_it)
{
	char *a = web_login("t_operator", "password-operator", NULL);
	cr_expect_eq(web_status("GET", "/admin/", a, NULL), 200);
	/* signing in again while holding a session replaces it */
	struct web_page *pg = web_req("POST", "/admin/login", a, "username=t_operator&password=password-operator", NULL);
	cr_assert_eq(pg->status, 303);
	char *b = strndup(pg->set_cookie, strcspn(pg->set_cookie, ";"));
	web_free(pg);
	cr_expect_str_neq(a, b);
	cr_expect_eq(web_status("GET", "/admin/", a, NULL), 303);
	cr_expect_eq(web_status("GET", "/admin/", b, NULL), 200);
	/* logout needs the CSRF token, then deletes the session */
	cr_expect_eq(web_status("POST", "/admin/logout", b, "x=1"), 403);
	char *t = web_csrf(b, "/admin/"), form[200];
	snprintf(form, sizeof(form), "csrf_token=%s", t);
	pg = web_req("POST", "/admin/logout", b, form, NULL);
	cr_expect_eq(pg->status, 303);
	cr_expect_str_eq(pg->location, "/admin/login");
	cr_expect_not_null(strstr(pg->set_cookie, "Max-Age=0"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/", b, NULL), 303);
	free(a);
	free(b);
	free(t);
}

Test(admin, idle_and_absolute_timeouts)
{
	char *a = web_login("t_viewer", "password-viewer", NULL), *b = web_login("t_viewer", "password-viewer", NULL);
	cr_expect_eq(web_status("GET", "/admin/", a, NULL), 200);
	free(itest_sql("UPDATE admin_sessions SET last_seen_at = now() - interval '31 minutes'"
		       " WHERE last_seen_at = (SELECT max(last_seen_at) FROM admin_sessions s JOIN users u"
		       " ON u.id = s.user_id WHERE u.username = 't_viewer') RETURNING 1"));
	/* the touched one is a (just used); b was not used after login */
	cr_expect_eq(web_status("GET", "/admin/", a, NULL), 303);
	cr_expect_eq(web_status("GET", "/admin/", b, NULL), 200);
	free(itest_sql("UPDATE admin_sessions SET created_at = now() - interval '13 hours'"
		       " WHERE last_seen_at = (SELECT max(last_seen_at) FROM admin_sessions s JOIN users u"
		       " ON u.id = s.user_id WHERE u.username = 't_viewer') RETURNING 1"));
	cr_expect_eq(web_status("GET", "/admin/", b, NULL), 303, "a session older than 12 hours must end");
	free(a);
	free(b);
}

Test(admin, csrf_token_is_bound_to_its_session)
{
	char *a = web_login("t_operator", "password-operator", NULL), *b = web_login("t_operator", "password-operator", NULL);
	char *ta = web_csrf(a, "/admin/operators/add"), *tb = web_csrf(b, "/admin/operators/add"), form[300];
	cr_expect_str_neq(ta, tb);
	snprintf(form, sizeof(form), "csrf_token=%s&code=99&name=x", ta);
	cr_expect_eq(web_status("POST", "/admin/operators/add", b, form), 403);
	cr_expect_eq(web_status("POST", "/admin/operators/add", a, form), 422);
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
	api_expect(201, tok_admin(), "POST", "/api/v1/operators",
			     "{\"code\": \"%s\", \"name\": \"<script>alert(1)</script>\\\" onmouseover='x'\"}", code);
	char *a = web_login("t_viewer", "password-viewer", NULL), path[64];
	snprintf(path, sizeof(path), "/admin/operators/?q=%s", code);
	struct web_page *pg = web_req("GET", path, a, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_null(strstr(pg->body, "<script>alert(1)"));
	cr_expect_not_null(strstr(pg->body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover&#61;&#39;x&#39;"));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/operators/%s", code);
	pg = web_req("GET", path, a, NULL, NULL);
	cr_expect_null(strstr(pg->body, "<script>alert(1)"));
	cr_expect_not_null(strstr(pg->body, "value=\"&lt;script&gt;"));
	web_free(pg);
	free(itest_sql("DELETE FROM operators WHERE code = '%s' RETURNING 1", code));
	free(a);
}

Test(admin, deactivating_a_user_ends_their_sessions)
{
	char name[40], form[400];
	uniq_name("deact", name, sizeof(name));
	char *adm = web_login("t_admin", "password-admin", NULL), *t = web_csrf(adm, "/admin/users/add");
	snprintf(form, sizeof(form), "csrf_token=%s&username=%s&password=long-enough-1&role=operator", t, name);
	cr_assert_eq(web_status("POST", "/admin/users/add", adm, form), 303);
	char *u = web_login(name, "long-enough-1", NULL);
	cr_expect_eq(web_status("GET", "/admin/operators/add", u, NULL), 200);
	char *id = itest_sql("SELECT id FROM users WHERE username = '%s'", name), path[64];
	snprintf(path, sizeof(path), "/admin/users/%s", id);
	snprintf(form, sizeof(form), "csrf_token=%s&role=operator", t);   /* is_active unchecked */
	cr_expect_eq(web_status("POST", path, adm, form), 303);
	cr_expect_eq(web_status("GET", "/admin/", u, NULL), 303);
	snprintf(form, sizeof(form), "username=%s&password=long-enough-1", name);
	cr_expect_eq(web_status("POST", "/admin/login", NULL, form), 401);
	free(adm);
	free(t);
	free(u);
	free(id);
}

Test(admin, password_change_checks_and_signs_out_other_sessions)
{
	char name[40], form[600];
	uniq_name("pw", name, sizeof(name));
	char *adm = web_login("t_admin", "password-admin", NULL), *t = web_csrf(adm, "/admin/users/add");
	snprintf(form, sizeof(form), "csrf_token=%s&username=%s&password=first-pass-1&role=viewer", t, name);
	cr_assert_eq(web_status("POST", "/admin/users/add", adm, form), 303);
	char *a = web_login(name, "first-pass-1", NULL), *b = web_login(name, "first-pass-1", NULL);
	char *ta = web_csrf(a, "/admin/password");
	snprintf(form, sizeof(form), "csrf_token=%s&current_password=wrong-one-1&new_password=second-pass-2"
		 "&new_password_again=second-pass-2", ta);
	struct web_page *pg = web_req("POST", "/admin/password", a, form, NULL);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-current_password\"><p>this is not your current password"));
	web_free(pg);
	snprintf(form, sizeof(form), "csrf_token=%s&current_password=first-pass-1&new_password=short"
		 "&new_password_again=short", ta);
	pg = web_req("POST", "/admin/password", a, form, NULL);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-new_password\"><p>a password is 8 to"));
	web_free(pg);
	snprintf(form, sizeof(form), "csrf_token=%s&current_password=first-pass-1&new_password=second-pass-2"
		 "&new_password_again=second-pass-2", ta);
	cr_expect_eq(web_status("POST", "/admin/password", a, form), 200);
	cr_expect_eq(web_status("GET", "/admin/", a, NULL), 200, "the changing session stays");
	cr_expect_eq(web_status("GET", "/admin/", b, NULL), 303, "other sessions end");
	snprintf(form, sizeof(form), "username=%s&password=first-pass-1", name);
	cr_expect_eq(web_status("POST", "/admin/login", NULL, form), 401);
	free(web_login(name, "second-pass-2", NULL));
	free(adm);
	free(t);
	free(a);
	free(b);
	free(ta);
}

Test(admin, roles_gate_pages)
{
	char *v = web_login("t_viewer", "password-viewer", NULL), *o = web_login("t_operator", "password-operator", NULL);
	struct web_page *pg = web_req("GET", "/admin/users/", v, NULL, NULL);
	cr_expect_eq(pg->status, 403);
	cr_expect_not_null(strstr(pg->body, "Your role may not"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/users/", o, NULL), 403);
	cr_expect_eq(web_status("GET", "/admin/operators/add", v, NULL), 403);
	cr_expect_eq(web_status("GET", "/admin/operators/add", o, NULL), 200);
	cr_expect_eq(web_status("GET", "/admin/tokens/", v, NULL), 200);
	cr_expect_eq(web_status("GET", "/admin/operators/?sort=bogus", v, NULL), 400);
	cr_expect_eq(web_status("GET", "/admin/operators/?cursor=%%%%", v, NULL), 400);
	cr_expect_eq(web_status("GET", "/admin/operators/?unknown=1", v, NULL), 400);
	pg = web_req("GET", "/admin/", o, NULL, NULL);
	cr_expect_null(strstr(pg->body, "href=\"/admin/users/\""), "operators do not see Users");
	cr_expect_not_null(strstr(pg->body, "href=\"/admin/operators/\""));
	web_free(pg);
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
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/operators/add");
	snprintf(form, sizeof(form), "csrf_token=%s&code=%s&name=first", t, code);
	cr_assert_eq(web_status("POST", "/admin/operators/add", o, form), 303);
	snprintf(form, sizeof(form), "csrf_token=%s&name=second", t);
	snprintf(path, sizeof(path), "/admin/operators/%s", code);
	cr_assert_eq(web_status("POST", path, o, form), 303);
	char *n = itest_sql("SELECT string_agg(action || ':' || username || ':' || (detail->'after'->>'name'), ',' ORDER BY id)"
			    " FROM audit_log WHERE object = 'operator %s'", code);
	cr_expect_str_eq(n, "operator.created:t_operator:first,operator.updated:t_operator:second");
	free(n);
	/* admins see it on the operator's page and in the history list; operators do not */
	char *a = web_login("t_admin", "password-admin", NULL);
	struct web_page *pg = web_req("GET", path, a, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "Recent changes"));
	cr_expect_not_null(strstr(pg->body, "operator.updated"));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/history/?action=operator.created&q=operator+%s", code);
	pg = web_req("GET", path, a, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "t_operator"));
	cr_expect_null(strstr(pg->body, "operator.updated</td>"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/history/", o, NULL), 403);
	cr_expect_eq(web_status("GET", "/admin/history/?action=nonsense", a, NULL), 400);
	/* every action recorded can be chosen: a resource's changes and its own word for deletion too */
	pg = web_req("GET", "/admin/history/", a, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "value=\"mailing.cancelled\""), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "value=\"token.revoked\""));
	cr_expect_not_null(strstr(pg->body, "value=\"client.deleted_matching\""));
	cr_expect_not_null(strstr(pg->body, "value=\"mailing.test_sent\""));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/history/?action=mailing.retried", a, NULL), 200);
	free(itest_sql("DELETE FROM operators WHERE code = '%s' RETURNING 1", code));
	free(o);
	free(t);
	free(a);
}

/* API tokens on the admin pages: anyone creates one and sees it once; the list shows a user's
 * own tokens (an admin's, everyone's); another user's token is not theirs to revoke; revoking
 * is in the history, where the token never is. */
Test(admin, tokens_are_their_users_and_shown_once)
{
	char *v = web_login("t_viewer", "password-viewer", NULL), *a = web_login("t_admin", "password-admin", NULL);
	char *tv = web_csrf(v, "/admin/tokens/add"), form[300], path[64];
	snprintf(form, sizeof(form), "csrf_token=%s&name=itest+viewer+token", tv);
	struct web_page *pg = web_req("POST", "/admin/tokens/add", v, form, NULL);
	cr_assert_eq(pg->status, 201, "%s", pg->body);
	const char *t = strstr(pg->body, "value=\"hrd_");
	cr_assert_not_null(t, "%s", pg->body);
	char token[48];
	snprintf(token, sizeof(token), "%.47s", t + 7);
	web_free(pg);
	char *id = itest_sql("SELECT max(t.id) FROM api_tokens t JOIN users u ON u.id = t.user_id"
			     " WHERE u.username = 't_viewer' AND t.name = 'itest viewer token'");
	char *h = itest_sql("SELECT count(*) FROM audit_log WHERE action = 'token.created' AND object = 'token %s'"
			    " AND detail->'after'->>'name' = 'itest viewer token' AND detail::text NOT LIKE '%%%s%%'", id, token);
	cr_expect_str_eq(h, "1", "created, in the history without the token");
	free(h);
	/* an empty name is refused beside the field */
	snprintf(form, sizeof(form), "csrf_token=%s&name=", tv);
	pg = web_req("POST", "/admin/tokens/add", v, form, NULL);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-name\""), "%s", pg->body);
	web_free(pg);
	/* the operator neither lists nor revokes the viewer's token; the admin lists it */
	char *o = web_login("t_operator", "password-operator", NULL), *to = web_csrf(o, "/admin/tokens/");
	snprintf(path, sizeof(path), "/admin/tokens/%s", id);
	pg = web_req("GET", "/admin/tokens/", o, NULL, NULL);
	cr_expect_null(strstr(pg->body, "itest viewer token"));
	web_free(pg);
	pg = web_req("GET", "/admin/tokens/", a, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "itest viewer token"));
	web_free(pg);
	cr_expect_eq(web_status("GET", path, o, NULL), 404);
	snprintf(form, sizeof(form), "csrf_token=%s", to);
	cr_expect_eq(web_status("POST", path, o, form), 404);
	/* its user revokes it */
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "Programs using this token will be refused"), "%s", pg->body);
	web_free(pg);
	snprintf(form, sizeof(form), "csrf_token=%s", tv);
	cr_expect_eq(web_status("POST", path, v, form), 303);
	cr_expect_eq(web_status("POST", path, v, form), 404, "revoked already");
	h = itest_sql("SELECT count(*) FROM audit_log WHERE action = 'token.revoked' AND object = 'token %s'"
		      " AND username = 't_viewer'", id);
	cr_expect_str_eq(h, "1");
	free(h);
	free(id);
	free(o);
	free(to);
	free(v);
	free(tv);
	free(a);
}

/* The test server has no HERALD_PROVIDER_URL: every admin page says that the log provider only
 * writes messages to the log, so that nobody takes "sent" for delivered (issue 13). */
Test(admin, log_provider_banner_on_every_page)
{
	char *cookie = web_login("t_viewer", "password-viewer", NULL);
	const char *paths[] = {"/admin/", "/admin/mailings/", "/admin/clients/"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		struct web_page *pg = web_req("GET", paths[i], cookie, NULL, NULL);
		cr_assert_eq(pg->status, 200, "%s", paths[i]);
		cr_expect(strstr(pg->body, "<p class=\"banner\" role=\"status\">") &&
			  strstr(pg->body, "the <code>log</code> provider"), "%s:\n%.600s", paths[i], pg->body);
		web_free(pg);
	}
	free(cookie);
}

Test(admin, lists_page_back_as_well_as_forward)
{
	char pre[40], path[120], first[48], second[48];
	uniq_name("pg", pre, sizeof(pre));
	/* 55 users, and 55 tokens of the first of them, who signs in and sees only theirs: one order
	 * each, read backwards by a mirror order */
	char *a = web_login("t_admin", "password-admin", NULL);
	struct web_page *pg = web_post(a, "/admin/users/add", "username=%s_00&password=long-enough-1&role=viewer", pre);
	cr_assert_eq(pg->status, 303);
	web_free(pg);
	free(itest_sql("INSERT INTO users (username, password_hash, role) SELECT '%s_' || lpad(g::text, 2, '0'),"
		       " 'x', 'viewer' FROM generate_series(1, 54) g", pre));
	char *uid = itest_sql("SELECT id FROM users WHERE username = '%s_00'", pre);
	free(itest_sql("INSERT INTO api_tokens (user_id, name, prefix, token_hash)"
		       " SELECT %s, '%s_t' || lpad(g::text, 2, '0'), 'p' || g, sha256(('%s' || g)::bytea)"
		       " FROM generate_series(0, 54) g", uid, pre, pre));
	snprintf(path, sizeof(path), "/admin/users/?q=%s", pre);
	snprintf(first, sizeof(first), ">%s_00<", pre);
	snprintf(second, sizeof(second), ">%s_50<", pre);
	web_expect_two_pages(a, path, first, second);
	/* tokens newest first: the 55th made is on the first page, the 5th on the second */
	snprintf(first, sizeof(first), "%s_00", pre);
	char *u = web_login(first, "long-enough-1", NULL);
	snprintf(first, sizeof(first), ">%s_t54<", pre);
	snprintf(second, sizeof(second), ">%s_t04<", pre);
	web_expect_two_pages(u, "/admin/tokens/", first, second);
	/* the history, newest first, searched */
	free(itest_sql("INSERT INTO audit_log (username, action, object) SELECT 't_admin', 'client.created',"
		       " 'client %s_h' || lpad(g::text, 2, '0') FROM generate_series(0, 54) g", pre));
	snprintf(path, sizeof(path), "/admin/history/?q=%s_h", pre);
	snprintf(first, sizeof(first), "%s_h54<", pre);
	snprintf(second, sizeof(second), "%s_h04<", pre);
	web_expect_two_pages(a, path, first, second);
	/* a mailing's messages, by id, filtered by status */
	char *m = itest_sql("INSERT INTO mailings (text, start_at, end_at, status) VALUES ('%s', now() + interval '1 day',"
			    " now() + interval '2 days', 'cancelled') RETURNING id", pre);
	free(itest_sql("INSERT INTO messages (mailing_id, phone, status, due_at, expires_at, last_error)"
		       " SELECT %s, '7999' || lpad(g::text, 7, '0'), 5, now(), now() + interval '1 day', '%s_m' || lpad(g::text, 2, '0')"
		       " FROM generate_series(0, 54) g", m, pre));
	snprintf(path, sizeof(path), "/admin/mailings/%s?status=cancelled", m);
	snprintf(first, sizeof(first), ">%s_m00<", pre);
	snprintf(second, sizeof(second), ">%s_m50<", pre);
	web_expect_two_pages(a, path, first, second);
	free(itest_sql("WITH d AS (DELETE FROM messages WHERE mailing_id = %s) DELETE FROM mailings WHERE id = %s RETURNING 1", m, m));
	free(m);
	free(itest_sql("DELETE FROM users WHERE username LIKE '%s\\_%%' RETURNING 1", pre));
	free(uid);
	free(u);
	free(a);
}

/* Issue 13: what herald answers before a route lets the request in (no such page, a method
 * the page does not take, a body larger than it takes, a query it does not know) is an HTML
 * page on admin paths, in the browser's language; the API keeps problem+json. */
Test(admin, early_errors_on_admin_paths_are_pages_in_the_users_language)
{
	struct {
		const char *method, *path, *form;
		long status;
		const char *want;
	} cases[] = {
		{"GET", "/admin/no-such-page", NULL, 404, "Такого объекта нет."},
		{"PUT", "/admin/clients/", "x=1", 405, "Эта страница не принимает такой запрос."},
		{"GET", "/admin/clients/?colour=red", NULL, 400, "В адресе есть параметр, которого эта страница не знает."},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct web_page *pg = web_req(cases[i].method, cases[i].path, NULL, cases[i].form, "Accept-Language: ru");
		cr_expect_eq(pg->status, cases[i].status, "%s %s", cases[i].method, cases[i].path);
		cr_expect_not_null(strstr(pg->body, "<html lang=\"ru\""), "%s: %s", cases[i].path, pg->body);
		cr_expect_not_null(strstr(pg->body, cases[i].want), "%s: %s", cases[i].path, pg->body);
		web_free(pg);
	}
	size_t big = 1100 * 1024;
	char *form = malloc(big + 1);
	memset(form, 'x', big);
	memcpy(form, "phone=", 6);
	form[big] = '\0';
	struct web_page *pg = web_req("POST", "/admin/clients/add", NULL, form, "Accept-Language: ru");
	cr_expect_eq(pg->status, 413);
	cr_expect_not_null(strstr(pg->body, "Отправленное больше, чем принимает эта страница."), "%s", pg->body);
	web_free(pg);
	free(form);
	pg = web_req("GET", "/api/v1/no-such-thing", NULL, NULL, "Accept-Language: ru");
	cr_expect_eq(pg->status, 404);
	cr_expect_not_null(strstr(pg->body, "\"detail\":\"no such resource\""), "%s", pg->body);
	web_free(pg);
}
