/* admin_tokens.c — /admin/tokens/: API tokens. Everyone sees and manages their own tokens;
 * admins see and revoke everyone's. A new token is shown once, on the page after creating it. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "form.h"
#include "model_token.h"
#include "util.h"
#include "valid.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/tokens/"

static const struct admin_field fields[] = {
	{"name", "Name", "text", NULL, "What the token is for, e.g. “billing export”.", 1, 100, NULL},
};

static const struct admin_col cols[] = {
	{"Name", "name", NULL},
	{"Starts with", "prefix", NULL},
	{"User", "username", NULL},
	{"Created", "created_at", NULL},
	{"Last used", "last_used_at", NULL},
	{"Revoked", "revoked_at", NULL},
};

static const char *const sorts[] = {"newest", NULL};

static int64_t owner_filter(struct http_req *req)
{
	return req->user.role >= ROLE_ADMIN ? 0 : req->user.id;
}

void admin_tokens_list(struct http_req *req)
{
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, NULL};
	const char *sort, *q;
	const char *after;
	struct db *db;
	if (admin_list_params(req, sorts, &sort, &after, &q) < 0)
		return;
	if ((db = admin_db(req)) == NULL)
		return;
	PGresult *r = token_list(db, owner_filter(req), after, ADMIN_PAGE + 1);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	const char *done = http_query(req, "done");
	admin_page(req, 200, "admin/list",
		   json_pack("{s:s, s:b, s:o, s:s*, s:s, s:s}", "heading", "API tokens", "no_search", 1, "list",
			     admin_list(req, &spec, r, ADMIN_PAGE, sort, NULL), "notice",
			     done && strcmp(done, "revoked") == 0 ? "The token was revoked." : NULL, "add_href",
			     BASE "add", "add_label", "Create token"));
}

void admin_tokens_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "Create an API token", "action",
				 BASE "add", "submit", "Create token", "cancel_href", BASE, "back_href", BASE,
				 "back_label", "API tokens");
	json_t *form = admin_form(req);
	struct db *db;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, fields, 1, NULL, NULL, 0);
		return;
	}
	if ((db = admin_db(req)) == NULL) {
		json_decref(page);
		return;
	}
	const char *name = form_str(form, "name");
	char token[TOKEN_MAX], object[48];
	struct model_err e = MODEL_ERR_INIT;
	int64_t id = token_create(db, req->user.username, name ? name : "", token, &e);
	if (id < 0 && e.rc == MODEL_INVALID) {
		admin_form_page(req, 422, page, fields, 1, form, verr_take(&e.fields), 0);
		return;
	}
	if (id < 0) {
		verr_free(&e.fields);
		json_decref(page);
		http_fail(req, e.rc, NULL, NULL);
		return;
	}
	json_decref(page);
	snprintf(object, sizeof(object), "token %lld", (long long)id);
	json_t *detail = json_pack("{s:s}", "name", name);
	audit(db, req, "token.created", object, detail);
	json_decref(detail);
	admin_page(req, 201, "admin/token_created", json_pack("{s:s, s:s}", "name", name, "token", token));
	sodium_memzero(token, sizeof(token));
}

/* GET /admin/tokens/{id}: the revoke confirmation; POST revokes. */
void admin_tokens_revoke(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, "There is no such token.");
		return;
	}
	if (req->method != HTTP_POST) {
		char action[64], heading[64];
		snprintf(action, sizeof(action), BASE "%lld", (long long)id);
		snprintf(heading, sizeof(heading), "Revoke token #%lld", (long long)id);
		admin_page(req, 200, "admin/confirm",
			   json_pack("{s:s, s:s, s:s, s:s, s:s}", "heading", heading, "message",
				     "Programs using this token will be refused from now on. This cannot be undone.",
				     "action", action, "submit", "Revoke token", "cancel_href", BASE));
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	int rc = token_revoke(db, id, owner_filter(req));
	if (rc < 0)
		http_db_fail(req, db);
	else if (rc == 0)
		admin_error(req, 404, "There is no such active token of yours.");
	else {
		char object[48];
		snprintf(object, sizeof(object), "token %lld", (long long)id);
		audit(db, req, "token.revoked", object, NULL);
		admin_redirect(req, BASE "?done=revoked");
	}
}
