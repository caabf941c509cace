/* admin_clients.c — /admin/clients/: the filtered, sorted list (keyset pages at any size), the
 * add/edit/delete pages (model_client's validator, so the rules are the API's), bulk delete,
 * and CSV import through the API's bulk upsert with a per-line report; the CSV export is
 * admin_client_export.c. */
#include "admin.h"
#include "admin_client.h"
#include "admin_handlers.h"
#include "audit.h"
#include "csv.h"
#include "db.h"
#include "import_job.h"
#include "form.h"
#include "log.h"
#include "model_client.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/clients/"
#define IMPORT_ERRORS_SHOWN 500

static const struct admin_field fields[] = {
	{"phone", "Phone", "tel", NULL, "79161234567, +7 (916) 123-45-67 or 8 916 123 45 67; stored as 79161234567.", 1,
	 PHONE_INPUT_MAX, NULL},
	{"operator_code", "Operator code", "text", NULL,
	 "3 digits; empty: digits 2 to 4 of the phone. An unknown code creates the operator.", 0, 3, "[0-9]{3}"},
	{"tag", "Tag", "text", NULL, "Up to 64 characters; empty: no tag. An unknown name creates the tag.", 0, 64, NULL},
	{"timezone", "Time zone", "text", NULL, "An IANA name such as Europe/Moscow; empty: the default time zone.", 0, 64, NULL},
};

static const struct admin_col cols[] = {
	{"Phone", "phone", "phone"},
	{"Operator", "operator_code", NULL},
	{"Tag", "tag", NULL},
	{"Time zone", "timezone", NULL},
	{"Created", "created_at", "id"},
};

const char *const admin_client_sorts[] = {"-id", "id", "phone", "-phone", NULL};
static const char *const keep[] = {"tag", "operator_code", "timezone", NULL};

/* The list's filters from ?q (a phone prefix), ?tag, ?operator_code and ?timezone; empty
 * values are absent. -1 with the problems in v. */
int admin_client_filter(struct http_req *req, struct client_filter *f, struct verr *v)
{
	const char *q = http_query(req, "q");
	if (q && *q == '+')
		q++;
	const char *vals[] = {q, http_query(req, "tag"), http_query(req, "operator_code"), http_query(req, "timezone")};
	for (size_t i = 0; i < ARRAY_LEN(vals); i++)
		if (vals[i] && *vals[i] == '\0')
			vals[i] = NULL;
	*f = (struct client_filter){vals[1], vals[2], vals[0], vals[3], ""};
	return client_filter_check(f, v);
}

/* The filter problems as one sentence for the list page. */
char *admin_client_filter_problems(json_t *errs)
{
	static const struct { const char *field, *label; } labels[] = {
		{"phone_prefix", "Search (a phone prefix)"}, {"tag", "Tag"}, {"operator_code", "Operator"},
		{"timezone", "Time zone"},
	};
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
		json_t *m = json_array_get(json_object_get(errs, labels[i].field), 0);
		if (m)
			buf_printf(&b, "%s%s %s.", b.len ? " " : "", labels[i].label, json_string_value(m));
	}
	return buf_steal(&b);
}

/* The query string of the current filters and sort, for the export link. */
static char *filter_query(struct http_req *req)
{
	static const char *const names[] = {"sort", "q", "tag", "operator_code", "timezone"};
	struct buf b = BUF_INIT;
	buf_puts(&b, "");
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const char *v = http_query(req, names[i]);
		if (v && *v) {
			buf_printf(&b, "%c%s=", b.len ? '&' : '?', names[i]);
			admin_urlencode(&b, v);
		}
	}
	return buf_steal(&b);
}

/* The cursor's key fits the sort: [id] or ["phone"]. */
static int key_fits(const char *after_json, const char *sort)
{
	if (after_json == NULL)
		return 1;
	json_t *k = json_loads(after_json, 0, NULL);
	json_t *e = json_array_get(k, 0);
	int ok = json_array_size(k) == 1 &&
		 (strstr(sort, "phone") ? json_is_string(e) && strlen(json_string_value(e)) <= 11 : json_is_integer(e));
	json_decref(k);
	return ok;
}

/* The object of row of a client_page/client_get result (new reference). */
static json_t *row_object(const PGresult *r, int row)
{
	struct buf b = BUF_INIT;
	client_json(&b, r, row);
	json_t *o = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return o ? o : json_object();
}

