/* admin_smpp.c — /admin/smpp-accounts/ (admins only): the accounts SMPP clients bind with:
 * list, add, edit (throughput, allowed networks, enabled, a new password) and delete. The
 * rules are model_smpp_account's, as for `herald smpp-account create`. Disabling or deleting
 * an account closes its binds within a second (smpp_check.c); other changes apply to the next
 * bind. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "form.h"
#include "model_smpp_account.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/smpp-accounts/"

static const struct admin_field add_fields[] = {
	{"system_id", "System ID", "text", NULL, "1 to 16 printable ASCII characters without spaces; the ESME binds with it.", 1, 16, NULL},
	{"password", "Password", "password", NULL, "1 to 64 printable ASCII characters without spaces (SMPP 3.4 clients send at most 8).", 1, 64, NULL},
	{"throughput", "Throughput", "number", NULL, "submit_sm per second, 1 to 1000000.", 1, 7, NULL},
	{"allowed_cidrs", "Allowed networks", "text", NULL, "Comma-separated CIDRs such as 10.0.0.0/8, 192.0.2.7; empty: any address.", 0, 4096, NULL},
	{"enabled", "Enabled (may bind)", "checkbox", NULL, NULL, 0, 0, NULL},
};
static const struct admin_field edit_fields[] = {
	{"system_id", "System ID", "text", NULL, "1 to 16 printable ASCII characters without spaces; the ESME binds with it.", 1, 16, NULL},
	{"password", "New password", "password", NULL, "Leave empty to keep the current one.", 0, 64, NULL},
	{"throughput", "Throughput", "number", NULL, "submit_sm per second, 1 to 1000000.", 1, 7, NULL},
	{"allowed_cidrs", "Allowed networks", "text", NULL, "Comma-separated CIDRs such as 10.0.0.0/8, 192.0.2.7; empty: any address.", 0, 4096, NULL},
	{"enabled", "Enabled (may bind)", "checkbox", NULL, NULL, 0, 0, NULL},
};

static const struct admin_col cols[] = {
	{"System ID", "system_id", NULL},
	{"Throughput /s", "throughput", NULL},
	{"Allowed networks", "allowed_cidrs", NULL},
	{"Enabled", "enabled", NULL},
	{"Updated", "updated_at", NULL},
};

void admin_smpp_list(struct http_req *req)
{
	static const char *const sorts[] = {"system_id", NULL};
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, NULL};
	static const char *const notices[] = {"created", "The SMPP account was added.", "updated",
					      "The SMPP account was saved; a disabled account's binds close within a second, other changes apply to the next bind.", "deleted",
					      "The SMPP account was deleted.", NULL};
	const char *sort, *q;
	const char *after;
	struct db *db;
	if (admin_list_params(req, sorts, &sort, &after, &q) < 0)
		return;
	if ((db = admin_db(req)) == NULL)
		return;
	PGresult *r = smpp_account_list(db, after, q, ADMIN_PAGE + 1);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	admin_page(req, 200, "admin/list",
		   json_pack("{s:s, s:o, s:s*, s:s, s:s, s:s}", "heading", "SMPP accounts", "list",
			     admin_list(req, &spec, r, ADMIN_PAGE, sort, q), "notice", admin_notice(req, notices),
			     "add_href", BASE "add", "add_label", "Add SMPP account", "q_placeholder", "Part of a system ID"));
}

/* The form as an account; strings borrowed from the form. Bad numbers go to v. */
static void read_form(json_t *form, struct smpp_account_in *in, int *enabled, struct verr *v)
{
	const char *tps = form_str(form, "throughput"), *pw = form_str(form, "password");
	int64_t n = 0;
	in->system_id = form_str(form, "system_id");
	in->password = pw && *pw ? pw : NULL;
	in->allowed_cidrs = form_str(form, "allowed_cidrs");
	if (tps == NULL || parse_i64(tps, 1, SMPP_TPS_MAX, &n) < 0) {
		verr_add(v, "throughput", "a whole number of messages per second, 1 to %d", SMPP_TPS_MAX);
		n = 1;
	}
	in->tps = (int)n;
	*enabled = form_str(form, "enabled") != NULL;
}

/* What the history keeps of an account: never the password, only that a new one was set.
 * New reference. */
static json_t *summary(const struct smpp_account_in *in, int enabled)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:b}", "system_id", in->system_id, "throughput", in->tps,
			      "allowed_cidrs", in->allowed_cidrs ? in->allowed_cidrs : "", "enabled", enabled);
	if (in->password)
		json_object_set_new(o, "password", json_string("(new)"));
	return o;
}

