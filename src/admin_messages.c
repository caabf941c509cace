/* admin_messages.c — /admin/messages/: the messages ledger filtered by status, mailing and
 * phone (model_message's list, as GET /api/v1/messages), and a read-only page per message. */
#include "admin.h"
#include "admin_handlers.h"
#include "model_message.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/messages/"

static const struct admin_col cols[] = {
	{"ID", "id", NULL},
	{"Phone", "phone", NULL},
	{"Status", "status", NULL},
	{"Mailing", "mailing_id", NULL},
	{"Attempts", "attempts", NULL},
	{"Created", "created_at", NULL},
	{"Sent", "sent_at", NULL},
};

void admin_messages_list(struct http_req *req)
{
	static const char *const keep[] = {"status", "mailing_id", "phone", NULL};
	static const char *const sorts[] = {"id", NULL};
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, keep};
	const char *sort, *q, *status = http_query(req, "status");
	char *after, code[2], *error = NULL;
	struct message_filter f = {NULL, http_query(req, "mailing_id"), http_query(req, "phone")};
	struct page pg = {"0", ADMIN_PAGE, 0};
	struct db *db;
	int64_t n;
	if (admin_list_params(req, sorts, &sort, &after, &q) < 0)
		return;
	json_t *key = after ? json_loads(after, 0, NULL) : NULL;
	free(after);
	if (key && !json_is_integer(json_array_get(key, 0))) {
		json_decref(key);
		admin_error(req, 400, "That page link is broken; start from the first page.");
		return;
	}
	if (key)
		snprintf(pg.after, sizeof(pg.after), "%lld", (long long)json_integer_value(json_array_get(key, 0)));
	json_decref(key);
	if (f.mailing_id && *f.mailing_id == '\0')
		f.mailing_id = NULL;
	if (f.phone && *f.phone == '\0')
		f.phone = NULL;
	if (status && *status) {
		int c = message_status_code(status);
		code[0] = (char)('0' + c);
		code[1] = '\0';
		f.status = c >= 0 ? code : NULL;
		if (c < 0)
			error = "Status: choose one of the statuses offered.";
	}
	if (f.mailing_id && parse_i64(f.mailing_id, 1, INT64_MAX, &n) < 0)
		error = "Mailing: a mailing id is a positive whole number.";
	if (f.phone && valid_phone(f.phone))
		error = "Phone: 11 digits starting with 7.";
	if ((db = admin_db(req)) == NULL)
		return;
	json_t *objs = json_array();
	char next[40] = "";
	if (error == NULL) {
		PGresult *r = message_list(db, &pg, &f);
		if (r == NULL) {
			json_decref(objs);
			admin_db_error(req, db);
			return;
		}
		int rows = PQntuples(r), shown = rows > ADMIN_PAGE ? ADMIN_PAGE : rows;
		for (int i = 0; i < shown; i++)
			json_array_append_new(objs, json_loads(PQgetvalue(r, i, 0), 0, NULL));
		if (rows > shown)
			snprintf(next, sizeof(next), "[%s]", PQgetvalue(r, shown - 1, 1));
		PQclear(r);
	}
	admin_page(req, 200, "admin/list",
		   json_pack("{s:s, s:o, s:s*, s:b, s:[o, o, o]}", "heading", "Messages", "list",
			     admin_list_objs(req, &spec, objs, *next ? next : NULL, sort, q), "error", error,
			     "no_q", 1, "filters", admin_filter(req, "status", "Status", message_status_filter),
			     admin_filter_input(req, "mailing_id", "Mailing", "any"),
			     admin_filter_input(req, "phone", "Phone", "79001234567")));
}

void admin_messages_show(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, "There is no such message.");
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	PGresult *r = message_get(db, id);
	if (r == NULL) {
		admin_db_error(req, db);
		return;
	}
	json_t *m = PQntuples(r) ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	if (m == NULL) {
		admin_error(req, 404, "There is no such message.");
		return;
	}
	static const struct { const char *field, *label, *link; } props[] = {
		{"id", "ID", NULL}, {"phone", "Phone", NULL}, {"status", "Status", NULL},
		{"mailing_id", "Mailing", "/admin/mailings/"}, {"client_id", "Client", "/admin/clients/"},
		{"smpp_account", "SMPP account", NULL}, {"attempts", "Attempts", NULL}, {"last_error", "Last error", NULL},
		{"created_at", "Created", NULL}, {"sent_at", "Sent", NULL},
	};
	json_t *items = json_array();
	for (size_t i = 0; i < ARRAY_LEN(props); i++) {
		json_t *v = json_object_get(m, props[i].field);
		json_t *item = json_pack("{s:s, s:o}", "label", props[i].label, "value", admin_cell(v));
		if (props[i].link && json_is_integer(v))
			json_object_set_new(item, "href", json_sprintf("%s%lld", props[i].link, (long long)json_integer_value(v)));
		json_array_append_new(items, item);
	}
	admin_page(req, 200, "admin/detail",
		   json_pack("{s:s+, s:s, s:s, s:o, s:[{s:s, s:O}]}", "heading", "Message ", req->params[0],
			     "back_href", BASE, "back_label", "Messages", "items", items, "sections", "title",
			     "Text", "pre", json_object_get(m, "text")));
	json_decref(m);
}
