/* admin_mailings.c — /admin/mailings/: the list (filters, search, progress, bulk cancel /
 * retry-failed / delete), the add and edit forms (the model's validator and state rules) and
 * the state changes; the mailing's own page is admin_mailing_view.c. Times in the forms are
 * UTC. */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "audit.h"
#include "form.h"
#include "list.h"
#include "model_mailing.h"
#include "rfc3339.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BASE ADMIN_MAILINGS
#define NOT_FOUND ADMIN_MAILING_NOT_FOUND

static const struct admin_field fields[] = {
	{"start_at", "Start (UTC)", "datetime-local", NULL,
	 "Coordinated Universal Time. A start already past starts the mailing at once.", 1, 0, NULL},
	{"end_at", "End (UTC)", "datetime-local", NULL,
	 "Coordinated Universal Time. Nothing is sent after it; what is left expires.", 1, 0, NULL},
	{"text", "Text", "textarea", NULL, "1 to 4096 characters.", 1, MAILING_TEXT_MAX, NULL},
	{"operator_codes", "Operator codes", "text", NULL,
	 "Comma-separated, e.g. 916, 926. Empty: clients of every operator.", 0, 0, NULL},
	{"tags", "Tags", "text", NULL, "Comma-separated tag names. Empty: clients with any tag or none.", 0, 0, NULL},
	{"window_start", "Send window from", "time", NULL,
	 "In each client's own time zone. Leave both empty to send at any hour.", 0, 0, NULL},
	{"window_end", "Send window until", "time", NULL,
	 "Earlier than the start wraps midnight (22:00 to 06:00).", 0, 0, NULL},
};
#define NFIELDS ARRAY_LEN(fields)

static const struct admin_col cols[] = {
	{"ID", "id", "id"},
	{"Status", "status", NULL},
	{"Start", "start_at", "start_at"},
	{"End", "end_at", NULL},
	{"Text", "excerpt", NULL},
	{"Sent / total", "progress", NULL},
};
#define STATUS_COL 1
#define PROGRESS_COL 5

static const char *const sorts[] = {"-id", "id", "start_at", "-start_at", NULL};
static const char *const statuses[] = {"", "scheduled", "running", "finished", "cancelled", NULL};

const char *admin_mailing_notice(const char *done)
{
	static const struct { const char *key, *text; } notices[] = {
		{"created", "The mailing was created."},
		{"updated", "The mailing was saved."},
		{"deleted", "The mailing was deleted with its messages."},
		{"cancelled", "The mailing was cancelled; its pending messages are cancelled."},
		{"retried", "Failed messages are pending again."},
	};
	for (size_t i = 0; done && i < ARRAY_LEN(notices); i++)
		if (strcmp(done, notices[i].key) == 0)
			return notices[i].text;
	return NULL;
}

/* "/admin/mailings/ID" (malloc'ed). */
char *admin_mailing_path(int64_t id)
{
	return xasprintf(BASE "%lld", (long long)id);
}

/* The mailing of the path's {id} (new reference) and the database, or NULL after a page. */
json_t *admin_mailing_load(struct http_req *req, struct db **db, int64_t *id)
{
	if (parse_i64(req->params[0], 1, INT64_MAX, id) < 0) {
		admin_error(req, 404, NOT_FOUND);
		return NULL;
	}
	if ((*db = admin_db(req)) == NULL)
		return NULL;
	json_t *obj;
	enum model_rc rc = res_row(*db, mailing_get(*db, *id), &obj);
	if (rc != MODEL_OK)
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? NOT_FOUND : NULL, NULL);
	return obj;
}

long long admin_mailing_count(json_t *stats, const char *name)
{
	return (long long)json_integer_value(json_object_get(stats, name));
}

const char *admin_mailing_status(json_t *obj)
{
	const char *s = json_string_value(json_object_get(obj, "status"));
	return s ? s : "";
}

/* --- form <-> API object ----------------------------------------------------------------- */

/* A datetime-local value ("YYYY-MM-DDTHH:MM" or with ":SS") as RFC 3339 in UTC; anything else
 * unchanged, for the validator to name. */
