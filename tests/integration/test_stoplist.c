/* The stop list (API.md 9.3): /api/v1/stoplist (add, list by pages, one, delete, CSV import),
 * and what it does: a direct send to a listed phone is 422, a batch freezes its message
 * cancelled, a mailing's recipient on it gets a cancelled message and the provider never sees
 * it, a phone listed after its message was queued is not sent to either, and the recipient
 * count leaves listed phones out. (SMPP submits: tests/e2e/smpp.test.mjs.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_util.h"
#include "itest.h"

static struct resp *add(const char *token, const char *phone, const char *reason)
{
	return api(token, "POST", "/api/v1/stoplist", "{\"phone\": \"%s\", \"reason\": \"%s\"}", phone, reason);
}

static void has_error(const struct resp *r, const char *field)
{
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	cr_assert_not_null(json_object_get(json_object_get(r->json, "errors"), field), "%s", r->body);
}

Test(stoplist, add_get_delete)
{
	char phone[12], path[64];
	uniq_phone(phone);
	snprintf(path, sizeof(path), "/api/v1/stoplist/%s", phone);
	struct resp *r = add(tok_operator(), phone, "asked by SMS");
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "phone"), phone);
	cr_assert_str_eq(jstr(r->json, "reason"), "asked by SMS");
	cr_assert_not_null(jstr(r->json, "created_at"));
	cr_assert_str_eq(r->location, path);
	resp_free(r);
	r = add(tok_operator(), phone, "again");
	cr_assert_eq(r->status, 409, "%s", r->body);
	resp_free(r);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "reason"), "asked by SMS");
	resp_free(r);
	r = api(tok_viewer(), "DELETE", path, NULL);
	cr_assert_eq(r->status, 403, "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "DELETE", path, NULL);
	cr_assert_eq(r->status, 204, "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "DELETE", path, NULL);
	cr_assert_eq(r->status, 404, "%s", r->body);
	resp_free(r);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 404, "%s", r->body);
	resp_free(r);
}

Test(stoplist, bad_input_is_422_and_changes_nothing)
{
	char phone[12], reason[300];
	uniq_phone(phone);
	memset(reason, 'r', 257);
	reason[257] = '\0';
	struct resp *r = add(tok_operator(), "8916123456", "x");
	has_error(r, "phone");
	resp_free(r);
	r = add(tok_operator(), phone, reason);
	has_error(r, "reason");
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/stoplist", "{\"phone\": \"%s\", \"why\": \"x\"}", phone);
	has_error(r, "why");
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/stoplist", "{\"reason\": \"x\"}");
	has_error(r, "phone");
	resp_free(r);
	char *n = itest_sql("SELECT count(*) FROM stoplist WHERE phone = '%s'", phone);
	cr_assert_str_eq(n, "0");
	free(n);
}

Test(stoplist, list_pages_in_phone_order)
{
	char phones[5][12];
	for (int i = 0; i < 5; i++) {
		uniq_phone(phones[i]);
		struct resp *r = add(tok_operator(), phones[i], "");
		cr_assert_eq(r->status, 201, "%s", r->body);
		resp_free(r);
	}
	char *total = itest_sql("SELECT count(*) FROM stoplist");
	char url[256] = "/api/v1/stoplist?limit=2&count=true", last[12] = "";
	int seen = 0, mine = 0;
	for (int pages = 0; pages < 10000; pages++) {
		struct resp *r = api(tok_viewer(), "GET", url, NULL);
		cr_assert_eq(r->status, 200, "%s", r->body);
		if (pages == 0)
			cr_assert_eq(jint(r->json, "count"), atoll(total));
		json_t *res = json_object_get(r->json, "results");
		cr_assert_leq(json_array_size(res), 2);
		for (size_t i = 0; i < json_array_size(res); i++) {
			const char *p = jstr(json_array_get(res, i), "phone");
			cr_assert_gt(strcmp(p, last), 0, "ascending phones, each once");
			snprintf(last, sizeof(last), "%s", p);
			for (int k = 0; k < 5; k++)
				mine += strcmp(p, phones[k]) == 0;
			seen++;
		}
		const char *next = jstr(r->json, "next_cursor");
		if (next)
			snprintf(url, sizeof(url), "/api/v1/stoplist?limit=2&cursor=%s", next);
		resp_free(r);
		if (next == NULL)
			break;
	}
	cr_assert_eq(mine, 5);
	cr_assert_geq(seen, 5);
	free(total);
	struct resp *r = api(tok_viewer(), "GET", "/api/v1/stoplist?cursor=!!", NULL);
	cr_assert_eq(r->status, 400, "%s", r->body);
	resp_free(r);
}

Test(stoplist, csv_import_adds_the_valid_rows)
{
	char a[12], b[12], old[12], csv[512];
	uniq_phone(a);
	uniq_phone(b);
	uniq_phone(old);
	struct resp *r = add(tok_operator(), old, "");
	resp_free(r);
	int len = snprintf(csv, sizeof(csv),
			   "\xEF\xBB\xBFreason,phone\r\n"
			   "\"unsubscribed, by SMS\",%s\r\n"
			   ",%s\r\n"
			   "x,12345\r\n"
			   "complaint,%s\r\n"
			   "\r\n"
			   "only one cell\r\n", a, b, old);
	r = api_raw(tok_operator(), "POST", "/api/v1/stoplist/import", "text/csv", csv, (size_t)len);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "rows"), 5, "%s", r->body);
	cr_assert_eq(jint(r->json, "added"), 2, "%s", r->body);
	cr_assert_eq(jint(r->json, "existing"), 1, "%s", r->body);
	cr_assert_eq(jint(r->json, "invalid"), 2, "%s", r->body);
	json_t *errors = json_object_get(r->json, "errors");
	cr_assert_eq(json_array_size(errors), 2, "%s", r->body);
	cr_assert_eq(jint(json_array_get(errors, 0), "line"), 4);
	cr_assert_eq(jint(json_array_get(errors, 1), "line"), 7);
	resp_free(r);
	char *reason = itest_sql("SELECT reason FROM stoplist WHERE phone = '%s'", a);
	cr_assert_str_eq(reason, "unsubscribed, by SMS");
	free(reason);
	reason = itest_sql("SELECT reason FROM stoplist WHERE phone = '%s'", old);
	cr_assert_str_eq(reason, "", "an existing entry is left as it is");
	free(reason);

	r = api_raw(tok_operator(), "POST", "/api/v1/stoplist/import", "application/json", "[]", 2);
	cr_assert_eq(r->status, 415, "%s", r->body);
	resp_free(r);
	r = api_raw(tok_operator(), "POST", "/api/v1/stoplist/import", "text/csv", "number\n79160000000\n", 19);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_not_null(strstr(jstr(r->json, "detail"), "phone"));
	resp_free(r);
	r = api_raw(tok_viewer(), "POST", "/api/v1/stoplist/import", "text/csv", csv, (size_t)len);
	cr_assert_eq(r->status, 403, "%s", r->body);
	resp_free(r);
}

/* Excel's CSV (Windows-1251, ';') and phones as people write them, as the client import takes
 * them (csv_sniff.h, phone.h): stored as 7XXXXXXXXXX. */
