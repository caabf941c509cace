/* Integration tests of spreadsheets and phones as people write them: the API's client endpoints
 * and the admin's form take +7 (916) 123-45-67 and 8 916 123 45 67; the CSV import reads Excel's
 * files (BOM, Windows-1251, semicolons, CRLF) and says which phones it normalised; exports in
 * Excel's form; large imports as background jobs with progress and cancel. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "admin_web.h"
#include "itest.h"

/* A prefix of 7 digits no other test uses; phones are prefix + 4 digits. */
static void uniq_prefix(char out[8])
{
	char p[12];
	uniq_phone(p);
	memcpy(out, p, 7);
	out[7] = '\0';
}

/* "+7 (ABC) DEF-GH-IJ" of phone 7ABCDEFGHIJ. */
static void written(const char *phone, char out[24])
{
	snprintf(out, 24, "+7 (%.3s) %.3s-%.2s-%.2s", phone + 1, phone + 4, phone + 7, phone + 9);
}

Test(sheets, api_takes_written_phones_and_stores_7xxxxxxxxxx)
{
	char phone[12], w[24], path[96];
	uniq_phone(phone);
	written(phone, w);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\"}", w);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_expect_str_eq(jstr(r->json, "phone"), phone);
	char op[4] = {phone[1], phone[2], phone[3], '\0'};
	cr_expect_str_eq(jstr(r->json, "operator_code"), op);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", jint(r->json, "id"));
	resp_free(r);
	/* the same phone written the 8 way is the same client */
	r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"8 %.3s %.3s %.2s %.2s\"}", phone + 1,
		phone + 4, phone + 7, phone + 9);
	cr_expect_eq(r->status, 409, "%s", r->body);
	resp_free(r);
	/* PATCH and PUT take them too */
	char other[12];
	uniq_phone(other);
	r = api(tok_operator(), "PATCH", path, "{\"phone\":\"8(%.3s)%s\"}", other + 1, other + 4);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_expect_str_eq(jstr(r->json, "phone"), other);
	resp_free(r);
	r = api(tok_operator(), "PUT", path, "{\"phone\":\"+%s\"}", phone);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_expect_str_eq(jstr(r->json, "phone"), phone);
	resp_free(r);
	/* the list filter takes a written prefix (+ is %2B in a query) */
	char q[96];
	snprintf(q, sizeof(q), "/api/v1/clients?phone_prefix=%%2B7%%20(%.3s)%%20%.3s", phone + 1, phone + 4);
	r = api(tok_viewer(), "GET", q, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_expect_str_eq(jstr(json_array_get(json_object_get(r->json, "results"), 0), "phone"), phone, "%s", r->body);
	resp_free(r);
	/* garbage is still refused, with the forms it could have taken */
	const char *bad[] = {"+7 916 abc 45 67", "8 916 123 45 6", "+8 916 123 45 67", "7-916-123-45-67-8"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\"}", bad[i]);
		cr_assert_eq(r->status, 422, "%s: %s", bad[i], r->body);
		const char *m = json_string_value(json_array_get(json_object_get(json_object_get(r->json, "errors"), "phone"), 0));
		cr_expect(m && strstr(m, "+7 (916) 123-45-67"), "%s: %s", bad[i], r->body);
		resp_free(r);
	}
	r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\":\"8 %.3s %.3s %.4s\"}]", other + 1,
		other + 4, other + 7);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_expect_eq(jint(r->json, "updated"), 0, "%s", r->body);
	cr_expect_eq(jint(r->json, "created"), 1, "%s", r->body);
	resp_free(r);
	char *v = itest_sql("SELECT count(*) FROM clients WHERE phone = '%s'", other);
	cr_expect_str_eq(v, "1");
	free(v);
}