void admin_clients_list(struct http_req *req)
{
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 1, keep};
	static const char *const notices[] = {
		"created", "The client was added.", "updated", "The client was saved.",
		"deleted", "The client was deleted; its pending messages were cancelled.",
		"bulk_deleted", "The selected clients were deleted; their pending messages were cancelled.", NULL};
	const char *sort, *q, *after;
	char *error = NULL;
	struct db *db;
	struct client_filter f;
	struct verr v = VERR_INIT;
	if (admin_list_params(req, admin_client_sorts, &sort, &after, &q) < 0)
		return;
	if (!key_fits(after, sort)) {
		admin_error(req, 400, "That page link is broken; start from the first page.");
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	json_t *objs = json_array();
	char *next = NULL;
	if (admin_client_filter(req, &f, &v) < 0) {
		json_t *errs = verr_take(&v);
		error = admin_client_filter_problems(errs);
		json_decref(errs);
	} else {
		PGresult *r = client_page(db, sort, after, &f, ADMIN_PAGE + 1);
		if (r == NULL) {
			json_decref(objs);
			http_db_fail(req, db);
			return;
		}
		int n = PQntuples(r), shown = n > ADMIN_PAGE ? ADMIN_PAGE : n;
		for (int i = 0; i < shown; i++)
			json_array_append_new(objs, row_object(r, i));
		if (n > shown) {
			struct buf k = BUF_INIT;
			client_key(&k, r, shown - 1, sort);
			next = buf_steal(&k);
		}
		PQclear(r);
	}
	char *query = filter_query(req), *export = xasprintf(BASE "export.csv%s", query);
	char *excel = xasprintf("%s%cformat=excel", export, *query ? '&' : '?');
	json_t *page = json_pack("{s:s, s:o, s:s*, s:s*, s:s, s:[{s:s, s:s}], s:[o, o, o], s:[{s:s, s:s}, {s:s, s:s}]}",
				 "heading", "Clients", "list", admin_list_objs(req, &spec, objs, next, sort, q),
				 "notice", admin_notice(req, notices), "error", error, "q_placeholder",
				 "Phone prefix, e.g. 7916", "bulk_actions", "value", "delete", "label", "Delete",
				 "filters", admin_filter_input(req, "tag", "Tag", "any"),
				 admin_filter_input(req, "operator_code", "Operator", "any"),
				 admin_filter_input(req, "timezone", "Time zone", "any"), "actions", "href", export,
				 "label", "Export CSV", "href", excel, "label", "Export for Excel");
	if (req->user.role >= ROLE_OPERATOR) {
		json_array_append_new(json_object_get(page, "actions"),
				      json_pack("{s:s, s:s}", "href", BASE "import", "label", "Import CSV"));
		json_object_set_new(page, "add_href", json_string(BASE "add"));
		json_object_set_new(page, "add_label", json_string("Add client"));
	}
	free(next);
	free(error);
	free(query);
	free(export);
	free(excel);
	admin_page(req, 200, "admin/list", page);
}

/* Validates the POSTed form (empty fields take their defaults) into in, whose strings are
 * borrowed from *given (the caller json_decrefs it). -1 with errors in v. */
static int validate_form(struct http_req *req, json_t **given, struct client_in *in, struct verr *v)
{
	*given = admin_form_given(admin_form(req));
	return client_validate(*given, 0, in, v);
}

void admin_clients_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "Add client", "action", BASE "add",
				 "submit", "Add client", "cancel_href", BASE, "back_href", BASE, "back_label", "Clients");
	struct verr v = VERR_INIT;
	struct client_in in;
	struct db *db;
	json_t *given = NULL, *form = admin_form(req);
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, fields, ARRAY_LEN(fields), NULL, NULL, 0);
		return;
	}
	if (validate_form(req, &given, &in, &v) < 0) {
		admin_form_page(req, 422, page, fields, ARRAY_LEN(fields), form, verr_take(&v), 0);
	} else if ((db = admin_db(req)) == NULL) {
		json_decref(page);
	} else {
		PGresult *r = client_insert(db, &in);
		if (r == NULL && db_is_unique(db)) {
			verr_add(&v, "phone", "a client with this phone exists already");
			admin_form_page(req, 409, page, fields, ARRAY_LEN(fields), form, verr_take(&v), 0);
		} else if (r == NULL) {
			json_decref(page);
			http_db_fail(req, db);
		} else {
			json_decref(page);
			json_t *obj = row_object(r, 0);
			char *object = xasprintf("client %s", db_str(r, 0, 0));
			PQclear(r);
			json_t *detail = audit_changes(NULL, obj);
			audit(db, req, "client.created", object, detail);
			json_decref(detail);
			json_decref(obj);
			free(object);
			admin_redirect(req, BASE "?done=created");
		}
	}
	json_decref(given);
}

