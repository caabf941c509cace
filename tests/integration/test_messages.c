/* Messages over /api/v1: reading (one, lists with filters and pages, per mailing) and direct
 * sending (one message, batches). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mailing_util.h"

/* A client with a fresh phone; returns its id. */
static long long client_new(char phone[12])
{
	uniq_phone(phone);
	free(itest_sql("INSERT INTO operators (code) VALUES ('916') ON CONFLICT DO NOTHING"));
	char *id = itest_sql("INSERT INTO clients (phone, operator_code, timezone) VALUES ('%s', '916', 'UTC') RETURNING id", phone);
	long long n = atoll(id);
	free(id);
	return n;
}

static void is_failed(json_t *m, void *arg) { cr_assert_str_eq(jstr(m, "status"), "failed"); }
static void any(json_t *m, void *arg) { cr_assert_not_null(jstr(m, "status")); }

Test(messages, get_one)
{
	long long id = mailing_new("the mailing's text", "");
	mailing_set_status(id, "running");
	messages_insert(id, MSG_FAILED, 1);
	char *mid = itest_sql("SELECT id FROM messages WHERE mailing_id = %lld", id);
	char *phone = itest_sql("SELECT phone FROM messages WHERE mailing_id = %lld", id);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/messages/%s", mid);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "id"), atoll(mid));
	cr_assert_eq(jint(r->json, "mailing_id"), id);
	cr_assert(json_is_null(json_object_get(r->json, "client_id")));
	cr_assert_str_eq(jstr(r->json, "phone"), phone);
	cr_assert_str_eq(jstr(r->json, "text"), "the mailing's text");
	cr_assert_str_eq(jstr(r->json, "status"), "failed");
	cr_assert_eq(jint(r->json, "attempts"), 2);
	cr_assert_str_eq(jstr(r->json, "last_error"), "provider said no");
	cr_assert_not_null(jstr(r->json, "created_at"));
	cr_assert(json_is_null(json_object_get(r->json, "sent_at")));
	resp_free(r);
	free(itest_sql("UPDATE messages"
		       " SET text = 'its own', status = message_status('sent'), sent_at = '2099-01-01T00:00:00Z' WHERE id = %s", mid));
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_str_eq(jstr(r->json, "text"), "its own");
	cr_assert_str_eq(jstr(r->json, "status"), "sent");
	cr_assert_str_eq(jstr(r->json, "sent_at"), "2099-01-01T00:00:00Z");
	cr_assert(json_is_null(json_object_get(r->json, "smpp_account")), "not an SMPP message");
	resp_free(r);
	/* a message an SMPP account submitted names the account */
	char sys[16];
	uniq_name("m", sys, sizeof(sys));
	free(itest_sql("WITH a AS (INSERT INTO smpp_accounts (system_id, password_hash) VALUES ('%s', 'x') RETURNING id)"
		       " INSERT INTO smpp_messages (message_id, account_id, source_addr, registered_delivery)"
		       " SELECT %s, id, 'shop', 0 FROM a", sys, mid));
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_str_eq(jstr(r->json, "smpp_account"), sys);
	resp_free(r);
	free(mid);
	free(phone);
	api_expect(404, tok_viewer(), "GET", "/api/v1/messages/999999999999", NULL);
}

Test(messages, mailing_messages_pages_and_status_filter)
{
	long long id = mailing_new("per mailing", "");
	mailing_set_status(id, "running");
	messages_insert(id, MSG_PENDING, 4);
	messages_insert(id, MSG_FAILED, 3);
	messages_insert(id, MSG_SENT, 2);
	char path[128];
	long long count;
	struct itest_walk w = {path, 2, "id", &count, is_failed, NULL};
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/messages?status=failed&limit=2", id);
	cr_assert_eq(itest_walk(&w), 3);
	cr_assert_eq(count, 3);
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/messages?limit=2", id);
	w.each = any;
	cr_assert_eq(itest_walk(&w), 9);
	cr_assert_eq(count, 9);

	api_expect(404, tok_viewer(), "GET", "/api/v1/mailings/999999999999/messages", NULL);
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/messages?status=lost", id);
	api_expect(400, tok_viewer(), "GET", path, NULL);
}

