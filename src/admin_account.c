/* admin_account.c — /admin/account: the signed-in user's own settings (the language the admin
 * speaks to them; none: the browser's), with the way to the password page for those who have
 * one. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "form.h"
#include "model_user.h"
#include "util.h"

static const struct admin_field account_fields[] = {
	{"language", "admin.account.language", "select", ",ru,en", "admin.account.language_hint", 0, 0, NULL},
};

static const char *const account_notices[] = {"saved", "admin.account.saved", NULL};

void admin_account(struct http_req *req)
{
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s}", "heading", admin_t(req, "admin.account.heading"),
				 "action", "/admin/account", "submit", admin_t(req, "admin.common.save"),
				 "cancel_href", "/admin/");
	if (req->user.has_password)
		json_object_set_new(page, "links", json_pack("{s:[{s:s, s:s}]}", "items", "href", "/admin/password",
							     "label", admin_t(req, "admin.account.password")));
	if (req->method != HTTP_POST) {
		const char *notice = admin_notice(req, account_notices);
		json_t *values = pool_pack(&req->pool, "{s:s}", "language", req->user.language);
		if (notice)
			json_object_set_new(page, "notice", json_string(notice));
		admin_form_page(req, 200, page, account_fields, ARRAY_LEN(account_fields), values, NULL, NULL);
		return;
	}
	struct db *db = admin_db(req);
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	if (db && user_set_language(db, req->user.id, form_str(admin_form(req), "language"), &e) == MODEL_INVALID) {
		admin_form_page(req, 422, page, account_fields, ARRAY_LEN(account_fields), admin_form(req),
				verr_take(&e.fields), NULL);
		return;
	}
	if (db == NULL)
		return;
	if (e.rc != MODEL_OK) {
		http_fail(req, e.rc, NULL, NULL);
		return;
	}
	audit_route(db, req, "", NULL);
	admin_redirect(req, "/admin/account?done=saved");
}
