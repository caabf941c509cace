/* Statistics over /api/v1: a mailing's counts and timeline, the per-mailing list and the
 * totals, all from the counters the triggers on messages keep. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailing_util.h"
#include "message_status.h"
#include "proc.h"

/* Puts 1..8 messages of each status into the mailing: status i gets i + 1, 36 in all. */
#define FILLED 36
static void fill(long long id)
{
	for (int s = 0; s < MSG_STATUSES; s++)
		messages_insert(id, s, s + 1);
}

/* What the statistics say of status s after fill(): its s + 1, but sent holds the delivered and
 * undelivered ones too (sql/027: sent means accepted by the provider). */
static long long filled(int s)
{
	return s == MSG_SENT ? (MSG_SENT + 1) + (MSG_DELIVERED + 1) + (MSG_UNDELIVERED + 1) : s + 1;
}

/* Asserts the counts of fill() in obj (prefix "" or "stats."). */
static void assert_filled(json_t *obj, const char *prefix)
{
	char key[40];
	snprintf(key, sizeof(key), "%stotal", prefix);
	cr_assert_eq(jint(obj, key), FILLED, "%s", key);
	for (int s = 0; s < MSG_STATUSES; s++) {
		snprintf(key, sizeof(key), "%s%s", prefix, message_status_name(s));
		cr_assert_eq(jint(obj, key), filled(s), "%s", key);
	}
}

Test(stats, mailing_counts_and_timeline)
{
	long long id = mailing_new("stats", "");
	mailing_set_status(id, "running");
	fill(id);
	char path[80];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/stats", id);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	assert_filled(r->json, "");
	cr_assert_eq(jint(r->json, "mailing_id"), id);
	cr_assert_str_eq(jstr(r->json, "status"), "running");
	cr_assert_eq(json_array_size(json_object_get(r->json, "timeline")), 0, "nothing happened yet: %s", r->body);
	resp_free(r);

	/* the mailing itself carries the same counts */
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	r = api(tok_viewer(), "GET", path, NULL);
	assert_filled(r->json, "stats.");
	resp_free(r);

	/* the pending one is sent and one sending fails: one minute of the timeline */
	char *minute = itest_sql("WITH a AS (UPDATE messages SET status = message_status('sent') WHERE id IN (SELECT id FROM messages"
				 " WHERE mailing_id = %lld AND status = message_status('pending'))),"
				 " b AS (UPDATE messages SET status = message_status('failed') WHERE id IN (SELECT id FROM messages"
				 " WHERE mailing_id = %lld AND status = message_status('sending') LIMIT 1))"
				 " SELECT api_ts(date_trunc('minute', now()))", id, id);
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/stats", id);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "pending"), 0);
	cr_assert_eq(jint(r->json, "sending"), 1);
	cr_assert_eq(jint(r->json, "sent"), filled(MSG_SENT) + 1);
	cr_assert_eq(jint(r->json, "failed"), 5);
	cr_assert_eq(jint(r->json, "total"), FILLED);
	json_t *tl = json_object_get(r->json, "timeline");
	cr_assert_eq(json_array_size(tl), 1, "%s", r->body);
	cr_assert_str_eq(jstr(tl, "0.minute"), minute);
	cr_assert_eq(jint(tl, "0.sent"), 1);
	cr_assert_eq(jint(tl, "0.failed"), 1);
	resp_free(r);
	free(minute);

	/* an earlier minute comes first */
	free(itest_sql("INSERT INTO message_minutes (mailing_id, minute, sent, failed)"
		       " VALUES (%lld, date_trunc('minute', now()) - interval '5 minutes', 7, 0)", id));
	r = api(tok_viewer(), "GET", path, NULL);
	tl = json_object_get(r->json, "timeline");
	cr_assert_eq(json_array_size(tl), 2, "%s", r->body);
	cr_assert_eq(jint(tl, "0.sent"), 7);
	cr_assert_eq(jint(tl, "1.sent"), 1);
	resp_free(r);

	api_expect(404, tok_viewer(), "GET", "/api/v1/mailings/999999999999/stats", NULL);
}

