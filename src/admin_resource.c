/* admin_resource.c — the admin pages of any resource, from the descriptor of the route
 * (route.res): the list (templates/admin/list.html), add and edit (form.html, with the
 * model's validation, so the rules are the API's) and delete (confirm.html). The model
 * writes go through resource.c, which records them in the history. */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_time.h"
#include "form.h"
#include "list.h"
#include "route.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const char *admin_res_path(struct http_req *req, const struct resource *r, const char *what)
{
	return pool_printf(&req->pool, "admin.res.%s.%s", r->kind, what);
}

const char *admin_res_text(struct http_req *req, const struct resource *r, const char *what, const char *arg)
{
	return admin_format(req, admin_res_path(req, r, what), arg);
}

int admin_res_query(struct http_req *req, const struct resource *r, struct res_query *q)
{
	if (admin_list_params(req, r->sorts, q) < 0)
		return -1;
	q->zone = admin_zone(req);
	for (size_t i = 0; i < r->nfilters; i++) {
		const char *type = r->filters[i].type;
		const char *v = strcmp(type, "search") == 0 ? q->q
			      : strcmp(type, "owner") == 0 ? res_owner_of(req, r) : http_query(req, r->filters[i].name);
		q->filter[i] = v && *v ? v : NULL;
	}
	return 0;
}

const char *admin_res_problems(struct http_req *req, const struct resource *r, struct verr *v)
{
	json_t *errs = pool_json(&req->pool, verr_take(v));
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < r->nfilters; i++) {
		json_t *m = json_array_get(json_object_get(errs, r->filters[i].name), 0);
		if (m)
			buf_printf(&b, "%s%s %s.", b.len ? " " : "", admin_t(req, r->filters[i].label), json_string_value(m));
	}
	char *s = buf_steal(&b);
	pool_defer(&req->pool, free, s);
	return s;
}

/* The select of filter f: "" (any) and its options, labelled from its option set (hint). */
static json_t *select_filter(struct http_req *req, const struct admin_field *f)
{
	const char *values[16] = {""}, *o;
	struct list_walk w = {f->options};
	size_t len, n = 1;
	while (n < ARRAY_LEN(values) - 1 && list_next(&w, &o, &len))
		values[n++] = pool_printf(&req->pool, "%.*s", (int)len, o);
	values[n] = NULL;
	return admin_filter(req, f->name, f->label, f->hint, values);
}

/* The filter inputs of r's list page into inputs and dates (the search box and the owner
 * aside); their names in keep (NULL-ended). */
static void filter_inputs(struct http_req *req, const struct resource *r, const char **keep, json_t *inputs,
			  json_t *dates)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfilters; i++) {
		const struct admin_field *f = &r->filters[i];
		if (strcmp(f->type, "text") == 0)
			json_array_append_new(inputs, admin_filter_input(req, f->name, f->label, f->hint));
		else if (strcmp(f->type, "select") == 0)
			json_array_append_new(inputs, select_filter(req, f));
		else if (strcmp(f->type, "date") == 0)   /* the first names the zone its days are of */
			json_array_append_new(dates, admin_date_filter(req, f->name, f->label, json_array_size(dates) == 0));
		else
			continue;
		keep[n++] = f->name;
	}
	keep[n] = NULL;
}

json_t *admin_res_matching(struct http_req *req, const struct resource *r, const struct res_query *q)
{
	json_t *in = pool_json(&req->pool, json_array());
	int searched = 0;
	for (size_t i = 0; i < r->nfilters; i++)
		if (q->filter[i] && strcmp(r->filters[i].type, "owner") != 0) {
			searched |= strcmp(r->filters[i].type, "search") == 0;
			json_array_append_new(in, json_pack("{s:s, s:s}", "name", strcmp(r->filters[i].type, "search") == 0
							    ? "q" : r->filters[i].name, "value", q->filter[i]));
		}
	if (q->q && !searched)   /* a model's own search (the list's q) */
		json_array_append_new(in, json_pack("{s:s, s:s}", "name", "q", "value", q->q));
	return json_array_size(in) ? in : NULL;
}

