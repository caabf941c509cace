/* Integration tests of the admin's directory pages: clients (forms, filters, keyset pages, bulk
 * delete, CSV import and export), tags, messages, SMPP accounts, reports, role gates and the
 * change history of admin and API changes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* The viewer's list of the 55 clients of tag in sort: the first 50 in SQL's order (row 1, not
 * row 51), then the other 5 (row 51, not row 1) and no further page, and back. */
static void expect_two_pages(const char *viewer, const char *sort, const char *tag, const char *order)
{
	char path[200], *row[2];
	for (int i = 0; i < 2; i++)
		row[i] = itest_sql("SELECT c.phone FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = '%s'"
				   " ORDER BY %s OFFSET %d LIMIT 1", tag, order, i * 50);
	snprintf(path, sizeof(path), "/admin/clients/?sort=%s&tag=%s", sort, tag);
	struct web_page *pg = web_req("GET", path, viewer, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, row[0]), "%s", sort);
	cr_expect_null(strstr(pg->body, row[1]), "%s: row 51 is on the next page", sort);
	cr_expect_null(strstr(pg->body, "9999<"), "the untagged client is filtered out");
	cr_expect_null(strstr(pg->body, "name=\"key\""), "viewers get no bulk checkboxes");
	web_free(pg);
	web_expect_two_pages(viewer, path, row[0], row[1]);
	free(row[0]);
	free(row[1]);
}

static char *form_with(const char *csrf, const char *rest)
{
	size_t n = strlen(csrf) + strlen(rest) + 16;
	char *f = malloc(n);
	snprintf(f, n, "csrf_token=%s&%s", csrf, rest);
	return f;
}

static long post(const char *path, const char *cookie, const char *csrf, const char *rest)
{
	char *f = form_with(csrf, rest);
	long s = web_status("POST", path, cookie, f);
	free(f);
	return s;
}

static struct web_page *post_page(const char *path, const char *cookie, const char *csrf, const char *rest)
{
	char *f = form_with(csrf, rest);
	struct web_page *pg = web_req("POST", path, cookie, f, NULL);
	free(f);
	return pg;
}

Test(admin_directory, client_form_errors_create_edit_delete_with_history)
{
	char phone[12], tag[32], rest[300], path[80];
	uniq_phone(phone);
	uniq_name("ct", tag, sizeof(tag));
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/add");
	/* errors beside each field, input kept */
	snprintf(rest, sizeof(rest), "phone=12345&operator_code=9x&tag=%s&timezone=Mars%%2FBase", tag);
	struct web_page *pg = post_page("/admin/clients/add", o, t, rest);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-phone\""));
	cr_expect_not_null(strstr(pg->body, "id=\"err-operator_code\""));
	cr_expect_not_null(strstr(pg->body, "id=\"err-timezone\""));
	char kept[80];
	snprintf(kept, sizeof(kept), "value=\"%s\"", tag);
	cr_expect_not_null(strstr(pg->body, kept), "the tag typed is kept");
	web_free(pg);
	/* empty optional fields take their defaults */
	snprintf(rest, sizeof(rest), "phone=%s&operator_code=&tag=%s&timezone=", phone, tag);
	cr_assert_eq(post("/admin/clients/add", o, t, rest), 303);
	char *id = itest_sql("SELECT id || ':' || operator_code || ':' || timezone FROM clients WHERE phone = '%s'", phone);
	cr_assert_not_null(id);
	char expect[64];
	snprintf(expect, sizeof(expect), ":%.3s:Europe/Moscow", phone + 1);
	cr_expect_not_null(strstr(id, expect), "%s", id);
	id[strcspn(id, ":")] = '\0';
	/* the same phone again is refused beside the phone field */
	snprintf(rest, sizeof(rest), "phone=%s", phone);
	pg = post_page("/admin/clients/add", o, t, rest);
	cr_expect_eq(pg->status, 409);
	cr_expect_not_null(strstr(pg->body, "id=\"err-phone\"><p>a client with this phone exists already"));
	web_free(pg);
	/* edit: the tag is removed, the time zone changes */
	snprintf(path, sizeof(path), "/admin/clients/%s", id);
	snprintf(rest, sizeof(rest), "phone=%s&operator_code=%.3s&tag=&timezone=Asia%%2FTokyo", phone, phone + 1);
	cr_expect_eq(post(path, o, t, rest), 303);
	char *v = itest_sql("SELECT coalesce(tag_id::text, 'none') || ' ' || timezone FROM clients WHERE id = %s", id);
	cr_expect_str_eq(v, "none Asia/Tokyo");
	free(v);
	/* a pending direct message to the client is announced, then cancelled with it */
	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages",
			     "{\"phone\": \"%s\", \"text\": \"hi\", \"send_at\": \"2099-01-01T00:00:00Z\","
			     " \"end_at\": \"2099-01-02T00:00:00Z\"}", phone);
	cr_assert_eq(r->status, 202, "%s", r->body);
	long long mid = jint(r->json, "id");
	resp_free(r);
	snprintf(path, sizeof(path), "/admin/clients/%s/delete", id);
	pg = web_req("GET", path, o, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "Its 1 pending message will be cancelled."), "%s", pg->body);
	web_free(pg);
	cr_expect_eq(post(path, o, t, "x=1"), 303);
	v = itest_sql("SELECT status FROM messages WHERE id = %lld", mid);
	cr_expect_str_eq(v, "5");
	free(v);
	/* the history: who, what, before and after */
	v = itest_sql("SELECT string_agg(action || ':' || username, ',' ORDER BY id) FROM audit_log WHERE object = 'client %s'", id);
	cr_expect_str_eq(v, "client.created:t_operator,client.updated:t_operator,client.deleted:t_operator");
	free(v);
	v = itest_sql("SELECT (detail->'before'->>'tag') || '>' || coalesce(detail->'after'->>'tag', 'null') FROM audit_log"
		      " WHERE object = 'client %s' AND action = 'client.updated'", id);
	char want[80];
	snprintf(want, sizeof(want), "%s>null", tag);
	cr_expect_str_eq(v, want);   /* before: the tag; after: none */
	free(v);
	free(id);
	free(o);
	free(t);
}

