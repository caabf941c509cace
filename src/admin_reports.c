/* admin_reports.c — /admin/reports/: the statistics e-mails sent (daily and manual) with their
 * status, one report's text (the HTML body is served on its own page under a CSP sandbox, so
 * its markup can neither run script nor reach the admin's origin), a preview of the next one
 * and "send now" (admins). Everything comes from report.h. */
#include "admin.h"
#include "config.h"
#include "admin_handlers.h"
#include "audit.h"
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/reports/"

static const struct admin_col cols[] = {
	{"admin.reports.report", "id", NULL, NULL},
	{"admin.reports.kind", "kind", NULL, "report_kind"},
	{"admin.reports.day", "day", NULL, NULL},
	{"admin.col.status", "status", NULL, "report_status"},
	{"admin.col.attempts", "attempts", NULL, NULL},
	{"admin.col.sent", "sent_at", NULL, NULL},
	{"admin.col.last_error", "last_error", NULL, NULL},
};
static const char *const notices[] = {"sent", "admin.reports.sent", NULL};

/* The list page, with error (may be NULL) and its detail (as the mail code said it) shown above
 * it, answered with status. */
static void list_page(struct http_req *req, int status, const char *error, const char *detail)
{
	static const char *const sorts[] = {"newest", NULL};
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, NULL};
	struct res_query q = {NULL, NULL, NULL, ADMIN_PAGE, {NULL}, NULL, NULL, NULL};
	struct res_page rows;
	struct db *db;
	if (admin_list_params(req, sorts, &q) < 0 || (db = admin_db(req)) == NULL ||
	    admin_list_both(req, db, &q, report_page, NULL, &rows) < 0)
		return;
	char why[200];
	json_t *list = admin_list_objs(req, &spec, rows.objs, rows.next, rows.prev, q.sort, q.q);
	json_t *page = pool_pack(&req->pool, "{s:s, s:o, s:s*, s:s*, s:s*, s:b, s:[{s:s, s:s}]}", "heading",
				 admin_t(req, "admin.nav.reports"), "list", list, "notice",
				 admin_notice(req, notices), "error", error, "error_detail", detail,
				 "no_search", 1, "actions", "href", BASE "preview", "label",
				 admin_t(req, "admin.reports.preview_next"));
	if (!report_enabled(why, sizeof(why)) && error == NULL) {
		json_object_set_new(page, "error", json_string(admin_t(req, "admin.reports.disabled")));
		json_object_set_new(page, "error_detail", json_string(why));
	}
	if (req->user.role >= ROLE_ADMIN)
		json_object_set_new(page, "buttons", json_pack("[{s:s, s:s, s:s}]", "action", BASE "send", "label",
							       admin_t(req, "admin.reports.send_now"), "class", "primary"));
	admin_page(req, status, "admin/list", page);
}

void admin_reports_list(struct http_req *req)
{
	list_page(req, 200, NULL, NULL);
}

void admin_reports_send(struct http_req *req)
{
	struct db *db = admin_db(req);
	char err[300], why[200], loc[64];
	if (db == NULL)
		return;
	int64_t id = report_send_now(db, err, sizeof(err));
	json_t *detail = pool_pack(&req->pool, "{s:b, s:s*}", "sent", id > 0, "error", id > 0 ? NULL : err);
	if (id > 0)
		snprintf(loc, sizeof(loc), "report %lld", (long long)id);
	audit_route(db, req, id > 0 ? loc : "reports", detail);
	if (id > 0) {
		snprintf(loc, sizeof(loc), BASE "%lld?done=sent", (long long)id);
		admin_redirect(req, loc);
		return;
	}
	list_page(req, report_enabled(why, sizeof(why)) ? 502 : 503, admin_t(req, "admin.reports.not_sent"), err);
}

/* Report path parameter 0 as an object with its bodies (in the request's pool), or NULL after
 * a 404/503 page. */
static json_t *load(struct http_req *req, struct db *db)
{
	int64_t id;
	char *text = NULL;
	int rc = 0;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) == 0 && (rc = report_get_json(db, id, &text)) < 0) {
		http_db_fail(req, db);
		return NULL;
	}
	json_t *r = rc > 0 ? pool_json(&req->pool, json_loads(text, 0, NULL)) : NULL;
	free(text);
	if (r == NULL)
		admin_error(req, 404, "admin.reports.not_found");
	return r;
}

