/* admin_users.c — /admin/users/ (admins only): list, add, change role and active flag, reset a
 * password. Deactivating a user or resetting the password signs that user out everywhere. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "form.h"
#include "model_user.h"
#include "session.h"
#include "util.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/users/"

static const struct admin_field add_fields[] = {
	{"username", "User name", "text", NULL, "1 to 64 letters, digits or _ . @ -", 1, 64, NULL},
	{"password", "Password", "password", NULL, "At least 8 characters.", 1, PASSWORD_MAX, NULL},
	{"role", "Role", "select", "viewer,operator,admin", "Viewers read; operators also change data; admins also manage users.", 1, 0, NULL},
};
static const struct admin_field edit_fields[] = {
	{"role", "Role", "select", "viewer,operator,admin", NULL, 1, 0, NULL},
	{"is_active", "Active (may sign in and use API tokens)", "checkbox", NULL, NULL, 0, 0, NULL},
};
static const struct admin_field password_fields[] = {
	{"password", "New password", "password", NULL, "At least 8 characters. The user is signed out everywhere.", 1, PASSWORD_MAX, NULL},
};

static const struct admin_col cols[] = {
	{"User name", "username", NULL},   /* one order only: no sort link that would offer another */
	{"Role", "role", NULL},
	{"Active", "is_active", NULL},
	{"Last sign-in", "last_login_at", NULL},
	{"Created", "created_at", NULL},
};

static const char *const sorts[] = {"username", NULL};

void admin_users_list(struct http_req *req)
{
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, NULL};
	static const struct { const char *key, *text; } notices[] = {
		{"created", "The user was added."}, {"updated", "The user was saved."},
		{"password", "The password was reset; the user was signed out everywhere."},
	};
	const char *sort, *q, *done = http_query(req, "done"), *notice = NULL;
	const char *after;
	struct db *db;
	if (admin_list_params(req, sorts, &sort, &after, &q) < 0)
		return;
	if ((db = admin_db(req)) == NULL)
		return;
	PGresult *r = user_list(db, after, q, ADMIN_PAGE + 1);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	for (size_t i = 0; done && i < ARRAY_LEN(notices); i++)
		if (strcmp(done, notices[i].key) == 0)
			notice = notices[i].text;
	admin_page(req, 200, "admin/list",
		   json_pack("{s:s, s:o, s:s*, s:s, s:s}", "heading", "Users", "list",
			     admin_list(req, &spec, r, ADMIN_PAGE, sort, q), "notice", notice, "add_href",
			     BASE "add", "add_label", "Add user"));
}

void admin_users_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "Add user", "action", BASE "add",
				 "submit", "Add user", "cancel_href", BASE, "back_href", BASE, "back_label", "Users");
	json_t *form = admin_form(req);
	struct db *db;
	if (req->method != HTTP_POST) {
		json_t *init = json_pack("{s:s}", "role", "viewer");
		admin_form_page(req, 200, page, add_fields, ARRAY_LEN(add_fields), init, NULL, 0);
		json_decref(init);
		return;
	}
	if ((db = admin_db(req)) == NULL) {
		json_decref(page);
		return;
	}
	const char *name = form_str(form, "username"), *pw = form_str(form, "password"),
		   *role = form_str(form, "role");
	char object[48];
	struct model_err e = MODEL_ERR_INIT;
	int64_t id = user_create(db, name ? name : "", pw ? pw : "", role ? role : "", &e);
	if (id < 0 && verr_any(&e.fields)) {
		admin_form_page(req, 422, page, add_fields, ARRAY_LEN(add_fields), form, verr_take(&e.fields), 0);
		return;
	}
	if (id < 0) {
		json_decref(page);
		http_fail(req, e.rc, NULL, NULL);
		return;
	}
	json_decref(page);
	snprintf(object, sizeof(object), "user %lld", (long long)id);
	json_t *detail = json_pack("{s:s, s:s}", "username", name, "role", role);
	audit(db, req, "user.created", object, detail);
	json_decref(detail);
	admin_redirect(req, BASE "?done=created");
}

