/* admin_tags.c — /admin/tags/: the list with each tag's client count, add, rename, and delete
 * (refused while clients use the tag). Validation is model_tag's, as in the API. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "model_tag.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BASE "/admin/tags/"

static const struct admin_field fields[] = {
	{"name", "Name", "text", NULL, "1 to 64 characters. Clients keep their tag when it is renamed.", 1, 64, NULL},
};

static const struct admin_col cols[] = {
	{"Name", "name", "name"},
	{"Clients", "clients", NULL},
	{"Created", "created_at", "id"},
	{"Updated", "updated_at", NULL},
};

static const char *const sorts[] = {"name", "-name", "id", "-id", NULL};

void admin_tags_list(struct http_req *req)
{
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, NULL};
	static const char *const notices[] = {"created", "The tag was added.", "updated", "The tag was saved.",
					      "deleted", "The tag was deleted.", NULL};
	const char *sort, *q;
	const char *after;
	struct db *db;
	if (admin_list_params(req, sorts, &sort, &after, &q) < 0)
		return;
	if ((db = admin_db(req)) == NULL)
		return;
	PGresult *r = tag_search(db, sort, after, q, ADMIN_PAGE + 1);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	json_t *page = json_pack("{s:s, s:o, s:s*, s:s}", "heading", "Tags", "list",
				 admin_list(req, &spec, r, ADMIN_PAGE, sort, q), "notice", admin_notice(req, notices),
				 "q_placeholder", "Part of a name");
	if (req->user.role >= ROLE_OPERATOR) {
		json_object_set_new(page, "add_href", json_string(BASE "add"));
		json_object_set_new(page, "add_label", json_string("Add tag"));
	}
	admin_page(req, 200, "admin/list", page);
}

/* The tag of path parameter 0 as an object, or NULL after a 404/503 page. */
static json_t *load(struct http_req *req, struct db *db)
{
	int64_t id;
	PGresult *r = NULL;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) == 0 && (r = tag_get(db, req->params[0])) == NULL) {
		http_db_fail(req, db);
		return NULL;
	}
	json_t *obj = r && PQntuples(r) ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	if (obj == NULL)
		admin_error(req, 404, "There is no such tag.");
	return obj;
}

void admin_tags_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "Add tag", "action", BASE "add",
				 "submit", "Add tag", "cancel_href", BASE, "back_href", BASE, "back_label", "Tags");
	json_t *form = admin_form(req);
	struct verr v = VERR_INIT;
	struct tag_in in;
	struct db *db;
	PGresult *r;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, fields, 1, NULL, NULL, 0);
	} else if (tag_validate(form, 0, &in, &v) < 0) {
		admin_form_page(req, 422, page, fields, 1, form, verr_take(&v), 0);
	} else if ((db = admin_db(req)) == NULL) {
		json_decref(page);
	} else if ((r = tag_insert(db, &in)) == NULL && db_is_unique(db)) {
		verr_add(&v, "name", "a tag with this name exists already");
		admin_form_page(req, 409, page, fields, 1, form, verr_take(&v), 0);
	} else if (r == NULL) {
		json_decref(page);
		http_db_fail(req, db);
	} else {
		json_decref(page);
		char *object = xasprintf("tag %s", PQgetvalue(r, 0, 1));
		json_t *obj = json_loads(PQgetvalue(r, 0, 0), 0, NULL), *detail = audit_changes(NULL, obj);
		json_decref(obj);
		PQclear(r);
		audit(db, req, "tag.created", object, detail);
		json_decref(detail);
		free(object);
		admin_redirect(req, BASE "?done=created");
	}
}