Test(sheets, admin_form_takes_a_written_phone)
{
	char phone[12], w[24], form[200];
	uniq_phone(phone);
	written(phone, w);
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/add");
	snprintf(form, sizeof(form), "csrf_token=%s&phone=%%2B7+(%.3s)+%.3s-%.2s-%.2s&operator_code=&tag=&timezone=",
		 t, phone + 1, phone + 4, phone + 7, phone + 9);
	struct web_page *pg = web_req("POST", "/admin/clients/add", o, form, NULL);
	cr_expect_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	char *v = itest_sql("SELECT count(*) FROM clients WHERE phone = '%s'", phone);
	cr_expect_str_eq(v, "1");
	free(v);
	/* garbage: the form again, the message beside the field */
	snprintf(form, sizeof(form), "csrf_token=%s&phone=%s&operator_code=&tag=&timezone=", t, "call+me");
	pg = web_req("POST", "/admin/clients/add", o, form, NULL);
	cr_expect_eq(pg->status, 422, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "must be a Russian mobile phone"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "value=\"call me\""), "%s", pg->body);
	web_free(pg);
	free(t);
	free(o);
}

/* What Excel on a Russian Windows saves: a BOM or Windows-1251, semicolons, CRLF, phones as
 * typed. */
Test(sheets, import_reads_excel_files_and_says_what_it_normalised)
{
	char pre[8], csv[1200];
	uniq_prefix(pre);
	/* Windows-1251: the tag "Клиенты" (E1 is not a UTF-8 lead byte in this place) */
	snprintf(csv, sizeof(csv),
		 "phone;operator_code;tag;timezone\r\n"
		 "+7 (%.3s) %.3s-00-01;;\xCA\xEB\xE8\xE5\xED\xF2\xFB;\r\n"     /* line 2 */
		 "8 %.3s %.3s 00 02;;\xCA\xEB\xE8\xE5\xED\xF2\xFB;Asia/Tokyo\r\n" /* line 3 */
		 "8(%.3s)%.3s0003;;;\r\n"                                     /* line 4 */
		 "%s0004;;\"a;b\";\r\n"                                        /* line 5: as stored */
		 "call me;;;\r\n",                                            /* line 6: garbage */
		 pre + 1, pre + 4, pre + 1, pre + 4, pre + 1, pre + 4, pre);
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/import");
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "excel.csv", csv);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<span class=\"n\">5</span> rows read"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<span class=\"n\">4</span> created"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "Read as Windows-1251, semicolon-separated."), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "3 phones normalised"), "%s", pg->body);
	char ex[80];
	snprintf(ex, sizeof(ex), "+7 (%.3s) %.3s-00-01 → %s0001", pre + 1, pre + 4, pre);
	cr_expect_not_null(strstr(pg->body, ex), "%s not in %s", ex, pg->body);
	cr_expect_not_null(strstr(pg->body, "<tr><td>6</td><td>phone</td><td>must be a Russian mobile phone"), "%s",
			   pg->body);
	web_free(pg);
	char *v = itest_sql("SELECT string_agg(right(c.phone, 1) || ':' || coalesce(t.name, '-') || ':' || c.timezone, ','"
			    " ORDER BY c.phone) FROM clients c LEFT JOIN tags t ON t.id = c.tag_id WHERE c.phone LIKE '%s%%'", pre);
	cr_expect_str_eq(v, "1:Клиенты:Europe/Moscow,2:Клиенты:Asia/Tokyo,3:-:Europe/Moscow,4:a;b:Europe/Moscow");
	free(v);

	/* UTF-8 with a BOM, tab-separated */
	uniq_prefix(pre);
	snprintf(csv, sizeof(csv), "\xEF\xBB\xBFphone\ttag\r\n%s0001\tКлиенты\r\n", pre);
	pg = web_upload("/admin/clients/import", o, t, "bom.csv", csv);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "Read as UTF-8 with BOM, tab-separated."), "%s", pg->body);
	web_free(pg);
	v = itest_sql("SELECT t.name FROM clients c JOIN tags t ON t.id = c.tag_id WHERE c.phone = '%s0001'", pre);
	cr_expect_str_eq(v, "Клиенты");
	free(v);

	/* neither UTF-8 nor Windows-1251: 0x98 has no character there */
	pg = web_upload("/admin/clients/import", o, t, "bad.csv", "phone\r\n7916\x98\r\n");
	cr_expect_eq(pg->status, 422, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "neither UTF-8 nor Windows-1251"), "%s", pg->body);
	web_free(pg);
	free(t);
	free(o);
}