/* The page's "select all that match" (r's remove_matching) when q filters the list and it runs
 * over more than one page: {"label", "matching"}; NULL else. It counts nothing: the
 * confirmation says how many. */
static json_t *select_all(struct http_req *req, const struct resource *r, const struct res_query *q, int paged)
{
	json_t *in = admin_res_matching(req, r, q);
	if (req->user.role < ROLE_OPERATOR || in == NULL || !paged)
		return NULL;
	return json_pack("{s:s, s:O}", "label", admin_t(req, "admin.list.select_all"), "matching", in);
}

/* The bulk actions of r's list: its changes, then deletion ("Delete…" when it asks first). */
static json_t *bulk_actions(struct http_req *req, const struct resource *r)
{
	json_t *a = json_array();
	for (size_t i = 0; i < r->nactions; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "value", r->actions[i].name, "label",
						   admin_t(req, r->actions[i].label)));
	if (r->model->remove_many || res_model_removes(r->model))
		json_array_append_new(a, json_pack("{s:s, s:s}", "value", "delete", "label",
						   admin_t(req, r->model->remove_many ? "admin.common.delete" : "admin.common.delete_more")));
	return a;
}

void admin_res_list_page(struct http_req *req, const struct resource *r, json_t *outcomes)
{
	const char *keep[RES_FILTERS_MAX + 1];
	json_t *inputs = pool_json(&req->pool, json_array()), *dates = pool_json(&req->pool, json_array()), *obj;
	filter_inputs(req, r, keep, inputs, dates);
	const struct admin_list_spec spec = {r->base, r->cols, r->ncols, r->key, r->model->remove_many || r->nactions,
					     r->nfilters ? keep : NULL};
	struct verr bad = VERR_INIT;
	bad.lang = admin_lang(req);
	struct res_query q = {NULL, NULL, NULL, ADMIN_PAGE, {NULL}, &bad, NULL, NULL};
	struct res_page rows;
	struct db *db;
	const char *error = NULL;
	int status = 200;
	size_t i;
	if (admin_res_query(req, r, &q) < 0 || (db = admin_db(req)) == NULL)
		return;
	enum model_rc rc = res_list_objs(db, r, &q, &rows);
	if (rc == MODEL_INVALID && verr_any(&bad)) {   /* bad filters are explained above an empty list */
		error = admin_res_problems(req, r, &bad);
		rows = (struct res_page){json_array(), NULL, NULL, NULL};
		rc = MODEL_OK;
		status = 400;
	}
	if (rc == MODEL_INVALID) {
		admin_error(req, 400, "admin.error.cursor");
		return;
	}
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	json_t *all = spec.bulk ? select_all(req, r, &q, rows.next || rows.prev) : NULL;
	json_array_foreach(rows.objs, i, obj)
		if (r->list_row)
			r->list_row(req, obj);
	json_t *list = admin_list_objs(req, &spec, rows.objs, rows.next, rows.prev, q.sort, q.q);
	json_t *page = pool_pack(&req->pool, "{s:s, s:o, s:s*, s:s*, s:s*}", "heading",
				 admin_res_text(req, r, "many", NULL), "list", list, "notice",
				 admin_notice(req, r->notices), "q_placeholder",
				 r->q_placeholder ? admin_t(req, r->q_placeholder) : NULL, "error", error);
	res_page_keys_free(&rows);
	if (spec.bulk)
		json_object_set_new(page, "bulk_actions", bulk_actions(req, r));
	if (json_array_size(inputs))
		json_object_set(page, "filters", inputs);
	if (json_array_size(dates))
		json_object_set(page, "date_filters", dates);
	if (all)
		json_object_set_new(page, "select_all", all);
	if (outcomes)
		json_object_set_new(page, "outcomes", json_pack("{s:O}", "items", outcomes));
	if (req->user.role >= ROLE_OPERATOR) {
		json_object_set_new(page, "add_href", json_sprintf("%sadd", r->base));
		json_object_set_new(page, "add_label", json_string(admin_res_text(req, r, "add", NULL)));
	}
	if (r->list_extra)
		r->list_extra(req, page);
	admin_page(req, status, "admin/list", page);
}

void admin_res_list(struct http_req *req)
{
	admin_res_list_page(req, req->route->res, NULL);
}