Test(admin_directory, client_list_filters_sorts_pages_and_bulk_delete)
{
	char pre[8], tag[32], path[200];
	uniq_prefix(pre);
	uniq_name("lt", tag, sizeof(tag));
	/* 55 clients of one tag, and one without it */
	char *body = malloc(55 * 80 + 100);
	size_t n = 0;
	n += (size_t)sprintf(body + n, "[");
	for (int i = 0; i < 55; i++)
		n += (size_t)sprintf(body + n, "%s{\"phone\": \"%s%04d\", \"tag\": \"%s\"}", i ? "," : "", pre, i, tag);
	n += (size_t)sprintf(body + n, ",{\"phone\": \"%s9999\"}]", pre);
	struct resp *r = api_raw(tok_operator(), "POST", "/api/v1/clients/bulk", "application/json", body, n);
	cr_assert_eq(r->status, 200, "%s", r->body);
	resp_free(r);
	free(body);
	char *v = web_login("t_viewer", "password-viewer", NULL);
	/* within the tag, in each order (phone descending, newest and oldest first): 50 a page, then 5 */
	static const struct { const char *sort, *order; } orders[] = {
		{"-phone", "c.phone DESC"}, {"-id", "c.id DESC"}, {"id", "c.id"}};
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++)
		expect_two_pages(v, orders[i].sort, tag, orders[i].order);
	struct web_page *pg;
	/* the search box takes a phone prefix; bad filters are explained on the list page */
	snprintf(path, sizeof(path), "/admin/clients/?q=%s999", pre);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "9999</a>"));
	web_free(pg);
	pg = web_req("GET", "/admin/clients/?timezone=Mars%2FBase&q=abc", v, NULL, NULL);
	cr_expect_eq(pg->status, 400);
	cr_expect_not_null(strstr(pg->body, "class=\"error-summary\""));
	cr_expect_not_null(strstr(pg->body, "Time zone is not a time zone"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/clients/?sort=timezone", v, NULL), 400);
	/* viewers read a client's page but may not change it; a form without the token is refused */
	cr_expect_eq(web_status("GET", "/admin/clients/add", v, NULL), 403);
	char *one = itest_sql("SELECT id FROM clients WHERE phone = '%s0007'", pre), cpath[64];
	snprintf(cpath, sizeof(cpath), "/admin/clients/%s", one);
	pg = web_req("GET", cpath, v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "your role may not change it"));
	cr_expect_null(strstr(pg->body, ">Save</button>"));
	web_free(pg);
	cr_expect_eq(web_status("POST", cpath, v, "phone=79990000000"), 403);
	free(one);
	/* bulk delete: viewers may not, operators may */
	char *ids = itest_sql("SELECT string_agg('key=' || id, '&' ORDER BY id) FROM (SELECT id FROM clients"
			      " WHERE phone LIKE '%s00%%' ORDER BY id LIMIT 3) c", pre);
	char rest[400];
	snprintf(rest, sizeof(rest), "action=delete&%s", ids);
	char *tv = web_csrf(v, "/admin/clients/");
	cr_expect_eq(post("/admin/clients/bulk", v, tv, rest), 403);
	char *o = web_login("t_operator", "password-operator", NULL), *to = web_csrf(o, "/admin/clients/");
	cr_expect_eq(web_status("POST", "/admin/clients/bulk", o, rest), 403, "no CSRF token");
	cr_expect_eq(post("/admin/clients/bulk", o, to, rest), 303);
	char *left = itest_sql("SELECT count(*) FROM clients WHERE phone LIKE '%s%%'", pre);
	cr_expect_str_eq(left, "53");
	free(left);
	char *hist = itest_sql("SELECT count(*) FROM audit_log WHERE action = 'client.deleted' AND username = 't_operator'"
			       " AND object IN (SELECT 'client ' || x FROM unnest(string_to_array(replace('%s', 'key=', ''), '&')) x)", ids);
	cr_expect_str_eq(hist, "3");
	free(hist);
	free(ids);
	free(tv);
	free(to);
	free(o);
	free(v);
}

