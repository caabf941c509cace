/* Integration tests of /admin/mailings/: roles, CSRF, the form (errors beside fields, times
 * converted to UTC), the state rules shown as messages, bulk outcomes per mailing, delete
 * confirmation with the message count, the live fragment, and escaping of stored text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin_web.h"
#include "mailing_util.h"

static char *cookie_admin, *cookie_viewer;

static void sign_in(void)
{
	cookie_admin = web_login("t_admin", "password-admin", NULL);
	cookie_viewer = web_login("t_viewer", "password-viewer", NULL);
}

static void sign_out(void)
{
	free(cookie_admin);
	free(cookie_viewer);
}

TestSuite(admin_mailings, .init = sign_in, .fini = sign_out);

/* POSTs the form made from fmt and args as the admin; the page (free with web_free). */
#define post(path, ...) web_post(cookie_admin, path, __VA_ARGS__)

static char *status_in_db(long long id)
{
	return itest_sql("SELECT status FROM mailings WHERE id = %lld", id);
}

Test(admin_mailings, viewer_reads_but_gets_no_change_controls)
{
	long long id = mailing_new("viewer looks", "");
	char path[64];
	snprintf(path, sizeof(path), "/admin/mailings/%lld", id);
	struct web_page *pg = web_req("GET", "/admin/mailings/", cookie_viewer, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	cr_expect_null(strstr(pg->body, "New mailing"));
	cr_expect_null(strstr(pg->body, "name=\"key\""));
	web_free(pg);
	pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	cr_expect(strstr(pg->body, "viewer looks"));
	cr_expect_null(strstr(pg->body, "Cancel mailing"));
	cr_expect_null(strstr(pg->body, "/delete"));
	web_free(pg);
	pg = web_req("GET", path, cookie_admin, NULL, NULL);
	cr_expect(strstr(pg->body, "Cancel mailing") && strstr(pg->body, "/edit"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/mailings/add", cookie_viewer, NULL), 403);
	char *csrf = web_csrf(cookie_viewer, path), form[200];
	snprintf(form, sizeof(form), "csrf_token=%s", csrf);
	snprintf(path, sizeof(path), "/admin/mailings/%lld/cancel", id);
	cr_expect_eq(web_status("POST", path, cookie_viewer, form), 403);
	free(csrf);
	char *st = status_in_db(id);
	cr_expect_str_eq(st, "scheduled");
	free(st);
}

Test(admin_mailings, posts_without_csrf_are_refused)
{
	long long id = mailing_new("csrf target", "");
	char path[64];
	snprintf(path, sizeof(path), "/admin/mailings/%lld/cancel", id);
	cr_expect_eq(web_status("POST", path, cookie_admin, "x=1"), 403);
	cr_expect_eq(web_status("POST", path, cookie_admin, "csrf_token=0000"), 403);
	snprintf(path, sizeof(path), "/admin/mailings/%lld/delete", id);
	cr_expect_eq(web_status("POST", path, cookie_admin, "x=1"), 403);
	char body[64];
	snprintf(body, sizeof(body), "action=delete&confirmed=yes&key=%lld", id);
	cr_expect_eq(web_status("POST", "/admin/mailings/bulk", cookie_admin, body), 403);
	char *st = status_in_db(id);
	cr_expect_str_eq(st, "scheduled");
	free(st);
}

Test(admin_mailings, form_errors_beside_fields_then_created_in_utc)
{
	char text[40];
	uniq_name("form", text, sizeof(text));
	struct web_page *pg = post("/admin/mailings/add",
				   "start_at=2099-03-01T10:00&end_at=2099-03-01T09:00&text=%s&operator_codes=91,+abc"
				   "&tags=&window_start=22:00&window_end=",
				   text);
	cr_assert_eq(pg->status, 422);
	cr_expect(strstr(pg->body, "id=\"err-end_at\"><p>must be after start_at"), "%s", pg->body);
	cr_expect(strstr(pg->body, "id=\"err-operator_codes\""));
	cr_expect(strstr(pg->body, "id=\"err-window_end\""));
	cr_expect_null(strstr(pg->body, "id=\"err-text\""));
	cr_expect(strstr(pg->body, "value=\"91, abc\""), "the input is kept");
	cr_expect(strstr(pg->body, "value=\"2099-03-01T10:00\""));
	web_free(pg);
	char *n = itest_sql("SELECT count(*) FROM mailings WHERE text = '%s'", text);
	cr_expect_str_eq(n, "0");
	free(n);

	pg = post("/admin/mailings/add",
		  "start_at=2099-03-01T10:00&end_at=2099-03-02T09:30&text=%s&operator_codes=916,+926"
		  "&tags=vip&window_start=22:00&window_end=06:00",
		  text);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	cr_expect(strstr(pg->location, "?done=created"), "%s", pg->location);
	web_free(pg);
	char *row = itest_sql("SELECT api_ts(start_at) || ' ' || api_ts(end_at) || ' ' || filter_operator_codes::text"
			      " || ' ' || filter_tags::text || ' ' || window_start || '-' || window_end"
			      " FROM mailings WHERE text = '%s'", text);
	cr_expect_str_eq(row, "2099-03-01T10:00:00Z 2099-03-02T09:30:00Z {916,926} {vip} 22:00:00-06:00:00");
	free(row);
}

Test(admin_mailings, added_by_its_user_recorded_and_copied_with_from)
{
	char text[40], want[80];
	uniq_name("copied", text, sizeof(text));
	struct web_page *pg = post("/admin/mailings/add", "start_at=2099-04-01T10:00&end_at=2099-04-02T10:00&text=%s"
				   "&template=&operator_codes=&tags=vip&window_start=&window_end=", text);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	long long id = atoll(strrchr(pg->location, '/') + 1);
	web_free(pg);
	/* its user's, whose webhooks get its events */
	itest_sql_is("t_admin", "SELECT u.username FROM mailings m JOIN users u ON u.id = m.created_by WHERE m.id = %lld", id);
	itest_sql_is("1", "SELECT count(*) FROM audit_log WHERE action = 'mailing.created' AND object = 'mailing %lld'", id);
	/* a copy keeps the text and the filter, not the times */
	snprintf(want, sizeof(want), "/admin/mailings/add?from=%lld", id);
	pg = web_req("GET", want, cookie_admin, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	snprintf(want, sizeof(want), ">%s</textarea>", text);
	cr_expect(strstr(pg->body, want), "%s", pg->body);
	cr_expect(strstr(pg->body, "value=\"vip\""));
	cr_expect_null(strstr(pg->body, "2099-04-01T10:00"));
	cr_expect(strstr(pg->body, "Create mailing"));
	web_free(pg);
}

Test(admin_mailings, state_rules_are_shown_as_messages)
{
	long long run = mailing_new("running one", ""), done = mailing_new("finished one", "");
	mailing_set_status(run, "running");
	messages_insert(run, MSG_PENDING, 1);   /* due in 30 days: keeps the scheduler from finishing it */
	mailing_set_status(done, "finished");
	char path[80];

	/* running: only end_at changes; the other inputs are read-only and ignored */
	snprintf(path, sizeof(path), "/admin/mailings/%lld/edit", run);
	struct web_page *pg = web_req("GET", path, cookie_admin, NULL, NULL);
	cr_expect(strstr(pg->body, "only its end can change"));
	cr_expect(strstr(pg->body, "name=\"text\" rows=\"5\" maxlength=\"4096\" readonly"), "%s", pg->body);
	char want[120];
	snprintf(want, sizeof(want), "<h1>Edit mailing %lld</h1>", run);
	cr_expect(strstr(pg->body, want), "%s", pg->body);
	snprintf(want, sizeof(want), "action=\"%s\"", path);
	cr_expect(strstr(pg->body, want), "the form is sent to the edit page: %s", pg->body);
	web_free(pg);
	pg = post(path, "start_at=2099-01-01T00:00&end_at=2099-06-01T12:00&text=changed");
	cr_expect_eq(pg->status, 303);
	snprintf(want, sizeof(want), "/admin/mailings/%lld?done=updated", run);
	cr_expect_str_eq(pg->location, want, "back to the mailing's own page");
	web_free(pg);
	char *v = itest_sql("SELECT api_ts(end_at) || ' ' || text FROM mailings WHERE id = %lld", run);
	cr_expect_str_eq(v, "2099-06-01T12:00:00Z running one");
	free(v);

	/* finished: read-only, a POST is refused with the rule */
	snprintf(path, sizeof(path), "/admin/mailings/%lld/edit", done);
	pg = web_req("GET", path, cookie_admin, NULL, NULL);
	cr_expect(strstr(pg->body, "The mailing is finished and cannot change."));
	cr_expect_null(strstr(pg->body, ">Save</button>"));
	web_free(pg);
	pg = post(path, "end_at=2099-06-01T12:00");
	cr_expect_eq(pg->status, 409);
	cr_expect(strstr(pg->body, "The mailing is finished and cannot change."), "%s", pg->body);
	web_free(pg);

	/* cancel twice: the second says why */
	snprintf(path, sizeof(path), "/admin/mailings/%lld/cancel", run);
	pg = post(path, "x=1");
	cr_expect_eq(pg->status, 303);
	web_free(pg);
	pg = post(path, "x=1");
	cr_expect_eq(pg->status, 409);
	cr_expect(strstr(pg->body, "already finished or cancelled"), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/mailings/%lld/retry-failed", run);
	pg = post(path, "x=1");
	cr_expect_eq(pg->status, 409);
	cr_expect(strstr(pg->body, "a cancelled mailing cannot be retried"));
	web_free(pg);
}

Test(admin_mailings, retry_failed_from_the_page)
{
	long long id = mailing_new("retry me", "");
	mailing_set_status(id, "running");
	messages_insert(id, MSG_FAILED, 4);
	char path[80];
	snprintf(path, sizeof(path), "/admin/mailings/%lld", id);
	struct web_page *pg = web_req("GET", path, cookie_admin, NULL, NULL);
	cr_expect(strstr(pg->body, "Retry failed"));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/mailings/%lld/retry-failed", id);
	pg = post(path, "x=1");
	cr_expect_eq(pg->status, 303);
	cr_expect(strstr(pg->location, "?done=retried"));
	web_free(pg);
	/* pending again, or already sent again by the harness's herald (it sends at once); one
	 * snapshot, as three counts apart would see a message move between them */
	char *n = itest_sql("SELECT count(*) FILTER (WHERE status IN (message_status('pending'),"
			    " message_status('sending'), message_status('sent'))) || ' '"
			    " || count(*) FILTER (WHERE status = message_status('failed'))"
			    " FROM messages WHERE mailing_id = %lld", id);
	cr_expect_str_eq(n, "4 0", "retried, failed: %s", n);
	free(n);
}

Test(admin_mailings, bulk_reports_each_mailing)
{
	long long a = mailing_new("bulk a", ""), b = mailing_new("bulk b", "");
	mailing_set_status(b, "cancelled");
	struct web_page *pg = post("/admin/mailings/bulk", "action=cancel&key=%lld&key=%lld&key=999999999", a, b);
	cr_assert_eq(pg->status, 200);
	char want[200];
	snprintf(want, sizeof(want), "<li class=\"ok\"><a href=\"/admin/mailings/%lld\">Mailing %lld</a>: cancelled</li>", a, a);
	cr_expect(strstr(pg->body, want), "%s", pg->body);
	snprintf(want, sizeof(want), "Mailing %lld</a>: not changed: the mailing is already finished or cancelled", b);
	cr_expect(strstr(pg->body, want));
	cr_expect(strstr(pg->body, "Mailing 999999999: not found"));
	web_free(pg);
	char *st = status_in_db(a);
	cr_expect_str_eq(st, "cancelled");
	free(st);
	pg = post("/admin/mailings/bulk", "action=explode&key=%lld", a);
	cr_expect_eq(pg->status, 400);
	web_free(pg);
	pg = post("/admin/mailings/bulk", "action=cancel&key=abc");
	cr_expect_eq(pg->status, 400);
	web_free(pg);
}

Test(admin_mailings, delete_confirmation_counts_messages)
{
	long long id = mailing_new("delete me", ""), other = mailing_new("delete me too", "");
	messages_insert(id, MSG_SENT, 3);
	messages_insert(other, MSG_PENDING, 2);
	char path[80];
	snprintf(path, sizeof(path), "/admin/mailings/%lld/delete", id);
	struct web_page *pg = web_req("GET", path, cookie_admin, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	char want[160];
	snprintf(want, sizeof(want), "Delete the mailing %lld? It is scheduled, and its 3 messages will be deleted with it.", id);
	cr_expect(strstr(pg->body, want), "%s", pg->body);
	web_free(pg);
	pg = post(path, "x=1");
	cr_expect_eq(pg->status, 303);
	web_free(pg);
	cr_expect_eq(messages_rows(id, -1), 0);
	char *n = itest_sql("SELECT count(*) FROM mailings WHERE id = %lld", id);
	cr_expect_str_eq(n, "0");
	free(n);

	/* bulk: first the question, then the deletion */
	pg = post("/admin/mailings/bulk", "action=delete&key=%lld", other);
	cr_assert_eq(pg->status, 200);
	cr_expect(strstr(pg->body, "Delete 1 mailing and their 2 messages?"), "%s", pg->body);
	cr_expect(strstr(pg->body, "name=\"confirmed\" value=\"yes\""));
	web_free(pg);
	cr_expect_eq(messages_rows(other, -1), 2);
	pg = post("/admin/mailings/bulk", "action=delete&confirmed=yes&key=%lld", other);
	cr_expect_eq(pg->status, 200);
	web_free(pg);
	cr_expect_eq(messages_rows(other, -1), 0);
}

Test(admin_mailings, live_fragment_polls_only_while_open)
{
	long long id = mailing_new("live one", "");
	/* the messages first, one pending and not due: the harness's scheduler finishes a running
	 * mailing without open messages at once */
	messages_insert(id, MSG_SENT, 5);
	messages_insert(id, MSG_PENDING, 1);
	mailing_set_status(id, "running");
	char path[80];
	snprintf(path, sizeof(path), "/admin/mailings/%lld/live", id);
	struct web_page *pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	cr_expect(strncmp(pg->body, "<section id=\"live\"", 18) == 0, "a fragment, no layout: %.80s", pg->body);
	cr_expect(strstr(pg->body, "hx-get=\"/admin/mailings/") && strstr(pg->body, "hx-trigger=\"every 2s\""));
	cr_expect(strstr(pg->body, "data-count=\"sent\">5</tspan>"), "%s", pg->body);
	cr_expect(strstr(pg->body, "<desc id=\"chart-counts-d\">6 in all, sent 5"));
	web_free(pg);
	messages_insert(id, MSG_FAILED, 2);
	mailing_set_status(id, "finished");
	pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_expect(strstr(pg->body, "data-count=\"failed\">2</tspan>"));
	cr_expect_null(strstr(pg->body, "hx-get"), "no polling once finished");
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/mailings/99999999999/live", cookie_viewer, NULL), 404);
	cr_expect_eq(web_status("GET", "/admin/mailings/abc", cookie_viewer, NULL), 404);
}

Test(admin_mailings, stored_text_is_escaped_everywhere)
{
	long long id = mailing_new("<script>alert(1)</script> & \\\"q\\\"", "");
	char path[80];
	snprintf(path, sizeof(path), "/admin/mailings/%lld", id);
	const char *pages[] = {"/admin/mailings/", path, NULL};
	for (const char **p = pages; *p; p++) {
		struct web_page *pg = web_req("GET", *p, cookie_admin, NULL, NULL);
		cr_assert_eq(pg->status, 200);
		cr_expect_null(strstr(pg->body, "<script>alert"), "%s", *p);
		cr_expect(strstr(pg->body, "&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp;") ||
			  strstr(pg->body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp;"), "%s", *p);
		web_free(pg);
	}
}

Test(admin_mailings, list_filters_and_bad_parameters)
{
	char text[40];
	uniq_name("filt", text, sizeof(text));
	long long id = mailing_new(text, "");
	char path[160];
	snprintf(path, sizeof(path), "/admin/mailings/?q=%s&status=scheduled&from=2099-01-10&to=2099-01-10", text);
	struct web_page *pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	char want[64];
	snprintf(want, sizeof(want), "href=\"/admin/mailings/%lld\"", id);
	cr_expect(strstr(pg->body, want), "%s", pg->body);
	/* the row's status as a badge and its progress as a bar */
	cr_expect(strstr(pg->body, "<span class=\"badge status-scheduled\">scheduled</span>"), "%s", pg->body);
	cr_expect(strstr(pg->body, "<progress value=\"0\" max=\"1\"></progress> 0 / 0"), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/mailings/?q=%s&status=running", text);
	pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_expect_null(strstr(pg->body, want));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/mailings/?q=%s&from=2099-01-11", text);
	pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_expect_null(strstr(pg->body, want));
	web_free(pg);
	/* bad filters: the list page, empty, saying which and why */
	pg = web_req("GET", "/admin/mailings/?status=bogus&from=2099-02-30", cookie_viewer, NULL, NULL);
	cr_expect_eq(pg->status, 400);
	cr_expect(strstr(pg->body, "Status is not one of the statuses offered. Starts from must be a date such as 2026-11-30."),
		  "%s", pg->body);
	cr_expect(strstr(pg->body, "id=\"filter-status\""));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/mailings/?sort=text", cookie_viewer, NULL), 400);
	cr_expect_eq(web_status("GET", "/admin/mailings/?cursor=zzz", cookie_viewer, NULL), 400);
	snprintf(path, sizeof(path), "/admin/mailings/%lld?status=bogus", id);
	cr_expect_eq(web_status("GET", path, cookie_viewer, NULL), 400);
}

/* A running mailing's fragment says how fast it goes and how long the rest takes at that
 * rate; a mailing whose start time has come while it is still scheduled says its recipients
 * are being selected (the test holds the row, so the harness's scheduler cannot start it). */
Test(admin_mailings, live_fragment_tells_pace_and_selection)
{
	long long id = mailing_new("paced", "");
	messages_insert(id, MSG_SENT, 5);
	messages_insert(id, MSG_PENDING, 300);
	free(itest_sql("INSERT INTO message_minutes (mailing_id, minute, sent, failed) VALUES"
		       " (%lld, date_trunc('minute', now()) - interval '1 minute', 90, 10), (%lld, date_trunc('minute', now()), 20, 0)",
		       id, id));
	mailing_set_status(id, "running");
	char path[80];
	snprintf(path, sizeof(path), "/admin/mailings/%lld/live", id);
	struct web_page *pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	/* 120 messages over 60 to 120 s: 1 to 2 a second, 300 open: 2.5 to 5 minutes */
	const char *rate = strstr(pg->body, "<strong data-rate>"), *eta = strstr(pg->body, "<strong data-eta>");
	cr_assert(rate && eta, "%s", pg->body);
	double r = atof(rate + strlen("<strong data-rate>"));
	cr_expect(r >= 1 && r <= 2, "rate %g", r);
	cr_expect(strncmp(eta + strlen("<strong data-eta>"), "2 min", 5) == 0 || strncmp(eta + strlen("<strong data-eta>"), "3 min", 5) == 0 ||
		  strncmp(eta + strlen("<strong data-eta>"), "4 min", 5) == 0 || strncmp(eta + strlen("<strong data-eta>"), "5 min", 5) == 0,
		  "%.60s", eta);
	cr_expect_null(strstr(pg->body, "data-starting"));
	web_free(pg);

	/* the test holds a key-share lock on the row: the scheduler's FOR UPDATE waits, while a
	 * second connection moves the start time (a key-share lock lets that update through) */
	long long due = mailing_new("about to start", "");
	char sql[160];
	PGconn *hold = itest_db(), *c = PQconnectdb(getenv("DATABASE_URL"));
	cr_assert(PQstatus(c) == CONNECTION_OK);
	snprintf(sql, sizeof(sql), "BEGIN; SELECT 1 FROM mailings WHERE id = %lld FOR KEY SHARE", due);
	PQclear(PQexec(hold, sql));
	snprintf(sql, sizeof(sql), "UPDATE mailings SET start_at = now() - interval '1 second' WHERE id = %lld", due);
	PQclear(PQexec(c, sql));
	snprintf(path, sizeof(path), "/admin/mailings/%lld/live", due);
	pg = web_req("GET", path, cookie_viewer, NULL, NULL);
	cr_expect(strstr(pg->body, "data-starting"), "%s", pg->body);
	web_free(pg);
	/* back to a future start before the scheduler gets the row: it finds nothing due */
	snprintf(sql, sizeof(sql), "UPDATE mailings SET start_at = now() + interval '30 days' WHERE id = %lld", due);
	PQclear(PQexec(c, sql));
	PQclear(PQexec(hold, "ROLLBACK"));
	PQfinish(c);
	char *st = itest_sql("SELECT status FROM mailings WHERE id = %lld", due);
	cr_expect_str_eq(st, "scheduled");
	free(st);
}

/* The mailings list goes forward and back by keyset, as the resources' lists do. */
Test(admin_mailings, pages_forward_and_back)
{
	char word[32], path[96], first[48], second[48];
	uniq_name("pg", word, sizeof(word));
	free(itest_sql("INSERT INTO mailings (start_at, end_at, text) SELECT '" M_START "', '" M_END "',"
		       " '%s-' || lpad(g::text, 3, '0') FROM generate_series(1, 55) g", word));
	snprintf(first, sizeof(first), "%s-001", word);
	snprintf(second, sizeof(second), "%s-051", word);
	snprintf(path, sizeof(path), "/admin/mailings/?sort=id&q=%s", word);
	web_expect_two_pages(cookie_viewer, path, first, second);
}

/* Issue 13: a filtered list of more than a page offers "all that match"; the bulk form asks
 * first with the count, then changes every mailing the filter matches (and no other), each
 * recorded as on its own page, and counts the outcomes. */
Test(admin_mailings, all_that_match_the_filter)
{
	char tag[32], path[96];
	uniq_name("every", tag, sizeof(tag));
	free(itest_sql("INSERT INTO mailings (text, start_at, end_at) SELECT '%s ' || g, now() + interval '1 day',"
		       " now() + interval '2 days' FROM generate_series(1, 57) g", tag));
	long long other = mailing_new("not in the filter", "");
	snprintf(path, sizeof(path), "/admin/mailings/?q=%s", tag);
	struct web_page *pg = web_req("GET", path, cookie_admin, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "Select all that match the filter"), "%s", pg->body);
	web_free(pg);
	pg = web_req("GET", "/admin/mailings/", cookie_admin, NULL, NULL);
	cr_expect_null(strstr(pg->body, "name=\"all\""), "no select-all without a filter");
	web_free(pg);

	pg = post("/admin/mailings/bulk", "action=cancel&all=1&q=%s", tag);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "“Cancel” for 57 mailings that match the filter?"), "%s", pg->body);
	web_free(pg);
	char *n = itest_sql("SELECT count(*) FROM mailings WHERE text LIKE '%s %%' AND status = 'cancelled'", tag);
	cr_expect_str_eq(n, "0", "the question changes nothing");
	free(n);

	pg = post("/admin/mailings/bulk", "action=cancel&all=1&confirmed=yes&q=%s", tag);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "57 × cancelled"), "%s", pg->body);
	web_free(pg);
	n = itest_sql("SELECT count(*) FROM mailings WHERE text LIKE '%s %%' AND status = 'cancelled'", tag);
	cr_expect_str_eq(n, "57");
	free(n);
	n = status_in_db(other);
	cr_expect_str_eq(n, "scheduled");
	free(n);
	n = itest_sql("SELECT count(*) FROM audit_log WHERE action = 'mailing.cancelled' AND object IN"
		      " (SELECT 'mailing ' || id FROM mailings WHERE text LIKE '%s %%')", tag);
	cr_expect_str_eq(n, "57", "each recorded as on its own page");
	free(n);

	pg = post("/admin/mailings/bulk", "action=cancel&all=1");
	cr_expect_eq(pg->status, 400, "all needs a filter");
	web_free(pg);
}
