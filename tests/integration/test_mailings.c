/* Mailings over /api/v1: create/read/update/delete, validation, state rules, cancel,
 * retry-failed, list filters and pages, roles, notifications to the scheduler. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libpq-fe.h>
#include "mailing_util.h"

static char *sqlf_str(const char *sql, long long id)
{
	char *v = itest_sql(sql, id);
	cr_assert_not_null(v, "%s", sql);
	return v;
}

Test(mailings, create_and_get)
{
	char text[40], path[64];
	uniq_name("hello ", text, sizeof(text));
	notify_listen("herald_mailings");
	struct resp *r = api(tok_operator(), "POST", "/api/v1/mailings",
			     "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"%s\","
			     "\"filter\":{\"operator_codes\":[\"916\",\"903\"],\"tags\":[\"vip\"]},"
			     "\"send_window\":{\"start\":\"22:00\",\"end\":\"06:30\"}}", text);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	cr_assert_str_eq(r->location, path);
	resp_free(r);
	char ids[24];
	snprintf(ids, sizeof(ids), "%lld", id);
	cr_assert(notify_seen("herald_mailings", ids), "no pg_notify for the new mailing");

	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "id"), id);
	cr_assert_str_eq(jstr(r->json, "start_at"), M_START_UTC);
	cr_assert_str_eq(jstr(r->json, "end_at"), M_END_UTC);
	cr_assert_str_eq(jstr(r->json, "text"), text);
	cr_assert_str_eq(jstr(r->json, "filter.operator_codes.0"), "916");
	cr_assert_str_eq(jstr(r->json, "filter.operator_codes.1"), "903");
	cr_assert_str_eq(jstr(r->json, "filter.tags.0"), "vip");
	cr_assert_str_eq(jstr(r->json, "send_window.start"), "22:00");
	cr_assert_str_eq(jstr(r->json, "send_window.end"), "06:30");
	cr_assert_str_eq(jstr(r->json, "status"), "scheduled");
	const char *counts[] = {"total", "pending", "sent", "failed", "expired", "cancelled"};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char key[32];
		snprintf(key, sizeof(key), "stats.%s", counts[i]);
		cr_assert_eq(jint(r->json, key), 0, "%s", key);
	}
	cr_assert_not_null(jstr(r->json, "created_at"));
	cr_assert_not_null(jstr(r->json, "updated_at"));
	resp_free(r);

	char *by = sqlf_str("SELECT u.username FROM mailings m JOIN users u ON u.id = m.created_by WHERE m.id = %lld", id);
	cr_assert_str_eq(by, "t_operator");
	free(by);
	char *kind = sqlf_str("SELECT kind FROM mailings WHERE id = %lld", id);
	cr_assert_str_eq(kind, "mailing");
	free(kind);

	api_expect(404, tok_viewer(), "GET", "/api/v1/mailings/999999999999", NULL);
	api_expect(404, tok_viewer(), "GET", "/api/v1/mailings/abc", NULL);
}

Test(mailings, defaults_without_filter_or_window)
{
	long long id = mailing_new("plain", ",\"send_window\":null");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200);
	cr_assert(json_is_null(json_object_get(r->json, "send_window")), "%s", r->body);
	cr_assert_eq(json_array_size(json_object_get(json_object_get(r->json, "filter"), "operator_codes")), 0);
	cr_assert_eq(json_array_size(json_object_get(json_object_get(r->json, "filter"), "tags")), 0);
	resp_free(r);
}

Test(mailings, validation_names_every_bad_field)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/mailings", "{}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	cr_assert(jhas_error(r->json, "start_at") && jhas_error(r->json, "end_at") && jhas_error(r->json, "text"), "%s", r->body);
	resp_free(r);

	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"tomorrow\",\"end_at\":\"2099-01-01T10:00:00\",\"text\":\"\",\"bogus\":1,"
		"\"filter\":{\"operator_codes\":[\"91\",\"916\",5],\"tags\":[\"\"],\"x\":[]},"
		"\"send_window\":{\"start\":\"25:00\",\"end\":\"9:00\",\"tz\":\"UTC\"}}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	const char *bad[] = {"start_at", "end_at", "text", "bogus", "filter.operator_codes", "filter.tags",
			     "filter.x", "send_window.start", "send_window.end", "send_window.tz"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(jhas_error(r->json, bad[i]), "%s not named: %s", bad[i], r->body);
	resp_free(r);

	/* start_at must come before end_at (offsets count): the error is on end_at */
	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"2099-01-10T09:00:00+03:00\",\"end_at\":\"2099-01-10T07:00:00+01:00\",\"text\":\"x\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "end_at") && !jhas_error(r->json, "start_at"), "%s", r->body);
	resp_free(r);
	api_expect(201, tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"2099-01-10T09:00:00+03:00\",\"end_at\":\"2099-01-10T06:00:01Z\",\"text\":\"x\"}");

	/* text of 4096 characters (Cyrillic: 2 bytes each) passes, 4097 does not */
	char *text = malloc(4097 * 2 + 1);
	for (int i = 0; i < 4097; i++)
		memcpy(text + 2 * i, "\xd0\x96", 2);
	text[4096 * 2] = '\0';
	api_expect(201, tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"%s\"}", text);
	text[4096 * 2] = '\xd0';
	text[4097 * 2] = '\0';
	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"%s\"}", text);
	cr_assert_eq(r->status, 422, "%.200s", r->body);
	cr_assert(jhas_error(r->json, "text"));
	resp_free(r);
	free(text);

	/* the window's start and end must differ; filter and window must be objects */
	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"x\","
		"\"send_window\":{\"start\":\"09:00\",\"end\":\"09:00\"},\"filter\":\"vip\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "send_window.end") && jhas_error(r->json, "filter"), "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"x\",\"send_window\":[],"
		"\"filter\":{\"tags\":\"vip\"}}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "send_window") && jhas_error(r->json, "filter.tags"), "%s", r->body);
	resp_free(r);

	/* a tag of 65 characters, and more than 1000 operator codes */
	char tag[66];
	memset(tag, 't', 65);
	tag[65] = '\0';
	char *codes = malloc(1001 * 6 + 2);
	size_t n = 0;
	codes[n++] = '[';
	for (int i = 0; i < 1001; i++)
		n += (size_t)sprintf(codes + n, "%s\"916\"", i ? "," : "");
	codes[n++] = ']';
	codes[n] = '\0';
	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"x\","
		"\"filter\":{\"tags\":[\"%s\"],\"operator_codes\":%s}}", tag, codes);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "filter.tags") && jhas_error(r->json, "filter.operator_codes"), "%s", r->body);
	resp_free(r);
	free(codes);
}