Test(sheets, exports_for_excel)
{
	char pre[8], path[160];
	uniq_prefix(pre);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients/bulk",
			     "[{\"phone\": \"%s0001\", \"tag\": \"a;b\"}, {\"phone\": \"%s0002\"}]", pre, pre);
	cr_assert_eq(r->status, 200, "%s", r->body);
	resp_free(r);
	char *o = web_login("t_viewer", "password-viewer", NULL);
	snprintf(path, sizeof(path), "/admin/clients/export.csv?q=%s&sort=phone&format=excel", pre);
	struct web_page *pg = web_req("GET", path, o, NULL, NULL);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	char want[400];
	snprintf(want, sizeof(want), "\xEF\xBB\xBFid;phone;operator_code;tag;timezone;created_at;updated_at\r\n");
	cr_expect_eq(strncmp(pg->body, want, strlen(want)), 0, "%s", pg->body);
	snprintf(want, sizeof(want), ";%s0001;%.3s;\"a;b\";Europe/Moscow;", pre, pre + 1);
	cr_expect_not_null(strstr(pg->body, want), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/clients/export.csv?q=%s&format=ods", pre);
	cr_expect_eq(web_status("GET", path, o, NULL), 400);
	/* the list links to both */
	pg = web_req("GET", "/admin/clients/", o, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "/admin/clients/export.csv?format&#61;excel\">Export for Excel"), "%s", pg->body);
	web_free(pg);

	/* a mailing's messages: status, attempts, last error, times */
	r = api(tok_operator(), "POST", "/api/v1/messages/batch",
		"{\"phones\": [\"%s0001\", \"%s0002\"], \"text\": \"export\", \"send_at\": \"2099-01-01T00:00:00Z\"}",
		pre, pre);
	cr_assert_eq(r->status, 202, "%s", r->body);
	long long mailing = jint(r->json, "mailing_id");
	resp_free(r);
	snprintf(path, sizeof(path), "/admin/mailings/%lld/messages.csv?format=excel", mailing);
	pg = web_req("GET", path, o, NULL, NULL);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	const char *head = "\xEF\xBB\xBFid;phone;status;attempts;last_error;created_at;sent_at\r\n";
	cr_expect_eq(strncmp(pg->body, head, strlen(head)), 0, "%s", pg->body);
	snprintf(want, sizeof(want), ";%s0002;pending;0;;20", pre);
	cr_expect_not_null(strstr(pg->body, want), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/mailings/%lld/messages.csv?status=sent", mailing);
	pg = web_req("GET", path, o, NULL, NULL);
	cr_expect_str_eq(pg->body, "id,phone,status,attempts,last_error,created_at,sent_at\r\n");
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/mailings/999999999/messages.csv", o, NULL), 404);
	free(o);
}

/* A CSV of n rows of tag over the prefixes given (10,000 phones each), each row padded with an
 * ignored column to make the file large and an attribute "note" of its number, plus one bad row.
 * malloc'ed. */
static char *big_csv(char (*pre)[8], int npre, const char *tag, int pad)
{
	size_t cap = (size_t)npre * 10000 * (size_t)(pad + 50) + 200, n = 0;
	char *csv = malloc(cap), fill[512];
	memset(fill, 'x', (size_t)pad);
	fill[pad] = '\0';
	n += (size_t)snprintf(csv + n, cap - n, "phone,tag,created_at,note\r\nnot a phone,%s,,\r\n", tag);
	for (int p = 0; p < npre; p++)
		for (int i = 0; i < 10000; i++)
			n += (size_t)snprintf(csv + n, cap - n, "%s%04d,%s,%s,n%d\r\n", pre[p], i, tag, fill, i);
	return csv;
}