void admin_smpp_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "Add SMPP account", "action",
				 BASE "add", "submit", "Add account", "cancel_href", BASE, "back_href", BASE,
				 "back_label", "SMPP accounts");
	json_t *form = admin_form(req);
	struct smpp_account_in in;
	struct verr v = VERR_INIT;
	struct db *db;
	int enabled;
	if (req->method != HTTP_POST) {
		json_t *init = json_pack("{s:i, s:b}", "throughput", SMPP_TPS_DEFAULT, "enabled", 1);
		admin_form_page(req, 200, page, add_fields, ARRAY_LEN(add_fields), init, NULL, 0);
		json_decref(init);
		return;
	}
	read_form(form, &in, &enabled, &v);
	if (smpp_account_validate(&in, 1, &v) < 0) {
		admin_form_page(req, 422, page, add_fields, ARRAY_LEN(add_fields), form, verr_take(&v), 0);
		return;
	}
	if ((db = admin_db(req)) == NULL) {
		json_decref(page);
		return;
	}
	struct model_err e = MODEL_ERR_INIT;
	int64_t id = smpp_account_create(db, &in, &e);
	if (id > 0 && !enabled && smpp_account_update(db, id, &(struct smpp_account_in){in.system_id, NULL, in.tps, in.allowed_cidrs},
						     0, &e) < 0)
		id = -1;
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
	char object[48];
	snprintf(object, sizeof(object), "smpp_account %lld", (long long)id);
	json_t *after = summary(&in, enabled), *detail = audit_changes(NULL, after);
	json_decref(after);
	audit(db, req, "smpp_account.created", object, detail);
	json_decref(detail);
	admin_redirect(req, BASE "?done=created");
}

/* The account of path parameter 0, or NULL after a 404/503 page. */
static json_t *load(struct http_req *req, struct db *db, int64_t *id)
{
	PGresult *r = NULL;
	if (parse_i64(req->params[0], 1, INT64_MAX, id) == 0 && (r = smpp_account_get(db, *id)) == NULL) {
		http_db_fail(req, db);
		return NULL;
	}
	json_t *obj = r && PQntuples(r) ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	if (obj == NULL)
		admin_error(req, 404, "There is no such SMPP account.");
	return obj;
}

void admin_smpp_edit(struct http_req *req)
{
	struct db *db = admin_db(req);
	int64_t id;
	json_t *obj;
	if (db == NULL || (obj = load(req, db, &id)) == NULL)
		return;
	char *self = admin_path(BASE, req->params[0], ""), *del = admin_path(BASE, req->params[0], "/delete");
	char object[48];
	snprintf(object, sizeof(object), "smpp_account %lld", (long long)id);
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s, s:{s:[{s:s, s:s, s:b}]}}", "heading", "SMPP account ",
				 json_string_value(json_object_get(obj, "system_id")), "action", self, "submit", "Save",
				 "cancel_href", BASE, "back_href", BASE, "back_label", "SMPP accounts", "links", "items",
				 "href", del, "label", "Delete…", "danger", 1);
	json_t *h = admin_history(db, object);
	if (h)
		json_object_set_new(page, "history", h);
	json_t *form = admin_form(req);
	struct smpp_account_in in;
	struct model_err e = MODEL_ERR_INIT;
	int enabled, rc = -1;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, edit_fields, ARRAY_LEN(edit_fields), obj, NULL, 0);
		goto out;
	}
	read_form(form, &in, &enabled, &e.fields);
	if (smpp_account_validate(&in, 0, &e.fields) == 0)
		rc = smpp_account_update(db, id, &in, enabled, &e);
	if (rc < 0 && verr_any(&e.fields)) {
		admin_form_page(req, 422, page, edit_fields, ARRAY_LEN(edit_fields), form, verr_take(&e.fields), 0);
	} else if (rc < 0) {
		json_decref(page);
		http_fail(req, e.rc, NULL, NULL);
	} else if (rc == 0) {
		json_decref(page);
		admin_error(req, 404, "There is no such SMPP account.");
	} else {
		json_decref(page);
		json_t *after = summary(&in, enabled), *detail = audit_changes(obj, after);
		json_decref(after);
		audit(db, req, "smpp_account.updated", object, detail);
		json_decref(detail);
		admin_redirect(req, BASE "?done=updated");
	}
out:
	json_decref(obj);
	free(self);
	free(del);
}

void admin_smpp_delete(struct http_req *req)
{
	struct db *db = admin_db(req);
	int64_t id;
	json_t *obj;
	if (db == NULL || (obj = load(req, db, &id)) == NULL)
		return;
	const char *sid = json_string_value(json_object_get(obj, "system_id"));
	char *self = admin_path(BASE, req->params[0], ""), *action = admin_path(BASE, req->params[0], "/delete");
	if (req->method == HTTP_POST) {
		int rc = smpp_account_delete(db, id);
		if (rc < 0)
			http_db_fail(req, db);
		else if (rc == 0)
			admin_error(req, 404, "There is no such SMPP account.");
		else {
			char object[48];
			snprintf(object, sizeof(object), "smpp_account %lld", (long long)id);
			json_t *detail = audit_changes(obj, NULL);
			audit(db, req, "smpp_account.deleted", object, detail);
			json_decref(detail);
			admin_redirect(req, BASE "?done=deleted");
		}
	} else {
		admin_page(req, 200, "admin/confirm",
			   json_pack("{s:s+, s:s++, s:s, s:s, s:s}", "heading", "Delete SMPP account ", sid, "message",
				     "Delete the SMPP account ", sid, "? Clients can no longer bind with it; receipts "
				     "not yet delivered to it are dropped.", "action", action, "submit", "Delete account",
				     "cancel_href", self));
	}
	free(self);
	free(action);
	json_decref(obj);
}