void admin_tags_edit(struct http_req *req)
{
	const char *id = req->params[0];
	struct db *db = admin_db(req);
	json_t *obj;
	if (db == NULL || (obj = load(req, db)) == NULL)
		return;
	const char *name = json_string_value(json_object_get(obj, "name"));
	char *self = admin_path(BASE, id, ""), *del = admin_path(BASE, id, "/delete"), *object = xasprintf("tag %s", id);
	char *label = xasprintf("Its clients (%lld)", (long long)json_integer_value(json_object_get(obj, "clients")));
	struct buf cl = BUF_INIT;
	buf_puts(&cl, "/admin/clients/?tag=");
	admin_urlencode(&cl, name);
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s, s:{s:[{s:s, s:s}]}}", "heading", "Tag ", name,
				 "action", self, "submit", "Save", "cancel_href", BASE, "back_href", BASE, "back_label",
				 "Tags", "links", "items", "href", cl.data, "label", label);
	free(label);
	buf_free(&cl);
	if (req->user.role >= ROLE_OPERATOR)
		json_array_append_new(json_object_get(json_object_get(page, "links"), "items"),
				      json_pack("{s:s, s:s, s:b}", "href", del, "label", "Delete…", "danger", 1));
	if (req->user.role >= ROLE_ADMIN) {
		json_t *h = admin_history(db, object);
		if (h)
			json_object_set_new(page, "history", h);
	}
	json_t *form = admin_form(req);
	struct verr v = VERR_INIT;
	struct tag_in in;
	PGresult *r;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, fields, 1, obj, NULL, req->user.role < ROLE_OPERATOR);
	} else if (tag_validate(form, 0, &in, &v) < 0) {
		admin_form_page(req, 422, page, fields, 1, form, verr_take(&v), 0);
	} else if ((r = tag_update(db, id, &in)) == NULL && db_is_unique(db)) {
		verr_add(&v, "name", "another tag has this name");
		admin_form_page(req, 409, page, fields, 1, form, verr_take(&v), 0);
	} else if (r == NULL) {
		json_decref(page);
		http_db_fail(req, db);
	} else {
		json_t *after = json_loads(PQgetvalue(r, 0, 0), 0, NULL), *detail = audit_changes(obj, after);
		json_decref(after);
		PQclear(r);
		json_decref(page);
		audit(db, req, "tag.updated", object, detail);
		json_decref(detail);
		admin_redirect(req, BASE "?done=updated");
	}
	json_decref(obj);
	free(self);
	free(del);
	free(object);
}

void admin_tags_delete(struct http_req *req)
{
	const char *id = req->params[0];
	struct db *db = admin_db(req);
	json_t *obj;
	if (db == NULL || (obj = load(req, db)) == NULL)
		return;
	const char *name = json_string_value(json_object_get(obj, "name"));
	json_int_t clients = json_integer_value(json_object_get(obj, "clients"));
	char *self = admin_path(BASE, id, "");
	if (req->method == HTTP_POST) {
		int rc = tag_delete(db, id);
		if (rc < 0 && db_is_fk(db))
			admin_error(req, 409, "Clients use this tag, so it was not deleted. Give them another tag or "
					      "delete them first.");
		else if (rc < 0)
			http_db_fail(req, db);
		else if (rc == 0)
			admin_error(req, 404, "There is no such tag.");
		else {
			char *object = xasprintf("tag %s", id);
			json_t *detail = audit_changes(obj, NULL);
			audit(db, req, "tag.deleted", object, detail);
			json_decref(detail);
			free(object);
			admin_redirect(req, BASE "?done=deleted");
		}
	} else if (clients > 0) {
		char *msg = xasprintf("The tag “%s” cannot be deleted: %lld client%s use%s it. Give them another tag "
				      "or delete them first.", name, (long long)clients, clients == 1 ? "" : "s",
				      clients == 1 ? "s" : "");
		struct buf cl = BUF_INIT;
		buf_puts(&cl, "/admin/clients/?tag=");
		admin_urlencode(&cl, name);
		/* a page that explains why there is nothing to confirm: a normal page, not an error */
		admin_page(req, 200, "admin/detail",
			   json_pack("{s:s+, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:I}], s:{s:[{s:s, s:s}]}}", "heading",
				     "Delete tag ", name, "error", msg, "back_href", self, "back_label", "Tag", "items",
				     "label", "Name", "value", name, "label", "Clients", "value", clients,
				     "links", "items", "href", cl.data, "label", "Show its clients"));
		buf_free(&cl);
		free(msg);
	} else {
		char *action = admin_path(BASE, id, "/delete");
		admin_page(req, 200, "admin/confirm",
			   json_pack("{s:s+, s:s++, s:s, s:s, s:s}", "heading", "Delete tag ", name, "message",
				     "No client uses the tag ", name, "; delete it?", "action", action, "submit",
				     "Delete tag", "cancel_href", self));
		free(action);
	}
	free(self);
	json_decref(obj);
}