Test(stoplist, phones_as_written_and_excel_csv)
{
	char a[12], b[12], written[40], csv[512], path[64];
	uniq_phone(a);
	uniq_phone(b);
	snprintf(written, sizeof(written), "+7 (%.3s) %.3s-%.2s-%.2s", a + 1, a + 4, a + 7, a + 9);
	struct resp *r = add(tok_operator(), written, "");
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "phone"), a);
	resp_free(r);
	snprintf(path, sizeof(path), "/api/v1/stoplist/%s", a);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	resp_free(r);
	/* "отписался" in Windows-1251 */
	int len = snprintf(csv, sizeof(csv), "phone;reason\r\n8 %.3s %.3s %.2s %.2s;\xEE\xF2\xEF\xE8\xF1\xE0\xEB\xF1\xFF\r\n",
			   b + 1, b + 4, b + 7, b + 9);
	r = api_raw(tok_operator(), "POST", "/api/v1/stoplist/import", "text/csv", csv, (size_t)len);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "added"), 1, "%s", r->body);
	resp_free(r);
	char *reason = itest_sql("SELECT reason FROM stoplist WHERE phone = '%s'", b);
	cr_assert_str_eq(reason, "отписался");
	free(reason);
}

Test(stoplist, a_direct_send_to_a_listed_phone_is_422)
{
	char phone[12];
	uniq_phone(phone);
	struct resp *r = add(tok_operator(), phone, "");
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/messages", "{\"phone\": \"%s\", \"text\": \"hi\"}", phone);
	has_error(r, "phone");
	cr_assert_not_null(strstr(jstr(r->json, "detail"), "stop list"));
	resp_free(r);
	char *n = itest_sql("SELECT count(*) FROM messages WHERE phone = '%s'", phone);
	cr_assert_str_eq(n, "0");
	free(n);
}