Test(admin_directory, client_attributes_as_key_value_lines)
{
	char phone[12], rest[1200], path[80], big[300];
	uniq_phone(phone);
	snprintf(big, sizeof(big), "%0257d", 0);   /* 257 characters */
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/add");
	/* each bad line named by its number, the text typed kept, nothing stored */
	snprintf(rest, sizeof(rest), "phone=%s&attributes=first_name+%%3D+Anna%%0D%%0A%%0D%%0Abad+line%%0D%%0A"
		 "First+Name%%3Dx%%0D%%0Along%%3D%s%%0D%%0Afirst_name%%3DAnn", phone, big);
	struct web_page *pg = post_page("/admin/clients/add", o, t, rest);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-attributes\""), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "line 3: “bad line” is not key&#61;value"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "line 4: “First Name” is not a key"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "line 5: “long” must be at most 256 characters"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "line 6: “first_name” is given twice"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, ">first_name &#61; Anna\r\n\r\nbad line"), "the text typed is kept");
	web_free(pg);
	char *none = itest_sql("SELECT id FROM clients WHERE phone = '%s'", phone);
	cr_expect_null(none);
	/* stored as an object; a line break in a value is written \n */
	snprintf(rest, sizeof(rest), "phone=%s&attributes=first_name+%%3D+Anna%%0D%%0Acity%%3DOmsk%%5CnNorth%%0D%%0A", phone);
	cr_assert_eq(post("/admin/clients/add", o, t, rest), 303);
	char *v = itest_sql("SELECT id || ' ' || attributes::text FROM clients WHERE phone = '%s'", phone);
	cr_assert_not_null(v);
	char *sp = strchr(v, ' ');
	cr_expect_str_eq(sp + 1, "{\"city\": \"Omsk\\nNorth\", \"first_name\": \"Anna\"}");
	*sp = '\0';
	snprintf(path, sizeof(path), "/admin/clients/%s", v);
	free(v);
	/* the client's page shows them, one a line, sorted by key, also to a viewer */
	char *vw = web_login("t_viewer", "password-viewer", NULL);
	pg = web_req("GET", path, vw, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, ">city&#61;Omsk\\nNorth\nfirst_name&#61;Anna\n</textarea>"), "%s", pg->body);
	web_free(pg);
	/* the form saved as it is shown changes nothing; emptied, the client has none */
	snprintf(rest, sizeof(rest), "phone=%s&attributes=city%%3DOmsk%%5CnNorth%%0D%%0Afirst_name%%3DAnna%%0D%%0A", phone);
	cr_expect_eq(post(path, o, t, rest), 303);
	itest_sql_is("Omsk\nNorth", "SELECT attributes->>'city' FROM clients WHERE phone = '%s'", phone);
	snprintf(rest, sizeof(rest), "phone=%s&attributes=", phone);
	cr_expect_eq(post(path, o, t, rest), 303);
	itest_sql_is("{}", "SELECT attributes::text FROM clients WHERE phone = '%s'", phone);
	free(vw);
	free(o);
	free(t);
}

Test(admin_directory, csv_import_reports_each_bad_line)
{
	char pre[8], tag[32], csv[1000];
	uniq_prefix(pre);
	uniq_name("imp", tag, sizeof(tag));
	snprintf(csv, sizeof(csv),
		 "phone,tag,timezone,created_at\r\n"
		 "%s0001,%s,,\r\n"                 /* line 2: fine, default time zone */
		 "%s0002,\"%s\",Asia/Tokyo,x\r\n"   /* line 3: fine */
		 "12345,%s,,\r\n"                   /* line 4: bad phone */
		 "%s0003,%s\r\n"                    /* line 5: too few cells */
		 "\r\n"                             /* line 6: empty, skipped */
		 "%s0004,%s,Mars/Base,\r\n"         /* line 7: bad time zone */
		 "%s0005,\"'=1+1\",,\r\n",           /* line 8: a guarded formula, unguarded */
		 pre, tag, pre, tag, tag, pre, tag, pre, tag, pre);
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/import");
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "clients.csv", csv);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<span class=\"n\">6</span> rows read"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<span class=\"n\">3</span> created"));
	cr_expect_not_null(strstr(pg->body, "<span class=\"n\">3</span> rejected"));
	cr_expect_not_null(strstr(pg->body, "<tr><td>4</td><td>phone</td>"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<tr><td>5</td><td></td><td>has 2 cells; the first line names 4 columns"));
	cr_expect_not_null(strstr(pg->body, "<tr><td>7</td><td>timezone</td>"));
	web_free(pg);
	char *v = itest_sql("SELECT string_agg(right(c.phone, 1) || ':' || coalesce(t.name, '-') || ':' || c.timezone, ','"
			    " ORDER BY c.phone) FROM clients c LEFT JOIN tags t ON t.id = c.tag_id WHERE c.phone LIKE '%s%%'", pre);
	char want[200];
	snprintf(want, sizeof(want), "1:%s:Europe/Moscow,2:%s:Asia/Tokyo,5:=1+1:Europe/Moscow", tag, tag);
	cr_expect_str_eq(v, want);
	free(v);
	v = itest_sql("SELECT detail::text FROM audit_log WHERE action = 'client.imported' AND username = 't_operator'"
		      " ORDER BY id DESC LIMIT 1");
	cr_expect_str_eq(v, "{\"rows\": 6, \"created\": 3, \"invalid\": 3, \"updated\": 0, \"normalised\": 0}");
	free(v);
	/* a header without phone, an unknown column, a viewer */
	pg = web_upload("/admin/clients/import", o, t, "x.csv", "phone,tag,Colour\nx,y,z\n");
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "“Colour” is not one of"), "%s", pg->body);
	web_free(pg);
	char *vw = web_login("t_viewer", "password-viewer", NULL);
	cr_expect_eq(web_status("GET", "/admin/clients/import", vw, NULL), 403);
	/* without the CSRF token */
	pg = web_upload("/admin/clients/import", o, "0000", "clients.csv", csv);
	cr_expect_eq(pg->status, 403);
	web_free(pg);
	free(vw);
	free(o);
	free(t);
}