Test(mailings, patch_and_put_a_scheduled_mailing)
{
	long long id = mailing_new("before", ",\"filter\":{\"tags\":[\"a\"]},\"send_window\":{\"start\":\"09:00\",\"end\":\"21:00\"}");
	char path[64], ids[24];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	snprintf(ids, sizeof(ids), "%lld", id);
	notify_listen("herald_mailings");

	struct resp *r = api(tok_operator(), "PATCH", path, "{\"text\":\"after\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "text"), "after");
	cr_assert_str_eq(jstr(r->json, "filter.tags.0"), "a");
	cr_assert_str_eq(jstr(r->json, "send_window.start"), "09:00");
	cr_assert_str_eq(jstr(r->json, "start_at"), M_START_UTC);
	resp_free(r);
	cr_assert(notify_seen("herald_mailings", ids));

	/* end_at alone before the stored start_at */
	r = api(tok_operator(), "PATCH", path, "{\"end_at\":\"2099-01-01T00:00:00Z\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "end_at"), "%s", r->body);
	resp_free(r);

	r = api(tok_operator(), "PATCH", path, "{\"start_at\":\"2099-01-05T00:00:00Z\",\"send_window\":null,"
		"\"filter\":{\"operator_codes\":[\"999\"]}}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "start_at"), "2099-01-05T00:00:00Z");
	cr_assert(json_is_null(json_object_get(r->json, "send_window")));
	cr_assert_str_eq(jstr(r->json, "filter.operator_codes.0"), "999");
	cr_assert_eq(json_array_size(json_object_get(json_object_get(r->json, "filter"), "tags")), 0);
	resp_free(r);

	r = api(tok_operator(), "PUT", path, "{\"text\":\"only text\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "start_at") && jhas_error(r->json, "end_at"), "%s", r->body);
	resp_free(r);

	r = api(tok_operator(), "PUT", path, "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"put\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "text"), "put");
	cr_assert_eq(json_array_size(json_object_get(json_object_get(r->json, "filter"), "operator_codes")), 0);
	resp_free(r);

	api_expect(404, tok_operator(), "PATCH", "/api/v1/mailings/999999999999", "{\"text\":\"x\"}");
}

Test(mailings, running_mailing_changes_only_end_at)
{
	long long id = mailing_new("running", "");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	messages_insert(id, MSG_PENDING, 3);   /* before it runs: see cancel_cancels_pending_messages_only */
	messages_insert(id, MSG_SENDING, 1);
	messages_insert(id, MSG_SENT, 2);
	mailing_set_status(id, "running");

	api_expect(409, tok_operator(), "PATCH", path, "{\"text\":\"changed\"}");
	api_expect(409, tok_operator(), "PATCH", path, "{\"start_at\":\"2099-01-01T00:00:00Z\",\"end_at\":\"2099-02-01T00:00:00Z\"}");
	api_expect(409, tok_operator(), "PATCH", path, "{\"send_window\":{\"start\":\"10:00\",\"end\":\"11:00\"}}");
	char *end = itest_sql("SELECT api_ts(end_at) FROM mailings WHERE id = %lld", id);
	cr_assert_str_eq(end, M_END_UTC, "a refused change left end_at alone");
	free(end);

	/* the same text and start_at may be sent along; end_at moves the expiry of unsent messages */
	struct resp *r = api(tok_operator(), "PATCH", path,
		"{\"text\":\"running\",\"start_at\":\"" M_START "\",\"end_at\":\"2099-03-01T12:00:00Z\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "end_at"), "2099-03-01T12:00:00Z");
	cr_assert_str_eq(jstr(r->json, "status"), "running");
	resp_free(r);
	char *moved = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld AND expires_at = '2099-03-01T12:00:00Z'", id);
	cr_assert_str_eq(moved, "4", "pending and sending messages expire at the new end_at");
	free(moved);
	char *kept = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld"
			       " AND status = message_status('sent')"
			       " AND expires_at <> '2099-03-01T12:00:00Z'", id);
	cr_assert_str_eq(kept, "2", "sent messages keep their expiry");
	free(kept);
}

Test(mailings, finished_or_cancelled_cannot_change)
{
	const char *states[] = {"finished", "cancelled"};
	for (int i = 0; i < 2; i++) {
		long long id = mailing_new("done", "");
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
		mailing_set_status(id, states[i]);
		struct resp *r = api(tok_operator(), "PATCH", path, "{\"end_at\":\"2099-02-01T00:00:00Z\"}");
		cr_assert_eq(r->status, 409, "%s: %s", states[i], r->body);
		cr_assert_str_eq(r->content_type, "application/problem+json");
		resp_free(r);
		char cpath[80];
		snprintf(cpath, sizeof(cpath), "%s/cancel", path);
		api_expect(409, tok_operator(), "POST", cpath, NULL);
	}
}

Test(mailings, cancel_cancels_pending_messages_only)
{
	long long id = mailing_new("to cancel", "");
	char path[80], ids[24];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/cancel", id);
	snprintf(ids, sizeof(ids), "%lld", id);
	/* the messages first: a running mailing without any is finished by the scheduler at once */
	messages_insert(id, MSG_PENDING, 3);
	messages_insert(id, MSG_SENDING, 1);
	messages_insert(id, MSG_SENT, 2);
	mailing_set_status(id, "running");
	notify_listen("herald_mailings");

	struct resp *r = api(tok_operator(), "POST", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "status"), "cancelled");
	cr_assert_eq(jint(r->json, "stats.cancelled"), 3);
	cr_assert_eq(jint(r->json, "stats.pending"), 0);
	cr_assert_eq(jint(r->json, "stats.sent"), 2);
	cr_assert_eq(jint(r->json, "stats.total"), 6);
	resp_free(r);
	cr_assert(notify_seen("herald_mailings", ids));
	cr_assert_eq(messages_rows(id, MSG_CANCELLED), 3);
	cr_assert_eq(messages_rows(id, MSG_SENT), 2, "sent stay sent");
	cr_assert_eq(messages_rows(id, MSG_SENDING), 1, "in flight stay in flight");
	cr_assert_eq(messages_rows(id, MSG_PENDING), 0);

	api_expect(409, tok_operator(), "POST", path, NULL);
	api_expect(404, tok_operator(), "POST", "/api/v1/mailings/999999999999/cancel", NULL);

	/* a scheduled mailing can be cancelled too */
	long long id2 = mailing_new("scheduled cancel", "");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/cancel", id2);
	r = api(tok_operator(), "POST", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "status"), "cancelled");
	resp_free(r);
}

Test(mailings, retry_failed)
{
	long long id = mailing_new("to retry", "");
	char path[80], ids[24];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/retry-failed", id);
	snprintf(ids, sizeof(ids), "%lld", id);
	mailing_set_status(id, "finished");
	messages_insert(id, MSG_FAILED, 2);
	messages_insert(id, MSG_SENT, 1);
	notify_listen("herald_mailings");

	struct resp *r = api(tok_operator(), "POST", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "status"), "running", "a finished mailing runs again");
	cr_assert_eq(jint(r->json, "stats.failed"), 0);
	cr_assert_eq(jint(r->json, "stats.sent"), 1);
	resp_free(r);
	cr_assert(notify_seen("herald_mailings", ids));
	/* the harness's herald sends what is due at once (log provider): a retried message is
	 * either still pending as the API left it or already claimed again (attempt 3) */
	char *s = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld"
			    " AND ((status = message_status('pending') AND attempts = 2"
			    " AND last_error = 'provider said no' AND due_at <= now() AND due_at > now() - interval '1 minute')"
			    " OR (status IN (message_status('sending'), message_status('sent'))"
			    " AND attempts = 3))", id);
	cr_assert_str_eq(s, "2", "failed are pending again, due now, attempts and last error kept");
	free(s);
	s = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld"
		      " AND status = message_status('sent') AND attempts = 0", id);
	cr_assert_str_eq(s, "1", "the sent message was left alone");
	free(s);
	/* running again (finished_at cleared), or finished anew once the dispatcher sent them */
	char *fin = itest_sql("SELECT (status = 'running') = (finished_at IS NULL) FROM mailings WHERE id = %lld", id);
	cr_assert_str_eq(fin, "t");
	free(fin);

	/* after end_at: 409 */
	free(itest_sql("UPDATE mailings SET status = 'finished', start_at = now() - interval '2 days',"
		       " end_at = now() - interval '1 hour' WHERE id = %lld", id));
	free(itest_sql("UPDATE messages SET status = message_status('failed')"
		       " WHERE mailing_id = %lld", id));
	api_expect(409, tok_operator(), "POST", path, NULL);
	cr_assert_eq(messages_rows(id, MSG_FAILED), 3, "nothing changed");

	/* a cancelled mailing is not retried */
	long long id2 = mailing_new("cancelled retry", "");
	mailing_set_status(id2, "cancelled");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/retry-failed", id2);
	api_expect(409, tok_operator(), "POST", path, NULL);
	api_expect(404, tok_operator(), "POST", "/api/v1/mailings/999999999999/retry-failed", NULL);
}