/* The job page's number n (data-n="n">…<), or -1. */
static long job_number(const char *body, const char *n)
{
	char key[40];
	snprintf(key, sizeof(key), "data-n=\"%s\">", n);
	const char *p = strstr(body, key);
	return p ? atol(p + strlen(key)) : -1;
}

Test(sheets, a_large_import_runs_in_the_background, .timeout = 180)
{
	char pre[2][8], tag[32];
	uniq_prefix(pre[0]);
	uniq_prefix(pre[1]);
	uniq_name("job", tag, sizeof(tag));
	char *csv = big_csv(pre, 2, tag, 40), *o = web_login("t_operator", "password-operator", NULL);
	cr_assert_gt(strlen(csv), 1024 * 1024);
	char *t = web_csrf(o, "/admin/clients/import");
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "big.csv", csv);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	cr_assert_not_null(strstr(pg->location, "/admin/clients/import/"), "%s", pg->location);
	char job[128];
	snprintf(job, sizeof(job), "%s", strstr(pg->location, "/admin/clients/import/"));
	cr_assert_not_null(strstr(job, "?done=queued"), "%s", job);
	*strchr(job, '?') = '\0';
	web_free(pg);
	long rows = -1;
	for (int i = 0; i < 1200; i++) {
		pg = web_req("GET", job, o, NULL, NULL);
		cr_assert_eq(pg->status, 200, "%s", pg->body);
		int done = strstr(pg->body, "data-status=\"done\"") != NULL;
		if (done) {
			rows = job_number(pg->body, "rows");
			cr_expect_eq(job_number(pg->body, "created"), 20000, "%s", pg->body);
			cr_expect_eq(job_number(pg->body, "invalid"), 1, "%s", pg->body);
			cr_expect_not_null(strstr(pg->body, "<tr><td>2</td><td>phone</td>"), "%s", pg->body);
			cr_expect_not_null(strstr(pg->body, "value=\"100\""), "%s", pg->body);
			cr_expect_null(strstr(pg->body, "Cancel import"), "%s", pg->body);
		}
		web_free(pg);
		if (done)
			break;
		usleep(100 * 1000);
	}
	cr_expect_eq(rows, 20001);
	char *v = itest_sql("SELECT count(*) FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = '%s'"
			    " AND c.attributes = jsonb_build_object('note', 'n' || (right(c.phone, 4)::int))", tag);
	cr_expect_str_eq(v, "20000", "each client has its attribute");
	free(v);
	v = itest_sql("SELECT length(data) FROM import_jobs WHERE id = %s", strrchr(job, '/') + 1);
	cr_expect_str_eq(v, "0", "the stored file is dropped when the job ends");
	free(v);
	/* the import page lists it */
	pg = web_req("GET", "/admin/clients/import", o, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, job), "%s", pg->body);
	web_free(pg);
	free(csv);
	free(t);
	free(o);
}

Test(sheets, a_background_import_can_be_cancelled, .timeout = 180)
{
	char pre[8][8], tag[32];
	for (int i = 0; i < 8; i++)
		uniq_prefix(pre[i]);
	uniq_name("cancel", tag, sizeof(tag));
	char *csv = big_csv(pre, 8, tag, 0), *o = web_login("t_operator", "password-operator", NULL);
	char *t = web_csrf(o, "/admin/clients/import");
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "big.csv", csv);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	char job[128], form[200], cancel[160];
	snprintf(job, sizeof(job), "%s", strstr(pg->location, "/admin/clients/import/"));
	cr_assert_not_null(strstr(job, "?done=queued"), "%s", job);
	*strchr(job, '?') = '\0';
	web_free(pg);
	pg = web_req("GET", job, o, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "Cancel import"), "%s", pg->body);
	web_free(pg);
	snprintf(form, sizeof(form), "csrf_token=%s", t);
	snprintf(cancel, sizeof(cancel), "%s/cancel", job);
	pg = web_req("POST", cancel, o, form, NULL);
	cr_assert_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	sleep(2);   /* the worker notices after the batch in hand */
	pg = web_req("GET", job, o, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "data-status=\"cancelled\""), "%s", pg->body);
	long rows = job_number(pg->body, "rows");
	web_free(pg);
	cr_expect_lt(rows, 80001);
	sleep(2);
	pg = web_req("GET", job, o, NULL, NULL);
	cr_expect_eq(job_number(pg->body, "rows"), rows, "the import went on after the cancel");
	web_free(pg);
	char *v = itest_sql("SELECT count(*) < 80000 FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = '%s'", tag);
	cr_expect_str_eq(v, "t");
	free(v);
	/* a second cancel: it has ended */
	pg = web_req("POST", cancel, o, form, NULL);
	cr_expect_eq(pg->status, 409, "%s", pg->body);
	web_free(pg);
	/* a viewer may not look */
	char *vw = web_login("t_viewer", "password-viewer", NULL);
	cr_expect_eq(web_status("GET", job, vw, NULL), 403);
	free(vw);
	free(csv);
	free(t);
	free(o);
}

