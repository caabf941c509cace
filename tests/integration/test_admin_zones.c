/* Integration tests of per-user time zones in the admin (API.md 9.7): the users form sets and
 * checks a zone; the mailing form reads local wall times in it (Asia/Vladivostok, +10, and
 * America/New_York with its summer time), stores UTC instants (the API says which) and shows
 * them back; lists and pages show local times with the offset; the messages list's date
 * filters are local days; a user without a zone has HERALD_DEFAULT_TIMEZONE (the harness's
 * server: Europe/Moscow). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin_web.h"
#include "mailing_util.h"

/* A new operator whose zone the admin sets on the users form (zone NULL: none); signed in,
 * its cookie. */
static char *zone_user(const char *zone)
{
	char name[40];
	uniq_name("zone", name, sizeof(name));
	web_add_user(name, "operator");
	char *adm = web_login("t_admin", "password-admin", NULL);
	struct web_page *pg;
	if (zone) {
		char *id = itest_sql("SELECT id FROM users WHERE username = '%s'", name), path[64];
		snprintf(path, sizeof(path), "/admin/users/%s", id);
		pg = web_post(adm, path, "role=operator&is_active=true&timezone=%s", zone);
		cr_assert_eq(pg->status, 303, "%s", pg->body);
		web_free(pg);
		free(id);
	}
	free(adm);
	return web_login(name, "long-enough-1", NULL);
}

/* Creates a mailing on the admin's form as cookie; its id. */
static long long form_mailing(const char *cookie, const char *start, const char *end)
{
	char text[40];
	uniq_name("zoned", text, sizeof(text));
	struct web_page *pg = web_post(cookie, "/admin/mailings/add", "start_at=%s&end_at=%s&text=%s", start, end, text);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	char *id = itest_sql("SELECT id FROM mailings WHERE text = '%s'", text);
	long long n = atoll(id);
	free(id);
	return n;
}

/* Expects the mailing's start_at and end_at as the API gives them to be "START END". */
static void expect_api_times(long long id, const char *expected)
{
	char path[64], *got = NULL;
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert(asprintf(&got, "%s %s", jstr(r->json, "start_at"), jstr(r->json, "end_at")) > 0);
	cr_expect_str_eq(got, expected);
	free(got);
	resp_free(r);
}

/* GETs path (printf-style with one id) as cookie and expects 200 and each of texts. */
static void expect_texts(const char *cookie, const char *fmt, long long id, const char *const *texts)
{
	char path[160];
	snprintf(path, sizeof(path), fmt, id);
	web_expect_texts(cookie, path, texts);
}

Test(admin_zones, users_form_sets_and_checks_the_zone)
{
	char name[40];
	uniq_name("tzform", name, sizeof(name));
	char *adm = web_login("t_admin", "password-admin", NULL);
	struct web_page *pg = web_post(adm, "/admin/users/add", "username=%s&password=long-enough-1&role=viewer", name);
	cr_assert_eq(pg->status, 303);
	web_free(pg);
	char *id = itest_sql("SELECT id FROM users WHERE username = '%s'", name), path[64];
	snprintf(path, sizeof(path), "/admin/users/%s", id);
	pg = web_post(adm, path, "role=viewer&is_active=true&timezone=Mars/Olympus");
	cr_expect_eq(pg->status, 422);
	cr_expect(strstr(pg->body, "id=\"err-timezone\"><p>is not a time zone of the IANA database"), "%s", pg->body);
	cr_expect(strstr(pg->body, "value=\"Mars/Olympus\""), "the input is kept");
	web_free(pg);
	pg = web_post(adm, path, "role=viewer&is_active=true&timezone=Asia/Vladivostok");
	cr_expect_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	char *z = itest_sql("SELECT timezone FROM users WHERE id = %s", id);
	cr_expect_str_eq(z, "Asia/Vladivostok");
	free(z);
	expect_texts(adm, "/admin/users/%lld", atoll(id), TEXTS("value=\"Asia/Vladivostok\""));
	/* empty: back to the default */
	pg = web_post(adm, path, "role=viewer&is_active=true&timezone=");
	cr_expect_eq(pg->status, 303);
	web_free(pg);
	z = itest_sql("SELECT coalesce(timezone, 'none') FROM users WHERE id = %s", id);
	cr_expect_str_eq(z, "none");
	free(z);
	free(id);
	free(adm);
}

