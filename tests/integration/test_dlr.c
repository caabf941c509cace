/* Delivery reports (API.md 9.5) with real parts: a herald of the test's own and a fakeprobe that
 * posts a report for every message it answers OK (--dlr-url): the messages become delivered
 * or undelivered and every statistic counts them; and reports that must change nothing — an
 * unknown id, another provider's message, a wrong or missing secret, a provider without one, a
 * message not awaiting a report, a bad body — change nothing and are answered clearly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_util.h"
#include "itest.h"

TestSuite(dlr, .init = eng_db_create, .fini = proc_cleanup, .timeout = 120);

/* A metric's value in the text of /metrics (0 when absent). */
static long long metric_of(const char *text, const char *series)
{
	const char *p = strstr(text, series);
	return p ? atoll(p + strlen(series) + 1) : 0;
}

Test(dlr, fakeprobe_reports_change_statuses_and_statistics)
{
	const char *args[] = {"--dlr-undelivered-rate", "0.3", "--seed", "7", NULL};
	long long pid;
	struct proc h = eng_herald(NULL, NULL);
	struct proc fp = eng_reporting_provider(&h, "dlr-secret-of-the-test", args, &pid);
	eng_clients(200, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 60), "not every message final");
	cr_assert(eng_wait(30, "SELECT count(*) = 200 FROM messages WHERE mailing_id = %lld AND status IN"
			       " (message_status('delivered'), message_status('undelivered'))", m),
		  "not every message was reported: %lld still sent", eng_count(m, MSG_SENT));
	long long delivered = eng_count(m, MSG_DELIVERED), undelivered = eng_count(m, MSG_UNDELIVERED);
	cr_assert_eq(delivered + undelivered, 200);
	cr_assert(undelivered >= 30 && undelivered <= 90, "%lld undelivered of 200 at a rate of 0.3", undelivered);
	cr_assert_eq(fp_stat(&fp, "dlr_delivered"), delivered);
	cr_assert_eq(fp_stat(&fp, "dlr_undelivered"), undelivered);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND reported_at IS NOT NULL"
			     " AND provider_id = %lld", m, pid), 200);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND status = message_status('undelivered')"
			     " AND last_error = 'fakeprobe: undelivered'", m), undelivered);

	/* the statistics: sent stays "accepted by the provider", delivered and undelivered within it */
	char *token = eng_token("dlr-viewer", "viewer"), url[160];
	snprintf(url, sizeof(url), "%s/api/v1/mailings/%lld/stats", h.url, m);
	long st = 0;
	char *body = url_text_as(token, "GET", url, NULL, &st);
	json_t *s = json_loads(body, 0, NULL);
	cr_assert_eq(st, 200, "%s", body);
	cr_assert_eq(jint(s, "total"), 200, "%s", body);
	cr_assert_eq(jint(s, "sent"), 200, "%s", body);
	cr_assert_eq(jint(s, "delivered"), delivered, "%s", body);
	cr_assert_eq(jint(s, "undelivered"), undelivered, "%s", body);
	cr_assert_eq(jint(s, "timeline.0.sent"), 200, "the timeline counts each message sent once: %s", body);
	json_decref(s);
	free(body);
	snprintf(url, sizeof(url), "%s/api/v1/messages?status=undelivered&count=true&limit=1", h.url);
	body = url_text_as(token, "GET", url, NULL, &st);
	s = json_loads(body, 0, NULL);
	cr_assert_eq(jint(s, "count"), undelivered, "%s", body);
	json_decref(s);
	free(body);

	/* /metrics: the reports by outcome, and the counters of the statuses they entered */
	snprintf(url, sizeof(url), "%s/metrics", h.url);
	char *text = url_text("GET", url, NULL, NULL);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"applied\"}"), 200, "%s", text);
	cr_assert_eq(metric_of(text, "herald_messages_total{status=\"delivered\"}"), delivered, "%s", text);
	cr_assert_eq(metric_of(text, "herald_messages_total{status=\"undelivered\"}"), undelivered, "%s", text);
	cr_assert_geq(metric_of(text, "herald_messages_total{status=\"sent\"}"), 200, "%s", text);
	free(text);
	free(token);
}

/* Posts a report to provider's endpoint with bearer (NULL: no Authorization) and returns the
 * answer's status; its body into *body when body is not NULL. */
static long post_report(const struct proc *h, long long provider, const char *bearer, const char *report, char **body)
{
	char url[160];
	long st = 0;
	snprintf(url, sizeof(url), "%s/api/v1/providers/%lld/dlr", h->url, provider);
	char *b = url_text_as(bearer, "POST", url, report, &st);
	if (body)
		*body = b;
	else
		free(b);
	return st;
}

/* A direct message in status with provider_id provider (0: none), not due for a day. */
static long long message_of(long long provider, const char *status)
{
	return eng_int("INSERT INTO messages (phone, due_at, expires_at, status, provider_id, sent_at)"
		       " VALUES ('79160000001', now() + interval '1 day', now() + interval '2 days',"
		       " message_status('%s'), nullif(%lld, 0), CASE WHEN '%s' = 'sent' THEN now() END) RETURNING id",
		       status, provider, status);
}

static void expect_unchanged(long long id, const char *status)
{
	char *s = eng_sql("SELECT message_status_name(status) || ' ' || (reported_at IS NULL) || ' '"
			  " || coalesce(last_error, '-') FROM messages WHERE id = %lld", id);
	char want[64];
	snprintf(want, sizeof(want), "%s true -", status);
	cr_assert_str_eq(s, want, "message %lld changed", id);
	free(s);
}