Test(mailings, delete_removes_messages_and_counters)
{
	long long id = mailing_new("to delete", "");
	char path[64], ids[24];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	snprintf(ids, sizeof(ids), "%lld", id);
	messages_insert(id, MSG_PENDING, 4);   /* before it runs: see cancel_cancels_pending_messages_only */
	messages_insert(id, MSG_SENT, 3);
	mailing_set_status(id, "running");
	free(itest_sql("UPDATE messages SET status = message_status('failed')"
		       " WHERE id = (SELECT min(id) FROM messages WHERE mailing_id = %lld)", id));
	notify_listen("herald_mailings");

	api_expect(204, tok_operator(), "DELETE", path, NULL);
	cr_assert(notify_seen("herald_mailings", ids));
	cr_assert_eq(messages_rows(id, -1), 0);
	char *c = itest_sql("SELECT (SELECT count(*) FROM message_counts WHERE mailing_id = %lld) +"
			    " (SELECT count(*) FROM message_minutes WHERE mailing_id = %lld)", id, id);
	cr_assert_str_eq(c, "0");
	free(c);
	api_expect(404, tok_viewer(), "GET", path, NULL);
	api_expect(404, tok_operator(), "DELETE", path, NULL);
}

Test(mailings, roles)
{
	long long id = mailing_new("roles", "");
	char path[64], sub[96];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	api_expect(200, tok_viewer(), "GET", "/api/v1/mailings", NULL);
	api_expect(403, tok_viewer(), "POST", "/api/v1/mailings", "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"x\"}");
	api_expect(403, tok_viewer(), "PATCH", path, "{\"text\":\"x\"}");
	api_expect(403, tok_viewer(), "PUT", path, "{\"text\":\"x\"}");
	api_expect(403, tok_viewer(), "DELETE", path, NULL);
	const char *acts[] = {"cancel", "retry-failed"};
	for (int i = 0; i < 2; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, acts[i]);
		api_expect(403, tok_viewer(), "POST", sub, NULL);
	}
	api_expect(401, NULL, "GET", path, NULL);
	api_expect(200, tok_admin(), "PATCH", path, "{\"text\":\"by admin\"}");
	char *s = itest_sql("SELECT status FROM mailings WHERE id = %lld", id);
	cr_assert_str_eq(s, "scheduled", "refused writes changed nothing");
	free(s);
}