json_t *admin_res_errors(const struct resource *r, struct model_err *e)
{
	json_t *errors = verr_take(&e->fields), *out = json_object(), *msgs;
	const char *key;
	json_object_foreach(errors, key, msgs) {
		const char *name = key;
		for (size_t i = 0; r->form_names && r->form_names[i]; i += 2)
			if (strcmp(key, r->form_names[i]) == 0)
				name = r->form_names[i + 1];
		json_t *have = json_object_get(out, name);
		if (have)
			json_array_extend(have, msgs);
		else
			json_object_set(out, name, msgs);
	}
	json_decref(errors);
	return out;
}

/* Answers a write that failed: the form again with the errors beside its fields (those of
 * editable changeable, admin_fields'), or a page. */
static void write_failed(struct http_req *req, const struct resource *r, struct model_err *e, json_t *page,
			 const struct admin_field *f, size_t n, json_t *form, const char *editable)
{
	if (verr_any(&e->fields)) {
		admin_form_page(req, outcome_of(e->rc)->status, page, f, n, form, admin_res_errors(r, e), editable);
		return;
	}
	http_fail(req, e->rc, e->rc == MODEL_NOT_FOUND ? r->not_found : e->rc == MODEL_IN_USE ? r->in_use : NULL, NULL);
}

json_t *admin_res_given(struct http_req *req, struct db *db, const struct resource *r, json_t *form, int adding,
			struct model_err *e)
{
	const struct admin_field *owner = res_owner(r);
	const char *creator = adding ? r->creator : NULL;
	if (!r->form_given && owner == NULL && r->form_in == NULL && creator == NULL)
		return form;
	json_t *in = pool_json(&req->pool, r->form_given ? admin_form_given(form) : json_copy(form));
	if (owner)
		json_object_set_new(in, owner->name, json_integer(req->user.id));
	if (r->form_in && r->form_in(req, db, in, &e->fields) < 0) {
		e->rc = verr_any(&e->fields) ? MODEL_INVALID : MODEL_UNAVAILABLE;
		return NULL;
	}
	if (creator)
		json_object_set_new(in, creator, json_integer(req->user.id));
	return in;
}

json_t *admin_res_shown(struct http_req *req, struct db *db, const struct resource *r, json_t *obj)
{
	if (r->form_out == NULL)
		return obj;
	json_t *values = pool_json(&req->pool, json_copy(obj));
	r->form_out(req, db, values);
	return values;
}

void admin_res_add(struct http_req *req)
{
	const struct resource *r = req->route->res;
	const char *add = admin_res_text(req, r, "add", NULL), *create = admin_t_opt(req, admin_res_path(req, r, "create"));
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "heading", add, "action",
				 pool_printf(&req->pool, "%sadd", r->base), "submit", create ? create : add, "cancel_href",
				 r->base, "back_href", r->base, "back_label",
				 admin_res_text(req, r, "many", NULL), "composer", r->composer);
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	json_t *form = admin_form(req), *obj, *in, *values = r->add_values ? r->add_values(req) : NULL;
	struct db *db;
	if (req->method != HTTP_POST)
		admin_form_page(req, 200, page, r->fields, r->nfields, values ? values
				: r->add_defaults ? pool_json(&req->pool, json_loads(r->add_defaults, 0, NULL)) : NULL, NULL, 0);
	else if ((db = admin_db(req)) == NULL)
		return;
	else if ((in = admin_res_given(req, db, r, form, 1, &e)) == NULL || res_create(req, db, r, in, &e, &obj) != MODEL_OK)
		write_failed(req, r, &e, page, r->fields, r->nfields, form, NULL);
	else if (r->created_page)
		r->created_page(req, obj);
	else
		admin_redirect(req, pool_printf(&req->pool, "%s?done=created", r->base));
}