/* A batch mailing (sent far in the future) to n phones of the prefixes given; its id. */
static long long batch_mailing(char (*pre)[8], int n)
{
	size_t cap = (size_t)n * 16 + 200, len = 0;
	char *body = malloc(cap);
	len += (size_t)snprintf(body + len, cap - len, "{\"text\": \"list\", \"send_at\": \"2099-01-01T00:00:00Z\", \"phones\": [");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(body + len, cap - len, "%s\"%s%04d\"", i ? "," : "", pre[i / 10000], i % 10000);
	snprintf(body + len, cap - len, "]}");
	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages/batch", "%s", body);
	cr_assert_eq(r->status, 202, "%s", r->body);
	long long id = jint(r->json, "mailing_id");
	resp_free(r);
	free(body);
	return id;
}

/* The href of the link with rel (HTML escapes of & and = undone; malloc'ed), or NULL. */
static char *rel_href(const char *body, const char *rel)
{
	char key[32];
	snprintf(key, sizeof(key), "\" rel=\"%s\"", rel);
	const char *end = strstr(body, key), *start = end;
	if (end == NULL)
		return NULL;
	while (start > body && start[-1] != '"')
		start--;
	char *out = malloc((size_t)(end - start) + 1), *o = out;
	for (const char *p = start; p < end;) {
		if (strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&#61;", 5) == 0) {
			*o++ = p[1] == 'a' ? '&' : '=';
			p += 5;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* The ids of the rows of a messages page, in order, as "id,id,..." (malloc'ed). */
static char *page_ids(const char *body)
{
	char *out = calloc(1, 4096);
	for (const char *p = body; (p = strstr(p, "href=\"/admin/messages/")) != NULL; p++) {
		long id = atol(p + strlen("href=\"/admin/messages/"));
		if (id > 0 && strlen(out) < 4000)
			sprintf(out + strlen(out), "%s%ld", *out ? "," : "", id);
	}
	return out;
}

Test(sheets, messages_list_newest_first_with_filters_count_and_both_directions)
{
	char pre[1][8], path[256];
	uniq_prefix(pre[0]);
	long long m = batch_mailing(pre, 60);
	char *v = web_login("t_viewer", "password-viewer", NULL);
	char *max = itest_sql("SELECT max(id) FROM messages WHERE mailing_id = %lld", m);
	char *min = itest_sql("SELECT min(id) FROM messages WHERE mailing_id = %lld", m);
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld", m);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<p class=\"count\">60 messages</p>"), "%s", pg->body);
	char *ids = page_ids(pg->body), want[64];
	snprintf(want, sizeof(want), "%s,", max);
	cr_expect_eq(strncmp(ids, want, strlen(want)), 0, "newest first: %s", ids);
	cr_expect_null(rel_href(pg->body, "prev"));
	char *next = rel_href(pg->body, "next");
	cr_assert_not_null(next);
	web_free(pg);
	/* page 2: the 10 oldest, a way back and none further */
	pg = web_req("GET", next, v, NULL, NULL);
	char *ids2 = page_ids(pg->body);
	cr_expect_str_eq(strrchr(ids2, ',') + 1, min, "%s", ids2);
	cr_expect_null(rel_href(pg->body, "next"));
	char *prev = rel_href(pg->body, "prev");
	cr_assert_not_null(prev, "%s", pg->body);
	web_free(pg);
	pg = web_req("GET", prev, v, NULL, NULL);
	char *back = page_ids(pg->body);
	cr_expect_str_eq(back, ids, "previous gives page 1 again");
	cr_expect_null(rel_href(pg->body, "prev"));
	web_free(pg);
	/* the error's text (wildcards taken literally) and a date range */
	char *e = itest_sql("WITH u AS (UPDATE messages SET last_error = 'provider said 500%%' WHERE id IN"
			    " (SELECT id FROM messages WHERE mailing_id = %lld ORDER BY id LIMIT 3) RETURNING 1)"
			    " SELECT count(*) FROM u", m);
	cr_expect_str_eq(e, "3");
	free(e);
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld&error=SAID+500%%25", m);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "<p class=\"count\">3 messages</p>"), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld&error=said+5_0", m);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "<p class=\"count\">0 messages</p>"), "%s", pg->body);
	web_free(pg);
	char *today = itest_sql("SELECT (now() AT TIME ZONE 'UTC')::date");
	char *yesterday = itest_sql("SELECT (now() AT TIME ZONE 'UTC')::date - 1");
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld&from=%s&to=%s", m, today, today);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "<p class=\"count\">60 messages</p>"), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld&to=%s", m, yesterday);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "<p class=\"count\">0 messages</p>"), "%s", pg->body);
	web_free(pg);
	/* bad filters: the page says what is wrong */
	pg = web_req("GET", "/admin/messages/?from=30.11.2026", v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "From and to: dates such as"), "%s", pg->body);
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/messages/?cursor=x", v, NULL), 400);
	free(today);
	free(yesterday);
	free(ids);
	free(ids2);
	free(back);
	free(next);
	free(prev);
	free(max);
	free(min);
	free(v);
}