struct mine {
	const long long *ids;       /* 7 */
	int seen;
};

static void cancelled_mine(json_t *row, void *arg)
{
	struct mine *m = arg;
	cr_assert_str_eq(jstr(row, "status"), "cancelled");
	for (int k = 0; k < 7; k++)
		m->seen += jint(row, "id") == m->ids[k];
}

Test(mailings, list_filter_and_pages_visit_every_row_once)
{
	long long mine[7];
	for (int i = 0; i < 7; i++) {
		mine[i] = mailing_new("page", "");
		if (i % 2)
			mailing_set_status(mine[i], "cancelled");
	}
	char *total = itest_sql("SELECT count(*) FROM mailings WHERE status = 'cancelled'");
	long expect = atol(total);
	free(total);

	struct mine m = {mine, 0};
	long long count;
	struct itest_walk w = {"/api/v1/mailings?status=cancelled&limit=2", 2, "id", &count, cancelled_mine, &m};
	cr_assert_eq(itest_walk(&w), expect);
	cr_assert_eq(count, expect);
	cr_assert_eq(m.seen, 3);

	api_expect(400, tok_viewer(), "GET", "/api/v1/mailings?status=paused", NULL);
	api_expect(400, tok_viewer(), "GET", "/api/v1/mailings?cursor=abc", NULL);
}

