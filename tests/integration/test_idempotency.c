/* Idempotency-Key on direct sends (API.md 9.2): the same key and body replay the first answer
 * and create nothing; another body is 422; keys are the token user's; a refused request leaves
 * the key free; 20 requests with one key at once create one message, which reaches a real
 * fakeprobe once; keys older than 24 hours are deleted by the scheduler. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_util.h"
#include "itest.h"

#define PARALLEL 20

static void key_header(char *out, size_t outlen)
{
	char name[40];
	uniq_name("idem-", name, sizeof(name));
	snprintf(out, outlen, "Idempotency-Key: %s", name);
}

static long long messages_to(const char *phone)
{
	char *n = itest_sql("SELECT count(*) FROM messages WHERE phone = '%s'", phone);
	long long v = atoll(n);
	free(n);
	return v;
}

Test(idempotency, same_body_replays_the_first_answer)
{
	char key[64], phone[12];
	key_header(key, sizeof(key));
	uniq_phone(phone);
	struct resp *a = api_hdr(tok_operator(), "POST", "/api/v1/messages", key,
				 "{\"phone\": \"%s\", \"text\": \"once\"}", phone);
	cr_assert_eq(a->status, 202, "%s", a->body);
	cr_assert_not(resp_has_header(a, "Idempotent-Replayed", "true"));
	struct resp *b = api_hdr(tok_operator(), "POST", "/api/v1/messages", key,
				 "{\"phone\": \"%s\", \"text\": \"once\"}", phone);
	cr_assert_eq(b->status, 202, "%s", b->body);
	cr_assert(resp_has_header(b, "Idempotent-Replayed", "true"), "%s", b->headers);
	cr_assert_str_eq(b->body, a->body);
	cr_assert_eq(jint(b->json, "id"), jint(a->json, "id"));
	cr_assert_eq(messages_to(phone), 1);
	/* the change history has the send once: the replay changed nothing */
	char want[64];
	snprintf(want, sizeof(want), "1 message.sent %s", phone);
	itest_sql_is(want, "SELECT count(*) || ' ' || min(action) || ' ' || min(detail->'after'->>'phone')"
		     " FROM audit_log WHERE object = 'message %lld'", jint(a->json, "id"));
	resp_free(a);
	resp_free(b);
}

Test(idempotency, batch_replays_its_mailing)
{
	char key[64], p1[12], p2[12];
	key_header(key, sizeof(key));
	uniq_phone(p1);
	uniq_phone(p2);
	const char *fmt = "{\"phones\": [\"%s\", \"%s\"], \"text\": \"batch once\"}";
	struct resp *a = api_hdr(tok_operator(), "POST", "/api/v1/messages/batch", key, fmt, p1, p2);
	cr_assert_eq(a->status, 202, "%s", a->body);
	struct resp *b = api_hdr(tok_operator(), "POST", "/api/v1/messages/batch", key, fmt, p1, p2);
	cr_assert_eq(b->status, 202, "%s", b->body);
	cr_assert(resp_has_header(b, "Idempotent-Replayed", "true"));
	cr_assert_eq(jint(b->json, "mailing_id"), jint(a->json, "mailing_id"));
	cr_assert_eq(jint(b->json, "count"), 2);
	cr_assert_eq(messages_to(p1), 1);
	cr_assert_eq(messages_to(p2), 1);
	itest_sql_is("1 mailing.batch_created 2", "SELECT count(*) || ' ' || min(action) || ' ' || min(detail->'after'->>'count')"
		     " FROM audit_log WHERE object = 'mailing %lld'", jint(a->json, "mailing_id"));
	resp_free(a);
	resp_free(b);
}

Test(idempotency, another_body_is_422_and_creates_nothing)
{
	char key[64], phone[12], other[12];
	key_header(key, sizeof(key));
	uniq_phone(phone);
	uniq_phone(other);
	struct resp *a = api_hdr(tok_operator(), "POST", "/api/v1/messages", key,
				 "{\"phone\": \"%s\", \"text\": \"first\"}", phone);
	cr_assert_eq(a->status, 202, "%s", a->body);
	struct resp *b = api_hdr(tok_operator(), "POST", "/api/v1/messages", key,
				 "{\"phone\": \"%s\", \"text\": \"first\"}", other);
	cr_assert_eq(b->status, 422, "%s", b->body);
	cr_assert_str_eq(b->content_type, "application/problem+json");
	cr_assert_not_null(json_object_get(json_object_get(b->json, "errors"), "Idempotency-Key"), "%s", b->body);
	cr_assert_eq(messages_to(other), 0);
	/* the key on the other route is another request too */
	struct resp *c = api_hdr(tok_operator(), "POST", "/api/v1/messages/batch", key,
				 "{\"phones\": [\"%s\"], \"text\": \"first\"}", phone);
	cr_assert_eq(c->status, 422, "%s", c->body);
	cr_assert_not_null(json_object_get(json_object_get(c->json, "errors"), "Idempotency-Key"), "%s", c->body);
	cr_assert_eq(messages_to(phone), 1);
	resp_free(a);
	resp_free(b);
	resp_free(c);
}