Test(sheets, messages_count_is_estimated_past_ten_thousand, .timeout = 120)
{
	char pre[2][8], path[256];
	uniq_prefix(pre[0]);
	uniq_prefix(pre[1]);
	long long m = batch_mailing(pre, 10050);
	free(itest_sql("ANALYZE messages"));
	char *v = web_login("t_viewer", "password-viewer", NULL);
	char *today = itest_sql("SELECT (now() AT TIME ZONE 'UTC')::date");
	/* status and mailing alone: the counters, exact */
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld&status=pending", m);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "<p class=\"count\">10,050 messages</p>"), "%s", pg->body);
	web_free(pg);
	/* a date range: counted up to 10,000, then the planner's estimate */
	snprintf(path, sizeof(path), "/admin/messages/?mailing_id=%lld&from=%s", m, today);
	web_expect_texts(v, path, TEXTS("<p class=\"count\">about ", " messages (estimated)</p>"));
	free(today);
	free(v);
}

/* An instance died in the middle of a job: its lease runs out and the job goes on from the last
 * batch it saved, not from the start. */
/* What of the import job id shows (SQL over its row, starting with its status) once it is
 * done, or after 10 s (malloc'ed). */
static char *job_ended(const char *id, const char *what)
{
	char *v = NULL;
	for (int i = 0; i < 100; i++) {
		free(v);
		v = itest_sql("SELECT %s FROM import_jobs WHERE id = %s", what, id);
		if (strncmp(v, "done", 4) == 0)
			break;
		usleep(100 * 1000);
	}
	return v;
}