/* The client of path parameter 0 as an object, or NULL after a 404/503 page. */
static json_t *load(struct http_req *req, struct db *db)
{
	int64_t id;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, "There is no such client.");
		return NULL;
	}
	PGresult *r = client_get(db, req->params[0]);
	if (r == NULL) {
		http_db_fail(req, db);
		return NULL;
	}
	json_t *obj = PQntuples(r) ? row_object(r, 0) : NULL;
	PQclear(r);
	if (obj == NULL)
		admin_error(req, 404, "There is no such client.");
	return obj;
}

void admin_clients_edit(struct http_req *req)
{
	const char *id = req->params[0];
	struct db *db = admin_db(req);
	json_t *obj, *given = NULL;
	if (db == NULL || (obj = load(req, db)) == NULL)
		return;
	char *self = admin_path(BASE, id, ""), *del = admin_path(BASE, id, "/delete"), *object = xasprintf("client %s", id);
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s}", "heading", "Client ",
				 json_string_value(json_object_get(obj, "phone")), "action", self, "submit", "Save",
				 "cancel_href", BASE, "back_href", BASE, "back_label", "Clients");
	if (req->user.role >= ROLE_OPERATOR)
		json_object_set_new(page, "links", json_pack("{s:[{s:s, s:s, s:b}]}", "items", "href", del, "label",
							     "Delete…", "danger", 1));
	if (req->user.role >= ROLE_ADMIN) {
		json_t *h = admin_history(db, object);
		if (h)
			json_object_set_new(page, "history", h);
	}
	struct verr v = VERR_INIT;
	struct client_in in;
	json_t *form = admin_form(req);
	PGresult *r;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, fields, ARRAY_LEN(fields), obj, NULL, req->user.role < ROLE_OPERATOR);
	} else if (validate_form(req, &given, &in, &v) < 0) {
		admin_form_page(req, 422, page, fields, ARRAY_LEN(fields), form, verr_take(&v), 0);
	} else if ((r = client_update(db, id, &in)) == NULL && db_is_unique(db)) {
		verr_add(&v, "phone", "another client has this phone");
		admin_form_page(req, 409, page, fields, ARRAY_LEN(fields), form, verr_take(&v), 0);
	} else if (r == NULL) {
		json_decref(page);
		http_db_fail(req, db);
	} else {
		json_decref(page);
		json_t *after = row_object(r, 0), *detail = audit_changes(obj, after);
		json_decref(after);
		PQclear(r);
		audit(db, req, "client.updated", object, detail);
		json_decref(detail);
		admin_redirect(req, BASE "?done=updated");
	}
	json_decref(given);
	json_decref(obj);
	free(self);
	free(del);
	free(object);
}

void admin_clients_delete(struct http_req *req)
{
	const char *id = req->params[0];
	struct db *db = admin_db(req);
	json_t *obj;
	if (db == NULL || (obj = load(req, db)) == NULL)
		return;
	const char *phone = json_string_value(json_object_get(obj, "phone"));
	if (req->method == HTTP_POST) {
		int rc = client_delete(db, id);
		if (rc < 0)
			http_db_fail(req, db);
		else if (rc == 0)
			admin_error(req, 404, "There is no such client.");
		else {
			char *object = xasprintf("client %s", id);
			json_t *detail = audit_changes(obj, NULL);
			audit(db, req, "client.deleted", object, detail);
			json_decref(detail);
			free(object);
			admin_redirect(req, BASE "?done=deleted");
		}
		json_decref(obj);
		return;
	}
	long long pending = client_pending(db, id);
	if (pending < 0) {
		json_decref(obj);
		http_db_fail(req, db);
		return;
	}
	char *self = admin_path(BASE, id, ""), *action = admin_path(BASE, id, "/delete");
	char *msg = pending == 0 ? xasprintf("Delete the client %s? It has no pending messages.", phone)
		  : xasprintf("Delete the client %s? Its %lld pending message%s will be cancelled.", phone, pending,
			      pending == 1 ? "" : "s");
	admin_page(req, 200, "admin/confirm",
		   json_pack("{s:s+, s:s, s:s, s:s, s:s}", "heading", "Delete client ", phone, "message", msg,
			     "action", action, "submit", "Delete client", "cancel_href", self));
	free(msg);
	free(self);
	free(action);
	json_decref(obj);
}

