/* admin.c — shared admin page helpers. */
#include "admin.h"
#include "config.h"
#include "form.h"
#include "i18n.h"
#include "list.h"
#include "log.h"
#include "model_provider.h"
#include "model_user.h"
#include "route.h"
#include "session.h"
#include "tmpl.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* labels: paths in locale/<lang>.json (admin_t) */
static const struct {
	const char *href, *label;
	enum role role;
} nav[] = {
	{"/admin/", "admin.nav.dashboard", ROLE_VIEWER},
	{"/admin/clients/", "admin.nav.clients", ROLE_VIEWER},
	{"/admin/tags/", "admin.nav.tags", ROLE_VIEWER},
	{"/admin/operators/", "admin.nav.operators", ROLE_VIEWER},
	{"/admin/mailings/", "admin.nav.mailings", ROLE_VIEWER},
	{"/admin/templates/", "admin.nav.templates", ROLE_VIEWER},
	{"/admin/messages/", "admin.nav.messages", ROLE_VIEWER},
	{"/admin/stoplist/", "admin.nav.stoplist", ROLE_VIEWER},
	{"/admin/users/", "admin.nav.users", ROLE_ADMIN},
	{"/admin/tokens/", "admin.nav.tokens", ROLE_VIEWER},
	{"/admin/webhooks/", "admin.nav.webhooks", ROLE_VIEWER},
	{"/admin/smpp-accounts/", "admin.nav.smpp_accounts", ROLE_ADMIN},
	{"/admin/providers/", "admin.nav.providers", ROLE_ADMIN},
	{"/admin/reports/", "admin.nav.reports", ROLE_VIEWER},
	{"/admin/history/", "admin.nav.history", ROLE_ADMIN},
};

static json_t *frame(struct http_req *req)
{
	struct session *s = req->session;
	if (s == NULL)
		return json_object();
	json_t *items = json_array();
	for (size_t i = 0; i < ARRAY_LEN(nav); i++) {
		if (req->user.role < nav[i].role)
			continue;
		size_t n = strlen(nav[i].href);
		int current = i == 0 ? strcmp(req->path, nav[i].href) == 0 : strncmp(req->path, nav[i].href, n) == 0;
		json_array_append_new(items, json_pack("{s:s, s:s, s:b}", "href", nav[i].href, "label",
						       admin_t(req, nav[i].label), "current", current));
	}
	/* the configuration and the providers table are shared by every instance, so they say
	 * what the dispatchers send through */
	char role[32];
	snprintf(role, sizeof(role), "admin.options.role.%s", role_name(req->user.role));
	return json_pack("{s:{s:s, s:s, s:s, s:b, s:b, s:b}, s:o, s:s, s:b}", "me", "username", req->user.username,
			 "role", role_name(req->user.role), "role_label", admin_t(req, role), "can_edit", req->user.role >= ROLE_OPERATOR,
			 "is_admin", req->user.role >= ROLE_ADMIN, "has_password", req->user.has_password, "nav", items,
			 "csrf_token", s->csrf,
			 "log_provider", *cfg.provider_url == '\0' && provider_none_enabled(db_thread()));
}

void admin_page(struct http_req *req, int status, const char *tmpl, json_t *data)
{
	if (admin_times_resolve(req) < 0) {
		http_fail(req, MODEL_UNAVAILABLE, NULL, NULL);
		return;
	}
	json_t *f = frame(req);
	json_object_update_missing(data, f);
	json_decref(f);
	json_object_set_new(data, "lang", json_string(admin_lang(req)));
	json_object_set(data, "t", i18n_catalogue(admin_lang(req)));
	struct buf out = BUF_INIT;
	if (tmpl_render(tmpl_app(), tmpl, data, &out) < 0) {
		log_error("admin.render_failed", LS("template", tmpl), LS("request_id", req->request_id));
		const char *msg = admin_t(req, "admin.error.render");
		http_text(req, 500, "text/plain; charset=utf-8", msg, strlen(msg));
	} else {
		http_text(req, status, "text/html; charset=utf-8", out.data, out.len);
	}
	http_header(req, "Cache-Control", "no-store");
	buf_free(&out);
}