static void put_time(json_t *m, json_t *form, const char *name)
{
	const char *v = form_str(form, name);
	if (v == NULL || *v == '\0')
		return;
	size_t n = strlen(v);
	if ((n == 16 || n == 19) && v[10] == 'T')
		json_object_set_new(m, name, json_sprintf("%s%s", v, n == 16 ? ":00Z" : "Z"));
	else
		json_object_set_new(m, name, json_string(v));
}

/* A comma-separated list as a JSON array of trimmed, non-empty strings. */
static json_t *split(const char *s)
{
	json_t *a = json_array();
	struct list_walk w = {s};
	const char *item;
	size_t len;
	while (list_next(&w, &item, &len))
		if (len > 0)
			json_array_append_new(a, json_stringn(item, len));
	return a;
}

/* The API's mailing object from the form; only_end: just end_at (a running mailing). */
static json_t *form_mailing(json_t *form, int only_end)
{
	json_t *m = json_object();
	put_time(m, form, "end_at");
	if (only_end)
		return m;
	put_time(m, form, "start_at");
	const char *text = form_str(form, "text"), *ws = form_str(form, "window_start"),
		   *we = form_str(form, "window_end");
	if (text && *text)
		json_object_set_new(m, "text", json_string(text));
	json_object_set_new(m, "filter", json_pack("{s:o, s:o}", "operator_codes",
						   split(form_str(form, "operator_codes")), "tags",
						   split(form_str(form, "tags"))));
	if ((ws && *ws) || (we && *we)) {
		json_t *w = json_object();
		if (ws && *ws)
			json_object_set_new(w, "start", json_string(ws));
		if (we && *we)
			json_object_set_new(w, "end", json_string(we));
		json_object_set_new(m, "send_window", w);
	} else {
		json_object_set_new(m, "send_window", json_null());
	}
	return m;
}

/* The validator's errors (stolen) renamed to the form's field names. New reference. */
static json_t *form_errors(json_t *errors)
{
	static const struct { const char *api, *form; } names[] = {
		{"filter", "operator_codes"}, {"filter.operator_codes", "operator_codes"},
		{"filter.tags", "tags"}, {"send_window", "window_start"},
		{"send_window.start", "window_start"}, {"send_window.end", "window_end"},
	};
	json_t *out = json_object(), *msgs;
	const char *key;
	json_object_foreach(errors, key, msgs) {
		const char *name = key;
		for (size_t i = 0; i < ARRAY_LEN(names); i++)
			if (strcmp(key, names[i].api) == 0)
				name = names[i].form;
		json_t *have = json_object_get(out, name);
		if (have)
			json_array_extend(have, msgs);
		else
			json_object_set(out, name, msgs);
	}
	json_decref(errors);
	return out;
}

/* "a, b" from a JSON array of strings. */
json_t *admin_mailing_join(json_t *a)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *s;
	buf_puts(&b, "");
	json_array_foreach(a, i, s)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(s) ? json_string_value(s) : "");
	json_t *out = json_string(b.data);
	buf_free(&b);
	return out;
}

/* The form's values for a stored mailing. New reference. */
static json_t *mailing_values(json_t *obj)
{
	json_t *filter = json_object_get(obj, "filter"), *w = json_object_get(obj, "send_window");
	const char *s = json_string_value(json_object_get(obj, "start_at"));
	const char *e = json_string_value(json_object_get(obj, "end_at"));
	return json_pack("{s:o, s:o, s:O, s:o, s:o, s:O, s:O}", "start_at", json_stringn(s ? s : "", s ? 16 : 0),
			 "end_at", json_stringn(e ? e : "", e ? 16 : 0), "text", json_object_get(obj, "text"),
			 "operator_codes", admin_mailing_join(json_object_get(filter, "operator_codes")), "tags",
			 admin_mailing_join(json_object_get(filter, "tags")), "window_start",
			 json_object_get(w, "start") ? json_object_get(w, "start") : json_null(),
			 "window_end", json_object_get(w, "end") ? json_object_get(w, "end") : json_null());
}

