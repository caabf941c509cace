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
	static const struct admin_prop props[] = {
		{"id", "admin.col.id", NULL, NULL}, {"phone", "admin.col.phone", NULL, NULL},
		{"status", "admin.col.status", "message_status", NULL},
		{"mailing_id", "admin.mailings.one", NULL, "/admin/mailings/"},
		{"client_id", "admin.message.client", NULL, "/admin/clients/"},
		{"smpp_account", "admin.message.smpp_account", NULL, NULL}, {"attempts", "admin.col.attempts", NULL, NULL},
		{"last_error", "admin.col.last_error", NULL, NULL}, {"created_at", "admin.col.created", NULL, NULL},
		{"sent_at", "admin.col.sent", NULL, NULL}, {"reported_at", "admin.message.reported", NULL, NULL},
	};
	json_t *items = admin_detail_items(req, m, props, ARRAY_LEN(props));
	admin_page(req, 200, "admin/detail",
		   pool_pack(&req->pool, "{s:s, s:s, s:s, s:o, s:[{s:s, s:O}]}", "heading",
			     admin_format(req, "admin.message.heading", req->params[0]), "back_href", BASE, "back_label",
			     admin_t(req, "admin.nav.messages"), "items", items, "sections", "title", admin_t(req, "admin.dash.text"),
			     "pre", json_object_get(m, "text")));
}