Test(messages, list_filters)
{
	long long id = mailing_new("filters", "");
	mailing_set_status(id, "running");
	messages_insert(id, MSG_PENDING, 2);
	messages_insert(id, MSG_FAILED, 3);
	char *phone = itest_sql("SELECT phone FROM messages WHERE mailing_id = %lld"
				" AND status = message_status('failed') LIMIT 1", id);
	char path[160];
	long long count;
	struct itest_walk w = {path, 2, "id", &count, is_failed, NULL};
	snprintf(path, sizeof(path), "/api/v1/messages?mailing_id=%lld&status=failed&limit=2", id);
	cr_assert_eq(itest_walk(&w), 3);
	cr_assert_eq(count, 3);
	snprintf(path, sizeof(path), "/api/v1/messages?mailing_id=%lld&limit=2", id);
	w.each = any;
	cr_assert_eq(itest_walk(&w), 5);
	cr_assert_eq(count, 5);

	snprintf(path, sizeof(path), "/api/v1/messages?phone=%s&status=failed&limit=1000", phone);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *res = json_object_get(r->json, "results");
	cr_assert_geq(json_array_size(res), 1);
	for (size_t i = 0; i < json_array_size(res); i++)
		cr_assert_str_eq(jstr(json_array_get(res, i), "phone"), phone);
	resp_free(r);

	/* the whole list without filters pages too */
	r = api(tok_viewer(), "GET", "/api/v1/messages?status=failed&limit=3", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	res = json_object_get(r->json, "results");
	for (size_t i = 0; i < json_array_size(res); i++)
		cr_assert_str_eq(jstr(json_array_get(res, i), "status"), "failed");
	resp_free(r);

	const char *bad[] = {"/api/v1/messages?status=nope", "/api/v1/messages?mailing_id=x",
			     "/api/v1/messages?phone=123", "/api/v1/messages?mailing_id=0", "/api/v1/messages?tag=a"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_expect(400, tok_viewer(), "GET", bad[i], NULL);
	}
	free(phone);
}

Test(messages, direct_send)
{
	char phone[12], other[12];
	long long client = client_new(phone);
	uniq_phone(other);
	notify_listen("herald_messages");

	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages",
			     "{\"phone\":\"%s\",\"text\":\"direct\",\"send_at\":\"2099-05-01T12:00:00+02:00\","
			     "\"end_at\":\"2099-05-02T00:00:00Z\"}", phone);
	cr_assert_eq(r->status, 202, "%s", r->body);
	cr_assert(json_is_null(json_object_get(r->json, "mailing_id")));
	cr_assert_eq(jint(r->json, "client_id"), client);
	cr_assert_str_eq(jstr(r->json, "phone"), phone);
	cr_assert_str_eq(jstr(r->json, "text"), "direct");
	cr_assert_str_eq(jstr(r->json, "status"), "pending");
	cr_assert_eq(jint(r->json, "attempts"), 0);
	long long mid = jint(r->json, "id");
	resp_free(r);
	cr_assert(notify_seen("herald_messages", ""), "the dispatcher is woken");
	char *s = itest_sql("SELECT api_ts(due_at) || ' ' || api_ts(expires_at) || ' ' || (mailing_id IS NULL)"
			    " FROM messages WHERE id = %lld", mid);
	cr_assert_str_eq(s, "2099-05-01T10:00:00Z 2099-05-02T00:00:00Z true");
	free(s);

	/* without send_at and end_at: due now, expires 24 h later; an unknown phone has no client */
	r = api(tok_operator(), "POST", "/api/v1/messages", "{\"phone\":\"%s\",\"text\":\"now\"}", other);
	cr_assert_eq(r->status, 202, "%s", r->body);
	cr_assert(json_is_null(json_object_get(r->json, "client_id")));
	mid = jint(r->json, "id");
	resp_free(r);
	s = itest_sql("SELECT (due_at > now() - interval '1 minute' AND due_at <= now()"
		      " AND expires_at = due_at + interval '24 hours')::text FROM messages WHERE id = %lld", mid);
	cr_assert_str_eq(s, "true");
	free(s);

	/* send_at alone: expires 24 h after it */
	r = api(tok_operator(), "POST", "/api/v1/messages",
		"{\"phone\":\"%s\",\"text\":\"later\",\"send_at\":\"2099-05-01T12:00:00Z\"}", other);
	cr_assert_eq(r->status, 202, "%s", r->body);
	mid = jint(r->json, "id");
	resp_free(r);
	s = itest_sql("SELECT api_ts(expires_at) FROM messages WHERE id = %lld", mid);
	cr_assert_str_eq(s, "2099-05-02T12:00:00Z");
	free(s);
}