/* The detail page of a report (or the preview: r without an id). */
static void show(struct http_req *req, const char *heading, json_t *r, const char *html_href, const char *notice)
{
	static const struct admin_prop props[] = {
		{"kind", "admin.reports.kind", "report_kind", NULL}, {"day", "admin.reports.day", NULL, NULL},
		{"status", "admin.col.status", "report_status", NULL}, {"attempts", "admin.col.attempts", NULL, NULL},
		{"recipients", "admin.reports.recipients", NULL, NULL}, {"subject", "admin.reports.subject", NULL, NULL},
		{"created_at", "admin.col.created", NULL, NULL}, {"sent_at", "admin.col.sent", NULL, NULL},
		{"next_attempt_at", "admin.reports.next_attempt", NULL, NULL},
		{"last_error", "admin.col.last_error", NULL, NULL}, {"message_id", "admin.reports.message_id", NULL, NULL},
	};
	json_t *items = admin_detail_items(req, r, props, ARRAY_LEN(props));
	json_t *text = json_object_get(r, "body_text");
	json_t *sections = json_array();
	if (json_is_string(json_object_get(r, "body_html")))
		json_array_append_new(sections, json_pack("{s:s, s:{s:[{s:s, s:s, s:b}, {s:s, s:s, s:s}]}}", "title",
							  admin_t(req, "admin.reports.html"), "links", "items", "href", html_href,
							  "label", admin_t(req, "admin.reports.open_html"), "new_tab", 1, "href",
							  html_href, "label", admin_t(req, "admin.reports.download"), "download",
							  "report.html"));
	json_array_append_new(sections, json_pack("{s:s, s:o}", "title", admin_t(req, "admin.reports.text"), "pre",
						  json_is_string(text) ? json_incref(text)
								       : json_string(admin_t(req, "admin.reports.no_text"))));
	admin_page(req, 200, "admin/detail",
		   pool_pack(&req->pool, "{s:s, s:s, s:s, s:o, s:o, s:s*}", "heading", heading, "back_href", BASE,
			     "back_label", admin_t(req, "admin.nav.reports"), "items", items, "sections",
			     sections, "notice", notice));
}

void admin_reports_show(struct http_req *req)
{
	struct db *db = admin_db(req);
	json_t *r;
	if (db == NULL || (r = load(req, db)) == NULL)
		return;
	char *html = admin_path(BASE, req->params[0], "/html");
	pool_defer(&req->pool, free, html);
	show(req, admin_format(req, "admin.reports.heading", req->params[0]), r, html, admin_notice(req, notices));
}

/* Serves an e-mail's HTML body as its own document, sandboxed: no script, a unique origin. */
static void html_body(struct http_req *req, const char *html)
{
	http_text(req, 200, "text/html; charset=utf-8", html, strlen(html));
	http_header(req, "Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
	http_header(req, "Cache-Control", "no-store");
}

void admin_reports_html(struct http_req *req)
{
	struct db *db = admin_db(req);
	json_t *r;
	if (db == NULL || (r = load(req, db)) == NULL)
		return;
	const char *html = json_string_value(json_object_get(r, "body_html"));
	if (html)
		html_body(req, html);
	else
		admin_error(req, 404, "admin.reports.no_html");
}

/* The report that would be sent now to readers of HERALD_LANGUAGE, into m; -1 after an error
 * page. */
static int preview(struct http_req *req, struct report_mail *m)
{
	struct db *db = admin_db(req);
	char err[300];
	if (db == NULL)
		return -1;
	if (report_preview(db, cfg.language, m, err, sizeof(err)) < 0) {
		admin_error(req, 500, admin_format(req, "admin.reports.no_preview", err));
		return -1;
	}
	return 0;
}

void admin_reports_preview(struct http_req *req)
{
	struct report_mail m = {NULL, NULL, NULL};
	if (preview(req, &m) < 0)
		return;
	json_t *r = pool_pack(&req->pool, "{s:s, s:s, s:s}", "subject", m.subject, "body_text", m.text, "body_html", m.html);
	show(req, admin_t(req, "admin.reports.preview"), r, BASE "preview/html", NULL);
	report_mail_free(&m);
}

void admin_reports_preview_html(struct http_req *req)
{
	struct report_mail m = {NULL, NULL, NULL};
	if (preview(req, &m) < 0)
		return;
	html_body(req, m.html);
	report_mail_free(&m);
}
