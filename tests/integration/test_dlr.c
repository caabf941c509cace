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

/* h's /metrics (malloc'ed). */
static char *metrics_of(const struct proc *h)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/metrics", h->url);
	char *text = url_text("GET", url, NULL, NULL);
	cr_assert_not_null(text);
	return text;
}

/* GET path of h's API with token: the JSON of a 200 answer (a new reference). */
static json_t *get_json(const struct proc *h, const char *token, const char *path)
{
	char url[256];
	long st = 0;
	snprintf(url, sizeof(url), "%s%s", h->url, path);
	char *body = url_text_as(token, "GET", url, NULL, &st);
	cr_assert_eq(st, 200, "%s: %s", path, body);
	json_t *j = json_loads(body, 0, NULL);
	cr_assert_not_null(j, "%s", body);
	free(body);
	return j;
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
	char *token = eng_token("dlr-viewer", "viewer"), path[96];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/stats", m);
	json_t *s = get_json(&h, token, path);
	cr_assert_eq(jint(s, "total"), 200);
	cr_assert_eq(jint(s, "sent"), 200);
	cr_assert_eq(jint(s, "delivered"), delivered);
	cr_assert_eq(jint(s, "undelivered"), undelivered);
	cr_assert_eq(jint(s, "timeline.0.sent"), 200, "the timeline counts each message sent once");
	json_decref(s);
	s = get_json(&h, token, "/api/v1/messages?status=undelivered&count=true&limit=1");
	cr_assert_eq(jint(s, "count"), undelivered);
	json_decref(s);

	/* /metrics: the reports by outcome, and the counters of the statuses they entered */
	char *text = metrics_of(&h);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"applied\"}"), 200, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_messages_total{status=\"delivered\"}"), delivered, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_messages_total{status=\"undelivered\"}"), undelivered, "%s", text);
	cr_assert_geq(itest_metric(text, "herald_messages_total{status=\"sent\"}"), 200, "%s", text);
	free(text);
	free(token);
}

/* Posts report to provider's endpoint with bearer (NULL: no Authorization); asserts the answer's
 * status and, when needle is not NULL, that its body holds needle. */
static void expect_answer(const struct proc *h, long long provider, const char *bearer, const char *report, long want,
			  const char *needle)
{
	char url[160];
	long st = 0;
	snprintf(url, sizeof(url), "%s/api/v1/providers/%lld/dlr", h->url, provider);
	char *body = url_text_as(bearer, "POST", url, report, &st);
	cr_assert_eq(st, want, "%s: %s", report, body);
	cr_assert(needle == NULL || (body && strstr(body, needle)), "%s lacks %s", body, needle);
	free(body);
}

/* The report {"id": id, "status": status} (a static buffer: one at a time). */
static const char *report_of(long long id, const char *status)
{
	static char b[128];
	snprintf(b, sizeof(b), "{\"id\": %lld, \"status\": \"%s\"%s}", id, status,
		 strcmp(status, "undelivered") == 0 ? ", \"error\": \"absent subscriber\"" : "");
	return b;
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

	/* the secret: missing, wrong, another provider's, a provider without one, no such provider */
	expect_answer(&h, a, NULL, report_of(sent, "delivered"), 401, "dlr_secret");
	expect_answer(&h, a, "secret-of-a!", report_of(sent, "delivered"), 401, NULL);
	expect_answer(&h, a, "secret-of-b", report_of(sent, "delivered"), 401, NULL);
	expect_answer(&h, a, "tok_admin-is-no-dlr-secret", report_of(sent, "delivered"), 401, NULL);
	expect_answer(&h, c, "anything", report_of(of_c, "delivered"), 401, NULL);
	expect_answer(&h, c, "", report_of(of_c, "delivered"), 401, NULL);
	expect_answer(&h, 999999, "secret-of-a", report_of(of_c, "delivered"), 401, NULL);
	expect_unchanged(of_c, "sent");

	/* another provider's message (with its own right secret), an unknown id */
	expect_answer(&h, b, "secret-of-b", report_of(sent, "delivered"), 404, "no such message");
	expect_answer(&h, a, "secret-of-a", report_of(999999999, "delivered"), 404, NULL);
	expect_unchanged(sent, "sent");

	/* a message not awaiting a report */
	expect_answer(&h, a, "secret-of-a", report_of(pending, "delivered"), 409, "not awaiting");
	expect_answer(&h, a, "secret-of-a", report_of(failed, "undelivered"), 409, NULL);
	expect_unchanged(pending, "pending");
	expect_unchanged(failed, "failed");

	/* bad bodies */
	expect_answer(&h, a, "secret-of-a", "{\"id\": 1, \"status\": \"read\"}", 422, "\"status\"");
	expect_answer(&h, a, "secret-of-a", "{\"status\": \"delivered\"}", 422, "\"id\"");
	expect_answer(&h, a, "secret-of-a", "{\"id\": 1, \"status\": \"delivered\", \"extra\": 1}", 422, "\"extra\"");
	expect_answer(&h, a, "secret-of-a", "{\"id\": ", 400, NULL);
	expect_unchanged(sent, "sent");

	/* the right report: applied once, a repeat is 200 and changes nothing, a contrary one 409 */
	expect_answer(&h, a, "secret-of-a", report_of(sent, "undelivered"), 200, "\"undelivered\"");
	char *at = eng_sql("SELECT reported_at FROM messages WHERE id = %lld", sent);
	expect_answer(&h, a, "secret-of-a", report_of(sent, "undelivered"), 200, NULL);
	char *now = eng_sql("SELECT message_status_name(status) || ' ' || last_error FROM messages WHERE id = %lld", sent);
	cr_assert_str_eq(now, "undelivered absent subscriber");
	free(now);
	char *again = eng_sql("SELECT reported_at FROM messages WHERE id = %lld", sent);
	cr_assert_str_eq(again, at, "a repeated report changed the message");
	expect_answer(&h, a, "secret-of-a", report_of(sent, "delivered"), 409, NULL);

	char *text = metrics_of(&h);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"applied\"}"), 1, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"repeated\"}"), 1, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"unknown\"}"), 2, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"not_sent\"}"), 3, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"unauthorized\"}"), 7, "%s", text);
	cr_assert_eq(itest_metric(text, "herald_dlr_reports_total{outcome=\"invalid\"}"), 4, "%s", text);
	free(text);
	free(at);
	free(again);
}