#define M_END_LATER "2099-01-25T06:00:00Z"

/* Holds the mailing's last message, then runs method path (with body) in a child process,
 * whose transaction locks the first message and waits for the last; then takes the first
 * message too, as the dispatcher's outcome write can. PostgreSQL ends the call's transaction as
 * a deadlock (it waited first). Returns the call's status. */
static long deadlocked(long long id, const char *method, const char *path, const char *body)
{
	char *lo = itest_sql("SELECT min(id) FROM messages WHERE mailing_id = %lld", id);
	char *hi = itest_sql("SELECT max(id) FROM messages WHERE mailing_id = %lld", id);
	char sql[200];
	PGconn *c = itest_db();
	/* this side waits 10 s before it looks for a deadlock, the call's side 1 s: the call's
	 * transaction is the one PostgreSQL ends, however the two are timed */
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL deadlock_timeout = '10s'; SELECT 1 FROM messages WHERE id = %s FOR UPDATE", hi);
	PQclear(PQexec(c, sql));
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	pid_t child = fork();
	cr_assert(child >= 0);
	if (child == 0) {
		struct resp *r = api(tok_operator(), method, path, body ? "%s" : NULL, body);
		long st = r->status;
		_exit(write(fd[1], &st, sizeof(st)) == sizeof(st) ? 0 : 1);
	}
	/* until the call waits for the last message (a fixed sleep was too short on a loaded
	 * machine) */
	for (int i = 0; i < 500; i++) {
		/* pg_stat_activity is read once a transaction unless its snapshot is cleared */
		PGresult *w = PQexec(c, "SELECT pg_stat_clear_snapshot(); SELECT EXISTS (SELECT 1 FROM pg_stat_activity a"
					" WHERE pg_backend_pid() = ANY (pg_blocking_pids(a.pid)))");
		int waiting = PQresultStatus(w) == PGRES_TUPLES_OK && strcmp(PQgetvalue(w, 0, 0), "t") == 0;
		PQclear(w);
		if (waiting)
			break;
		usleep(20000);
	}
	snprintf(sql, sizeof(sql), "SELECT 1 FROM messages WHERE id = %s FOR UPDATE", lo);
	PGresult *r = PQexec(c, sql);   /* closes the cycle */
	cr_expect_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
	PQclear(r);
	PQclear(PQexec(c, "ROLLBACK"));
	long status = 0;
	cr_assert_eq(waitpid(child, NULL, 0), child);
	cr_assert_eq(read(fd[0], &status, sizeof(status)), (ssize_t)sizeof(status));
	close(fd[0]);
	close(fd[1]);
	free(lo);
	free(hi);
	return status;
}