Test(stoplist, a_batch_freezes_a_listed_phone_cancelled)
{
	char listed[12], other[12];
	uniq_phone(listed);
	uniq_phone(other);
	struct resp *r = add(tok_operator(), listed, "");
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/messages/batch",
		"{\"phones\": [\"%s\", \"%s\"], \"text\": \"batch\", \"send_at\": \"2099-01-01T00:00:00Z\"}",
		listed, other);
	cr_assert_eq(r->status, 202, "%s", r->body);
	cr_assert_eq(jint(r->json, "count"), 2);
	cr_assert_eq(jint(r->json, "stop_listed"), 1);
	resp_free(r);
	char *s = itest_sql("SELECT message_status_name(status) || '/' || coalesce(last_error, '')"
			    " FROM messages WHERE phone = '%s'", listed);
	cr_assert_str_eq(s, "cancelled/stop list");
	free(s);
	s = itest_sql("SELECT message_status_name(status) FROM messages WHERE phone = '%s'", other);
	cr_assert_str_eq(s, "pending");
	free(s);
}

Test(stoplist, the_recipient_count_leaves_listed_phones_out)
{
	char tag[32], phones[3][12];
	uniq_name("stop", tag, sizeof(tag));
	for (int i = 0; i < 3; i++) {
		uniq_phone(phones[i]);
		struct resp *r = api(tok_operator(), "POST", "/api/v1/clients",
				     "{\"phone\": \"%s\", \"tag\": \"%s\", \"operator_code\": \"%s\"}", phones[i], tag,
				     i == 2 ? "999" : "916");
		cr_assert_eq(r->status, 201, "%s", r->body);
		resp_free(r);
	}
	const char *path = "/api/v1/mailings/recipients";
	struct resp *r = api(tok_viewer(), "POST", path, "{\"filter\": {\"tags\": [\"%s\"]}}", tag);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "count"), 3);
	resp_free(r);
	r = add(tok_operator(), phones[0], "");
	resp_free(r);
	r = api(tok_viewer(), "POST", path, "{\"filter\": {\"tags\": [\"%s\"]}}", tag);
	cr_assert_eq(jint(r->json, "count"), 2, "%s", r->body);
	resp_free(r);
	r = api(tok_viewer(), "POST", path, "{\"filter\": {\"tags\": [\"%s\"], \"operator_codes\": [\"916\"]}}", tag);
	cr_assert_eq(jint(r->json, "count"), 1, "%s", r->body);
	resp_free(r);
	char *all = itest_sql("SELECT count(*) FROM clients c WHERE NOT EXISTS (SELECT 1 FROM stoplist s WHERE s.phone = c.phone)");
	r = api(tok_viewer(), "POST", path, "{}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "count"), atoll(all), "%s", r->body);
	resp_free(r);
	free(all);
	r = api(tok_viewer(), "POST", path, "{\"filter\": {\"operator_codes\": [\"91\"]}, \"text\": \"x\"}");
	has_error(r, "filter.operator_codes");
	cr_assert_not_null(json_object_get(json_object_get(r->json, "errors"), "text"), "%s", r->body);
	resp_free(r);
}

/* The engine: a herald of the test's own database against a real fakeprobe. */
TestSuite(stoplist_engine, .init = eng_db_create, .fini = proc_cleanup, .timeout = 90);

Test(stoplist_engine, a_mailing_skips_listed_recipients)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_clients(4, "916", NULL, "UTC");
	free(eng_sql("INSERT INTO stoplist (phone) VALUES ('79160000002'), ('79160000004')"));
	struct proc h = eng_herald(&fp, NULL);
	(void)h;
	long long m = eng_mailing(0, 60, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 30), "the mailing did not finish");
	cr_assert_eq(eng_count(m, 2), 2);
	cr_assert_eq(eng_count(m, 5), 2);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND status = 5"
			     " AND last_error = 'stop list' AND phone IN ('79160000002', '79160000004')", m), 2);
	char *ok = fp_phones_ok(&fp);
	cr_assert_str_eq(ok, "79160000001,79160000003");
	free(ok);
	cr_assert_eq(fp_stat(&fp, "received"), 2);
}

Test(stoplist_engine, a_phone_listed_after_queueing_is_not_sent_to)
{
	struct proc fp = fakeprobe_start(NULL);
	free(eng_sql("INSERT INTO messages (phone, text, due_at, expires_at) VALUES"
		     " ('79161110001', 'later', now() + interval '3 seconds', now() + interval '1 hour'),"
		     " ('79161110002', 'later', now() + interval '3 seconds', now() + interval '1 hour')"));
	struct proc h = eng_herald(&fp, NULL);
	(void)h;
	free(eng_sql("INSERT INTO stoplist (phone) VALUES ('79161110001')"));
	cr_assert(eng_wait(30, "SELECT count(*) = 0 FROM messages WHERE status IN (0, 1)"), "messages still pending");
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE phone = '79161110001' AND status = 5"
			     " AND last_error = 'stop list' AND attempts = 0"), 1);
	char *ok = fp_phones_ok(&fp);
	cr_assert_str_eq(ok, "79161110002");
	free(ok);
}
