/* admin_messages.c — /admin/messages/{id}: a read-only page per message (the list is
 * admin_message_list.c). */
#include "admin.h"
#include "admin_handlers.h"
#include "model_message.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/messages/"

void admin_messages_show(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, "admin.message.not_found");
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	json_t *m = NULL;
	enum model_rc rc = message_get(db, id, &m);
	pool_json(&req->pool, m);
	if (rc != MODEL_OK) {
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? "admin.message.not_found" : NULL, NULL);
		return;
	}
	static const struct { const char *field, *label, *link; } props[] = {
		{"id", "admin.col.id", NULL}, {"phone", "admin.col.phone", NULL}, {"status", "admin.col.status", NULL},
		{"mailing_id", "admin.mailings.one", "/admin/mailings/"}, {"client_id", "admin.message.client", "/admin/clients/"},
		{"smpp_account", "admin.message.smpp_account", NULL}, {"attempts", "admin.col.attempts", NULL},
		{"last_error", "admin.col.last_error", NULL}, {"created_at", "admin.col.created", NULL},
		{"sent_at", "admin.col.sent", NULL},
	};
	json_t *items = json_array();
	for (size_t i = 0; i < ARRAY_LEN(props); i++) {
		json_t *v = json_object_get(m, props[i].field);
		json_t *item = json_pack("{s:s, s:o}", "label", admin_t(req, props[i].label), "value",
					 strcmp(props[i].field, "status") == 0
					 ? json_string(admin_option(req, "message_status", json_string_value(v))) : admin_cell(req, v));
		json_object_set_new(item, "data", json_boolean(strcmp(props[i].field, "status") != 0));
		if (props[i].link && json_is_integer(v))
			json_object_set_new(item, "href", json_sprintf("%s%lld", props[i].link, (long long)json_integer_value(v)));
		json_array_append_new(items, item);
	}
	admin_page(req, 200, "admin/detail",
		   json_pack("{s:s, s:s, s:s, s:o, s:[{s:s, s:O}]}", "heading",
			     admin_format(req, "admin.message.heading", req->params[0]), "back_href", BASE, "back_label",
			     admin_t(req, "admin.nav.messages"), "items", items, "sections", "title", admin_t(req, "admin.dash.text"),
			     "pre", json_object_get(m, "text")));
}