void admin_error(struct http_req *req, int status, const char *message)
{
	char path[32];
	snprintf(path, sizeof(path), "admin.status.%d", status);
	const char *reason = admin_t_opt(req, path);
	admin_page(req, status, "admin/error",
		   pool_pack(&req->pool, "{s:i, s:s, s:s}", "status", status, "reason",
			     reason ? reason : MHD_get_reason_phrase_for((unsigned)status), "message",
			     admin_t(req, message)));
}

void admin_redirect(struct http_req *req, const char *location)
{
	http_redirect(req, 303, location);
}

struct db *admin_db(struct http_req *req)
{
	struct db *db = db_thread();
	req->error_page = admin_error;
	if (db == NULL)
		http_fail(req, MODEL_UNAVAILABLE, NULL, NULL);
	return db;
}

json_t *admin_form(struct http_req *req)
{
	struct session *s = req->session;
	if (s == NULL)
		return NULL;
	if (s->form == NULL)
		s->form = json_object();
	return s->form;
}

int admin_gate(struct http_req *req)
{
	req->error_page = admin_error;
	enum model_rc rc = session_load(req);
	if (rc != MODEL_OK && rc != MODEL_NOT_FOUND) {
		/* no session to frame a page with */
		const struct outcome *o = outcome_of(rc);
		const char *text = admin_t(req, o->admin);
		http_text(req, o->status, "text/plain; charset=utf-8", text, strlen(text));
		return -1;
	}
	if (rc == MODEL_NOT_FOUND) {
		struct buf loc = BUF_INIT;
		buf_puts(&loc, "/admin/login?next=");
		buf_urlencode(&loc, req->path);
		admin_redirect(req, loc.data);
		buf_free(&loc);
		return -1;
	}
	if (req->user.role < req->route->role) {
		admin_error(req, 403, "admin.error.role");
		return -1;
	}
	return 0;
}

int admin_gate_form(struct http_req *req)
{
	if (req->method != HTTP_POST)
		return 0;
	char err[200];
	struct session *s = req->session;
	s->form = form_parse(http_header_in(req, MHD_HTTP_HEADER_CONTENT_TYPE), req->body.data ? req->body.data : "",
			     req->body.len, err, sizeof(err));
	if (s->form == NULL) {
		admin_error(req, 400, err);
		return -1;
	}
	if (!csrf_valid(s->id, form_str(s->form, "csrf_token"))) {
		log_warn("admin.csrf_rejected", LS("request_id", req->request_id), LI("user_id", req->user.id));
		admin_error(req, 403, "admin.error.csrf");
		return -1;
	}
	json_object_del(s->form, "csrf_token");
	return 0;
}

/* --- forms ----------------------------------------------------------------------------- */

static json_t *value_text(json_t *v)
{
	if (json_is_string(v))
		return json_incref(v);
	if (json_is_integer(v))
		return json_sprintf("%lld", (long long)json_integer_value(v));
	return json_string("");
}

/* The label of value v (len bytes) of the select or filter name (admin_option). */
static json_t *option_label(struct http_req *req, const char *name, const char *v, size_t len)
{
	char path[128];
	snprintf(path, sizeof(path), "admin.options.%s.%.*s", name, (int)(len ? len : 1), len ? v : "_");
	const char *t = admin_t_opt(req, path);
	return t ? json_string(t) : json_stringn(v, len);
}