json_t *admin_res_load(struct http_req *req, const struct resource *r, struct res_key *k, struct db **db)
{
	json_t *obj = NULL;
	enum model_rc rc = MODEL_NOT_FOUND;
	if ((*db = admin_db(req)) == NULL)
		return NULL;
	if (res_key_parse(r, req->params[0], k) == 0)
		rc = res_get(req, *db, r, k, &obj);
	const char *owner = rc == MODEL_OK ? res_owner_of(req, r) : NULL;
	if (owner && json_integer_value(json_object_get(obj, res_owner(r)->name)) != req->user.id)
		rc = MODEL_NOT_FOUND;   /* another user's */
	if (rc != MODEL_OK)
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? r->not_found : NULL, NULL);
	return rc == MODEL_OK ? obj : NULL;
}

int admin_res_open(struct http_req *req, const struct resource *r, struct admin_obj *o)
{
	if ((o->obj = admin_res_load(req, r, &o->k, &o->db)) == NULL)
		return -1;
	char *s = admin_path(r->base, o->k.text, ""), *d = admin_path(r->base, o->k.text, "/delete");
	pool_defer(&req->pool, free, s);
	pool_defer(&req->pool, free, d);
	o->self = s;
	o->del = d;
	return 0;
}

/* What an object's pages call it: its name field, else its key. */
static const char *name_of(const struct resource *r, json_t *obj, const struct res_key *k)
{
	const char *name = r->name_field ? json_string_value(json_object_get(obj, r->name_field)) : NULL;
	return name ? name : k->text;
}

/* The fields of form (borrowed) that editable (a comma-separated list) names, in the request's
 * pool. */
static json_t *only(struct http_req *req, json_t *form, const char *editable)
{
	json_t *in = pool_json(&req->pool, json_object()), *v;
	const char *k;
	json_object_foreach(form, k, v)
		if (list_text_has(editable, k))
			json_object_set(in, k, v);
	return in;
}

void admin_res_edit(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct admin_obj p;
	if (admin_res_open(req, r, &p) < 0)
		return;
	/* the key is not edited: when it is a form field, it is the first */
	size_t skip = strcmp(r->fields[0].name, r->key) == 0, n = r->edit_fields ? r->nedit_fields : r->nfields - skip;
	const struct admin_field *f = r->edit_fields ? r->edit_fields : r->fields + skip;
	const char *name = name_of(r, p.obj, &p.k), *why = NULL, *back = r->own_page ? p.self : r->base;
	const char *editable = r->editable ? r->editable(req, p.obj, &why) : NULL;
	if (req->user.role < ROLE_OPERATOR)
		editable = "", why = NULL;
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:[]}, s:b, s:s*}", "heading",
				 admin_res_text(req, r, r->own_page ? "edit_heading" : "edit", name), "action",
				 r->own_page ? pool_printf(&req->pool, "%s/edit", p.self) : p.self, "submit",
				 admin_t(req, "admin.common.save"), "cancel_href", back, "back_href", back, "back_label",
				 r->own_page ? admin_res_text(req, r, "edit", name) : admin_res_text(req, r, "many", NULL),
				 "links", "items", "composer", r->composer, "notice", why);
	json_t *links = json_object_get(json_object_get(page, "links"), "items");
	if (r->edit_extra)
		r->edit_extra(req, p.obj, page);
	if (req->user.role >= ROLE_OPERATOR && res_model_removes(r->model))
		json_array_append_new(links, json_pack("{s:s, s:s, s:b}", "href", p.del, "label",
						       admin_t(req, "admin.common.delete_more"), "danger", 1));
	if (json_array_size(links) == 0)
		json_object_del(page, "links");
	json_t *h = req->user.role >= ROLE_ADMIN ? admin_history(req, p.db, res_object(req, r, p.k.text)) : NULL;
	if (h)
		json_object_set_new(page, "history", h);
	struct model_err e = MODEL_ERR_INIT;
	e.fields.lang = admin_lang(req);
	json_t *form = admin_form(req), *in;
	if (req->method != HTTP_POST)
		admin_form_page(req, 200, page, f, n, admin_res_shown(req, p.db, r, p.obj), NULL, editable);
	else if (editable && *editable == '\0')
		admin_error(req, 409, why ? why : "admin.form.readonly");
	else if ((in = admin_res_given(req, p.db, r, editable ? only(req, form, editable) : form, 0, &e)) == NULL ||
		 res_update(req, p.db, r, &p.k, in, editable != NULL, &e, NULL) != MODEL_OK)
		write_failed(req, r, &e, page, f, n, form, editable);
	else
		admin_redirect(req, pool_printf(&req->pool, "%s?done=updated", back));
}