Test(admin_directory, csv_attribute_columns_import_and_round_trip_through_export)
{
	char pre[8], csv[2000], big[300], path[120];
	uniq_prefix(pre);
	snprintf(big, sizeof(big), "%0257d", 0);   /* 257 characters */
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/clients/import");
	/* a header that is no column nor key: one error for the file */
	struct web_page *pg = web_upload("/admin/clients/import", o, t, "x.csv", "phone,First Name\n79160000000,x\n");
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "“First Name” is not one of phone, operator_code, tag, timezone"), "%s", pg->body);
	web_free(pg);
	pg = web_upload("/admin/clients/import", o, t, "x.csv", "phone,city,attributes.city\n79160000000,x,y\n");
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "“attributes.city” is named twice"), "%s", pg->body);
	web_free(pg);
	pg = web_upload("/admin/clients/import", o, t, "x.csv", "phone,attributes.1a\n79160000000,x\n");
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "“attributes.1a” names no attribute"), "%s", pg->body);
	web_free(pg);
	/* other columns are attributes: a bad value is its row's error, an empty cell sets none;
	 * attributes.KEY names a key that is also a column */
	snprintf(csv, sizeof(csv),
		 "phone,first_name,attributes.phone,city\r\n"
		 "%s0001,Anna,home,\"Omsk, \"\"North\"\"\"\r\n"   /* line 2 */
		 "%s0002,%s,,\r\n"                               /* line 3: a value too long */
		 "%s0003,,,\r\n",                                /* line 4: none */
		 pre, pre, big, pre);
	pg = web_upload("/admin/clients/import", o, t, "clients.csv", csv);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<span class=\"n\">2</span> created"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "<tr><td>3</td><td>attributes.first_name</td><td>must be at most 256 characters"),
			   "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, "Attributes from the columns <span translate=\"no\">first_name, phone, city</span>."), "%s", pg->body);
	web_free(pg);
	itest_sql_is("1{\"city\": \"Omsk, \\\"North\\\"\", \"phone\": \"home\", \"first_name\": \"Anna\"} 3{}",
		     "SELECT string_agg(right(phone, 1) || attributes::text, ' ' ORDER BY phone) FROM clients"
		     " WHERE phone LIKE '%s%%'", pre);

	/* the export writes a column per key of the clients it holds, sorted; imported back, the
	 * attributes are what they were */
	api_expect(200, tok_operator(), "POST", "/api/v1/clients/bulk",
		   "[{\"phone\": \"%s0003\", \"attributes\": {\"note\": \"=1+1\", \"lines\": \"a\\nb\"}}]", pre);
	snprintf(path, sizeof(path), "/admin/clients/export.csv?sort=phone&q=%s", pre);
	pg = web_req("GET", path, o, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	const char *head = "id,phone,operator_code,tag,timezone,created_at,updated_at,city,first_name,lines,note,attributes.phone\r\n";
	cr_expect_eq(strncmp(pg->body, head, strlen(head)), 0, "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, ",\"Omsk, \"\"North\"\"\",Anna,,,home\r\n"), "%s", pg->body);
	cr_expect_not_null(strstr(pg->body, ",,,\"a\nb\",\"'=1+1\",\r\n"), "%s", pg->body);
	char *before = itest_sql("SELECT string_agg(attributes::text, ' ' ORDER BY phone) FROM clients WHERE phone LIKE '%s%%'", pre);
	itest_sql_is("1", "UPDATE clients SET attributes = '{\"x\": \"y\"}' WHERE phone LIKE '%s%%' RETURNING 1", pre);
	struct web_page *back = web_upload("/admin/clients/import", o, t, "clients.csv", pg->body);
	cr_assert_eq(back->status, 200, "%s", back->body);
	cr_expect_not_null(strstr(back->body, "<span class=\"n\">2</span> updated"), "%s", back->body);
	web_free(back);
	web_free(pg);
	itest_sql_is(before, "SELECT string_agg(attributes::text, ' ' ORDER BY phone) FROM clients"
		     " WHERE phone LIKE '%s%%'", pre);
	free(before);
	free(o);
	free(t);
}