void admin_clients_bulk(struct http_req *req)
{
	json_t *form = admin_form(req), *keys = form_list(form, "key"), *k;
	const char *action = form_str(form, "action");
	struct db *db;
	size_t i;
	int64_t id;
	int bad = 0;
	json_array_foreach(keys, i, k)
		bad |= parse_i64(json_string_value(k), 1, INT64_MAX, &id) < 0;
	if (action == NULL || strcmp(action, "delete") != 0) {
		admin_error(req, 400, "Choose an action for the selected rows.");
	} else if (json_array_size(keys) == 0 || json_array_size(keys) > ADMIN_PAGE || bad) {
		admin_error(req, 400, "Select between 1 and 50 clients.");
	} else if ((db = admin_db(req)) != NULL) {
		char *ids = json_dumps(keys, JSON_COMPACT);
		long long n = client_delete_many(db, ids);
		free(ids);
		if (n < 0) {
			http_db_fail(req, db);
		} else {
			json_array_foreach(keys, i, k) {
				char *object = xasprintf("client %s", json_string_value(k));
				audit(db, req, "client.deleted", object, NULL);
				free(object);
			}
			admin_redirect(req, BASE "?done=bulk_deleted");
		}
	}
	json_decref(keys);
}

/* --- import ----------------------------------------------------------------------------- */

static void import_page(struct http_req *req, int status, const char *error, json_t *result)
{
	json_t *page = json_pack("{s:s*, s:i, s:i, s:i}", "error", error, "max_rows", CLIENT_BULK_MAX, "max_mb",
				 ADMIN_IMPORT_LIMIT / (1024 * 1024), "job_mb", IMPORT_JOB_MIN_BYTES / (1024 * 1024));
	struct db *db = db_thread();
	json_t *jobs = db ? admin_import_recent(db) : NULL;
	json_object_set_new(page, "has_jobs", json_boolean(json_array_size(jobs) > 0));
	if (jobs)
		json_object_set_new(page, "jobs", jobs);
	if (result)
		json_object_set_new(page, "result", result);
	admin_page(req, status, "admin/import", page);
}

void admin_clients_import(struct http_req *req)
{
	if (req->method != HTTP_POST) {
		import_page(req, 200, NULL, NULL);
		return;
	}
	const char *file = form_str(admin_form(req), "file");
	struct client_import im;
	char err[300];
	struct db *db;
	if (file == NULL || *file == '\0') {
		import_page(req, 422, "Choose a CSV file to import; the one sent was empty.", NULL);
		return;
	}
	if (strlen(file) > ADMIN_IMPORT_LIMIT) {
		snprintf(err, sizeof(err), "The file is larger than %d MB; split it.", ADMIN_IMPORT_LIMIT / (1024 * 1024));
		import_page(req, 413, err, NULL);
		return;
	}
	if (client_import_open(&im, file, strlen(file), err, sizeof(err)) < 0) {
		import_page(req, 422, err, NULL);
		return;
	}
	if (im.text.len > IMPORT_JOB_MIN_BYTES) {
		admin_import_queue(req, &im);
		client_import_close(&im);
		return;
	}
	json_t *items = json_array(), *lines = json_array();
	if (client_import_read(&im, CLIENT_BULK_MAX + 1, items, lines) > CLIENT_BULK_MAX) {
		snprintf(err, sizeof(err), "The file has more than %d rows; split it.", CLIENT_BULK_MAX);
		import_page(req, 422, err, NULL);
	} else if ((db = admin_db(req)) == NULL) {
		/* answered */
	} else if (client_import_store(&im, db, items, lines) < 0) {
		http_db_fail(req, db);
	} else {
		json_t *detail = json_pack("{s:I, s:I, s:I, s:I, s:I}", "rows", (json_int_t)im.rows, "created",
					   (json_int_t)im.created, "updated", (json_int_t)im.updated, "invalid",
					   (json_int_t)im.invalid, "normalised", (json_int_t)im.normalised);
		audit(db, req, "client.imported", "clients", detail);
		json_decref(detail);
		log_info("admin.clients_imported", LI("rows", im.rows), LI("created", im.created),
			 LI("updated", im.updated), LI("invalid", im.invalid), LI("normalised", im.normalised));
		import_page(req, 200, NULL, client_import_result(&im, IMPORT_ERRORS_SHOWN));
	}
	json_decref(items);
	json_decref(lines);
	client_import_close(&im);
}