/* A mailing's delete, and a running mailing's new end (its open messages expire with it),
 * run again instead of answering 500 when PostgreSQL ends them as a deadlock. */
Test(mailings, writes_outlive_a_deadlock)
{
	char path[64];
	long long id = mailing_new("deadlocked end", "");
	messages_insert(id, MSG_PENDING, 2);
	mailing_set_status(id, "running");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	cr_expect_eq(deadlocked(id, "PATCH", path, "{\"end_at\": \"" M_END_LATER "\"}"), 200);
	char *n = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld AND expires_at = '" M_END_LATER "'", id);
	cr_expect_str_eq(n, "2", "the open messages expire with the new end");
	free(n);
	cr_expect_eq(deadlocked(id, "DELETE", path, NULL), 204);
	cr_expect_eq(messages_rows(id, -1), 0);
}

/* The API's writes of a mailing are in the history as the admin's are: each with the fields it
 * changed, before and after. */
Test(mailings, api_writes_are_recorded_with_before_and_after)
{
	long long id = mailing_new("history one", "");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	api_expect(200, tok_operator(), "PATCH", path, "{\"text\":\"history two\"}");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/cancel", id);
	api_expect(200, tok_operator(), "POST", path, NULL);
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	char *actions = itest_sql("SELECT string_agg(action || ':' || username, ',' ORDER BY id) FROM audit_log"
				  " WHERE object = 'mailing %lld'", id);
	cr_assert_str_eq(actions, "mailing.created:t_operator,mailing.updated:t_operator,mailing.cancelled:t_operator,"
				  "mailing.deleted:t_operator");
	free(actions);
	char *changed = itest_sql("SELECT (detail->'before'->>'text') || ' > ' || (detail->'after'->>'text')"
				  " FROM audit_log WHERE object = 'mailing %lld' AND action = 'mailing.updated'", id);
	cr_assert_str_eq(changed, "history one > history two");
	free(changed);
	char *status = itest_sql("SELECT (detail->'before'->>'status') || ' > ' || (detail->'after'->>'status')"
				 " FROM audit_log WHERE object = 'mailing %lld' AND action = 'mailing.cancelled'", id);
	cr_assert_str_eq(status, "scheduled > cancelled");
	free(status);
	char *gone = itest_sql("SELECT (detail ? 'after')::text || ' ' || (detail->'before'->>'text')"
			       " FROM audit_log WHERE object = 'mailing %lld' AND action = 'mailing.deleted'", id);
	cr_assert_str_eq(gone, "false history two");
	free(gone);
}