Test(admin_directory, csv_export_quotes_and_guards_formulas)
{
	char pre[8], sfx[16], path[160];
	uniq_prefix(pre);
	uniq_name("h", sfx, sizeof(sfx));
	api_expect(200, tok_operator(), "POST", "/api/v1/clients/bulk",
			     "[{\"phone\": \"%s0001\", \"tag\": \"=HYPERLINK(\\\"x\\\",y)%s\"}, {\"phone\": \"%s0002\","
			     " \"timezone\": \"America/Argentina/Buenos_Aires\"}]", pre, sfx, pre);
	char *v = web_login("t_viewer", "password-viewer", NULL);
	snprintf(path, sizeof(path), "/admin/clients/export.csv?sort=phone&q=%s", pre);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	cr_expect(strncmp(pg->body, "id,phone,operator_code,tag,timezone,created_at,updated_at\r\n", 59) == 0, "%s", pg->body);
	/* the tag =HYPERLINK("x",y)... comes back guarded and quoted */
	char cell[80];
	snprintf(cell, sizeof(cell), ",\"'=HYPERLINK(\"\"x\"\",y)%s\",", sfx);
	cr_expect_not_null(strstr(pg->body, cell), "%s in %s", cell, pg->body);
	char row2[80];
	snprintf(row2, sizeof(row2), ",%s0002,%.3s,", pre, pre + 1);
	cr_expect_not_null(strstr(pg->body, row2));
	cr_expect(strstr(pg->body, "0001,") < strstr(pg->body, "0002,"), "sorted by phone");
	int lines = 0;
	for (const char *p = pg->body; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_eq(lines, 3);
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/clients/export.csv?timezone=Nowhere", v, NULL), 400);
	free(v);
}

Test(admin_directory, csv_export_streams_many_batches)
{
	char pre[8], path[120];
	uniq_prefix(pre);
	size_t cap = 4600 * 40;
	char *body = malloc(cap);
	size_t n = (size_t)sprintf(body, "[");
	for (int i = 0; i < 4500; i++)
		n += (size_t)sprintf(body + n, "%s{\"phone\": \"%s%04d\"}", i ? "," : "", pre, i);
	n += (size_t)sprintf(body + n, "]");
	struct resp *r = api_raw(tok_operator(), "POST", "/api/v1/clients/bulk", "application/json", body, n);
	cr_assert_eq(r->status, 200);
	resp_free(r);
	free(body);
	char *v = web_login("t_viewer", "password-viewer", NULL);
	snprintf(path, sizeof(path), "/admin/clients/export.csv?q=%s", pre);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	int lines = 0;
	for (const char *p = pg->body; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_eq(lines, 4501, "a header and every client once, across batches of 2000");
	web_free(pg);
	free(v);
}

Test(admin_directory, tags_add_rename_and_delete_only_when_unused)
{
	char name[32], rest[200], path[80];
	uniq_name("tg", name, sizeof(name));
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/tags/add");
	struct web_page *pg = post_page("/admin/tags/add", o, t, "name=");
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-name\""));
	web_free(pg);
	snprintf(rest, sizeof(rest), "name=%s", name);
	cr_assert_eq(post("/admin/tags/add", o, t, rest), 303);
	cr_expect_eq(post("/admin/tags/add", o, t, rest), 409);
	char *id = itest_sql("SELECT id FROM tags WHERE name = '%s'", name);
	snprintf(path, sizeof(path), "/admin/tags/%s", id);
	snprintf(rest, sizeof(rest), "name=%s-2", name);
	cr_expect_eq(post(path, o, t, rest), 303);
	/* a client uses it: the delete page explains, the POST is refused */
	char phone[12];
	uniq_phone(phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\": \"%s\", \"tag\": \"%s-2\"}", phone, name);
	cr_assert_eq(r->status, 201);
	long long cid = jint(r->json, "id");
	resp_free(r);
	char lpath[80];
	snprintf(lpath, sizeof(lpath), "/admin/tags/?q=%s", name);
	pg = web_req("GET", lpath, o, NULL, NULL);
	char cell[120];
	snprintf(cell, sizeof(cell), "%s-2</a></td><td>1</td>", name);
	cr_expect_not_null(strstr(pg->body, cell), "the list shows the client count");
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/tags/%s/delete", id);
	pg = web_req("GET", path, o, NULL, NULL);
	cr_expect_eq(pg->status, 200, "the page explains; only the POST is refused");
	cr_expect_not_null(strstr(pg->body, "cannot be deleted: 1 client uses it"));
	cr_expect_null(strstr(pg->body, "Delete tag</button>"));
	web_free(pg);
	pg = post_page(path, o, t, "x=1");
	cr_expect_eq(pg->status, 409);
	cr_expect_not_null(strstr(pg->body, "Clients use this tag"));
	web_free(pg);
	char cpath[64];
	snprintf(cpath, sizeof(cpath), "/api/v1/clients/%lld", cid);
	r = api(tok_operator(), "DELETE", cpath, NULL);
	resp_free(r);
	cr_expect_eq(post(path, o, t, "x=1"), 303);
	char *h = itest_sql("SELECT string_agg(action || ':' || coalesce(detail->'after'->>'name', detail->>'name', ''), ','"
			    " ORDER BY id) FROM audit_log WHERE object = 'tag %s'", id);
	char want[200];
	snprintf(want, sizeof(want), "tag.created:%s,tag.updated:%s-2,tag.deleted:", name, name);
	cr_expect_str_eq(h, want);
	free(h);
	free(id);
	free(o);
	free(t);
}

Test(admin_directory, messages_list_filters_and_detail)
{
	char phone[12], path[120];
	uniq_phone(phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/messages",
			     "{\"phone\": \"%s\", \"text\": \"<b>hello</b> admin\", \"send_at\": \"2099-01-01T00:00:00Z\","
			     " \"end_at\": \"2099-01-02T00:00:00Z\"}", phone);
	cr_assert_eq(r->status, 202);
	long long id = jint(r->json, "id");
	resp_free(r);
	char *v = web_login("t_viewer", "password-viewer", NULL);
	snprintf(path, sizeof(path), "/admin/messages/?status=pending&phone=%s", phone);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	char link[80];
	snprintf(link, sizeof(link), "href=\"/admin/messages/%lld\"", id);
	cr_expect_not_null(strstr(pg->body, link));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/messages/?status=sent&phone=%s", phone);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_null(strstr(pg->body, link));
	web_free(pg);
	pg = web_req("GET", "/admin/messages/?phone=123", v, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "Phone: must be a Russian mobile phone"));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/messages/%lld", id);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "&lt;b&gt;hello&lt;/b&gt; admin"));
	cr_expect_not_null(strstr(pg->body, "<dd>pending</dd>"));
	web_free(pg);
	cr_expect_eq(web_status("GET", "/admin/messages/999999999999", v, NULL), 404);
	free(v);
}

