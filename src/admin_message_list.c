/* admin_message_list.c — /admin/messages/: the messages ledger, newest first, filtered by
 * status, mailing, phone (as people write it), a date range and the last error's text, with a
 * count (estimated past MESSAGE_COUNT_EXACT) and previous / next pages (keyset on id). */
#include "admin.h"
#include "admin_handlers.h"
#include "buf.h"
#include "message_search.h"
#include "model_message.h"
#include "phone.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/messages/"

static const struct admin_col cols[] = {
	{"admin.col.id", "id", NULL, NULL},
	{"admin.col.phone", "phone", NULL, NULL},
	{"admin.col.status", "status", NULL, "message_status"},
	{"admin.mailings.one", "mailing_id", NULL, NULL},
	{"admin.col.attempts", "attempts", NULL, NULL},
	{"admin.col.last_error", "last_error", NULL, NULL},
	{"admin.col.created", "created_at", NULL, NULL},
	{"admin.col.sent", "sent_at", NULL, NULL},
};
static const char *const keep[] = {"status", "mailing_id", "phone", "from", "to", "error", NULL};

/* A query value, NULL when absent or empty. */
static const char *given(struct http_req *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && *v ? v : NULL;
}

/* Reads the filters into s (phone is its storage); the first problem, or NULL. */
static const char *read_search(struct http_req *req, struct message_search *s, char phone[PHONE_LEN + 1])
{
	int64_t n;
	*s = (struct message_search){given(req, "status"), given(req, "mailing_id"), given(req, "phone"), given(req, "from"),
				     given(req, "to"), given(req, "error"), admin_zone(req)};
	if (s->status && message_status_code(s->status) < 0)
		return "admin.messages.bad_status";
	if (s->mailing_id && parse_i64(s->mailing_id, 1, INT64_MAX, &n) < 0)
		return "admin.messages.bad_mailing";
	if (s->phone && phone_normalise(s->phone, phone) < 0)
		return "admin.messages.bad_phone";
	if (s->phone)
		s->phone = phone;
	if ((s->from && rfc3339_date_valid(s->from) < 0) || (s->to && rfc3339_date_valid(s->to) < 0))
		return "admin.messages.bad_dates";
	if (s->from && s->to && strcmp(s->from, s->to) > 0)
		return "admin.messages.from_after_to";
	if (s->error && (utf8_length(s->error, strlen(s->error)) < 0 ||
			 utf8_length(s->error, strlen(s->error)) > MESSAGE_ERROR_MAX))
		return "admin.messages.bad_error";
	return NULL;
}

/* "12,345 messages" or "about 1,200,000 messages (estimated)". */
static json_t *count_text(struct http_req *req, int64_t n, int exact)
{
	return json_string(admin_count(req, exact ? "admin.messages.count" : "admin.messages.estimated", (long long)n));
}

void admin_messages_list(struct http_req *req)
{
	static const char *const sorts[] = {"-id", NULL};
	static const struct admin_list_spec spec = {BASE, cols, ARRAY_LEN(cols), "id", 0, keep};
	struct res_query q = {NULL, NULL, NULL, ADMIN_PAGE, {NULL}, NULL, NULL, NULL};
	struct res_page page = {NULL, NULL, NULL, NULL};
	char phone[PHONE_LEN + 1];
	struct message_search s;
	struct db *db;
	int64_t n = 0;
	int exact = 1;
	const char *error = read_search(req, &s, phone);
	if (admin_list_params(req, sorts, &q) < 0 || (db = admin_db(req)) == NULL)
		return;
	if (error == NULL) {
		if (admin_list_both(req, db, &q, message_search_list, &s, &page) < 0)
			return;
		if (message_search_count(db, &s, &n, &exact) < 0) {
			http_db_fail(req, db);
			return;
		}
	}
	json_t *list = admin_list_objs(req, &spec, page.objs ? page.objs : json_array(), page.next, page.prev, q.sort, NULL);
	if (error == NULL)
		json_object_set_new(list, "count_text", count_text(req, n, exact));
	admin_page(req, 200, "admin/list",
		   pool_pack(&req->pool, "{s:s, s:o, s:s*, s:b, s:[o, o, o, o], s:[o, o]}", "heading",
			     admin_t(req, "admin.nav.messages"), "list", list, "error", error ? admin_t(req, error) : NULL, "no_q", 1,
			     "filters", admin_filter(req, "status", "admin.col.status", "message_status", message_status_filter),
			     admin_filter_input(req, "mailing_id", "admin.mailings.one", "admin.col.any"),
			     admin_filter_input(req, "phone", "admin.col.phone", "+7 916 123-45-67"),
			     admin_filter_input(req, "error", "admin.messages.error_contains", "admin.col.any"), "date_filters",
			     admin_date_filter(req, "from", "admin.messages.created_from", 1),
			     admin_date_filter(req, "to", "admin.messages.to", 0)));
}
