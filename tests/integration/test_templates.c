/* Templates and texts per recipient (API.md 9.4): /api/v1/templates, a mailing's template_id
 * and its preview over the harness's herald; and, with a herald and fakeprobe of their own,
 * mailings whose texts are rendered for each recipient and frozen when they start. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "engine_util.h"
#include "itest.h"
#include "mailing_util.h"
#include "proc.h"

/* Creates a template; returns its id. */
static long long template_new(const char *name, const char *text_json)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/templates", "{\"name\":\"%s\",\"text\":%s}", name, text_json);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/* The answer's problem names field among its errors. */
static void expect_field(long status, struct resp *r, const char *field)
{
	cr_assert_eq(r->status, status, "%s", r->body);
	cr_assert_not_null(strstr(r->body, field), "%s does not name %s", r->body, field);
	resp_free(r);
}

Test(templates, crud_names_and_bad_texts)
{
	char name[32], name2[32], path[64];
	uniq_name("tpl", name, sizeof(name));
	uniq_name("tpl", name2, sizeof(name2));
	long long id = template_new(name, "\"Hello {{attributes.first_name}}\"");
	snprintf(path, sizeof(path), "/api/v1/templates/%lld", id);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), name);
	cr_assert_str_eq(jstr(r->json, "text"), "Hello {{attributes.first_name}}");
	cr_assert_eq(jint(r->json, "mailings"), 0);
	resp_free(r);

	/* the same name twice; a text that is not a template; neither field */
	expect_field(409, api(tok_operator(), "POST", "/api/v1/templates", "{\"name\":\"%s\",\"text\":\"x\"}", name), "name");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/templates", "{\"name\":\"%s\",\"text\":\"Hi {{#a}} open\"}",
			      name2), "text");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/templates", "{\"name\":\"%s\",\"text\":\"{{> other}}\"}",
			      name2), "text");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/templates", "{}"), "name");
	expect_field(403, api(tok_viewer(), "POST", "/api/v1/templates", "{\"name\":\"%s\",\"text\":\"x\"}", name2), "");

	r = api(tok_operator(), "PATCH", path, "{\"text\":\"Bye {{phone}}\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), name);
	cr_assert_str_eq(jstr(r->json, "text"), "Bye {{phone}}");
	resp_free(r);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	api_expect(404, tok_viewer(), "GET", path, NULL);
}

Test(templates, a_scheduled_mailing_reads_its_template_and_keeps_it_from_deletion)
{
	char name[32], tpath[64], mpath[64];
	uniq_name("tpl", name, sizeof(name));
	long long tid = template_new(name, "\"First version\"");
	snprintf(tpath, sizeof(tpath), "/api/v1/templates/%lld", tid);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/mailings",
			     "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"template_id\":%lld}", tid);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long mid = jint(r->json, "id");
	cr_assert_eq(jint(r->json, "template_id"), tid);
	cr_assert_str_eq(jstr(r->json, "text"), "First version");
	resp_free(r);
	snprintf(mpath, sizeof(mpath), "/api/v1/mailings/%lld", mid);

	/* an edit of the template reaches the scheduled mailing */
	api_expect(200, tok_operator(), "PATCH", tpath, "{\"text\":\"Second version\"}");
	r = api(tok_viewer(), "GET", mpath, NULL);
	cr_assert_str_eq(jstr(r->json, "text"), "Second version");
	resp_free(r);
	r = api(tok_viewer(), "GET", tpath, NULL);
	cr_assert_eq(jint(r->json, "mailings"), 1);
	resp_free(r);

	/* it cannot go while the mailing is scheduled */
	r = api(tok_operator(), "DELETE", tpath, NULL);
	cr_assert_eq(r->status, 409, "%s", r->body);
	cr_assert_not_null(strstr(r->body, "scheduled mailing"), "%s", r->body);
	resp_free(r);

	/* text and template_id together, neither, a template that does not exist */
	expect_field(422, api(tok_operator(), "POST", "/api/v1/mailings",
			      "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"a\",\"template_id\":%lld}", tid),
		     "template_id");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/mailings",
			      "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\"}"), "text");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/mailings",
			      "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"template_id\":999999999}"),
		     "template_id");
	expect_field(422, api(tok_operator(), "PATCH", mpath, "{\"template_id\":999999999}"), "template_id");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/mailings",
			      "{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"text\":\"{{/x}}\"}"), "text");

	/* a text replaces the template; then the template can go */
	r = api(tok_operator(), "PATCH", mpath, "{\"text\":\"Own text\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert(json_is_null(json_object_get(r->json, "template_id")), "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "text"), "Own text");
	resp_free(r);
	api_expect(204, tok_operator(), "DELETE", tpath, NULL);

	/* a mailing cancelled before it started keeps the text of a template that goes */
	tid = template_new(name, "\"Kept text\"");
	snprintf(tpath, sizeof(tpath), "/api/v1/templates/%lld", tid);
	r = api(tok_operator(), "POST", "/api/v1/mailings",
		"{\"start_at\":\"" M_START "\",\"end_at\":\"" M_END "\",\"template_id\":%lld}", tid);
	mid = jint(r->json, "id");
	resp_free(r);
	snprintf(mpath, sizeof(mpath), "/api/v1/mailings/%lld/cancel", mid);
	api_expect(200, tok_operator(), "POST", mpath, NULL);
	api_expect(204, tok_operator(), "DELETE", tpath, NULL);
	snprintf(mpath, sizeof(mpath), "/api/v1/mailings/%lld", mid);
	r = api(tok_viewer(), "GET", mpath, NULL);
	cr_assert_str_eq(jstr(r->json, "text"), "Kept text");
	resp_free(r);
}