Test(admin_directory, smpp_accounts_admin_only_with_field_errors)
{
	char sid[16], rest[300], path[80];
	uniq_name("s", sid, sizeof(sid));
	char *o = web_login("t_operator", "password-operator", NULL);
	cr_expect_eq(web_status("GET", "/admin/smpp-accounts/", o, NULL), 403);
	struct web_page *pg = web_req("GET", "/admin/", o, NULL, NULL);
	cr_expect_null(strstr(pg->body, "href=\"/admin/smpp-accounts/\""));
	web_free(pg);
	char *a = web_login("t_admin", "password-admin", NULL), *t = web_csrf(a, "/admin/smpp-accounts/add");
	pg = post_page("/admin/smpp-accounts/add", a, t, "system_id=has+space&password=two+words&throughput=0");
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-system_id\""));
	cr_expect_not_null(strstr(pg->body, "id=\"err-password\""));
	cr_expect_not_null(strstr(pg->body, "id=\"err-throughput\""));
	web_free(pg);
	snprintf(rest, sizeof(rest), "system_id=%s&password=secret-123&throughput=250&allowed_cidrs=10.0.0.0%%2F8&enabled=true", sid);
	cr_assert_eq(post("/admin/smpp-accounts/add", a, t, rest), 303);
	char *id = itest_sql("SELECT id FROM smpp_accounts WHERE system_id = '%s'", sid);
	char *hash = itest_sql("SELECT password_hash FROM smpp_accounts WHERE id = %s", id);
	snprintf(path, sizeof(path), "/admin/smpp-accounts/%s", id);
	pg = web_req("GET", path, a, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "value=\"250\""));
	cr_expect_null(strstr(pg->body, "argon2"), "the hash is never shown");
	web_free(pg);
	snprintf(rest, sizeof(rest), "system_id=%s&password=&throughput=500&allowed_cidrs=10.0.0.1%%2F8", sid);
	pg = post_page(path, a, t, rest);
	cr_expect_eq(pg->status, 422);
	cr_expect_not_null(strstr(pg->body, "id=\"err-allowed_cidrs\""), "%s", pg->body);
	web_free(pg);
	snprintf(rest, sizeof(rest), "system_id=%s&password=&throughput=500&allowed_cidrs=", sid);
	cr_expect_eq(post(path, a, t, rest), 303);
	char *row = itest_sql("SELECT throughput || ':' || enabled || ':' || cardinality(allowed_cidrs) || ':' ||"
			      " (password_hash = '%s') FROM smpp_accounts WHERE id = %s", hash, id);
	cr_expect_str_eq(row, "500:false:0:true", "unchecked disables; an empty password keeps the old one");
	free(row);
	snprintf(rest, sizeof(rest), "system_id=%s&password=another-pw-1&throughput=500&enabled=true", sid);
	cr_expect_eq(post(path, a, t, rest), 303);
	row = itest_sql("SELECT (password_hash <> '%s') || ':' || enabled FROM smpp_accounts WHERE id = %s", hash, id);
	cr_expect_str_eq(row, "true:true");
	free(row);
	snprintf(path, sizeof(path), "/admin/smpp-accounts/%s/delete", id);
	cr_expect_eq(post(path, a, t, "x=1"), 303);
	row = itest_sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE object = 'smpp_account %s'", id);
	cr_expect_str_eq(row, "smpp_account.created,smpp_account.updated,smpp_account.updated,smpp_account.deleted");
	free(row);
	row = itest_sql("SELECT count(*) FROM audit_log WHERE object = 'smpp_account %s' AND detail::text LIKE '%%secret-123%%'", id);
	cr_expect_str_eq(row, "0", "passwords stay out of the history");
	free(row);
	free(id);
	free(hash);
	free(a);
	free(t);
	free(o);
}

Test(admin_directory, reports_preview_sandbox_and_send_now_without_smtp)
{
	char *v = web_login("t_viewer", "password-viewer", NULL);
	struct web_page *pg = web_req("GET", "/admin/reports/", v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_null(strstr(pg->body, "action=\"/admin/reports/send\""), "only admins get the button");
	web_free(pg);
	pg = web_req("GET", "/admin/reports/preview", v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "Text version"));
	cr_expect_not_null(strstr(pg->body, "<pre class=\"body\">"));
	web_free(pg);
	pg = web_req("GET", "/admin/reports/preview/html", v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "<html"));
	web_free(pg);
	char *o = web_login("t_operator", "password-operator", NULL), *to = web_csrf(o, "/admin/reports/");
	cr_expect_eq(post("/admin/reports/send", o, to, "x=1"), 403);
	char *a = web_login("t_admin", "password-admin", NULL), *ta = web_csrf(a, "/admin/reports/");
	cr_expect_eq(web_status("POST", "/admin/reports/send", a, "x=1"), 403, "no CSRF token");
	pg = post_page("/admin/reports/send", a, ta, "x=1");
	cr_expect_eq(pg->status, 503, "the harness has no SMTP server");
	cr_expect_not_null(strstr(pg->body, "The report was not sent:"), "%s", pg->body);
	web_free(pg);
	char *h = itest_sql("SELECT action || ':' || (detail->>'sent') FROM audit_log WHERE username = 't_admin'"
			    " AND action = 'report.sent_now' ORDER BY id DESC LIMIT 1");
	cr_expect_str_eq(h, "report.sent_now:false");
	free(h);
	free(a);
	free(ta);
	free(o);
	free(to);
	free(v);
}