void admin_res_delete(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct admin_obj p;
	if (admin_res_open(req, r, &p) < 0)
		return;
	const char *name = name_of(r, p.obj, &p.k);
	if (req->method == HTTP_POST) {
		enum model_rc rc = res_delete(req, p.db, r, &p.k);
		if (rc == MODEL_OK)
			admin_redirect(req, pool_printf(&req->pool, "%s?done=%s", r->base, r->deleted ? r->deleted : "deleted"));
		else
			http_fail(req, rc, rc == MODEL_NOT_FOUND ? r->not_found : rc == MODEL_IN_USE ? r->in_use : NULL, NULL);
		return;
	}
	if (r->delete_refused && r->delete_refused(req, p.obj))
		return;
	const char *note = r->delete_note_of ? r->delete_note_of(req, p.db, p.obj)
			 : r->delete_note ? admin_t(req, r->delete_note) : NULL;
	if (r->delete_note_of && note == NULL)
		return;
	admin_page(req, 200, "admin/confirm",
		   pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s}", "heading",
			     admin_res_text(req, r, "delete_heading", name), "message",
			     pool_printf(&req->pool, "%s%s%s", admin_res_text(req, r, "delete_question", name),
					 note ? " " : "", note ? note : ""), "action", p.del, "submit",
			     admin_res_text(req, r, "delete_submit", NULL), "cancel_href",
			     r->model->update ? p.self : r->base));
}

/* What else deleting all that match does, from the catalogue's "admin.res.<kind>.delete_all_note"
 * (a clients' pending messages are cancelled), with a space before it; "" when r says nothing. */
static const char *delete_all_note(struct http_req *req, const struct resource *r)
{
	const char *t = admin_t_opt(req, admin_res_path(req, r, "delete_all_note"));
	return t ? pool_printf(&req->pool, " %s", t) : "";
}

void admin_res_form_query(struct http_req *req, const struct resource *r, json_t *form, struct verr *bad,
			  struct res_query *q)
{
	*q = (struct res_query){r->sorts[0], NULL, form_str(form, "q"), ADMIN_PAGE, {NULL}, bad, NULL, admin_zone(req)};
	if (q->q && *q->q == '\0')
		q->q = NULL;
	for (size_t i = 0; i < r->nfilters; i++) {
		const char *type = r->filters[i].type;
		const char *v = strcmp(type, "owner") == 0 ? res_owner_of(req, r)
			      : form_str(form, strcmp(type, "search") == 0 ? "q" : r->filters[i].name);
		q->filter[i] = v && *v ? v : NULL;
	}
}

/* The change of r called name, or NULL. */
static const struct res_action *action_of(const struct resource *r, const char *name)
{
	for (size_t i = 0; name && i < r->nactions; i++)
		if (strcmp(name, r->actions[i].name) == 0)
			return &r->actions[i];
	return NULL;
}

/* The bulk form's "select all N matching": the filters it carries into q; the confirmation
 * page first, then act (NULL: deletion) on every matching object, object by object (each),
 * else every one deleted at once. */