Test(stats, totals_follow_inserts)
{
	struct resp *before = api(tok_viewer(), "GET", "/api/v1/stats", NULL);
	cr_assert_eq(before->status, 200, "%s", before->body);
	long long id = mailing_new("totals", "");
	fill(id);
	struct resp *after = api(tok_viewer(), "GET", "/api/v1/stats", NULL);
	cr_assert_eq(after->status, 200, "%s", after->body);
	cr_assert_eq(jint(after->json, "mailings.total") - jint(before->json, "mailings.total"), 1);
	cr_assert_eq(jint(after->json, "messages.total") - jint(before->json, "messages.total"), FILLED);
	/* every status is there and they add up (delivered and undelivered are within sent) */
	long long sum = 0, msum = 0;
	char key[40];
	for (int s = 0; s < MSG_DELIVERED; s++) {
		snprintf(key, sizeof(key), "messages.%s", message_status_name(s));
		sum += jint(after->json, key);
	}
	cr_assert_eq(sum, jint(after->json, "messages.total"));
	const char *ms[] = {"scheduled", "running", "finished", "cancelled"};
	for (int s = 0; s < 4; s++) {
		snprintf(key, sizeof(key), "mailings.%s", ms[s]);
		msum += jint(after->json, key);
	}
	cr_assert_eq(msum, jint(after->json, "mailings.total"));
	resp_free(before);
	resp_free(after);

	/* deleting the mailing takes its messages out of the totals */
	before = api(tok_viewer(), "GET", "/api/v1/stats", NULL);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	resp_free(api(tok_operator(), "DELETE", path, NULL));
	after = api(tok_viewer(), "GET", "/api/v1/stats", NULL);
	cr_assert_eq(jint(before->json, "messages.total") - jint(after->json, "messages.total"), FILLED);
	cr_assert_eq(jint(before->json, "mailings.total") - jint(after->json, "mailings.total"), 1);
	resp_free(before);
	resp_free(after);
}

struct mine {
	const long long *ids;       /* mailings_list_pages_and_filter's */
	int found;
};

static void finished_row(json_t *row, void *arg)
{
	struct mine *m = arg;
	long long id = jint(row, "mailing_id");
	cr_assert_str_eq(jstr(row, "status"), "finished");
	cr_assert_not_null(jstr(row, "start_at"));
	cr_assert_not_null(jstr(row, "end_at"));
	if (id == m->ids[2]) {
		assert_filled(row, "");
		m->found++;
	} else if (id == m->ids[0]) {
		cr_assert_eq(jint(row, "total"), 0);
		m->found++;
	}
}

Test(stats, mailings_list_pages_and_filter)
{
	long long mine[5];
	for (int i = 0; i < 5; i++) {
		mine[i] = mailing_new("stats list", "");
		mailing_set_status(mine[i], "finished");
	}
	fill(mine[2]);
	char *total = itest_sql("SELECT count(*) FROM mailings WHERE status = 'finished'");
	long expect = atol(total);
	free(total);

	struct mine m = {mine, 0};
	long long count;
	struct itest_walk w = {"/api/v1/stats/mailings?status=finished&limit=2", 2, "mailing_id", &count, finished_row, &m};
	cr_assert_eq(itest_walk(&w), expect);
	cr_assert_eq(count, expect);
	cr_assert_eq(m.found, 2);

	api_expect(400, tok_viewer(), "GET", "/api/v1/stats/mailings?status=done", NULL);
	api_expect(401, NULL, "GET", "/api/v1/stats", NULL);
}

/* One figure of /metrics: the value of the sample "name{status=\"status\"}". */
static long long metric(const char *text, const char *name, const char *status)
{
	char key[96];
	snprintf(key, sizeof(key), "\n%s{status=\"%s\"} ", name, status);
	const char *p = strstr(text, key);
	cr_assert_not_null(p, "no %s in /metrics", key + 1);
	return atoll(p + strlen(key));
}

static char *metrics_text(void)
{
	char url[256];
	long status = 0;
	snprintf(url, sizeof(url), "%s/metrics", getenv("HERALD_TEST_URL"));
	char *text = url_text("GET", url, NULL, &status);
	cr_assert_eq(status, 200);
	return text;
}

/* herald_messages{status} is how many are in a status now; herald_messages_total{status} how
 * many entered it, which never goes down: not when messages move on, not when a mailing and
 * its messages are deleted. */
Test(stats, metrics_message_counter_never_goes_down)
{
	char *t0 = metrics_text();
	long long id = mailing_new("metrics", "");
	fill(id);
	free(itest_sql("UPDATE messages SET status = message_status('cancelled')"
		       " WHERE mailing_id = %lld AND status = message_status('pending')", id));
	char *t1 = metrics_text();
	for (int s = 0; s < MSG_STATUSES; s++) {
		/* pending: 1 inserted, then cancelled; cancelled: 6 inserted + 1 */
		const char *name = message_status_name(s);
		long long now = s == MSG_PENDING ? 0 : s == MSG_CANCELLED ? 7 : s + 1;
		long long entered = s == MSG_CANCELLED ? 7 : s + 1;
		cr_expect_geq(metric(t1, "herald_messages", name) - metric(t0, "herald_messages", name), now, "%s", name);
		cr_expect_geq(metric(t1, "herald_messages_total", name) - metric(t0, "herald_messages_total", name),
			      entered, "%s", name);
	}
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	char *t2 = metrics_text();
	long long before = 0, after = 0;
	for (int s = 0; s < MSG_STATUSES; s++) {
		const char *name = message_status_name(s);
		cr_expect_geq(metric(t2, "herald_messages_total", name), metric(t1, "herald_messages_total", name),
			      "herald_messages_total{status=\"%s\"} went down", name);
		before += metric(t1, "herald_messages", name);
		after += metric(t2, "herald_messages", name);
	}
	cr_expect_lt(after, before, "herald_messages did not drop with the mailing's 36 messages");
	free(t0);
	free(t1);
	free(t2);
}
