/* admin_mailings_bulk.c — the mailings list's bulk actions (cancel, retry failed, delete) on
 * the rows selected or on all the list's filters match, each mailing changed and recorded as
 * on its own page (admin_mailing_run, res_delete). */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "form.h"
#include "model_mailing.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define R (&res_mailings)
#define BASE ADMIN_MAILINGS

/* The confirmation of a bulk delete: how many mailings and messages go. */
static void bulk_confirm(struct http_req *req, struct db *db, json_t *keys)
{
	int64_t total;
	enum model_rc rc = mailing_message_total(db, keys, &total);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	json_t *hidden = json_pack("[{s:s, s:s}, {s:s, s:s}]", "name", "action", "value", "delete", "name",
				   "confirmed", "value", "yes"), *k;
	size_t i, n = json_array_size(keys);
	json_array_foreach(keys, i, k)
		json_array_append_new(hidden, json_pack("{s:s, s:O}", "name", "key", "value", k));
	admin_page(req, 200, "admin/confirm",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "heading", admin_t(req, "admin.mailing.bulk_delete"),
			     "message", admin_format(req, "admin.mailing.bulk_question",
						     admin_plural(req, "admin.mailing.n_mailings", (long long)n),
						     admin_plural(req, "admin.mailing.n_messages", (long long)total)),
			     "action", BASE "bulk", "submit", admin_t(req, "admin.mailing.bulk_submit"), "cancel_href", BASE,
			     "hidden", hidden));
}

/* What became of one mailing of a bulk action (done: a catalogue path). New reference. */
static json_t *outcome(struct http_req *req, const struct res_key *k, enum model_rc rc, const char *done,
		       const char *why, int deleted)
{
	json_t *o = rc == MODEL_OK ? json_pack("{s:s, s:b}", "text", admin_t(req, done), "ok", 1)
		  : rc == MODEL_CONFLICT ? json_pack("{s:s, s:b}", "text", admin_format(req, "admin.mailing.not_changed",
											 admin_t(req, why)), "ok", 0)
		  : rc == MODEL_NOT_FOUND ? json_pack("{s:s, s:b}", "text", admin_t(req, "admin.mailing.gone"), "ok", 0)
		  : json_pack("{s:s, s:b}", "text", admin_t(req, "admin.mailing.db_refused"), "ok", 0);
	json_object_set_new(o, "id", json_integer(k->id));
	json_object_set_new(o, "href", json_sprintf(BASE "%lld", (long long)k->id));
	json_object_set_new(o, "linked", json_boolean(!(deleted && rc == MODEL_OK) && rc != MODEL_NOT_FOUND));
	return o;
}

/* The confirmation of an action on all the mailings (keys) that mq's filters match. */
static void all_confirm(struct http_req *req, struct db *db, const char *action, const char *label,
			const struct res_query *q, json_t *keys)
{
	long long n = (long long)json_array_size(keys);
	json_t *hidden = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "name", "action", "value", action, "name", "all",
				   "value", "1", "name", "confirmed", "value", "yes");
	json_array_extend(hidden, admin_res_matching(req, R, q));
	const char *message = admin_format(req, "admin.mailing.all_question", label, admin_plural(req, "admin.mailing.n_mailings", n));
	int64_t total;
	if (strcmp(action, "delete") == 0) {
		enum model_rc rc = mailing_message_total(db, keys, &total);
		if (rc != MODEL_OK) {
			json_decref(hidden);
			http_fail(req, rc, NULL, NULL);
			return;
		}
		message = admin_format(req, "admin.mailing.bulk_question", admin_plural(req, "admin.mailing.n_mailings", n),
				       admin_plural(req, "admin.mailing.n_messages", (long long)total));
	}
	admin_page(req, 200, "admin/confirm",
		   json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "heading", admin_t(req, "admin.mailing.all_heading"), "message",
			     message, "action", BASE "bulk", "submit", admin_t(req, "admin.mailing.all_submit"), "cancel_href",
			     BASE, "hidden", hidden));
}

/* The outcomes of more mailings than a page shows, counted by what became of them. */
static json_t *counted(struct http_req *req, json_t *outcomes)
{
	json_t *by = json_object(), *o, *out = pool_json(&req->pool, json_array());
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
		json_array_append_new(out, json_pack("{s:s, s:O}", "text", admin_format(req, "admin.mailing.outcome_many",
			(long long)json_integer_value(json_array_get(o, 0)), text), "ok", json_array_get(o, 1)));
	json_decref(by);
	return out;
}

void admin_mailings_bulk(struct http_req *req)
{
	json_t *form = admin_form(req), *keys = pool_json(&req->pool, form_list(form, "key")), *k;
	const char *action = form_str(form, "action"), *confirmed = form_str(form, "confirmed");
	const struct res_action *act = admin_mailing_act(action);
	int del = action && strcmp(action, "delete") == 0, all = form_str(form, "all") != NULL;
	int yes = confirmed && strcmp(confirmed, "yes") == 0;
	struct verr bad = VERR_INIT;
	struct res_query q;
	struct res_key key;
	struct db *db = NULL;
	size_t i;
	json_array_foreach(keys, i, k)
		if (res_key_parse(R, json_string_value(k), &key) < 0)
			break;
	if (act == NULL && !del) {
		admin_error(req, 400, "admin.error.bulk_action");
		return;
	}
	if (all) {
		bad.lang = admin_lang(req);
		admin_res_form_query(req, R, form, &bad, &q);
		if (admin_res_matching(req, R, &q) == NULL) {
			admin_error(req, 400, "admin.mailing.all_needs_filter");
			return;
		}
		if ((db = admin_db(req)) == NULL)
			return;
		enum model_rc rc = res_list_keys(db, res_list_of, R, &q, "id", &keys);
		verr_free(&bad);
		pool_json(&req->pool, keys);
		if (admin_matching_read(req, rc, "admin.mailing.all_too_many") < 0)
			return;
		if (!yes) {
			all_confirm(req, db, action, admin_t(req, del ? "admin.common.delete_more" : act->label), &q, keys);
			return;
		}
	} else if (json_array_size(keys) == 0 || json_array_size(keys) > ADMIN_PAGE || i < json_array_size(keys)) {
		admin_error(req, 400, "admin.mailing.bulk_rows");
		return;
	} else if ((db = admin_db(req)) == NULL) {
		return;
	} else if (del && !yes) {
		bulk_confirm(req, db, keys);
		return;
	}
	json_t *outcomes = pool_json(&req->pool, json_array());
	json_array_foreach(keys, i, k) {
		const char *why = NULL;
		res_key_parse(R, json_string_value(k), &key);
		enum model_rc rc = del ? res_delete(req, db, R, &key) : admin_mailing_run(req, db, act, &key, &why);
		json_array_append_new(outcomes, outcome(req, &key, rc, del ? "admin.mailing.outcome_deleted" : act->outcome,
							why, del));
	}
	admin_res_list_page(req, R, json_array_size(outcomes) > ADMIN_PAGE ? counted(req, outcomes) : outcomes);
}