Test(messages, direct_send_validation_and_roles)
{
	char phone[12];
	uniq_phone(phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages",
			     "{\"phone\":\"89161234567\",\"text\":\"\",\"send_at\":\"soon\",\"x\":1}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phone") && jhas_error(r->json, "text") && jhas_error(r->json, "send_at")
		  && jhas_error(r->json, "x"), "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/messages", "{}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phone") && jhas_error(r->json, "text"), "%s", r->body);
	resp_free(r);
	/* end_at before send_at, and end_at already past */
	r = api(tok_operator(), "POST", "/api/v1/messages",
		"{\"phone\":\"%s\",\"text\":\"t\",\"send_at\":\"2099-05-01T12:00:00Z\",\"end_at\":\"2099-05-01T11:00:00Z\"}", phone);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "end_at"), "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/messages",
		"{\"phone\":\"%s\",\"text\":\"t\",\"end_at\":\"2020-01-01T00:00:00Z\"}", phone);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "end_at"), "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/messages",
		"{\"phone\":\"%s\",\"text\":\"t\",\"send_at\":\"2020-01-01T00:00:00Z\"}", phone);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "send_at"), "%s", r->body);
	resp_free(r);
	char *n = itest_sql("SELECT count(*) FROM messages WHERE phone = '%s'", phone);
	cr_assert_str_eq(n, "0", "nothing stored");
	free(n);

	api_expect(403, tok_viewer(), "POST", "/api/v1/messages", "{\"phone\":\"%s\",\"text\":\"t\"}", phone);
	api_expect(403, tok_viewer(), "POST", "/api/v1/messages/batch", "{\"phones\":[\"%s\"],\"text\":\"t\"}", phone);
}

Test(messages, batch)
{
	char p1[12], p2[12], p3[12], text[40];
	long long client = client_new(p1);
	uniq_phone(p2);
	uniq_phone(p3);
	uniq_name("batch ", text, sizeof(text));
	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages/batch",
			     "{\"phones\":[\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"],\"text\":\"%s\","
			     "\"send_at\":\"2099-06-01T00:00:00Z\"}", p1, p2, p1, p3, p2, text);
	cr_assert_eq(r->status, 202, "%s", r->body);
	cr_assert_eq(jint(r->json, "count"), 3, "duplicates once: %s", r->body);
	long long id = jint(r->json, "mailing_id");
	resp_free(r);
	cr_assert_eq(messages_rows(id, MSG_PENDING), 3);
	char *s = itest_sql("SELECT kind || ' ' || status || ' ' || (started_at IS NOT NULL) || ' ' || api_ts(start_at)"
			    " || ' ' || api_ts(end_at) || ' ' || text FROM mailings WHERE id = %lld", id);
	char expect[128];
	snprintf(expect, sizeof(expect), "batch running true 2099-06-01T00:00:00Z 2099-06-02T00:00:00Z %s", text);
	cr_assert_str_eq(s, expect);
	free(s);
	s = itest_sql("SELECT client_id FROM messages WHERE mailing_id = %lld AND phone = '%s'", id, p1);
	cr_assert_eq(atoll(s), client, "the client is found by phone");
	free(s);
	s = itest_sql("SELECT count(*) FROM messages WHERE mailing_id = %lld AND client_id IS NULL"
		      " AND text IS NULL AND due_at = '2099-06-01T00:00:00Z' AND expires_at = '2099-06-02T00:00:00Z'", id);
	cr_assert_str_eq(s, "2");
	free(s);

	/* the batch reads like any mailing */
	char path[80];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200);
	cr_assert_eq(jint(r->json, "stats.pending"), 3);
	resp_free(r);
}

