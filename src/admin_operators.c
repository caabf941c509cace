/* admin_operators.c — /admin/operators/: the pattern every resource page follows. The list
 * uses admin_list (templates/admin/list.html), the add/edit pages admin_form_page
 * (templates/admin/form.html) with the model's validator, so the rules are the API's. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "form.h"
#include "model_operator.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BASE "/admin/operators/"

static const struct admin_field add_fields[] = {
	{"code", "Code", "text", NULL, "Exactly 3 digits, e.g. 916.", 1, 3, "[0-9]{3}"},
	{"name", "Name", "text", NULL, "Up to 100 characters; may be empty.", 0, 100, NULL},
};
static const struct admin_field *const edit_fields = &add_fields[1];   /* the code is the key */

static const struct admin_col cols[] = {
	{"Code", "code", "code"},
	{"Name", "name", "name"},
	{"Updated", "updated_at", NULL},
};

static const char *const sorts[] = {"code", "-code", "name", "-name", NULL};

static const char *done_notice(const char *done)
{
	static const struct { const char *key, *text; } notices[] = {
		{"created", "The operator was added."},
		{"updated", "The operator was saved."},
		{"deleted", "The operator was deleted."},
	};
	for (size_t i = 0; done && i < ARRAY_LEN(notices); i++)
		if (strcmp(done, notices[i].key) == 0)
			return notices[i].text;
	return NULL;
}

void admin_operators_list(struct http_req *req)
{
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "code", 1, NULL};
	const char *sort, *q;
	const char *after;
	struct db *db;
	if (admin_list_params(req, sorts, &sort, &after, &q) < 0)
		return;
	if ((db = admin_db(req)) == NULL)
		return;
	PGresult *r = operator_search(db, sort, after, q, ADMIN_PAGE + 1);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	json_t *page = json_pack("{s:s, s:o, s:s*, s:[{s:s, s:s}]}", "heading", "Operators", "list",
				 admin_list(req, &spec, r, ADMIN_PAGE, sort, q), "notice",
				 done_notice(http_query(req, "done")), "bulk_actions", "value", "delete", "label",
				 "Delete");
	if (req->user.role >= ROLE_OPERATOR) {
		json_object_set_new(page, "add_href", json_string(BASE "add"));
		json_object_set_new(page, "add_label", json_string("Add operator"));
	}
	admin_page(req, 200, "admin/list", page);
}

void admin_operators_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "Add operator", "action",
				 BASE "add", "submit", "Add operator", "cancel_href", BASE, "back_href", BASE,
				 "back_label", "Operators");
	struct verr v = VERR_INIT;
	struct operator_in in;
	struct db *db;
	json_t *form = admin_form(req);
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, add_fields, ARRAY_LEN(add_fields), NULL, NULL, 0);
		return;
	}
	if (operator_validate(form, NULL, 1, &in, &v) < 0) {
		admin_form_page(req, 422, page, add_fields, ARRAY_LEN(add_fields), form, verr_take(&v), 0);
		return;
	}
	if ((db = admin_db(req)) == NULL) {
		json_decref(page);
		return;
	}
	PGresult *r = operator_insert(db, &in);
	if (r == NULL && db_is_unique(db)) {
		verr_add(&v, "code", "an operator with this code exists already");
		admin_form_page(req, 409, page, add_fields, ARRAY_LEN(add_fields), form, verr_take(&v), 0);
		return;
	}
	json_decref(page);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	PQclear(r);
	char *object = xasprintf("operator %s", in.code);
	audit(db, req, "operator.created", object, form);
	free(object);
	admin_redirect(req, BASE "?done=created");
}