static void bulk_matching(struct http_req *req, const struct resource *r, json_t *form, const struct res_action *act,
			  int each)
{
	struct verr bad = VERR_INIT;
	bad.lang = admin_lang(req);
	struct res_query q;
	const char *confirmed = form_str(form, "confirmed");
	struct db *db;
	int64_t n = 0;
	admin_res_form_query(req, r, form, &bad, &q);
	json_t *in = admin_res_matching(req, r, &q);
	if (in == NULL) {
		admin_error(req, 400, "admin.list.all_needs_filter");
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	if (each) {
		json_t *keys;
		enum model_rc rc = res_list_keys(db, res_list_of, r, &q, r->key, &keys);
		verr_free(&bad);
		pool_json(&req->pool, keys);
		if (admin_matching_read(req, rc, "admin.list.all_too_many") == 0)
			admin_res_each(req, r, db, act, keys, in, confirmed && strcmp(confirmed, "yes") == 0);
		return;
	}
	if (confirmed == NULL || strcmp(confirmed, "yes") != 0) {
		enum model_rc rc = res_count_matching(db, r, &q, &n);
		verr_free(&bad);
		if (admin_matching_read(req, rc, "admin.list.all_too_many") < 0)
			return;
		json_t *hidden = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "name", "action", "value", "delete", "name",
					   "all", "value", "1", "name", "confirmed", "value", "yes");
		json_array_extend(hidden, in);
		admin_page(req, 200, "admin/confirm",
			   pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:o}", "heading",
				     admin_t(req, "admin.list.delete_all_heading"), "message",
				     pool_printf(&req->pool, "%s%s", admin_format(req, "admin.list.delete_all_question", (long long)n),
						 delete_all_note(req, r)), "action",
				     pool_printf(&req->pool, "%sbulk", r->base), "submit", admin_t(req, "admin.list.delete_all"),
				     "cancel_href", r->base, "hidden", hidden));
		return;
	}
	enum model_rc rc = res_delete_matching(req, db, r, &q, &n);
	verr_free(&bad);
	if (rc == MODEL_OK)
		admin_redirect(req, pool_printf(&req->pool, "%s?done=%s", r->base, r->bulk_done ? r->bulk_done : "deleted"));
	else
		http_fail(req, rc, rc == MODEL_INVALID ? "admin.list.all_bad_filter" : rc == MODEL_IN_USE ? r->in_use_many : NULL,
			  NULL);
}

void admin_res_act(struct http_req *req)
{
	const struct resource *r = req->route->res;
	const struct res_action *act = action_of(r, strrchr(req->route->pattern, '/') + 1);
	const char *why = NULL;
	struct res_key k;
	struct db *db;
	if (act == NULL || res_key_parse(r, req->params[0], &k) < 0) {
		admin_error(req, 404, r->not_found);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	enum model_rc rc = admin_res_run(req, db, r, act, &k, &why);
	char *back = admin_path(r->base, r->own_page ? k.text : "", "");
	pool_defer(&req->pool, free, back);
	if (rc == MODEL_OK)
		admin_redirect(req, pool_printf(&req->pool, "%s?done=%s", back, act->done));
	else if (rc == MODEL_CONFLICT)
		admin_error(req, 409, admin_format(req, admin_res_path(req, r, "change_refused"), k.text, admin_t(req, why)));
	else
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? r->not_found : NULL, NULL);
}

void admin_res_bulk(struct http_req *req)
{
	const struct resource *r = req->route->res;
	json_t *form = admin_form(req), *keys = pool_json(&req->pool, form_list(form, "key"));
	const char *action = form_str(form, "action"), *confirmed = form_str(form, "confirmed");
	const struct res_action *act = action_of(r, action);
	int del = action && strcmp(action, "delete") == 0 && (r->model->remove_many || res_model_removes(r->model));
	int each = act || r->model->remove_many == NULL;   /* object by object, each reported */
	struct db *db;
	struct res_key k;
	size_t i;
	json_t *key;
	int bad = 0;
	json_array_foreach(keys, i, key)
		bad |= res_key_parse(r, json_string_value(key), &k) < 0;
	if (act == NULL && !del) {
		admin_error(req, 400, "admin.error.bulk_action");
	} else if (form_str(form, "all")) {
		bulk_matching(req, r, form, act, each);
	} else if (json_array_size(keys) == 0 || json_array_size(keys) > ADMIN_PAGE || bad) {
		admin_error(req, 400, "admin.error.bulk_rows");
	} else if ((db = admin_db(req)) == NULL) {
		return;
	} else if (each) {
		admin_res_each(req, r, db, act, keys, NULL, confirmed && strcmp(confirmed, "yes") == 0);
	} else {
		enum model_rc rc = res_delete_many(req, db, r, keys);
		if (rc == MODEL_OK)
			admin_redirect(req, pool_printf(&req->pool, "%s?done=%s", r->base, r->bulk_done ? r->bulk_done : "deleted"));
		else
			http_fail(req, rc, rc == MODEL_IN_USE ? r->in_use_many : NULL, NULL);
	}
}