Test(sheets, a_job_whose_instance_died_is_taken_over_from_its_last_batch, .timeout = 60)
{
	char pre[8], tag[32];
	uniq_prefix(pre);
	uniq_name("takeover", tag, sizeof(tag));
	/* the header and line 2 were done before the instance died (line 2 was never stored here:
	 * taking over from the start would store it) */
	char head[64], csv[300];
	snprintf(head, sizeof(head), "phone,tag\r\n%s0001,%s\r\n", pre, tag);
	snprintf(csv, sizeof(csv), "%s%s0002,%s\r\n%s0003,%s\r\n", head, pre, tag, pre, tag);
	char *id = itest_sql("INSERT INTO import_jobs (created_by, data, bytes, encoding, status, pos, line,"
			     " rows_done, created, lease_until) VALUES ('t_operator', '%s', %zu, 'UTF-8', 'running',"
			     " %zu, 3, 1, 1, now() - interval '1 second') RETURNING id", csv, strlen(csv), strlen(head));
	char *status = job_ended(id, "status || ' ' || rows_done || ' ' || created");
	cr_expect_str_eq(status, "done 3 3");
	char *v = itest_sql("SELECT string_agg(right(phone, 1), ',' ORDER BY phone) FROM clients WHERE phone LIKE '%s%%'", pre);
	cr_expect_str_eq(v, "2,3");
	free(v);
	free(status);
	free(id);
}

/* A new operator who chose Russian; signed in, its cookie. */
static char *russian_operator(void)
{
	char name[40];
	uniq_name("ru", name, sizeof(name));
	web_add_user(name, "operator");
	free(itest_sql("UPDATE users SET language = 'ru' WHERE username = '%s'", name));
	return web_login(name, "long-enough-1", NULL);
}

/* Issue 13: an import speaks the admin's language, from the file's encoding and header to each
 * line's problem, at once and in the background. */
Test(sheets, an_import_speaks_the_admins_language, .timeout = 60)
{
	char *o = russian_operator(), *t = web_csrf(o, "/admin/clients/import");
	struct {
		const char *file, *want;
	} cases[] = {
		{"phone\r\n7916\x98\r\n", "Файл не в UTF-8 и не в Windows-1251 (байт 0x98 в строке 2)"},
		{"phone,colour!\r\n79161234567,red\r\n", "Первая строка должна называть столбцы; «colour!»"},
		{"phone,phone\r\n79161234567,79161234567\r\n", "Столбец «phone» назван в первой строке дважды."},
		{"tag\r\nred\r\n", "Первая строка должна называть столбцы, и один из них — «phone»."},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct web_page *pg = web_upload("/admin/clients/import", o, t, "ru.csv", cases[i].file);
		cr_expect_eq(pg->status, 422, "%s", pg->body);
		cr_expect_not_null(strstr(pg->body, cases[i].want), "%s not in %s", cases[i].want, pg->body);
		web_free(pg);
	}
	char pre[8], csv[300];
	uniq_prefix(pre);
	snprintf(csv, sizeof(csv), "phone,note\r\n%s0001,a\r\n%s0002\r\n%s0003,\"a\"b\r\n", pre, pre, pre);
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "ru.csv", csv);
	cr_expect_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "ячеек в строке: 1, а столбцов в первой строке: 2"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "после закрывающей кавычки идёт текст"), "%s", pg->body);
	web_free(pg);

	/* in the background: the job keeps the language of the admin who sent the file */
	uniq_prefix(pre);
	snprintf(csv, sizeof(csv), "phone,tag\r\nnot a phone,x\r\n%s0001\r\n", pre);
	char *id = itest_sql("INSERT INTO import_jobs (created_by, data, bytes, encoding, lang)"
			     " VALUES ('t_operator', '%s', %zu, 'UTF-8', 'ru') RETURNING id", csv, strlen(csv));
	char *status = job_ended(id, "status");
	cr_expect_str_eq(status, "done");
	char path[64];
	snprintf(path, sizeof(path), "/admin/clients/import/%s", id);
	web_expect_texts(o, path, TEXTS("должен быть российским мобильным", "ячеек в строке: 1, а столбцов в первой строке: 2"));
	free(status);
	free(id);
	free(t);
	free(o);
}
