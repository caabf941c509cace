/* admin_auth.c — sign-in, sign-out and changing one's own password. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "config.h"
#include "form.h"
#include "login.h"
#include "model_user.h"
#include "oidc.h"
#include "session.h"
#include "util.h"
#include "valid.h"

#include <string.h>

const char *admin_safe_next(const char *next)
{
	if (next == NULL || strncmp(next, "/admin/", 7) != 0 || strlen(next) > 512 || strstr(next, "//") ||
	    strchr(next, '\\'))
		return "/admin/";
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return "/admin/";
	return next;
}

void admin_login_page(struct http_req *req, int status, const char *next, const char *username,
		      const char *error)
{
	json_t *data = pool_pack(&req->pool, "{s:s, s:s, s:s*}", "next", admin_safe_next(next), "username",
				 username ? username : "", "error", error);
	if (oidc_enabled()) {   /* the "Sign in with …" button (admin_oidc.c) */
		struct buf href = BUF_INIT;
		buf_puts(&href, "/admin/oidc/login?next=");
		buf_urlencode(&href, admin_safe_next(next));
		json_object_set_new(data, "oidc", json_string(cfg.oidc_name));
		json_object_set_new(data, "oidc_href", json_string(href.data));
		buf_free(&href);
	}
	admin_page(req, status, "admin/login", data);
}

void admin_login(struct http_req *req)
{
	if (req->method != HTTP_POST) {
		if (session_load(req) == MODEL_OK) {
			admin_redirect(req, admin_safe_next(http_query(req, "next")));
			return;
		}
		admin_login_page(req, 200, http_query(req, "next"), NULL, NULL);
		return;
	}
	char err[200];
	json_t *form = pool_json(&req->pool, form_parse(http_header_in(req, MHD_HTTP_HEADER_CONTENT_TYPE),
							req->body.data ? req->body.data : "", req->body.len, err, sizeof(err)));
	if (form == NULL) {
		admin_login_page(req, 400, NULL, NULL, err);
		return;
	}
	const char *user = form_str(form, "username"), *pass = form_str(form, "password");
	const char *next = form_str(form, "next");
	struct db *db;
	struct user u;
	int retry_after = 0;
	if (user == NULL || pass == NULL || *user == '\0' || *pass == '\0' || strlen(user) > 64 ||
	    strlen(pass) > PASSWORD_MAX) {
		admin_login_page(req, 422, next, user && strlen(user) <= 64 ? user : NULL,
				 admin_t(req, "admin.login.enter"));
	} else if ((db = admin_db(req)) != NULL) {
		switch (login_check(db, req->client, user, pass, &u, &retry_after)) {
		case LOGIN_OK:
			req->user = u;
			if (session_start(req, db, u.id) < 0) {
				http_db_fail(req, db);
			} else {
				audit_route(db, req, "", NULL);
				admin_redirect(req, admin_safe_next(next));
			}
			break;
		case LOGIN_BAD:
			admin_login_page(req, 401, next, user, admin_t(req, "admin.login.bad"));
			break;
		case LOGIN_THROTTLED: {
			char wait[16];
			snprintf(wait, sizeof(wait), "%d", retry_after);
			http_header(req, "Retry-After", wait);
			admin_login_page(req, 429, next, user, admin_plural(req, "admin.login.throttled", (retry_after + 59) / 60));
			break;
		}
		case LOGIN_DB:
			http_db_fail(req, db);
			break;
		}
	}
}

void admin_logout(struct http_req *req)
{
	struct db *db = admin_db(req);
	if (db == NULL)
		return;
	session_end(req, db);
	audit_route(db, req, "", NULL);
	admin_redirect(req, "/admin/login");
}

void admin_root(struct http_req *req)
{
	admin_redirect(req, "/admin/");
}

static const struct admin_field password_fields[] = {
	{"current_password", "admin.password.current", "password", NULL, NULL, 1, PASSWORD_MAX, NULL},
	{"new_password", "admin.col.new_password", "password", NULL, "admin.res.user.password_hint", 1, PASSWORD_MAX, NULL},
	{"new_password_again", "admin.password.again", "password", NULL, NULL, 1, PASSWORD_MAX, NULL},
};

void admin_password(struct http_req *req)
{
	if (!req->user.has_password) {
		admin_error(req, 409, "admin.password.sso");
		return;
	}
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s}", "heading", admin_t(req, "admin.account.password"),
				 "action", "/admin/password", "submit", admin_t(req, "admin.password.submit"),
				 "cancel_href", "/admin/");
	struct db *db;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, password_fields, ARRAY_LEN(password_fields), NULL, NULL, NULL);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	json_t *form = admin_form(req);
	const char *cur = form_str(form, "current_password"), *pw = form_str(form, "new_password"),
		   *again = form_str(form, "new_password_again");
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	struct verr *v = &e.fields;
	enum model_rc rc = cur ? user_check_password(db, req->user.id, cur) : MODEL_NOT_FOUND;
	if (rc != MODEL_OK && rc != MODEL_NOT_FOUND) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	if (rc == MODEL_NOT_FOUND)
		verr_add(v, "current_password", "valid.not_current_password");
	if (pw == NULL || again == NULL || strcmp(pw, again) != 0)
		verr_add(v, "new_password_again", "valid.passwords_differ");
	if (!verr_any(v))
		user_set_password(db, req->user.id, pw, "new_password", &e);
	if (verr_any(v)) {
		admin_form_page(req, 422, page, password_fields, ARRAY_LEN(password_fields), NULL, verr_take(v), NULL);
		return;
	}
	if (e.rc != MODEL_OK) {
		http_fail(req, e.rc, NULL, NULL);
		return;
	}
	session_drop_user(db, req->user.id, req->session);
	audit_route(db, req, "", NULL);
	json_object_set_new(page, "notice", json_string(admin_t(req, "admin.password.changed")));
	admin_form_page(req, 200, page, password_fields, ARRAY_LEN(password_fields), NULL, NULL, NULL);
}
