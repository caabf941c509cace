/* admin_mailings.c — what the mailing pages add to the generic ones of res_mailings
 * (resources.c; its list and bulk changes are admin_resource.c's): the list's row (status
 * badge, progress), the add and edit forms (times in the user's zone, the model's validator
 * and state rules), the state changes and the deletion's texts; its writes are recorded as
 * every resource's are (resource.c). The mailing's own page is admin_mailing_view.c. */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "form.h"
#include "list.h"
#include "model_mailing.h"
#include "model_template.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define R (&res_mailings)
#define BASE ADMIN_MAILINGS

const char *admin_mailing_status(json_t *obj)
{
	const char *s = json_string_value(json_object_get(obj, "status"));
	return s ? s : "";
}

long long admin_mailing_count(json_t *stats, const char *name)
{
	return (long long)json_integer_value(json_object_get(stats, name));
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

void admin_mailing_row(json_t *obj)
{
	static const char *const counts[] = {"total", "sent", "failed"};
	const char *text = json_string_value(json_object_get(obj, "text"));
	size_t chars = 0, cut = 0;
	for (size_t i = 0; text && text[i]; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80 && chars++ == 29)
			cut = i;
	json_object_set_new(obj, "excerpt", chars > 30 ? json_sprintf("%.*s…", (int)cut, text) : json_string(text ? text : ""));
	for (size_t i = 0; i < ARRAY_LEN(counts); i++)
		json_object_set_new(obj, counts[i], json_integer(admin_mailing_count(json_object_get(obj, "stats"), counts[i])));
	json_int_t total = json_integer_value(json_object_get(obj, "total"));
	json_object_set_new(obj, "max", json_integer(total > 0 ? total : 1));
}

void admin_mailing_list_row(struct http_req *req, json_t *obj)
{
	const char *state = admin_mailing_status(obj);
	admin_mailing_row(obj);
	json_object_set_new(obj, "state", json_pack("{s:s, s:s, s:b}", "text", admin_option(req, "mailing_status", state),
						    "badge", state, "data", 0));
	json_object_set_new(obj, "progress", json_pack("{s:o, s:{s:O, s:O}}", "text",
						       json_sprintf("%lld / %lld", (long long)json_integer_value(json_object_get(obj, "sent")),
								    (long long)json_integer_value(json_object_get(obj, "total"))),
						       "bar", "value", json_object_get(obj, "sent"), "max", json_object_get(obj, "max")));
}

/* --- form <-> API object ----------------------------------------------------------------- */

/* A datetime-local value typed in the user's zone as RFC 3339 in UTC into m; anything else
 * unchanged, for the validator to name; a time the clocks skip as the field's error in errs.
 * -1 on a database failure. */
static int put_time(struct http_req *req, json_t *m, json_t *form, const char *name, json_t *errs)
{
	const char *v = form_str(form, name), *why;
	char utc[ADMIN_TIME_LEN];
	if (v == NULL || *v == '\0')
		return 0;
	int rc = admin_time_read(req, v, utc, &why);
	if (rc == -2)
		return -1;
	if (rc == -1)
		json_object_set_new(errs, name, json_pack("[s]", why));
	json_object_set_new(m, name, json_string(rc == 0 ? utc : v));
	return 0;
}

json_t *admin_mailing_split(const char *s)
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

/* The API's mailing object from the form, in the request's pool; only_end: just end_at (a
 * running mailing). Times the clocks skip are reported in errs (put_time). NULL on a database
 * failure. */
static json_t *form_mailing(struct http_req *req, json_t *form, int only_end, json_t *errs)
{
	json_t *m = pool_json(&req->pool, json_object());
	if (put_time(req, m, form, "end_at", errs) < 0 || (!only_end && put_time(req, m, form, "start_at", errs) < 0))
		return NULL;
	if (only_end)
		return m;
	const char *text = form_str(form, "text"), *ws = form_str(form, "window_start"),
		   *we = form_str(form, "window_end");
	if (text && *text)
		json_object_set_new(m, "text", json_string(text));
	json_object_set_new(m, "filter", json_pack("{s:o, s:o}", "operator_codes", admin_mailing_split(form_str(form, "operator_codes")),
						   "tags", admin_mailing_split(form_str(form, "tags"))));
	json_t *w = (ws && *ws) || (we && *we) ? json_object() : json_null();
	if (ws && *ws)
		json_object_set_new(w, "start", json_string(ws));
	if (we && *we)
		json_object_set_new(w, "end", json_string(we));
	json_object_set_new(m, "send_window", w);
	return m;
}

/* The model's errors (e's fields, taken) under the form's field names, those of times (errs,
 * borrowed: put_time's) in place of the model's for their fields. New reference. */
static json_t *form_errors(struct model_err *e, json_t *errs)
{
	static const char *const names[] = {"template_id", "template", "filter", "operator_codes", "filter.operator_codes", "operator_codes",
					    "filter.tags", "tags", "send_window", "window_start",
					    "send_window.start", "window_start", "send_window.end", "window_end", NULL};
	json_t *errors = verr_take(&e->fields), *out = json_object(), *msgs;
	const char *key;
	json_object_foreach(errors, key, msgs) {
		const char *name = key;
		for (size_t i = 0; names[i]; i += 2)
			if (strcmp(key, names[i]) == 0)
				name = names[i + 1];
		json_t *have = json_object_get(out, name);
		if (have)
			json_array_extend(have, msgs);
		else
			json_object_set(out, name, msgs);
	}
	json_decref(errors);
	json_object_update(out, errs);
	return out;
}

/* The form's template (a name) as the mailing m's template_id: 0, or -1 with the error on
 * "template" in e. */
static int form_template(struct db *db, json_t *form, json_t *m, struct model_err *e)
{
	const char *name = form_str(form, "template");
	int64_t id;
	enum model_rc rc = name && *name ? template_find(db, name, &id, NULL) : MODEL_OK;
	if (rc == MODEL_OK && name && *name)
		json_object_set_new(m, "template_id", json_integer(id));
	else if (rc == MODEL_NOT_FOUND)
		model_err_field(e, MODEL_INVALID, "template", "valid.no_template_named");
	else if (rc != MODEL_OK)
		model_err_db(e, db);
	return rc == MODEL_OK ? 0 : -1;
}

/* The form's values for a stored mailing (times in the user's zone), in the request's pool. */
static json_t *mailing_values(struct http_req *req, struct db *db, json_t *obj)
{
	json_t *tid = json_object_get(obj, "template_id");
	char *tname = json_is_integer(tid) ? template_name(db, json_integer_value(tid)) : NULL;
	pool_defer(&req->pool, free, tname);
	json_t *filter = json_object_get(obj, "filter"), *w = json_object_get(obj, "send_window");
	json_t *values = json_pack("{s:o, s:o, s:O*, s:s*, s:o, s:o, s:O*, s:O*}", "start_at",
				   admin_time_input(req, json_string_value(json_object_get(obj, "start_at"))), "end_at",
				   admin_time_input(req, json_string_value(json_object_get(obj, "end_at"))), "text",
				   tname ? NULL : json_object_get(obj, "text"), "template", tname,
				   "operator_codes", admin_mailing_join(json_object_get(filter, "operator_codes")), "tags",
				   admin_mailing_join(json_object_get(filter, "tags")), "window_start",
				   json_object_get(w, "start"), "window_end", json_object_get(w, "end"));
	return pool_json(&req->pool, values);
}

/* The add form's values when it clones mailing ?from= (its text or template, filter and send
 * window; new times), else NULL. In the request's pool. */
static json_t *clone_values(struct http_req *req)
{
	const char *from = http_query(req, "from");
	struct res_key k;
	struct db *db;
	json_t *obj;
	if (from == NULL || res_key_parse(R, from, &k) < 0 || (db = db_thread()) == NULL ||
	    res_get(req, db, R, &k, &obj) != MODEL_OK)
		return NULL;
	json_t *values = mailing_values(req, db, obj);
	json_object_del(values, "start_at");
	json_object_del(values, "end_at");
	return values;
}

/* --- add and edit ------------------------------------------------------------------------ */

void admin_mailings_add(struct http_req *req)
{
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "heading",
				 admin_t(req, "admin.res.mailing.add"), "action", BASE "add", "submit",
				 admin_t(req, "admin.mailing.create"), "cancel_href", BASE, "back_href", BASE,
				 "back_label", admin_t(req, "admin.res.mailing.many"), "composer", 1), *obj;
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	struct mailing_in in = {0};
	struct db *db;
	json_t *form = admin_form(req), *terr = pool_json(&req->pool, json_object()), *m;
	if (req->method != HTTP_POST) {
		admin_form_page(req, 200, page, R->fields, R->nfields, clone_values(req), NULL, 0);
		return;
	}
	if ((m = form_mailing(req, form, 0, terr)) == NULL) {
		http_fail(req, MODEL_UNAVAILABLE, NULL, NULL);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	if (form_template(db, form, m, &e) < 0 && e.rc != MODEL_INVALID) {
		verr_free(&e.fields);
		http_fail(req, e.rc, NULL, NULL);
	} else if (mailing_validate(m, 1, &in, &e.fields) < 0 || json_object_size(terr) > 0) {
		admin_form_page(req, 422, page, R->fields, R->nfields, form, form_errors(&e, terr), 0);
	} else {
		const char *why = NULL;
		enum model_rc rc = mailing_insert(db, &in, req->user.id, &obj, &why);
		if (rc == MODEL_INVALID) {         /* its template went meanwhile */
			model_err_field(&e, rc, "template", "%s", why);
			admin_form_page(req, 422, page, R->fields, R->nfields, form, form_errors(&e, terr), 0);
		} else if (rc != MODEL_OK) {
			http_fail(req, rc, NULL, NULL);
		} else {
			const char *id = pool_printf(&req->pool, "%lld", (long long)json_integer_value(json_object_get(obj, "id")));
			res_record(req, db, R, "created", id, NULL, pool_json(&req->pool, obj));
			admin_redirect(req, pool_printf(&req->pool, BASE "%s?done=created", id));
		}
	}
	mailing_in_free(&in);
}

/* The edit form: every field (scheduled), only end_at (running) or nothing (finished,
 * cancelled, or a viewer). page and values are borrowed, errors stolen. */
static void edit_form(struct http_req *req, int status, json_t *page, json_t *values, json_t *errors,
		      const char *state)
{
	int all = strcmp(state, "scheduled") == 0 && req->user.role >= ROLE_OPERATOR;
	int end_only = strcmp(state, "running") == 0 && req->user.role >= ROLE_OPERATOR;
	json_t *f = admin_fields(req, R->fields, end_only ? 1 : R->nfields, values, end_only ? NULL : errors, !all);
	if (end_only) {
		json_t *end = admin_fields(req, R->fields + 1, 1, values, errors, 0);
		json_t *rest = admin_fields(req, R->fields + 2, R->nfields - 2, values, NULL, 1);
		json_array_extend(f, pool_json(&req->pool, end));
		json_array_extend(f, pool_json(&req->pool, rest));
		json_object_set_new(page, "notice", json_string(admin_t(req, "admin.mailing.running_end_only")));
	} else if (!all && req->user.role >= ROLE_OPERATOR) {
		json_object_set_new(page, "notice", json_string(admin_format(req, "admin.mailing.cannot_change",
									     admin_option(req, "mailing_status", state))));
	}
	json_object_set_new(page, "fields", f);
	json_object_set_new(page, "has_errors", json_boolean(errors != NULL));
	json_object_set_new(page, "readonly", json_boolean(!all && !end_only));
	pool_json(&req->pool, errors);
	admin_page(req, status, "admin/form", page);
}

void admin_mailings_edit(struct http_req *req)
{
	struct admin_obj o;
	if (admin_res_open(req, R, &o) < 0)
		return;
	const char *state = admin_mailing_status(o.obj);
	int running = strcmp(state, "running") == 0;
	json_t *page = pool_pack(&req->pool, "{s:s, s:s+, s:s, s:s, s:s, s:s, s:b}", "heading",
				 admin_format(req, "admin.mailing.edit_heading", o.k.text), "action", o.self,
				 "/edit", "submit", admin_t(req, "admin.common.save"), "cancel_href", o.self,
				 "back_href", o.self, "back_label",
				 admin_format(req, "admin.res.mailing.edit", o.k.text), "composer", 1);
	json_t *h = req->user.role >= ROLE_ADMIN ? admin_history(req, o.db, res_object(req, R, o.k.text)) : NULL;
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	json_t *form = admin_form(req), *terr = pool_json(&req->pool, json_object()), *m = NULL;
	if (h)
		json_object_set_new(page, "history", h);
	if (req->method != HTTP_POST) {
		edit_form(req, 200, page, mailing_values(req, o.db, o.obj), NULL, state);
	} else if (strcmp(state, "scheduled") != 0 && !running) {
		admin_error(req, 409, "admin.mailing.closed");
	} else if ((m = form_mailing(req, form, running, terr)) == NULL) {
		http_fail(req, MODEL_UNAVAILABLE, NULL, NULL);
	} else if (json_object_size(terr) > 0) {
		edit_form(req, 422, page, form, form_errors(&e, terr), state);
	} else if ((running || form_template(o.db, form, m, &e) == 0) &&
		   res_update(req, o.db, R, &o.k, m, running, &e, NULL) == MODEL_OK) {
		admin_redirect(req, pool_printf(&req->pool, "%s?done=updated", o.self));
	} else if (e.rc == MODEL_INVALID || e.rc == MODEL_CONFLICT) {
		edit_form(req, outcome_of(e.rc)->status, page, form, form_errors(&e, terr), state);
	} else {
		verr_free(&e.fields);
		http_fail(req, e.rc, e.rc == MODEL_NOT_FOUND ? R->not_found : NULL, NULL);
	}
}

/* --- state changes ----------------------------------------------------------------------- */

/* POST cancel or retry-failed: back to the mailing's page with a notice, or a 409 page that
 * says which state rule refused it. */
static void change(struct http_req *req, const struct res_action *act)
{
	struct res_key k;
	struct db *db;
	const char *why = NULL;
	if (res_key_parse(R, req->params[0], &k) < 0) {
		admin_error(req, 404, R->not_found);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	enum model_rc rc = admin_res_run(req, db, R, act, &k, &why);
	if (rc == MODEL_OK)
		admin_redirect(req, pool_printf(&req->pool, BASE "%s?done=%s", k.text, act->done));
	else if (rc == MODEL_CONFLICT)
		admin_error(req, 409, admin_format(req, "admin.mailing.change_refused", k.text, admin_t(req, why)));
	else
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? R->not_found : NULL, NULL);
}

void admin_mailings_cancel(struct http_req *req)
{
	change(req, &R->actions[0]);
}

void admin_mailings_retry(struct http_req *req)
{
	change(req, &R->actions[1]);
}

const char *admin_mailing_delete_note(struct http_req *req, struct db *db, json_t *obj)
{
	const char *state = admin_mailing_status(obj);
	(void)db;
	return admin_format(req, "admin.mailing.delete_note", admin_option(req, "mailing_status", state),
			    admin_plural(req, "admin.mailing.its_messages", admin_mailing_count(json_object_get(obj, "stats"), "total")),
			    strcmp(state, "running") == 0 ? admin_t(req, "admin.mailing.delete_running") : "");
}

const char *admin_mailing_delete_many(struct http_req *req, struct db *db, json_t *keys)
{
	int64_t total;
	enum model_rc rc = mailing_message_total(db, keys, &total);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return NULL;
	}
	return admin_format(req, "admin.mailing.bulk_question", admin_plural(req, "admin.res.mailing.n", (long long)json_array_size(keys)),
			    admin_plural(req, "admin.mailing.n_messages", (long long)total));
}
