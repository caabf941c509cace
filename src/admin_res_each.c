/* admin_res_each.c — bulk changes that run object by object (admin_res_bulk): a resource's
 * changes (res_action: a mailing cancelled) and deletions where the model deletes one object
 * at a time. Each object is changed and recorded as on its own page, and the list says what
 * became of each. */
#include "admin.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

enum model_rc admin_res_run(struct http_req *req, struct db *db, const struct resource *r, const struct res_action *act,
			    const struct res_key *k, const char **why)
{
	json_t *before, *after = NULL;
	if (act == NULL)
		return res_delete(req, db, r, k);
	enum model_rc rc = res_get(req, db, r, k, &before);
	if (rc == MODEL_OK && (rc = act->fn(db, k->id, &after, why)) == MODEL_OK)
		res_record(req, db, r, act->done, k->text, before, pool_json(&req->pool, after));
	return rc;
}

/* What became of the object of k (done: the catalogue's word for a change made; why: a
 * refusal's). New reference. */
static json_t *outcome(struct http_req *req, const struct resource *r, const struct res_key *k, enum model_rc rc,
		       const char *done, const char *why, int deleted)
{
	char *href = admin_path(r->base, k->text, "");
	const char *text = rc == MODEL_OK ? admin_t(req, done)
			 : rc == MODEL_CONFLICT ? admin_format(req, "admin.list.not_changed", admin_t(req, why))
			 : admin_t(req, rc == MODEL_NOT_FOUND ? "admin.list.gone" : "admin.list.db_refused");
	pool_defer(&req->pool, free, href);
	return json_pack("{s:s, s:b, s:s, s:s, s:b}", "text", text, "ok", rc == MODEL_OK, "name",
			 admin_res_text(req, r, "edit", k->text), "href", href,
			 "linked", !(deleted && rc == MODEL_OK) && rc != MODEL_NOT_FOUND);
}

/* The outcomes of more objects than a page shows, counted by what became of them. */
static json_t *counted(struct http_req *req, json_t *outcomes)
{
	json_t *by = pool_json(&req->pool, json_object()), *o, *out = pool_json(&req->pool, json_array());
	const char *text;
	size_t i;
	json_array_foreach(outcomes, i, o) {
		text = json_string_value(json_object_get(o, "text"));
		json_t *c = json_object_get(by, text);
		if (c == NULL)
			json_object_set_new(by, text, json_pack("[i, O]", 0, json_object_get(o, "ok")));
		c = json_object_get(by, text);
		json_array_set_new(c, 0, json_integer(json_integer_value(json_array_get(c, 0)) + 1));
	}
	json_object_foreach(by, text, o)
		json_array_append_new(out, json_pack("{s:s, s:O}", "text", admin_format(req, "admin.list.outcome_many",
			(long long)json_integer_value(json_array_get(o, 0)), text), "ok", json_array_get(o, 1)));
	return out;
}

/* The question before act (NULL: deletion) runs on the objects of keys: those the list's
 * filters match (in: their hidden inputs), or those selected (in NULL: a deletion). */
static void confirm(struct http_req *req, const struct resource *r, struct db *db, const struct res_action *act,
		    json_t *keys, json_t *in)
{
	const char *message = act ? admin_format(req, "admin.list.all_question", admin_t(req, act->label),
						  admin_plural(req, admin_res_path(req, r, "n"), (long long)json_array_size(keys)))
				  : r->delete_many_question(req, db, keys);
	json_t *hidden, *k;
	size_t i;
	if (message == NULL)
		return;
	hidden = json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", "action", "value", act ? act->name : "delete", "name",
			   "confirmed", "value", "yes");
	if (in) {
		json_array_append_new(hidden, json_pack("{s:s, s:s}", "name", "all", "value", "1"));
		json_array_extend(hidden, in);
	} else {
		json_array_foreach(keys, i, k)
			json_array_append_new(hidden, json_pack("{s:s, s:O}", "name", "key", "value", k));
	}
	admin_page(req, 200, "admin/confirm",
		   pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:o}", "heading",
			     admin_res_text(req, r, in ? "all_heading" : "bulk_delete", NULL), "message", message,
			     "action", pool_printf(&req->pool, "%sbulk", r->base), "submit",
			     in ? admin_t(req, "admin.list.all_submit") : admin_res_text(req, r, "bulk_submit", NULL),
			     "cancel_href", r->base, "hidden", hidden));
}

void admin_res_each(struct http_req *req, const struct resource *r, struct db *db, const struct res_action *act,
		    json_t *keys, json_t *in, int confirmed)
{
	json_t *outcomes, *k;
	size_t i;
	if (!confirmed && (act == NULL || in)) {
		confirm(req, r, db, act, keys, in);
		return;
	}
	outcomes = pool_json(&req->pool, json_array());
	json_array_foreach(keys, i, k) {
		struct res_key key;
		const char *why = NULL;
		res_key_parse(r, json_string_value(k), &key);
		enum model_rc rc = admin_res_run(req, db, r, act, &key, &why);
		json_array_append_new(outcomes, outcome(req, r, &key, rc, act ? act->outcome : "admin.list.outcome_deleted", why,
							act == NULL));
	}
	admin_res_list_page(req, r, json_array_size(outcomes) > ADMIN_PAGE ? counted(req, outcomes) : outcomes);
}