json_t *admin_fields(struct http_req *req, const struct admin_field *f, size_t n, json_t *values, json_t *errors,
		     const char *editable)
{
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(values, f[i].name), *errs = json_object_get(errors, f[i].name);
		int zoned = strcmp(f[i].type, "datetime-local") == 0, readonly = editable && !list_text_has(editable, f[i].name);
		json_t *fo = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:O*, s:s*, s:s*}", "name", f[i].name,
				       "label", admin_t(req, f[i].label),
				       "type", f[i].type, "required", f[i].required,
				       "readonly", readonly, "invalid", errs != NULL, "errors", errs, "hint",
				       f[i].hint ? admin_t(req, f[i].hint) : NULL, "pattern", f[i].pattern);
		if (zoned && req->session)   /* the offset at the value's time, not today's; UTC's is its name */
			json_object_set_new(fo, "zone", json_pack("{s:s, s:o*}", "name", admin_zone(req), "offset",
								   strcmp(admin_zone(req), "UTC") ? admin_time_offset(req, v) : NULL));
		if (f[i].maxlength)
			json_object_set_new(fo, "maxlength", json_integer(f[i].maxlength));
		if (strcmp(f[i].type, "password") != 0)
			json_object_set_new(fo, "value", value_text(v));
		else
			json_object_set_new(fo, "autocomplete", json_string("new-password"));
		if (strcmp(f[i].type, "checkbox") == 0) {
			json_object_set_new(fo, "is_checkbox", json_true());
			json_object_set_new(fo, "checked", json_boolean(json_is_true(v) ||
								       (json_is_string(v) && json_string_length(v))));
			json_array_append_new(out, fo);
			continue;
		}
		json_object_set_new(fo, "labelled", json_true());
		if (strcmp(f[i].type, "select") == 0) {
			json_t *opts = json_array();
			const char *cur = json_string_value(v);
			struct list_walk w = {f[i].options};
			const char *o;
			size_t len;
			while (list_next(&w, &o, &len))
				json_array_append_new(opts, json_pack("{s:o, s:o, s:b}", "value", json_stringn(o, len), "label",
								      option_label(req, f[i].name, o, len), "selected",
								      cur && strlen(cur) == len && strncmp(cur, o, len) == 0));
			json_object_set_new(fo, "is_select", json_true());
			json_object_set_new(fo, "options", opts);
		} else {
			json_object_set_new(fo, strcmp(f[i].type, "textarea") == 0 ? "textarea" : "input", json_true());
		}
		json_array_append_new(out, fo);
	}
	/* errors of fields the form does not show (unknown fields, form-wide rules) */
	const char *key;
	json_t *msgs;
	json_object_foreach(errors, key, msgs) {
		size_t i = 0;
		while (i < n && strcmp(f[i].name, key) != 0)
			i++;
		if (i == n)
			json_array_append_new(out, json_pack("{s:s, s:O, s:b, s:b}", "name", key, "errors", msgs,
							     "other", 1, "invalid", 1));
	}
	return out;
}

void admin_form_page(struct http_req *req, int status, json_t *page, const struct admin_field *f,
		     size_t n, json_t *values, json_t *errors, const char *editable)
{
	json_object_set_new(page, "fields", admin_fields(req, f, n, values, errors, editable));
	json_object_set_new(page, "has_errors", json_boolean(errors != NULL));
	json_object_set_new(page, "readonly", json_boolean(editable && *editable == '\0'));
	pool_json(&req->pool, errors);
	admin_page(req, status, "admin/form", page);
}

/* --- lists ----------------------------------------------------------------------------- */

int admin_list_params(struct http_req *req, const char *const *sorts, struct res_query *q)
{
	const char *s = http_query(req, "sort"), *c = http_query(req, "cursor"), *b = http_query(req, "before");
	q->sort = sorts[0];
	q->after = q->before = NULL;
	q->q = http_query(req, "q");
	if (q->q && *q->q == '\0')
		q->q = NULL;
	if (q->q && (strlen(q->q) > ADMIN_Q_MAX * 4 || utf8_length(q->q, strlen(q->q)) < 0)) {
		admin_error(req, 400, "admin.error.search");
		return -1;
	}
	if (s) {
		if (!list_has(sorts, s)) {
			admin_error(req, 400, "admin.error.sort");
			return -1;
		}
		q->sort = s;
	}
	if ((c && res_cursor_decode(req, c, &q->after) < 0) || (b && (c || res_cursor_decode(req, b, &q->before) < 0))) {
		admin_error(req, 400, "admin.error.cursor");
		return -1;
	}
	return 0;
}

int admin_list_both(struct http_req *req, struct db *db, const struct res_query *q, res_list_fn list,
		    const void *ctx, struct res_page *page)
{
	enum model_rc rc = res_list_both(db, q, list, ctx, page);
	if (rc != MODEL_OK) {
		http_fail(req, rc, rc == MODEL_INVALID ? "admin.error.cursor" : NULL, NULL);
		return -1;
	}
	pool_defer(&req->pool, free, page->next);
	pool_defer(&req->pool, free, page->first);
	pool_defer(&req->pool, free, page->prev);
	return 0;
}