/* Loads user id (path parameter 0) as an object; NULL after answering. */
static json_t *load_user(struct http_req *req, struct db *db, int64_t *id)
{
	if (parse_i64(req->params[0], 1, INT64_MAX, id) < 0) {
		admin_error(req, 404, "There is no such user.");
		return NULL;
	}
	PGresult *r = user_get(db, *id);
	if (r == NULL) {
		http_db_fail(req, db);
		return NULL;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		admin_error(req, 404, "There is no such user.");
		return NULL;
	}
	json_t *u = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	return u;
}

void admin_users_edit(struct http_req *req)
{
	struct db *db = admin_db(req);
	int64_t id;
	json_t *u;
	if (db == NULL || (u = load_user(req, db, &id)) == NULL)
		return;
	char self[64], pw[80], object[48];
	snprintf(self, sizeof(self), BASE "%lld", (long long)id);
	snprintf(object, sizeof(object), "user %lld", (long long)id);
	snprintf(pw, sizeof(pw), "%s/password", self);
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s, s:{s:[{s:s, s:s}]}}", "heading", "User ",
				 json_string_value(json_object_get(u, "username")), "action", self, "submit", "Save",
				 "cancel_href", BASE, "back_href", BASE, "back_label", "Users", "links", "items",
				 "href", pw, "label", "Reset password…");
	json_t *h = admin_history(db, object);
	if (h)
		json_object_set_new(page, "history", h);
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, edit_fields, ARRAY_LEN(edit_fields), u, NULL, 0);
		json_decref(u);
		return;
	}
	json_t *form = admin_form(req);
	const char *role = form_str(form, "role");
	int active = form_str(form, "is_active") != NULL;
	struct verr v = VERR_INIT;
	if (role_parse(role) == ROLE_NONE)
		verr_add(&v, "role", "choose admin, operator or viewer");
	else if (strcmp(json_string_value(json_object_get(u, "role")), "admin") == 0 && json_is_true(json_object_get(u, "is_active")) &&
		 (strcmp(role, "admin") != 0 || !active) && user_count_admins(db) <= 1)
		verr_add(&v, "role", "this is the last active admin; make another admin first");
	if (verr_any(&v)) {
		admin_form_page(req, 422, page, edit_fields, ARRAY_LEN(edit_fields), form, verr_take(&v), 0);
	} else if (user_update(db, id, role, active) < 0) {
		json_decref(page);
		http_db_fail(req, db);
	} else {
		if (!active)
			session_drop_user(db, id, NULL);
		json_t *detail = json_pack("{s:s, s:b}", "role", role, "is_active", active);
		audit(db, req, "user.updated", object, detail);
		json_decref(detail);
		json_decref(page);
		admin_redirect(req, BASE "?done=updated");
	}
	json_decref(u);
}

void admin_users_password(struct http_req *req)
{
	struct db *db = admin_db(req);
	int64_t id;
	json_t *u;
	if (db == NULL || (u = load_user(req, db, &id)) == NULL)
		return;
	char self[80], back[64], object[48];
	snprintf(back, sizeof(back), BASE "%lld", (long long)id);
	snprintf(object, sizeof(object), "user %lld", (long long)id);
	snprintf(self, sizeof(self), "%s/password", back);
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s}", "heading", "Reset the password of ",
				 json_string_value(json_object_get(u, "username")), "action", self, "submit",
				 "Reset password", "cancel_href", back, "back_href", back, "back_label", "User");
	json_decref(u);
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, password_fields, 1, NULL, NULL, 0);
		return;
	}
	const char *pw = form_str(admin_form(req), "password");
	struct model_err e = MODEL_ERR_INIT;
	if (user_set_password(db, id, pw ? pw : "", "password", &e) < 0 && verr_any(&e.fields)) {
		admin_form_page(req, 422, page, password_fields, 1, NULL, verr_take(&e.fields), 0);
		return;
	}
	if (e.rc != MODEL_OK) {
		json_decref(page);
		http_fail(req, e.rc, NULL, NULL);
		return;
	}
	session_drop_user(db, id, req->user.id == id ? req->session : NULL);
	audit(db, req, "user.password_reset", object, NULL);
	json_decref(page);
	admin_redirect(req, BASE "?done=password");
}