static void audit_mailing(struct db *db, struct http_req *req, const char *action, int64_t id, json_t *detail)
{
	char *object = xasprintf("mailing %lld", (long long)id);
	audit(db, req, action, object, detail);
	free(object);
}

/* --- list and bulk actions --------------------------------------------------------------- */

/* A date filter (?name=YYYY-MM-DD) for the list's search form. */
static json_t *date_filter(struct http_req *req, const char *name, const char *label)
{
	const char *v = http_query(req, name);
	return json_pack("{s:s, s:s, s:s}", "name", name, "label", label, "value", v ? v : "");
}

/* ?name as a date, NULL when absent or empty; -1 after a 400 page. */
static int date_param(struct http_req *req, const char *name, const char **out)
{
	const char *v = http_query(req, name);
	*out = v && *v ? v : NULL;
	if (*out == NULL)
		return 0;
	char t[32];
	if (strlen(v) != 10 || (snprintf(t, sizeof(t), "%sT00:00:00Z", v), rfc3339_valid(t)) != 0) {
		admin_error(req, 400, "Dates are written YYYY-MM-DD.");
		return -1;
	}
	return 0;
}

/* Renders the list page, with outcomes (stolen, may be NULL) of a bulk action above it. */
static void list_page(struct http_req *req, json_t *outcomes)
{
	static const char *const keep[] = {"status", "from", "to", NULL};
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 1, keep};
	const char *sort, *q, *from, *to, *status = http_query(req, "status");
	const char *after;
	struct db *db;
	if (status && *status == '\0')
		status = NULL;
	if (status && mailing_status_valid(status) < 0) {
		json_decref(outcomes);
		admin_error(req, 400, "There is no such mailing status.");
		return;
	}
	if (date_param(req, "from", &from) < 0 || date_param(req, "to", &to) < 0 ||
	    admin_list_params(req, sorts, &sort, &after, &q) < 0) {
		json_decref(outcomes);
		return;
	}
	if ((db = admin_db(req)) == NULL) {
		json_decref(outcomes);
		return;
	}
	PGresult *r = mailing_search(db, sort, after, status, from, to, q, ADMIN_PAGE + 1);
	if (r == NULL) {
		json_decref(outcomes);
		http_db_fail(req, db);
		return;
	}
	json_t *list = admin_list(req, &spec, r, ADMIN_PAGE, sort, q), *row;
	size_t i;
	json_array_foreach(json_object_get(list, "rows"), i, row) {
		json_t *obj = json_object_get(row, "object");
		json_int_t total = json_integer_value(json_object_get(obj, "total"));
		json_int_t sent = json_integer_value(json_object_get(obj, "sent"));
		json_t *cells = json_object_get(row, "cells"), *cell = json_array_get(cells, PROGRESS_COL);
		json_object_set(json_array_get(cells, STATUS_COL), "badge", json_object_get(obj, "status"));
		json_object_set_new(cell, "text", json_sprintf("%lld / %lld", (long long)sent, (long long)total));
		json_object_set_new(cell, "bar", json_pack("{s:I, s:I}", "value", sent, "max", total > 0 ? total : 1));
	}
	json_t *page = json_pack("{s:s, s:o, s:s*, s:o, s:[o], s:[o, o]}", "heading", "Mailings", "list", list,
				 "notice", admin_mailing_notice(http_query(req, "done")), "bulk_actions",
				 json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "value", "cancel", "label",
					   "Cancel", "value", "retry-failed", "label", "Retry failed messages",
					   "value", "delete", "label", "Delete…"),
				 "filters", admin_filter(req, "status", "Status", statuses), "date_filters",
				 date_filter(req, "from", "Starts from"), date_filter(req, "to", "until"));
	if (outcomes)
		json_object_set_new(page, "outcomes", json_pack("{s:o}", "items", outcomes));
	if (req->user.role >= ROLE_OPERATOR) {
		json_object_set_new(page, "add_href", json_string(BASE "add"));
		json_object_set_new(page, "add_label", json_string("New mailing"));
	}
	admin_page(req, 200, "admin/list", page);
}

void admin_mailings_list(struct http_req *req)
{
	list_page(req, NULL);
}