Test(idempotency, keys_are_the_users_own)
{
	char key[64], phone[12];
	key_header(key, sizeof(key));
	uniq_phone(phone);
	const char *fmt = "{\"phone\": \"%s\", \"text\": \"per user\"}";
	struct resp *a = api_hdr(tok_operator(), "POST", "/api/v1/messages", key, fmt, phone);
	struct resp *b = api_hdr(tok_admin(), "POST", "/api/v1/messages", key, fmt, phone);
	cr_assert_eq(a->status, 202, "%s", a->body);
	cr_assert_eq(b->status, 202, "%s", b->body);
	cr_assert_not(resp_has_header(b, "Idempotent-Replayed", "true"));
	cr_assert_neq(jint(a->json, "id"), jint(b->json, "id"));
	cr_assert_eq(messages_to(phone), 2);
	resp_free(a);
	resp_free(b);
}

Test(idempotency, a_refused_request_leaves_the_key_free)
{
	char key[64], phone[12];
	key_header(key, sizeof(key));
	uniq_phone(phone);
	struct resp *a = api_hdr(tok_operator(), "POST", "/api/v1/messages", key, "{\"phone\": \"%s\"}", phone);
	cr_assert_eq(a->status, 422, "%s", a->body);
	struct resp *b = api_hdr(tok_operator(), "POST", "/api/v1/messages", key,
				 "{\"phone\": \"%s\", \"text\": \"now whole\"}", phone);
	cr_assert_eq(b->status, 202, "%s", b->body);
	cr_assert_not(resp_has_header(b, "Idempotent-Replayed", "true"));
	cr_assert_eq(messages_to(phone), 1);
	resp_free(a);
	resp_free(b);
}

Test(idempotency, a_bad_key_is_400)
{
	char phone[12], longkey[300] = "Idempotency-Key: ";
	uniq_phone(phone);
	memset(longkey + strlen(longkey), 'k', 256);
	const char *bad[] = {"Idempotency-Key: two words", longkey, "Idempotency-Key: caf\xc3\xa9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp *r = api_hdr(tok_operator(), "POST", "/api/v1/messages", bad[i],
					 "{\"phone\": \"%s\", \"text\": \"x\"}", phone);
		cr_assert_eq(r->status, 400, "%s: %s", bad[i], r->body);
		cr_assert_not_null(strstr(jstr(r->json, "detail"), "Idempotency-Key"));
		resp_free(r);
	}
	cr_assert_eq(messages_to(phone), 0);
}

/* The engine tests: a herald of the test's own database against a real fakeprobe. */
TestSuite(idempotency_engine, .init = eng_db_create, .fini = proc_cleanup, .timeout = 90);

struct sink {
	char data[512];
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t k = size * n, room = sizeof(s->data) - 1 - s->len;
	memcpy(s->data + s->len, p, k < room ? k : room);
	s->len += k < room ? k : room;
	s->data[s->len] = '\0';
	return size * n;
}

Test(idempotency_engine, parallel_requests_with_one_key_create_one_message)
{
	struct proc fp = fakeprobe_start(NULL);
	struct proc h = eng_herald(&fp, NULL);
	char *token = eng_token("idem", "operator"), auth[300], url[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(url, sizeof(url), "%s/api/v1/messages", h.url);
	struct curl_slist *hdr = curl_slist_append(NULL, auth);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Idempotency-Key: the-one-key");
	hdr = curl_slist_append(hdr, "Expect:");
	static const char body[] = "{\"phone\": \"79161230000\", \"text\": \"exactly one\"}";
	CURLM *m = curl_multi_init();
	CURL *e[PARALLEL];
	struct sink out[PARALLEL];
	for (int i = 0; i < PARALLEL; i++) {
		out[i].len = 0;
		out[i].data[0] = '\0';
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(e[i], CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, collect);
		curl_easy_setopt(e[i], CURLOPT_WRITEDATA, &out[i]);
		curl_easy_setopt(e[i], CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(e[i], CURLOPT_TIMEOUT, 30L);
		curl_multi_add_handle(m, e[i]);
	}
	url_multi_finish(m);
	long long id = 0;
	for (int i = 0; i < PARALLEL; i++) {
		long st = 0;
		curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &st);
		cr_assert_eq(st, 202, "request %d: %ld %s", i, st, out[i].data);
		json_t *j = json_loads(out[i].data, 0, NULL);
		cr_assert_not_null(j, "%s", out[i].data);
		long long got = json_integer_value(json_object_get(j, "id"));
		cr_assert(id == 0 || got == id, "request %d got message %lld, another %lld", i, got, id);
		id = got;
		json_decref(j);
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
	}
	curl_slist_free_all(hdr);
	curl_multi_cleanup(m);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages"), 1);
	cr_assert(eng_wait(20, "SELECT count(*) = 1 FROM messages WHERE status = 2"), "the message was not sent");
	cr_assert_eq(fp_stat(&fp, "received"), 1);
	cr_assert_eq(fp_stat(&fp, "unique_ids"), 1);
	free(token);
}

Test(idempotency_engine, keys_older_than_a_day_are_deleted)
{
	char *token = eng_token("idem-old", "operator");
	free(eng_sql("INSERT INTO idempotency_keys (user_id, key, request_hash, status, response, created_at)"
		     " SELECT id, k, '\\x00', 202, '{}', now() - t::interval FROM users,"
		     " (VALUES ('old', '25 hours'), ('fresh', '23 hours')) v(k, t) WHERE username = 'idem-old'"));
	struct proc h = eng_herald(NULL, NULL);
	(void)h;
	cr_assert(eng_wait(20, "SELECT count(*) = 0 FROM idempotency_keys WHERE key = 'old'"),
		  "the scheduler did not delete the day-old key");
	cr_assert_eq(eng_int("SELECT count(*) FROM idempotency_keys WHERE key = 'fresh'"), 1);
	free(token);
}