Test(admin_zones, vladivostok_reads_and_shows_local_times)
{
	char *u = zone_user("Asia/Vladivostok");
	long long id = form_mailing(u, "2099-03-01T10:00", "2099-03-02T10:00:30");
	expect_api_times(id, "2099-03-01T00:00:00Z 2099-03-02T00:00:30Z");
	/* the edit form: the same wall times, the zone and its offset in the labels */
	expect_texts(u, "/admin/mailings/%lld/edit", id,
		     TEXTS("Start (Asia/Vladivostok, UTC+10:00)", "End (Asia/Vladivostok, UTC+10:00)",
			   "name=\"start_at\" type=\"datetime-local\" value=\"2099-03-01T10:00\"",
			   "name=\"end_at\" type=\"datetime-local\" value=\"2099-03-02T10:00:30\""));
	/* saved unchanged, the instants stay */
	char path[64];
	snprintf(path, sizeof(path), "/admin/mailings/%lld/edit", id);
	struct web_page *pg = web_post(u, path, "start_at=2099-03-01T10:00&end_at=2099-03-02T10:00:30&text=same");
	cr_expect_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	expect_api_times(id, "2099-03-01T00:00:00Z 2099-03-02T00:00:30Z");
	/* the list and the mailing's page */
	expect_texts(u, "/admin/mailings/?sort=-id", 0, TEXTS("2099-03-01 10:00 UTC+10:00"));
	expect_texts(u, "/admin/mailings/%lld", id, TEXTS("2099-03-01 10:00 UTC+10:00", "2099-03-02 10:00 UTC+10:00"));
	/* the list's date filters read days of the user's zone: 05:00 there on 1 March is 28 February in UTC */
	long long early = form_mailing(u, "2099-03-01T05:00", "2099-03-02T10:00");
	char *text = itest_sql("SELECT text FROM mailings WHERE id = %lld", early), list[160], link[64];
	snprintf(link, sizeof(link), "href=\"/admin/mailings/%lld\"", early);
	snprintf(list, sizeof(list), "/admin/mailings/?q=%s&from=2099-03-01&to=2099-03-01", text);
	pg = web_req("GET", list, u, NULL, NULL);
	cr_expect(strstr(pg->body, link), "%s", pg->body);
	cr_expect(strstr(pg->body, "Starts from (Asia/Vladivostok, UTC+10:00)"));
	web_free(pg);
	snprintf(list, sizeof(list), "/admin/mailings/?q=%s&to=2099-02-28", text);
	pg = web_req("GET", list, u, NULL, NULL);
	cr_expect_null(strstr(pg->body, link), "%s", pg->body);
	web_free(pg);
	free(text);
	/* a redisplayed form keeps what was typed */
	pg = web_post(u, "/admin/mailings/add", "start_at=2099-03-01T10:00&end_at=2099-03-01T09:00&text=x");
	cr_expect_eq(pg->status, 422);
	cr_expect(strstr(pg->body, "value=\"2099-03-01T10:00\""), "%s", pg->body);
	cr_expect(strstr(pg->body, "value=\"2099-03-01T09:00\""));
	web_free(pg);
	free(u);
}

