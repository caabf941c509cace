/* admin_history.c — /admin/history/ (admins): the change history, filtered by action and
 * searched by object or user; and the recent history shown on an object's own page. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "model_audit.h"
#include "buf.h"
#include "list.h"
#include "route.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BASE "/admin/history/"

static const struct admin_col cols[] = {
	{"admin.history.when", "at", NULL, NULL},
	{"admin.history.user", "username", NULL, NULL},
	{"admin.history.action", "action", NULL, "action"},
	{"admin.history.object", "object", NULL, NULL},
	{"admin.history.details", "detail", NULL, NULL},
};

#define ACTIONS_MAX 300

/* Appends name (may be NULL) to out (n names, NULL-terminated) unless it is there. */
static void offer(const char **out, size_t *n, const char *name)
{
	if (name && *n < ACTIONS_MAX && !list_has(out, name)) {
		out[(*n)++] = name;
		out[*n] = NULL;
	}
}

/* The actions the filter offers, "" (any) first: those the route table names and the writes of
 * its resources (resource.c): created, updated, deleted (or its own word: a token's revoked),
 * deleted_matching where the model deletes many, and its changes (res_action: a mailing's
 * cancelled). NULL-terminated, in out (ACTIONS_MAX + 1 rows); the names made are in the
 * request's pool. */
static const char *const *actions(struct http_req *req, const char **out)
{
	size_t n = 0;
	out[0] = NULL;
	offer(out, &n, "");
	for (size_t i = 0; i < routes_len; i++) {
		const struct resource *r = routes[i].res;
		offer(out, &n, routes[i].action);
		if (r == NULL || (i > 0 && routes[i - 1].res == r))
			continue;
		const char *verbs[] = {"created", "updated", r->deleted ? r->deleted : "deleted",
				       r->model->remove_many ? "deleted_matching" : NULL};
		for (size_t j = 0; j < ARRAY_LEN(verbs) + r->nactions; j++) {
			const char *verb = j < ARRAY_LEN(verbs) ? verbs[j] : r->actions[j - ARRAY_LEN(verbs)].done;
			offer(out, &n, verb ? pool_printf(&req->pool, "%s.%s", r->kind, verb) : NULL);
		}
	}
	return out;
}

/* Appends v as a person reads it. */
static void put_value(struct buf *b, json_t *v)
{
	if (json_is_string(v)) {
		buf_puts(b, json_string_value(v));
	} else if (json_is_null(v)) {
		buf_puts(b, "—");
	} else {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		buf_puts(b, s);
		free(s);
	}
}

/* A detail of audit_changes' shape as "field: before → after; ..." (creations and deletions
 * show one side); any other detail as its JSON text. New reference. */
static json_t *detail_text(struct http_req *req, const char *text)
{
	json_t *d = pool_json(&req->pool, json_loads(text, 0, NULL)), *before = json_object_get(d, "before"), *after = json_object_get(d, "after");
	if (!json_is_object(d) || json_object_size(d) != (size_t)((before != NULL) + (after != NULL)) ||
	    json_object_size(d) == 0)
		return json_string(text);
	struct buf b = BUF_INIT;
	const char *k;
	json_t *v;
	json_object_foreach(before ? before : after, k, v) {
		buf_printf(&b, "%s%s: ", b.len ? "; " : "", k);
		put_value(&b, v);
		if (before && after) {
			buf_puts(&b, " → ");
			put_value(&b, json_object_get(after, k));
		}
	}
	json_t *out = json_string(b.len ? b.data : admin_t(req, "admin.history.no_change"));
	buf_free(&b);
	return out;
}

/* What rows of the history (audit_page's) show: the object with its kind as a person reads it
 * ("smpp_account 3": "SMPP account 3") and the detail as text. */
static void readable(struct http_req *req, json_t *rows)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *o = json_string_value(json_object_get(row, "object"));
		size_t kind = o ? strcspn(o, " ") : 0;
		json_object_set_new(row, "object", o == NULL || *o == '\0' ? json_string("—")
			: json_sprintf("%s%s", admin_option(req, "object", pool_printf(&req->pool, "%.*s", (int)kind, o)), o + kind));
		json_object_set_new(row, "detail", detail_text(req, json_string_value(json_object_get(row, "detail"))));
	}
}

void admin_history_list(struct http_req *req)
{
	static const char *const keep[] = {"action", NULL};
	static const char *const sorts[] = {"newest", NULL};
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), NULL, 0, keep};
	const char *action = http_query(req, "action");
	struct res_query q = {NULL, NULL, NULL, ADMIN_PAGE, {NULL}, NULL, NULL, NULL};
	struct res_page page;
	struct db *db;
	if (action && *action == '\0')
		action = NULL;
	const char *known[ACTIONS_MAX + 1];
	const char *const *offered = actions(req, known);
	if (action && !list_has(offered + 1, action)) {
		admin_error(req, 400, "admin.history.no_action");
		return;
	}
	q.filter[0] = action;
	if (admin_list_params(req, sorts, &q) < 0 || (db = admin_db(req)) == NULL)
		return;
	if (admin_list_both(req, db, &q, audit_page, NULL, &page) < 0)
		return;
	readable(req, page.objs);
	json_t *list = admin_list_objs(req, &spec, page.objs, page.next, page.prev, q.sort, q.q);
	admin_page(req, 200, "admin/list",
		   pool_pack(&req->pool, "{s:s, s:o, s:[o]}", "heading", admin_t(req, "admin.nav.history"), "list", list,
			     "filters", admin_filter(req, "action", "admin.history.action", "action",
						     offered)));
}

json_t *admin_history(struct http_req *req, struct db *db, const char *object)
{
	struct res_query q = {"newest", NULL, NULL, 10, {NULL, object}, NULL, NULL, NULL};
	struct res_page page;
	size_t i;
	json_t *row;
	if (audit_page(db, &q, NULL, &page) != MODEL_OK || json_array_size(page.objs) == 0) {
		json_decref(page.objs);
		res_page_keys_free(&page);
		return NULL;
	}
	readable(req, page.objs);
	json_array_foreach(page.objs, i, row) {
		json_object_set_new(row, "at", admin_time(req, json_string_value(json_object_get(row, "at"))));
		json_object_set_new(row, "action", json_string(admin_option(req, "action", json_string_value(json_object_get(row, "action")))));
	}
	res_page_keys_free(&page);
	return json_pack("{s:o}", "rows", page.objs);
}