Test(admin_directory, report_html_is_served_sandboxed)
{
	char *id = itest_sql("INSERT INTO reports (kind, day, status, subject, body_text, body_html,"
			     " message_id, recipients) VALUES ('manual', '2001-01-01', 'sent', 'S', 'plain <text>',"
			     " '<html><script>x()</script></html>', '<t@example.test>', 'ops@example.test')"
			     " RETURNING id");
	char *v = web_login("t_viewer", "password-viewer", NULL), path[80];
	snprintf(path, sizeof(path), "/admin/reports/%s", id);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, "plain &lt;text&gt;"));
	cr_expect_null(strstr(pg->body, "<script>"));
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/reports/%s/html", id);
	pg = web_req("GET", path, v, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	cr_expect(pg->csp && strncmp(pg->csp, "sandbox", 7) == 0, "the last policy is the sandbox: %s", pg->csp);
	web_free(pg);
	free(itest_sql("DELETE FROM reports WHERE id = %s RETURNING 1", id));
	free(id);
	free(v);
}

Test(admin_directory, api_changes_are_in_the_history)
{
	char name[32], phone[12], path[80];
	uniq_name("api", name, sizeof(name));
	uniq_phone(phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\": \"%s\"}", name);
	cr_assert_eq(r->status, 201);
	long long tid = jint(r->json, "id");
	resp_free(r);
	snprintf(path, sizeof(path), "/api/v1/tags/%lld", tid);
	api_expect(200, tok_admin(), "PATCH", path, "{\"name\": \"%s-x\"}", name);
	api_expect(204, tok_admin(), "DELETE", path, NULL);
	char *h = itest_sql("SELECT string_agg(action || ':' || username || ':' || coalesce(detail->'after'->>'name', ''), ','"
			    " ORDER BY id) FROM audit_log WHERE object = 'tag %lld'", tid);
	char want[200];
	snprintf(want, sizeof(want), "tag.created:t_operator:%s,tag.updated:t_admin:%s-x,tag.deleted:t_admin:", name, name);
	cr_expect_str_eq(h, want);
	free(h);
	/* a bulk call is one entry with its counts */
	api_expect(200, tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\": \"%s\"}, {\"phone\": \"x\"}]", phone);
	h = itest_sql("SELECT detail::text FROM audit_log WHERE action = 'client.bulk' AND username = 't_operator'"
		      " ORDER BY id DESC LIMIT 1");
	cr_expect_str_eq(h, "{\"after\": {\"errors\": 1, \"created\": 1, \"updated\": 0}}");
	free(h);
	/* a batch of direct messages is recorded on its mailing; a failed call is not recorded */
	r = api(tok_operator(), "POST", "/api/v1/messages/batch",
		"{\"phones\": [\"%s\"], \"text\": \"t\", \"send_at\": \"2099-01-01T00:00:00Z\", \"end_at\": \"2099-01-02T00:00:00Z\"}", phone);
	cr_assert_eq(r->status, 202, "%s", r->body);
	long long mid = jint(r->json, "mailing_id");
	resp_free(r);
	h = itest_sql("SELECT action || ':' || (detail->'after'->>'count') FROM audit_log WHERE object = 'mailing %lld'", mid);
	cr_expect_str_eq(h, "mailing.batch_created:1");
	free(h);
	char *before = itest_sql("SELECT max(id) FROM audit_log");
	api_expect(422, tok_operator(), "POST", "/api/v1/tags", "{\"name\": \"\"}");
	h = itest_sql("SELECT count(*) FROM audit_log WHERE id > %s AND username = 't_operator' AND action = 'tag.created'", before);
	cr_expect_str_eq(h, "0");
	free(h);
	free(before);
	/* admins see API changes on the object's page */
	r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\": \"%s-y\"}", name);
	tid = jint(r->json, "id");
	resp_free(r);
	char *a = web_login("t_admin", "password-admin", NULL);
	snprintf(path, sizeof(path), "/admin/tags/%lld", tid);
	struct web_page *pg = web_req("GET", path, a, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "<td>t_operator</td><td>tag.created</td>"));
	web_free(pg);
	pg = web_req("GET", "/admin/history/?action=client.bulk", a, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	web_free(pg);
	free(a);
}

/* The edit form of a client comes back with the message beside the phone, and what was typed,
 * for a phone that is not one and for one another client has. */
Test(admin_directory, client_edit_bad_or_taken_phone_is_redisplayed)
{
	char phone[12], other[12], path[64], body[80];
	uniq_phone(phone);
	uniq_phone(other);
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", i ? other : phone);
		struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "%s", body);
		cr_assert_eq(r->status, 201, "%s", r->body);
		if (i == 0)
			snprintf(path, sizeof(path), "/admin/clients/%lld", jint(r->json, "id"));
		resp_free(r);
	}
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, path), taken[40];
	snprintf(taken, sizeof(taken), "phone=%s&timezone=Asia%%2FTokyo", other);
	const struct { const char *rest; long status; const char *message, *kept; } cases[] = {
		{"phone=12345&timezone=Asia%2FTokyo", 422, "id=\"err-phone\"><p>", "value=\"12345\""},
		{taken, 409, "id=\"err-phone\"><p>another client has this phone", "value=\"Asia/Tokyo\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct web_page *pg = post_page(path, o, t, cases[i].rest);
		cr_expect_eq(pg->status, cases[i].status, "%s", cases[i].rest);
		cr_expect_not_null(strstr(pg->body, cases[i].message), "%s", pg->body);
		cr_expect_not_null(strstr(pg->body, cases[i].kept), "what was typed is kept: %s", cases[i].rest);
		web_free(pg);
	}
	char *v = itest_sql("SELECT phone || ' ' || timezone FROM clients WHERE phone = '%s'", phone);
	char want[40];
	snprintf(want, sizeof(want), "%s Europe/Moscow", phone);
	cr_expect_str_eq(v, want, "nothing was changed");
	free(v);
	free(o);
	free(t);
}