Test(templates, preview_renders_for_a_client_with_encoding_and_segments)
{
	char phone[12], tag[32], path[128];
	uniq_phone(phone);
	uniq_name("pv", tag, sizeof(tag));
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients",
			     "{\"phone\":\"%s\",\"operator_code\":\"916\",\"tag\":\"%s\","
			     "\"attributes\":{\"first_name\":\"Anna\",\"x\":\"<b>&\"}}", phone, tag);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long cid = jint(r->json, "id");
	resp_free(r);

	long long mid = mailing_new("Hi {{attributes.first_name}} ({{tag}}, {{phone}}) {{attributes.x}}{{attributes.none}}!", "");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/preview?client_id=%lld", mid, cid);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	char want[160];
	snprintf(want, sizeof(want), "Hi Anna (%s, %s) <b>&!", tag, phone);
	cr_assert_str_eq(jstr(r->json, "text"), want, "no escaping, unknown keys empty");
	cr_assert_str_eq(jstr(r->json, "encoding"), "gsm7");
	cr_assert_eq(jint(r->json, "segments"), 1);
	resp_free(r);

	/* Cyrillic is UCS-2: 71 characters are two segments */
	char text[400] = "";
	for (int i = 0; i < 71; i++)
		strcat(text, "я");
	mid = mailing_new(text, "");
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/preview", mid);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "encoding"), "ucs2");
	cr_assert_eq(jint(r->json, "segments"), 2);
	cr_assert_eq(jint(r->json, "length"), 71);
	resp_free(r);

	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/preview?client_id=999999999", mid);
	api_expect(404, tok_viewer(), "GET", path, NULL);
	snprintf(path, sizeof(path), "/api/v1/mailings/%lld/preview?client_id=x", mid);
	api_expect(400, tok_viewer(), "GET", path, NULL);
}

/* --- sending, with a herald of its own ------------------------------------------------- */

TestSuite(personal, .init = eng_db_create, .fini = proc_cleanup, .timeout = 90);

Test(personal, each_recipient_gets_its_text_and_a_started_mailing_keeps_it)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	eng_clients(30, "916", "vip", "Europe/Moscow");
	eng_clients(10, "916", NULL, "Europe/Moscow");
	free(eng_sql("UPDATE clients SET attributes = jsonb_build_object('name', 'N' || id) WHERE id %% 2 = 0"));
	long long tid = eng_int("INSERT INTO templates (name, text) VALUES ('t', 'Hi {{attributes.name}}{{^attributes.name}}there{{/attributes.name}},"
				" {{tag}} {{phone}}') RETURNING id");
	long long mid = eng_int("INSERT INTO mailings (start_at, end_at, template_id) VALUES (now(), now() + interval '1 hour', %lld)"
				" RETURNING id", tid);
	free(eng_sql("SELECT pg_notify('herald_mailings', '%lld')", mid));
	cr_assert(eng_wait_final(mid, 10), "the mailing did not finish");
	cr_assert_eq(eng_count(mid, MSG_SENT), 40);
	cr_assert_eq(fp_stat(&fp, "ok"), 40);
	/* every message keeps the text it was sent with */
	cr_assert_eq(eng_int("SELECT count(*) FROM messages m JOIN clients c ON c.id = m.client_id LEFT JOIN tags t ON t.id = c.tag_id"
			     " WHERE m.mailing_id = %lld AND m.text = 'Hi ' || coalesce(c.attributes->>'name', 'there') || ', '"
			     " || coalesce(t.name, '') || ' ' || c.phone", mid), 40);
	/* the text was frozen when it started: the template's edit does not reach it */
	free(eng_sql("UPDATE templates SET text = 'changed' WHERE id = %lld", tid));
	char *text = eng_sql("SELECT text FROM mailings WHERE id = %lld", mid);
	cr_assert_str_eq(text, "Hi {{attributes.name}}{{^attributes.name}}there{{/attributes.name}}, {{tag}} {{phone}}");
	free(text);
}

Test(personal, a_text_that_renders_empty_fails_that_message_only)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	eng_clients(4, "903", NULL, "UTC");
	free(eng_sql("UPDATE clients SET attributes = '{\"code\": \"1234\"}' WHERE id IN (SELECT id FROM clients ORDER BY id LIMIT 2)"));
	long long mid = eng_int("INSERT INTO mailings (start_at, end_at, text) VALUES (now(), now() + interval '1 hour',"
				" '{{attributes.code}}') RETURNING id");
	free(eng_sql("SELECT pg_notify('herald_mailings', '%lld')", mid));
	cr_assert(eng_wait_final(mid, 10));
	cr_assert_eq(eng_count(mid, MSG_SENT), 2);
	cr_assert_eq(eng_count(mid, MSG_FAILED), 2);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND status = message_status('failed')"
			     " AND last_error LIKE 'the text came out empty%%' AND attempts = 1", mid), 2);
	cr_assert_eq(fp_stat(&fp, "received"), 2);
}