/* The edit page: GET shows the operator (read-only below operator), POST saves it. */
void admin_operators_edit(struct http_req *req)
{
	const char *code = req->params[0];
	struct db *db = admin_db(req);
	if (db == NULL)
		return;
	PGresult *r = operator_get(db, code);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		admin_error(req, 404, "There is no operator with this code.");
		return;
	}
	json_t *obj = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	struct buf b = BUF_INIT;
	buf_puts(&b, BASE);
	admin_urlencode(&b, code);
	char *self = xstrdup(b.data);
	buf_puts(&b, "/delete");
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s}", "heading", "Operator ", code, "action",
				 self, "submit", "Save", "cancel_href", BASE, "back_href", BASE, "back_label",
				 "Operators");
	if (req->user.role >= ROLE_OPERATOR)
		json_object_set_new(page, "links", json_pack("{s:[{s:s, s:s, s:b}]}", "items", "href", b.data,
							     "label", "Delete…", "danger", 1));
	buf_free(&b);
	int readonly = req->user.role < ROLE_OPERATOR;
	if (req->user.role >= ROLE_ADMIN) {
		char *object = xasprintf("operator %s", code);
		json_t *h = admin_history(db, object);
		free(object);
		if (h)
			json_object_set_new(page, "history", h);
	}
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, edit_fields, 1, obj, NULL, readonly);
	} else {
		json_t *form = admin_form(req);
		struct verr v = VERR_INIT;
		struct operator_in in;
		if (operator_validate(form, code, 1, &in, &v) < 0) {
			admin_form_page(req, 422, page, edit_fields, 1, form, verr_take(&v), 0);
		} else if ((r = operator_update(db, &in, 1)) == NULL) {
			json_decref(page);
			http_db_fail(req, db);
		} else if (PQntuples(r) == 0) {
			PQclear(r);
			json_decref(page);
			admin_error(req, 404, "There is no operator with this code.");
		} else {
			PQclear(r);
			json_decref(page);
			char *object = xasprintf("operator %s", code);
			audit(db, req, "operator.updated", object, form);
			free(object);
			admin_redirect(req, BASE "?done=updated");
		}
	}
	free(self);
	json_decref(obj);
}

void admin_operators_delete(struct http_req *req)
{
	const char *code = req->params[0];
	struct db *db = admin_db(req);
	if (db == NULL)
		return;
	if (req->method == HTTP_POST) {
		int rc = operator_delete(db, code);
		if (rc < 0 && db_is_fk(db))
			admin_error(req, 409, "Clients use this operator. Move or delete them first.");
		else if (rc < 0)
			http_db_fail(req, db);
		else if (rc == 0)
			admin_error(req, 404, "There is no operator with this code.");
		else {
			char *object = xasprintf("operator %s", code);
			audit(db, req, "operator.deleted", object, NULL);
			free(object);
			admin_redirect(req, BASE "?done=deleted");
		}
		return;
	}
	PGresult *r = operator_get(db, code);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		admin_error(req, 404, "There is no operator with this code.");
		return;
	}
	PQclear(r);
	struct buf b = BUF_INIT;
	buf_puts(&b, BASE);
	admin_urlencode(&b, code);
	char *self = xstrdup(b.data);
	buf_puts(&b, "/delete");
	admin_page(req, 200, "admin/confirm",
		   json_pack("{s:s+, s:s+, s:s, s:s, s:s}", "heading", "Delete operator ", code, "message",
			     "Delete the operator with code ", code, "action", b.data, "submit", "Delete operator",
			     "cancel_href", self));
	free(self);
	buf_free(&b);
}

void admin_operators_bulk(struct http_req *req)
{
	json_t *form = admin_form(req), *keys = form_list(form, "key");
	const char *action = form_str(form, "action");
	struct db *db;
	if (action == NULL || strcmp(action, "delete") != 0) {
		admin_error(req, 400, "Choose an action for the selected rows.");
	} else if (json_array_size(keys) == 0 || json_array_size(keys) > ADMIN_PAGE) {
		admin_error(req, 400, "Select between 1 and 50 rows.");
	} else if ((db = admin_db(req)) != NULL) {
		char *codes = json_dumps(keys, JSON_COMPACT);
		int rc = operator_delete_many(db, codes);
		free(codes);
		if (rc < 0 && db_is_fk(db))
			admin_error(req, 409, "Clients use some of these operators; nothing was deleted.");
		else if (rc < 0)
			http_db_fail(req, db);
		else {
			size_t i;
			json_t *k;
			json_array_foreach(keys, i, k) {
				char *object = xasprintf("operator %s", json_string_value(k));
				audit(db, req, "operator.deleted", object, NULL);
				free(object);
			}
			admin_redirect(req, BASE "?done=deleted");
		}
	}
	json_decref(keys);
}