/* "Select all N matching": a filtered list offers it to operators, the bulk form asks first
 * with the count, then deletes every client of the filter (not the others) and records it once. */
Test(admin_directory, select_all_that_match_the_filter)
{
	char tag[32], path[96];
	uniq_name("all", tag, sizeof(tag));
	free(itest_sql("INSERT INTO tags (name) VALUES ('%s')", tag));
	free(itest_sql("INSERT INTO operators (code) VALUES ('916') ON CONFLICT DO NOTHING"));
	free(itest_sql("INSERT INTO clients (phone, operator_code, tag_id, timezone)"
		       " SELECT '7977' || lpad((floor(random() * 1e7))::bigint::text, 7, '0'), '916',"
		       " (SELECT id FROM tags WHERE name = '%s'), 'Europe/Moscow' FROM generate_series(1, 57)"
		       " ON CONFLICT DO NOTHING", tag));
	char *n = itest_sql("SELECT count(*) FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = '%s'", tag);
	char *o = web_login("t_operator", "password-operator", NULL);
	snprintf(path, sizeof(path), "/admin/clients/?tag=%s", tag);
	struct web_page *pg = web_req("GET", path, o, NULL, NULL);
	char want[96];
	cr_expect_not_null(strstr(pg->body, "Select all that match the filter"), "%s", pg->body);
	web_free(pg);
	pg = web_req("GET", "/admin/clients/", o, NULL, NULL);
	cr_expect_null(strstr(pg->body, "name=\"all\""), "no select-all without a filter");
	web_free(pg);

	pg = web_post(o, "/admin/clients/bulk", "action=delete&all=1&tag=%s", tag);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	snprintf(want, sizeof(want), "Delete all %s that match the filter? This cannot be undone. Their pending messages"
		 " are cancelled.", n);
	cr_expect_not_null(strstr(pg->body, want), "%s", pg->body);
	web_free(pg);
	char *left = itest_sql("SELECT count(*) FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = '%s'", tag);
	cr_expect_str_eq(left, n, "nothing goes before it is confirmed");
	free(left);
	pg = web_post(o, "/admin/clients/bulk", "action=delete&all=1&confirmed=yes");
	cr_expect_eq(pg->status, 400, "select-all needs a filter");
	web_free(pg);
	pg = web_post(o, "/admin/clients/bulk", "action=delete&all=1&confirmed=yes&tag=%s", tag);
	cr_expect_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	left = itest_sql("SELECT count(*) FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = '%s'", tag);
	cr_expect_str_eq(left, "0");
	free(left);
	char *rec = itest_sql("SELECT detail->>'deleted' || ' ' || (detail->'filters'->>'tag') FROM audit_log"
			      " WHERE action = 'client.deleted_matching' AND detail->'filters'->>'tag' = '%s'", tag);
	char rec_want[64];
	snprintf(rec_want, sizeof(rec_want), "%s %s", n, tag);
	cr_expect_str_eq(rec, rec_want);
	free(rec);
	free(n);
	free(o);
}

/* Select-all on a model without a statement of its own (operators): the keys that match are
 * read page by page and deleted with remove_many, recorded once; the others stay. */
Test(admin_directory, select_all_on_any_resource)
{
	char pre[32], path[96], want[120];
	uniq_name("allop", pre, sizeof(pre));
	free(itest_sql("INSERT INTO operators (code, name) SELECT '5' || lpad(g::text, 2, '0'), '%s ' || g"
		       " FROM generate_series(0, 99) g ON CONFLICT DO NOTHING", pre));
	char *n = itest_sql("SELECT count(*) FROM operators WHERE name LIKE '%s %%'", pre);
	cr_assert_gt(atoi(n), 50, "a second page of them");
	char *o = web_login("t_operator", "password-operator", NULL);
	snprintf(path, sizeof(path), "/admin/operators/?q=%s", pre);
	struct web_page *pg = web_req("GET", path, o, NULL, NULL);
	cr_expect_not_null(strstr(pg->body, "Select all that match the filter"), "%s", pg->body);
	web_free(pg);
	pg = web_post(o, "/admin/operators/bulk", "action=delete&all=1&q=%s", pre);
	cr_assert_eq(pg->status, 200, "%s", pg->body);
	snprintf(want, sizeof(want), "Delete all %s that match the filter? This cannot be undone.</", n);
	cr_expect_not_null(strstr(pg->body, want), "%s", pg->body);
	web_free(pg);
	pg = web_post(o, "/admin/operators/bulk", "action=delete&all=1&confirmed=yes&q=%s", pre);
	cr_expect_eq(pg->status, 303, "%s", pg->body);
	web_free(pg);
	char *left = itest_sql("SELECT count(*) FROM operators WHERE name LIKE '%s %%'", pre);
	cr_expect_str_eq(left, "0");
	free(left);
	left = itest_sql("SELECT detail->>'deleted' FROM audit_log WHERE action = 'operator.deleted_matching'"
			 " AND detail->'filters'->>'q' = '%s'", pre);
	cr_expect_str_eq(left, n);
	free(left);
	free(n);
	free(o);
}