/* The confirmation of a bulk delete: how many mailings and messages go. */
static void bulk_confirm(struct http_req *req, struct db *db, json_t *keys)
{
	char *ids = json_dumps(keys, JSON_COMPACT);
	PGresult *r = mailing_message_total(db, ids);
	free(ids);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	json_t *hidden = json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", "action", "value", "delete", "name",
				   "confirmed", "value", "yes"), *k;
	size_t i;
	json_array_foreach(keys, i, k)
		json_array_append_new(hidden, json_pack("{s:s, s:O}", "name", "key", "value", k));
	size_t n = json_array_size(keys);
	admin_page(req, 200, "admin/confirm",
		   json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}", "heading", "Delete mailings", "message",
			     json_sprintf("Delete %zu mailing%s and their %s messages? This cannot be undone; "
					  "running mailings stop sending.", n, n == 1 ? "" : "s", PQgetvalue(r, 0, 0)),
			     "action", BASE "bulk", "submit", "Delete mailings and messages", "cancel_href", BASE,
			     "hidden", hidden));
	PQclear(r);
}

void admin_mailings_bulk(struct http_req *req)
{
	json_t *form = admin_form(req), *keys = form_list(form, "key"), *k;
	const char *action = form_str(form, "action"), *confirmed = form_str(form, "confirmed");
	int cancel = action && strcmp(action, "cancel") == 0, retry = action && strcmp(action, "retry-failed") == 0;
	int del = action && strcmp(action, "delete") == 0;
	struct db *db = NULL;
	size_t i;
	int64_t id;
	json_array_foreach(keys, i, k)
		if (parse_i64(json_string_value(k), 1, INT64_MAX, &id) < 0)
			break;
	if (!cancel && !retry && !del) {
		admin_error(req, 400, "Choose an action for the selected rows.");
	} else if (json_array_size(keys) == 0 || json_array_size(keys) > ADMIN_PAGE || i < json_array_size(keys)) {
		admin_error(req, 400, "Select between 1 and 50 mailings.");
	} else if ((db = admin_db(req)) != NULL && del && (confirmed == NULL || strcmp(confirmed, "yes") != 0)) {
		bulk_confirm(req, db, keys);
	} else if (db != NULL) {
		json_t *outcomes = json_array();
		json_array_foreach(keys, i, k) {
			const char *why = NULL;
			PGresult *out = NULL;
			enum model_rc rc;
			parse_i64(json_string_value(k), 1, INT64_MAX, &id);
			rc = del ? mailing_delete(db, id) : cancel ? mailing_cancel(db, id, &out, &why)
							    : mailing_retry_failed(db, id, &out, &why);
			PQclear(out);
			const char *verb = del ? "deleted" : cancel ? "cancelled" : "failed messages retried";
			json_t *o;
			if (rc == MODEL_OK) {
				audit_mailing(db, req, del ? "mailing.deleted" : cancel ? "mailing.cancelled" : "mailing.retried",
					      id, NULL);
				o = json_pack("{s:s, s:b}", "text", verb, "ok", 1);
			} else if (rc == MODEL_CONFLICT) {
				o = json_pack("{s:s+, s:b}", "text", "not changed: ", why, "ok", 0);
			} else if (rc == MODEL_NOT_FOUND) {
				o = json_pack("{s:s, s:b}", "text", "not found (deleted meanwhile?)", "ok", 0);
			} else {
				o = json_pack("{s:s, s:b}", "text", "failed: the database refused; see the log", "ok", 0);
			}
			json_object_set_new(o, "id", json_integer(id));
			json_object_set_new(o, "href", json_sprintf(BASE "%lld", (long long)id));
			json_object_set_new(o, "linked", json_boolean(!(del && rc == MODEL_OK) && rc != MODEL_NOT_FOUND));
			json_array_append_new(outcomes, o);
		}
		list_page(req, outcomes);
	}
	json_decref(keys);
}

/* --- add and edit ------------------------------------------------------------------------ */