Test(messages, batch_with_bad_phones_stores_nothing)
{
	char p1[12], text[40];
	uniq_phone(p1);
	uniq_name("badbatch ", text, sizeof(text));
	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages/batch",
			     "{\"phones\":[\"%s\",\"123\",\"%s\",7,\"89161234567\"],\"text\":\"%s\"}", p1, p1, text);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phones[1]") && jhas_error(r->json, "phones[3]")
		  && jhas_error(r->json, "phones[4]"), "%s", r->body);
	cr_assert(!jhas_error(r->json, "phones[0]") && !jhas_error(r->json, "phones[2]"), "%s", r->body);
	resp_free(r);
	char *n = itest_sql("SELECT count(*) FROM mailings WHERE text = '%s'", text);
	cr_assert_str_eq(n, "0");
	free(n);
	n = itest_sql("SELECT count(*) FROM messages WHERE phone = '%s'", p1);
	cr_assert_str_eq(n, "0");
	free(n);

	r = api(tok_operator(), "POST", "/api/v1/messages/batch", "{\"phones\":[],\"text\":\"x\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phones"));
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/messages/batch", "{\"phones\":\"%s\"}", p1);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phones") && jhas_error(r->json, "text"), "%s", r->body);
	resp_free(r);
}

Test(messages, batch_of_100000)
{
	size_t cap = 100001 * 14 + 64, n = 0;
	char *body = malloc(cap), text[40];
	uniq_name("big ", text, sizeof(text));
	char *base = itest_sql("SELECT 70000000000 + (random() * 8e9)::bigint");
	long long b = atoll(base);
	free(base);
	n += (size_t)sprintf(body, "{\"text\":\"%s\",\"phones\":[", text);
	for (int i = 0; i < 100000; i++)
		n += (size_t)sprintf(body + n, "%s\"%lld\"", i ? "," : "", b + i);
	n += (size_t)sprintf(body + n, "]}");
	struct resp *r = api_raw(tok_operator(), "POST", "/api/v1/messages/batch", "application/json", body, n);
	cr_assert_eq(r->status, 202, "%.300s", r->body);
	cr_assert_eq(jint(r->json, "count"), 100000);
	long long id = jint(r->json, "mailing_id");
	resp_free(r);
	cr_assert_eq(messages_rows(id, -1), 100000);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld", id);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	cr_assert_eq(messages_rows(id, -1), 0);

	/* one more phone is too many */
	n -= 2;
	n += (size_t)sprintf(body + n, ",\"%lld\"]}", b + 100000);
	r = api_raw(tok_operator(), "POST", "/api/v1/messages/batch", "application/json", body, n);
	cr_assert_eq(r->status, 422, "%.300s", r->body);
	cr_assert(jhas_error(r->json, "phones"));
	resp_free(r);
	free(body);
}

/* The statuses of src/message_status.h and of sql/016 agree: each number has the same name both
 * ways, SQL knows none beyond them, the CHECK on messages.status allows exactly them, and the API
 * filters by each name. */
Test(messages, status_definitions_agree_in_c_sql_and_the_api)
{
	for (int s = 0; s < MSG_STATUSES; s++) {
		const char *name = message_status_name(s);
		char *sql_name = itest_sql("SELECT message_status_name(%d::smallint)", s);
		char *sql_code = itest_sql("SELECT message_status('%s')", name);
		cr_expect_str_eq(sql_name, name, "status %d", s);
		cr_expect_eq(atoi(sql_code), s, "status %s", name);
		cr_expect_eq(message_status_code(name), s);
		free(sql_name);
		free(sql_code);
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/messages?status=%s&limit=1", name);
		api_expect(200, tok_viewer(), "GET", path, NULL);
	}
	char *n = itest_sql("SELECT cardinality(message_status_names())");
	cr_expect_eq(atoi(n), MSG_STATUSES);
	free(n);
	cr_expect_null(message_status_name(MSG_STATUSES));
	cr_expect_eq(message_status_code("received"), -1);
	PGresult *r = PQexec(itest_db(), "SELECT message_status('received')");
	cr_expect_eq(PQresultStatus(r), PGRES_FATAL_ERROR, "an unknown name is an error in SQL too");
	PQclear(r);
	char want[96];
	snprintf(want, sizeof(want), "CHECK (((status >= %d) AND (status <= %d)))", MSG_PENDING, MSG_STATUSES - 1);
	char *check = itest_sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
				" WHERE conrelid = 'messages'::regclass AND contype = 'c'"
				" AND pg_get_constraintdef(oid) LIKE '%%status%%'");
	cr_expect_str_eq(check, want);
	free(check);
}