Test(admin_zones, new_york_follows_summer_time)
{
	char *u = zone_user("America/New_York");
	long long id = form_mailing(u, "2099-07-01T10:00", "2099-12-01T10:00");
	expect_api_times(id, "2099-07-01T14:00:00Z 2099-12-01T15:00:00Z");
	/* each label gives the offset at its value's time, not today's */
	expect_texts(u, "/admin/mailings/%lld/edit", id,
		     TEXTS("value=\"2099-07-01T10:00\"", "value=\"2099-12-01T10:00\"", "Start (America/New_York, UTC-04:00)",
			   "End (America/New_York, UTC-05:00)"));
	expect_texts(u, "/admin/mailings/%lld", id, TEXTS("2099-07-01 10:00 UTC-04:00", "2099-12-01 10:00 UTC-05:00"));
	/* 02:30 on the day summer time begins does not exist: the form says so */
	struct web_page *pg = web_post(u, "/admin/mailings/add", "start_at=2099-03-08T02:30&end_at=2099-03-09T10:00&text=gap");
	cr_expect_eq(pg->status, 422);
	cr_expect(strstr(pg->body, "id=\"err-start_at\"><p>2099-03-08 02:30 does not exist in America/New_York"),
		  "%s", pg->body);
	web_free(pg);
	/* a form sent back keeps what was typed, and the offsets of those wall times */
	pg = web_post(u, "/admin/mailings/add", "start_at=2099-07-01T10:00&end_at=2099-06-01T10:00&text=back");
	cr_expect_eq(pg->status, 422);
	cr_expect(strstr(pg->body, "Start (America/New_York, UTC-04:00)"), "%s", pg->body);
	web_free(pg);
	/* 01:30 on the day it ends occurs twice: standard time, the later one, as PostgreSQL reads it */
	id = form_mailing(u, "2099-11-01T01:30", "2099-11-02T10:00");
	expect_api_times(id, "2099-11-01T06:30:00Z 2099-11-02T15:00:00Z");
	free(u);
}

Test(admin_zones, messages_list_filters_local_days)
{
	char *u = zone_user("Asia/Vladivostok"), *utc = web_login("t_viewer", "password-viewer", NULL);
	long long m = mailing_new("zoned messages", "");
	messages_insert(m, MSG_PENDING, 1);
	/* 15:00 UTC on March 1 is 01:00 on March 2 in Vladivostok */
	free(itest_sql("UPDATE messages SET created_at = '2099-03-01T15:00:00Z' WHERE mailing_id = %lld", m));
	const char *march2 = "/admin/messages/?mailing_id=%lld&from=2099-03-02&to=2099-03-02";
	const char *march1 = "/admin/messages/?mailing_id=%lld&from=2099-03-01&to=2099-03-01";
	expect_texts(u, march2, m, TEXTS("<p class=\"count\">1 message</p>", "2099-03-02 01:00 UTC+10:00",
					 "Created from (Asia/Vladivostok, UTC+10:00)"));
	expect_texts(utc, march2, m, TEXTS("<p class=\"count\">0 messages</p>"));
	expect_texts(u, march1, m, TEXTS("<p class=\"count\">0 messages</p>"));
	expect_texts(utc, march1, m, TEXTS("<p class=\"count\">1 message</p>", "2099-03-01 15:00 UTC"));
	free(utc);
	free(u);
}

Test(admin_zones, a_user_without_a_zone_has_the_default)
{
	char *u = zone_user(NULL);
	char *offset = itest_sql("SELECT utc_offset_text(now(), 'Europe/Moscow')");
	char label[80];
	snprintf(label, sizeof(label), "Start (Europe/Moscow, %s)", offset);
	expect_texts(u, "/admin/mailings/add", 0, TEXTS(label));
	long long id = form_mailing(u, "2099-03-01T10:00", "2099-03-02T10:00");
	expect_api_times(id, "2099-03-01T07:00:00Z 2099-03-02T07:00:00Z");
	expect_texts(u, "/admin/mailings/%lld", id, TEXTS("2099-03-01 10:00 UTC+03:00"));
	free(offset);
	free(u);
}