void admin_mailings_add(struct http_req *req)
{
	json_t *page = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "heading", "New mailing", "action",
				 BASE "add", "submit", "Create mailing", "cancel_href", BASE, "back_href", BASE,
				 "back_label", "Mailings");
	struct verr v = VERR_INIT;
	struct mailing_in in;
	struct db *db;
	json_t *form = admin_form(req);
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, fields, NFIELDS, NULL, NULL, 0);
		return;
	}
	json_t *m = form_mailing(form, 0);
	if (mailing_validate(m, 1, &in, &v) < 0) {
		admin_form_page(req, 422, page, fields, NFIELDS, form, form_errors(verr_take(&v)), 0);
	} else if ((db = admin_db(req)) == NULL) {
		json_decref(page);
	} else {
		PGresult *r = mailing_insert(db, &in, req->user.id);
		json_decref(page);
		if (r == NULL || PQntuples(r) == 0) {
			PQclear(r);
			http_db_fail(req, db);
		} else {
			int64_t id = db_i64(r, 0, 1);
			PQclear(r);
			audit_mailing(db, req, "mailing.created", id, m);
			char *loc = xasprintf(BASE "%lld?done=created", (long long)id);
			admin_redirect(req, loc);
			free(loc);
		}
	}
	mailing_in_free(&in);
	json_decref(m);
}

/* The edit form: every field (scheduled), only end_at (running) or nothing (finished,
 * cancelled, or a viewer). page and errors are stolen, values borrowed. */
static void edit_form(struct http_req *req, int status, json_t *page, json_t *values, json_t *errors,
		      const char *state)
{
	int all = strcmp(state, "scheduled") == 0 && req->user.role >= ROLE_OPERATOR;
	int end_only = strcmp(state, "running") == 0 && req->user.role >= ROLE_OPERATOR;
	json_t *f;
	if (end_only) {
		json_t *end = admin_fields(fields + 1, 1, values, errors, 0);
		json_t *rest = admin_fields(fields + 2, NFIELDS - 2, values, NULL, 1);
		f = admin_fields(fields, 1, values, NULL, 1);
		json_array_extend(f, end);
		json_array_extend(f, rest);
		json_decref(end);
		json_decref(rest);
		json_object_set_new(page, "notice", json_string("The mailing is running: only its end can change."));
	} else {
		f = admin_fields(fields, NFIELDS, values, errors, !all);
		if (!all && req->user.role >= ROLE_OPERATOR)
			json_object_set_new(page, "notice", json_sprintf("The mailing is %s and cannot change.", state));
	}
	json_object_set_new(page, "fields", f);
	json_object_set_new(page, "has_errors", json_boolean(errors != NULL));
	json_object_set_new(page, "readonly", json_boolean(!all && !end_only));
	json_decref(errors);
	admin_page(req, status, "admin/form", page);
}

void admin_mailings_edit(struct http_req *req)
{
	struct db *db;
	int64_t id;
	json_t *obj = admin_mailing_load(req, &db, &id);
	if (obj == NULL)
		return;
	char *self = admin_mailing_path(id), *action = xasprintf("%s/edit", self);
	const char *state = admin_mailing_status(obj);
	json_t *page = json_pack("{s:s+, s:s, s:s, s:s, s:s, s:s+}", "heading", "Edit mailing ", req->params[0],
				 "action", action, "submit", "Save", "cancel_href", self, "back_href", self,
				 "back_label", "Mailing ", req->params[0]);
	if (req->user.role >= ROLE_ADMIN) {
		char *object = xasprintf("mailing %lld", (long long)id);
		json_t *h = admin_history(db, object);
		free(object);
		if (h)
			json_object_set_new(page, "history", h);
	}
	if (req->method != HTTP_POST) {
		json_t *values = mailing_values(obj);
		edit_form(req, 200, page, values, NULL, state);
		json_decref(values);
	} else if (strcmp(state, "scheduled") != 0 && strcmp(state, "running") != 0) {
		json_decref(page);
		admin_error(req, 409, "A finished or cancelled mailing cannot be changed.");
	} else {
		json_t *form = admin_form(req), *m = form_mailing(form, strcmp(state, "running") == 0);
		struct verr v = VERR_INIT;
		struct mailing_in in;
		PGresult *out = NULL;
		const char *why = NULL;
		enum model_rc rc = MODEL_INVALID;
		if (mailing_validate(m, strcmp(state, "scheduled") == 0, &in, &v) == 0) {
			rc = mailing_update(db, id, &in, &out, &why);
			PQclear(out);
			if (rc == MODEL_INVALID)
				verr_add(&v, "end_at", "%s", why);
			else if (rc == MODEL_CONFLICT)
				verr_add(&v, "status", "%s", why);
		}
		mailing_in_free(&in);
		if (rc == MODEL_OK) {
			json_decref(page);
			audit_mailing(db, req, "mailing.updated", id, m);
			char *loc = xasprintf("%s?done=updated", self);
			admin_redirect(req, loc);
			free(loc);
		} else if (rc == MODEL_NOT_FOUND) {
			json_decref(page);
			admin_error(req, 404, NOT_FOUND);
		} else if (rc == MODEL_ERROR) {
			json_decref(page);
			http_db_fail(req, db);
		} else {
			edit_form(req, rc == MODEL_CONFLICT ? 409 : 422, page, form, form_errors(verr_take(&v)), state);
		}
		json_decref(m);
	}
	free(self);
	free(action);
	json_decref(obj);
}