Test(dlr, reports_that_must_change_nothing_are_answered_clearly)
{
	struct proc h = eng_herald(NULL, NULL);
	long long a = eng_int("INSERT INTO providers (name, url, dlr_secret, enabled) VALUES ('a', 'http://127.0.0.1:1/v1',"
			      " 'secret-of-a', false) RETURNING id");
	long long b = eng_int("INSERT INTO providers (name, url, dlr_secret, enabled) VALUES ('b', 'http://127.0.0.1:1/v1',"
			      " 'secret-of-b', false) RETURNING id");
	long long c = eng_int("INSERT INTO providers (name, url, enabled) VALUES ('c', 'http://127.0.0.1:1/v1', false)"
			      " RETURNING id");
	long long sent = message_of(a, "sent"), pending = message_of(a, "pending"), failed = message_of(a, "failed");
	long long of_c = message_of(c, "sent");
	char report[128], *body;
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"delivered\"}", sent);

	/* the secret: missing, wrong, another provider's, a provider without one, no such provider */
	cr_assert_eq(post_report(&h, a, NULL, report, &body), 401, "%s", body);
	cr_assert_not_null(strstr(body, "dlr_secret"), "%s", body);
	free(body);
	cr_assert_eq(post_report(&h, a, "secret-of-a!", report, NULL), 401);
	cr_assert_eq(post_report(&h, a, "secret-of-b", report, NULL), 401);
	cr_assert_eq(post_report(&h, a, "tok_admin-is-no-dlr-secret", report, NULL), 401);
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"delivered\"}", of_c);
	cr_assert_eq(post_report(&h, c, "anything", report, NULL), 401);
	cr_assert_eq(post_report(&h, c, "", report, NULL), 401);
	cr_assert_eq(post_report(&h, 999999, "secret-of-a", report, NULL), 401);
	expect_unchanged(of_c, "sent");

	/* another provider's message (with its own right secret), an unknown id */
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"delivered\"}", sent);
	cr_assert_eq(post_report(&h, b, "secret-of-b", report, &body), 404, "%s", body);
	cr_assert_not_null(strstr(body, "no such message"), "%s", body);
	free(body);
	cr_assert_eq(post_report(&h, a, "secret-of-a", "{\"id\": 999999999, \"status\": \"delivered\"}", NULL), 404);
	expect_unchanged(sent, "sent");

	/* a message not awaiting a report */
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"delivered\"}", pending);
	cr_assert_eq(post_report(&h, a, "secret-of-a", report, &body), 409, "%s", body);
	cr_assert_not_null(strstr(body, "not awaiting"), "%s", body);
	free(body);
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"undelivered\", \"error\": \"x\"}", failed);
	cr_assert_eq(post_report(&h, a, "secret-of-a", report, NULL), 409);
	expect_unchanged(pending, "pending");
	expect_unchanged(failed, "failed");

	/* bad bodies */
	cr_assert_eq(post_report(&h, a, "secret-of-a", "{\"id\": 1, \"status\": \"read\"}", &body), 422);
	cr_assert_not_null(strstr(body, "\"status\""), "%s", body);
	free(body);
	cr_assert_eq(post_report(&h, a, "secret-of-a", "{\"status\": \"delivered\"}", NULL), 422);
	cr_assert_eq(post_report(&h, a, "secret-of-a", "{\"id\": 1, \"status\": \"delivered\", \"extra\": 1}", NULL), 422);
	cr_assert_eq(post_report(&h, a, "secret-of-a", "{\"id\": ", NULL), 400);
	expect_unchanged(sent, "sent");

	/* the right report: applied once, a repeat is 200 and changes nothing, a contrary one 409 */
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"undelivered\", \"error\": \"absent subscriber\"}", sent);
	cr_assert_eq(post_report(&h, a, "secret-of-a", report, &body), 200, "%s", body);
	cr_assert_not_null(strstr(body, "\"undelivered\""), "%s", body);
	free(body);
	char *at = eng_sql("SELECT reported_at FROM messages WHERE id = %lld", sent);
	cr_assert_eq(post_report(&h, a, "secret-of-a", report, NULL), 200);
	char *now = eng_sql("SELECT message_status_name(status) || ' ' || last_error FROM messages WHERE id = %lld", sent);
	cr_assert_str_eq(now, "undelivered absent subscriber");
	free(now);
	char *again = eng_sql("SELECT reported_at FROM messages WHERE id = %lld", sent);
	cr_assert_str_eq(again, at, "a repeated report changed the message");
	snprintf(report, sizeof(report), "{\"id\": %lld, \"status\": \"delivered\"}", sent);
	cr_assert_eq(post_report(&h, a, "secret-of-a", report, NULL), 409);

	char url[160];
	snprintf(url, sizeof(url), "%s/metrics", h.url);
	char *text = url_text("GET", url, NULL, NULL);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"applied\"}"), 1, "%s", text);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"repeated\"}"), 1, "%s", text);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"unknown\"}"), 2, "%s", text);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"not_sent\"}"), 3, "%s", text);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"unauthorized\"}"), 7, "%s", text);
	cr_assert_eq(metric_of(text, "herald_dlr_reports_total{outcome=\"invalid\"}"), 4, "%s", text);
	free(text);
	free(at);
	free(again);
}
