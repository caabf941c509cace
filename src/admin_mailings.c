/* admin_mailings.c — what the mailing pages add to the generic ones of res_mailings
 * (resources.c; its list, forms and bulk changes are admin_resource.c's): the list's row
 * (status badge, progress), the form's fields as the API's mailing and back (times in the
 * user's zone), which of them its state lets change, the state changes and the deletion's
 * texts; its writes are recorded as every resource's are (resource.c). The mailing's own page
 * is admin_mailing_view.c. */
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

/* The form's datetime-local value name, typed in the user's zone, as RFC 3339 in UTC; anything
 * else unchanged, for the validator to name; a time the clocks skip as the field's error in v.
 * -1 on a database failure. */
static int put_time(struct http_req *req, json_t *in, const char *name, struct verr *v)
{
	const char *s = form_str(in, name), *why;
	char utc[ADMIN_TIME_LEN];
	if (s == NULL || *s == '\0')
		return 0;
	int rc = admin_time_read(req, s, utc, &why);
	if (rc == -1)
		verr_add(v, name, "%s", why);
	else if (rc == 0)
		json_object_set_new(in, name, json_string(utc));
	return rc == -2 ? -1 : 0;
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

int admin_mailing_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v)
{
	static const char *const form_only[] = {"template", "operator_codes", "tags", "window_start", "window_end"};
	const char *name = form_str(in, "template"), *text = form_str(in, "text"), *ws = form_str(in, "window_start"),
		   *we = form_str(in, "window_end");
	int64_t id;
	enum model_rc rc = name && *name ? template_find(db, name, &id, NULL) : MODEL_OK;
	if (put_time(req, in, "start_at", v) < 0 || put_time(req, in, "end_at", v) < 0 ||
	    (rc != MODEL_OK && rc != MODEL_NOT_FOUND))
		return -1;
	if (rc == MODEL_NOT_FOUND)
		verr_add(v, "template", "valid.no_template_named");
	else if (name && *name)
		json_object_set_new(in, "template_id", json_integer(id));
	if (json_object_get(in, "operator_codes") || json_object_get(in, "tags"))
		json_object_set_new(in, "filter", json_pack("{s:o, s:o}", "operator_codes",
							    admin_mailing_split(form_str(in, "operator_codes")), "tags",
							    admin_mailing_split(form_str(in, "tags"))));
	if (ws || we)
		json_object_set_new(in, "send_window", (ws && *ws) || (we && *we)
				    ? json_pack("{s:s*, s:s*}", "start", ws && *ws ? ws : NULL, "end", we && *we ? we : NULL)
				    : json_null());
	if (text && *text == '\0')
		json_object_del(in, "text");
	for (size_t i = 0; i < ARRAY_LEN(form_only); i++)
		json_object_del(in, form_only[i]);
	return verr_any(v) ? -1 : 0;
}

void admin_mailing_form_out(struct http_req *req, struct db *db, json_t *values)
{
	json_t *tid = json_object_get(values, "template_id"), *filter = json_object_get(values, "filter"), *v;
	json_t *w = json_object_get(values, "send_window");
	char *tname = json_is_integer(tid) ? template_name(db, json_integer_value(tid)) : NULL;
	static const char *const times[] = {"start_at", "end_at"};
	static const char *const window[][2] = {{"window_start", "start"}, {"window_end", "end"}};
	for (size_t i = 0; i < ARRAY_LEN(times); i++)
		json_object_set_new(values, times[i], admin_time_input(req, json_string_value(json_object_get(values, times[i]))));
	if (tname) {
		json_object_set_new(values, "template", json_string(tname));
		json_object_del(values, "text");
	}
	free(tname);
	json_object_set_new(values, "operator_codes", admin_mailing_join(json_object_get(filter, "operator_codes")));
	json_object_set_new(values, "tags", admin_mailing_join(json_object_get(filter, "tags")));
	for (size_t i = 0; i < ARRAY_LEN(window); i++)
		if ((v = json_object_get(w, window[i][1])) != NULL)
			json_object_set(values, window[i][0], v);
}

json_t *admin_mailing_clone(struct http_req *req)
{
	const char *from = http_query(req, "from");
	struct res_key k;
	struct db *db;
	json_t *obj;
	if (from == NULL || res_key_parse(R, from, &k) < 0 || (db = db_thread()) == NULL ||
	    res_get(req, db, R, &k, &obj) != MODEL_OK)
		return NULL;
	json_t *values = admin_res_shown(req, db, R, obj);
	json_object_del(values, "start_at");
	json_object_del(values, "end_at");
	return values;
}

void admin_mailing_created(struct http_req *req, json_t *obj)
{
	admin_redirect(req, pool_printf(&req->pool, BASE "%lld?done=created",
					(long long)json_integer_value(json_object_get(obj, "id"))));
}

const char *admin_mailing_editable(struct http_req *req, json_t *obj, const char **why)
{
	const char *state = admin_mailing_status(obj);
	if (strcmp(state, "scheduled") == 0)
		return NULL;
	if (strcmp(state, "running") == 0) {
		*why = admin_t(req, "admin.mailing.running_end_only");
		return "end_at";
	}
	*why = admin_format(req, "admin.mailing.cannot_change", admin_option(req, "mailing_status", state));
	return "";
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