/* --- state changes ----------------------------------------------------------------------- */

/* POST cancel or retry-failed: back to the mailing's page with a notice, or a 409 page that
 * says which state rule refused it. */
static void change(struct http_req *req, int cancel)
{
	struct db *db;
	int64_t id;
	PGresult *out = NULL;
	const char *why = NULL;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, NOT_FOUND);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	enum model_rc rc = cancel ? mailing_cancel(db, id, &out, &why) : mailing_retry_failed(db, id, &out, &why);
	PQclear(out);
	if (rc == MODEL_OK) {
		audit_mailing(db, req, cancel ? "mailing.cancelled" : "mailing.retried", id, NULL);
		char *loc = xasprintf(BASE "%lld?done=%s", (long long)id, cancel ? "cancelled" : "retried");
		admin_redirect(req, loc);
		free(loc);
	} else if (rc == MODEL_CONFLICT) {
		char *msg = xasprintf("Mailing %lld was not changed: %s.", (long long)id, why);
		admin_error(req, 409, msg);
		free(msg);
	} else if (rc == MODEL_NOT_FOUND) {
		admin_error(req, 404, NOT_FOUND);
	} else {
		http_db_fail(req, db);
	}
}

void admin_mailings_cancel(struct http_req *req)
{
	change(req, 1);
}

void admin_mailings_retry(struct http_req *req)
{
	change(req, 0);
}

void admin_mailings_delete(struct http_req *req)
{
	struct db *db;
	int64_t id;
	json_t *obj = admin_mailing_load(req, &db, &id);
	if (obj == NULL)
		return;
	if (req->method == HTTP_POST) {
		enum model_rc rc = mailing_delete(db, id);
		if (rc == MODEL_OK) {
			audit_mailing(db, req, "mailing.deleted", id, NULL);
			admin_redirect(req, BASE "?done=deleted");
		} else if (rc == MODEL_NOT_FOUND) {
			admin_error(req, 404, NOT_FOUND);
		} else {
			http_db_fail(req, db);
		}
	} else {
		char *self = admin_mailing_path(id), *action = xasprintf("%s/delete", self);
		long long n = admin_mailing_count(json_object_get(obj, "stats"), "total");
		char *msg = xasprintf("Delete mailing %lld (%s) and its %lld message%s? This cannot be undone.%s",
				      (long long)id, admin_mailing_status(obj), n, n == 1 ? "" : "s",
				      strcmp(admin_mailing_status(obj), "running") == 0 ? " It is running: sending stops." : "");
		admin_page(req, 200, "admin/confirm",
			   json_pack("{s:s+, s:s, s:s, s:s, s:s}", "heading", "Delete mailing ", req->params[0],
				     "message", msg, "action", action, "submit", "Delete mailing", "cancel_href", self));
		free(msg);
		free(self);
		free(action);
	}
	json_decref(obj);
}
