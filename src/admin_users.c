/* admin_users.c — /admin/users/{id}/password (admins only): resetting a user's password signs
 * that user out everywhere. The list, add and edit pages are the resource's (resources.c). */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "form.h"
#include "model_user.h"
#include "session.h"
#include "util.h"

#include <stdio.h>

#define BASE "/admin/users/"

static const struct admin_field password_fields[] = {
	{"password", "admin.col.new_password", "password", NULL, "admin.res.user.reset_hint", 1, PASSWORD_MAX, NULL},
};

void admin_users_password(struct http_req *req)
{
	struct db *db;
	struct res_key k;
	json_t *u = admin_res_load(req, &res_users, &k, &db);
	if (u == NULL)
		return;
	int64_t id = k.id;
	char self[80], back[64];
	snprintf(back, sizeof(back), BASE "%lld", (long long)id);
	snprintf(self, sizeof(self), "%s/password", back);
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:s}", "heading",
				 admin_format(req, "admin.res.user.reset_heading", json_string_value(json_object_get(u, "username"))),
				 "action", self, "submit", admin_t(req, "admin.res.user.reset_submit"), "cancel_href", back,
				 "back_href", back, "back_label", admin_t(req, "admin.col.user"));
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, password_fields, 1, NULL, NULL, NULL);
		return;
	}
	const char *pw = form_str(admin_form(req), "password");
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	if (user_set_password(db, id, pw ? pw : "", "password", &e) < 0 && verr_any(&e.fields)) {
		admin_form_page(req, 422, page, password_fields, 1, NULL, verr_take(&e.fields), NULL);
		return;
	}
	if (e.rc != MODEL_OK) {
		http_fail(req, e.rc, NULL, NULL);
		return;
	}
	session_drop_user(db, id, req->user.id == id ? req->session : NULL);
	audit_route(db, req, res_object(req, &res_users, k.text), NULL);
	admin_redirect(req, BASE "?done=password");
}