/* The list's URL with sort, q and the kept filters, and a cursor parameter name=key (NULL:
 * none; key a JSON key, encoded here, at most RES_CURSOR_MAX bytes). */
static void list_url(struct http_req *req, const struct admin_list_spec *spec, struct buf *b,
		     const char *sort, const char *q, const char *name, const char *key)
{
	buf_puts(b, spec->base);
	buf_puts(b, "?sort=");
	buf_urlencode(b, sort);
	if (q) {
		buf_puts(b, "&q=");
		buf_urlencode(b, q);
	}
	for (const char *const *k = spec->keep; k && *k; k++) {
		const char *v = http_query(req, *k);
		if (v && *v) {
			buf_printf(b, "&%s=", *k);
			buf_urlencode(b, v);
		}
	}
	if (name) {
		char cur[RES_CURSOR_MAX * 2];
		res_cursor_encode(key, cur, sizeof(cur));
		buf_printf(b, "&%s=%s", name, cur);
	}
}

json_t *admin_cell(struct http_req *req, json_t *v)
{
	if (json_is_true(v))
		return json_string(admin_t(req, "admin.common.yes"));
	if (json_is_false(v))
		return json_string(admin_t(req, "admin.common.no"));
	if (json_is_null(v) || v == NULL)
		return json_string("—");
	if (json_is_string(v))
		return admin_time(req, json_string_value(v));
	return value_text(v);
}

json_t *admin_list_objs(struct http_req *req, const struct admin_list_spec *spec, json_t *objs,
			const char *next_key, const char *prev_key, const char *sort, const char *q)
{
	json_t *cols = json_array(), *rows = json_array(), *obj;
	struct buf b = BUF_INIT;
	const char *sort_field = sort[0] == '-' ? sort + 1 : sort;
	size_t i;
	for (i = 0; i < spec->ncols; i++) {
		const struct admin_col *c = &spec->cols[i];
		json_t *col = json_pack("{s:s}", "label", admin_t(req, c->label));
		if (c->sort) {
			int on = strcmp(c->sort, sort_field) == 0, desc = sort[0] == '-';
			char next[64];
			snprintf(next, sizeof(next), "%s%s", on && !desc ? "-" : "", c->sort);
			buf_reset(&b);
			list_url(req, spec, &b, next, q, NULL, NULL);
			json_object_set_new(col, "href", json_string(b.data));
			json_object_set_new(col, "aria_sort", json_string(on ? (desc ? "descending" : "ascending") : "none"));
			if (on)
				json_object_set_new(col, "arrow", json_string(desc ? "▼" : "▲"));
		}
		json_array_append_new(cols, col);
	}
	json_array_foreach(objs, i, obj) {
		json_t *cells = json_array();
		json_t *key = value_text(spec->key_field ? json_object_get(obj, spec->key_field) : NULL);
		buf_reset(&b);
		if (spec->key_field) {
			buf_puts(&b, spec->base);
			buf_urlencode(&b, json_string_value(key));
		}
		for (size_t k = 0; k < spec->ncols; k++) {   /* an object is the cell as given */
			const char *options = spec->cols[k].options;
			json_t *v = json_object_get(obj, spec->cols[k].field);
			json_t *cell = json_is_object(v) ? json_copy(v)
				     : options && json_is_string(v) ? json_pack("{s:s}", "text", admin_option(req, options, json_string_value(v)))
				     : json_pack("{s:o, s:b}", "text", admin_cell(req, v), "data", json_is_string(v));
			json_object_set_new(cell, "first", json_boolean(k == 0));
			json_array_append_new(cells, cell);
		}
		json_array_append_new(rows, json_pack("{s:o, s:s*, s:o, s:O}", "key", key, "href", b.len ? b.data : NULL,
						      "cells", cells, "object", obj));
	}
	int filtered = q != NULL;
	for (const char *const *k = spec->keep; k && *k; k++) {
		const char *v = http_query(req, *k);
		filtered |= v && *v;
	}
	json_t *list = json_pack("{s:o, s:o, s:s, s:s, s:s*, s:b, s:b, s:b}", "columns", cols, "rows", rows,
				 "base", spec->base, "sort", sort, "q", q, "bulk", spec->bulk && req->user.role >= ROLE_OPERATOR,
				 "empty", json_array_size(objs) == 0, "filtered", filtered);
	static const char *const links[][2] = {{"next_href", "cursor"}, {"prev_href", "before"}};
	const char *keys[] = {next_key, prev_key};
	for (i = 0; i < ARRAY_LEN(links); i++)
		if (keys[i] && strlen(keys[i]) <= RES_CURSOR_MAX) {
			buf_reset(&b);
			list_url(req, spec, &b, sort, q, links[i][1], keys[i]);
			json_object_set_new(list, links[i][0], json_string(b.data));
		}
	if (http_query(req, "cursor") || http_query(req, "before")) {
		buf_reset(&b);
		list_url(req, spec, &b, sort, q, NULL, NULL);
		json_object_set_new(list, "first_href", json_string(b.data));
	}
	buf_free(&b);
	json_decref(objs);
	return list;
}

