/* Integration tests of the admin's stop list pages (/admin/stoplist/, the resource
 * descriptor): phones added as people write them, field errors, keyset pages by phone, the
 * reason edited, deletion, the viewer's read-only view and the change history. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin_web.h"
#include "itest.h"

static long post(const char *path, const char *cookie, const char *csrf, const char *rest, char **body)
{
	char form[400];
	snprintf(form, sizeof(form), "csrf_token=%s&%s", csrf, rest);
	struct web_page *pg = web_req("POST", path, cookie, form, NULL);
	long status = pg->status;
	if (body)
		*body = strdup(pg->body);
	web_free(pg);
	return status;
}

Test(admin_stoplist, add_as_written_edit_delete_with_history)
{
	char phone[12], rest[200], path[80], *body;
	uniq_phone(phone);
	char *o = web_login("t_operator", "password-operator", NULL), *t = web_csrf(o, "/admin/stoplist/add");
	/* a phone no writing makes one: the form again, the error beside the field */
	cr_expect_eq(post("/admin/stoplist/add", o, t, "phone=12345&reason=x", &body), 422);
	cr_expect_not_null(strstr(body, "id=\"err-phone\""), "%s", body);
	free(body);
	/* written the Russian way, stored as 7XXXXXXXXXX */
	snprintf(rest, sizeof(rest), "phone=8+%.3s+%.3s-%.2s-%.2s&reason=asked+by+SMS", phone + 1, phone + 4, phone + 7,
		 phone + 9);
	cr_assert_eq(post("/admin/stoplist/add", o, t, rest, NULL), 303);
	char *reason = itest_sql("SELECT reason FROM stoplist WHERE phone = '%s'", phone);
	cr_expect_str_eq(reason, "asked by SMS");
	free(reason);
	cr_expect_eq(post("/admin/stoplist/add", o, t, rest, &body), 409, "on the list already");
	cr_expect_not_null(strstr(body, "id=\"err-phone\""), "%s", body);
	free(body);
	/* the list finds it; its page edits the reason */
	snprintf(path, sizeof(path), "/admin/stoplist/?q=%s", phone);
	struct web_page *pg = web_req("GET", path, o, NULL, NULL);
	cr_expect_eq(pg->status, 200);
	snprintf(rest, sizeof(rest), "href=\"/admin/stoplist/%s\"", phone);
	cr_expect_not_null(strstr(pg->body, rest), "%s", pg->body);
	web_free(pg);
	snprintf(path, sizeof(path), "/admin/stoplist/%s", phone);
	cr_expect_eq(post(path, o, t, "reason=a+complaint", NULL), 303);
	reason = itest_sql("SELECT reason FROM stoplist WHERE phone = '%s'", phone);
	cr_expect_str_eq(reason, "a complaint");
	free(reason);
	cr_expect_eq(web_status("GET", "/admin/stoplist/79999", o, NULL), 404);
	/* deleted: the phone is reachable again */
	snprintf(path, sizeof(path), "/admin/stoplist/%s/delete", phone);
	cr_expect_eq(web_status("GET", path, o, NULL), 200);
	cr_expect_eq(post(path, o, t, "x=1", NULL), 303);
	char *n = itest_sql("SELECT count(*) FROM stoplist WHERE phone = '%s'", phone);
	cr_expect_str_eq(n, "0");
	free(n);
	char *h = itest_sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE object = 'stoplist %s'", phone);
	cr_expect_str_eq(h, "stoplist.created,stoplist.updated,stoplist.deleted");
	free(h);
	/* the API's add and delete are recorded under the same object */
	snprintf(rest, sizeof(rest), "{\"phone\": \"%s\"}", phone);
	api_expect(201, tok_operator(), "POST", "/api/v1/stoplist", "%s", rest);
	snprintf(path, sizeof(path), "/api/v1/stoplist/%s", phone);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	h = itest_sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE object = 'stoplist %s'", phone);
	cr_expect_str_eq(h, "stoplist.created,stoplist.updated,stoplist.deleted,stoplist.created,stoplist.deleted");
	free(h);
	free(o);
	free(t);
}

Test(admin_stoplist, keyset_pages_in_phone_order_and_viewer_reads_only)
{
	char first[12], prefix[8], path[80];
	uniq_phone(first);
	memcpy(prefix, first, 7);
	prefix[7] = '\0';
	free(itest_sql("INSERT INTO stoplist (phone, reason) SELECT '%s' || lpad(g::text, 4, '0'), 'page'"
		       " FROM generate_series(1, 55) g ON CONFLICT DO NOTHING", prefix));
	char *row[2];
	for (int i = 0; i < 2; i++)
		row[i] = itest_sql("SELECT phone FROM stoplist WHERE strpos(phone, '%s') > 0 ORDER BY phone OFFSET %d LIMIT 1",
				   prefix, i * 50);
	char *v = web_login("t_viewer", "password-viewer", NULL);
	snprintf(path, sizeof(path), "/admin/stoplist/?q=%s", prefix);
	struct web_page *pg = web_req("GET", path, v, NULL, NULL);
	cr_assert_eq(pg->status, 200);
	cr_expect_not_null(strstr(pg->body, row[0]));
	cr_expect_null(strstr(pg->body, row[1]), "row 51 is on the next page");
	cr_expect_null(strstr(pg->body, "/admin/stoplist/add"), "viewers are offered no add");
	cr_expect_not_null(strstr(pg->body, "href=\"/admin/stoplist/\""), "the navigation links the stop list");
	web_free(pg);
	web_expect_two_pages(v, path, row[0], row[1]);
	cr_expect_eq(web_status("GET", "/admin/stoplist/add", v, NULL), 403);
	cr_expect_eq(web_status("GET", "/admin/stoplist/?cursor=YWJj", v, NULL), 400, "a broken page link");
	cr_expect_eq(web_status("GET", "/admin/stoplist/?before=YWJj", v, NULL), 400, "a broken page link");
	free(row[0]);
	free(row[1]);
	free(v);
}