json_t *admin_filter(struct http_req *req, const char *name, const char *label, const char *options,
		     const char *const *values)
{
	const char *cur = http_query(req, name);
	json_t *opts = json_array();
	for (const char *const *v = values; *v; v++)
		json_array_append_new(opts, json_pack("{s:s, s:o, s:b}", "value", *v, "label", option_label(req, options, *v, strlen(*v)),
						      "selected", cur ? strcmp(cur, *v) == 0 : **v == '\0'));
	return json_pack("{s:s, s:s, s:o}", "name", name, "label", admin_t(req, label), "options", opts);
}

json_t *admin_filter_input(struct http_req *req, const char *name, const char *label, const char *placeholder)
{
	const char *cur = http_query(req, name);
	return json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", name, "label", admin_t(req, label), "input", 1, "value",
			 cur ? cur : "", "placeholder", admin_t(req, placeholder));
}

json_t *admin_date_filter(struct http_req *req, const char *name, const char *label, int zoned)
{
	const char *cur = http_query(req, name), *text = admin_t(req, label);
	return json_pack("{s:s, s:s, s:s}", "name", name, "label", zoned ? admin_time_label(req, text) : text, "value",
			 cur ? cur : "");
}

json_t *admin_detail_items(struct http_req *req, json_t *obj, const struct admin_prop *props, size_t n)
{
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, props[i].field);
		if (v == NULL)
			continue;
		json_t *item = json_pack("{s:s, s:o, s:b}", "label", admin_t(req, props[i].label), "value",
					 props[i].options ? json_string(admin_option(req, props[i].options, json_string_value(v)))
							  : admin_cell(req, v), "data", props[i].options == NULL);
		if (props[i].link && json_is_integer(v))
			json_object_set_new(item, "href", json_sprintf("%s%lld", props[i].link, (long long)json_integer_value(v)));
		json_array_append_new(items, item);
	}
	return items;
}

int admin_matching_read(struct http_req *req, enum model_rc rc, const char *too_many)
{
	if (rc == MODEL_CONFLICT)
		admin_error(req, 400, admin_format(req, too_many, RES_MATCHING_MAX));
	else if (rc != MODEL_OK)
		http_fail(req, rc, NULL, NULL);
	return rc == MODEL_OK ? 0 : -1;
}

json_t *admin_form_given(json_t *form)
{
	json_t *out = json_object(), *v;
	const char *k;
	json_object_foreach(form, k, v)
		if (!json_is_string(v) || json_string_length(v) > 0)
			json_object_set(out, k, v);
	return out;
}

const char *admin_notice(struct http_req *req, const char *const *pairs)
{
	const char *done = http_query(req, "done");
	for (; done && pairs[0]; pairs += 2)
		if (strcmp(done, pairs[0]) == 0)
			return admin_t(req, pairs[1]);
	return NULL;
}

char *admin_path(const char *base, const char *key, const char *suffix)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, base);
	buf_urlencode(&b, key);
	buf_puts(&b, suffix);
	return buf_steal(&b);
}
