/* admin_mailing_view.c — /admin/mailings/{id}: the mailing's page with server-drawn SVG charts
 * and its messages, and the live fragment that htmx polls while the mailing is scheduled or
 * running. */
#include "admin.h"
#include "admin_handlers.h"
#include "message_search.h"
#include "admin_mailing.h"
#include "chart.h"
#include "model_mailing.h"
#include "model_message.h"
#include "model_stats.h"
#include "rfc3339.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R (&res_mailings)

/* "1 h 5 min", "3 min 20 s", "40 s": how long seconds is, in the request's pool. */
static const char *duration_text(struct http_req *req, double seconds)
{
	long s = lround(seconds);
	if (s >= 3600)
		return admin_format(req, "admin.live.h_min", s / 3600, s / 60 % 60);
	if (s >= 60)
		return admin_format(req, "admin.live.min_s", s / 60, s % 60);
	return admin_format(req, "admin.live.s", s < 1 ? 1 : s);
}

/* How a mailing moves now, into live: "starting" while its start time has come and its
 * recipients are being selected (still scheduled), and while it runs, its rate (messages made
 * final a second over the current and the previous minute of its timeline) and the time the
 * open messages take at that rate. */
static void pace(struct http_req *req, json_t *live, json_t *stats, const char *status, long long open)
{
	double now = now_real(), start, ws = floor(now / 60) * 60 - 60, first = now, m;
	if (strcmp(status, "scheduled") == 0 &&
	    rfc3339_epoch(json_string_value(json_object_get(stats, "start_at")), &start) == 0 && start <= now)
		json_object_set_new(live, "starting", json_true());
	if (strcmp(status, "running") != 0)
		return;
	json_t *tl = json_object_get(stats, "timeline"), *it;
	size_t i;
	long long n = 0;
	json_array_foreach(tl, i, it) {
		if (rfc3339_epoch(json_string_value(json_object_get(it, "minute")), &m) < 0)
			continue;
		if (m < first)
			first = m;
		if (m >= ws)
			n += json_integer_value(json_object_get(it, "sent")) + json_integer_value(json_object_get(it, "failed"));
	}
	double elapsed = now - (first > ws ? first : ws), rate = elapsed >= 1 ? (double)n / elapsed : 0;
	if (rate <= 0)
		return;
	json_object_set_new(live, "rate", json_sprintf(rate < 10 ? "%.1f" : "%.0f", rate));
	if (open > 0)
		json_object_set_new(live, "eta", json_string(duration_text(req, (double)open / rate)));
}

/* The live part (status, counts, charts) of the mailing of k (in the request's pool), or NULL
 * after an error page. */
static json_t *live_data(struct http_req *req, struct db *db, const struct res_key *k)
{
	json_t *s;
	enum model_rc rc = stats_mailing(db, k->id, &s);
	pool_json(&req->pool, rc == MODEL_OK ? s : NULL);
	if (rc != MODEL_OK) {
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? R->not_found : NULL, NULL);
		return NULL;
	}
	/* every message once: the statistics' sent holds the delivered and undelivered ones, the
	 * bar's sent those still awaiting their report (or whose provider sends none) */
	static const int shown[] = {MSG_SENT, MSG_DELIVERED, MSG_UNDELIVERED, MSG_FAILED, MSG_PENDING, MSG_SENDING,
				    MSG_EXPIRED, MSG_CANCELLED};
	struct chart_part parts[ARRAY_LEN(shown)];
	long long total = json_integer_value(json_object_get(s, "total")), open = 0, reported = 0;
	for (size_t i = 0; i < ARRAY_LEN(shown); i++) {
		parts[i].name = message_status_name(shown[i]);
		parts[i].label = admin_option(req, "message_status", parts[i].name);
		parts[i].n = json_integer_value(json_object_get(s, parts[i].name));
		if (shown[i] == MSG_PENDING || shown[i] == MSG_SENDING)
			open += parts[i].n;
		if (shown[i] == MSG_DELIVERED || shown[i] == MSG_UNDELIVERED)
			reported += parts[i].n;
	}
	parts[0].n -= reported;
	/* the timeline's ends in the user's zone, converted now: the chart is drawn here */
	json_t *timeline = json_object_get(s, "timeline");
	json_t *from = admin_time(req, json_string_value(json_object_get(json_array_get(timeline, 0), "minute")));
	json_t *to = admin_time(req, json_string_value(json_object_get(
		json_array_get(timeline, json_array_size(timeline) - 1), "minute")));
	pool_json(&req->pool, from);
	pool_json(&req->pool, to);
	if (admin_times_resolve(req) < 0) {
		http_db_fail(req, db);
		return NULL;
	}
	struct buf bar = BUF_INIT, tl = BUF_INIT;
	chart_bar(&bar, admin_lang(req), "chart-counts", admin_t(req, "admin.chart.by_status"), parts, ARRAY_LEN(parts));
	chart_timeline(&tl, admin_lang(req), "chart-timeline", timeline, json_string_value(from), json_string_value(to));
	const char *status = admin_mailing_status(s);
	int polling = strcmp(status, "scheduled") == 0 || strcmp(status, "running") == 0;
	const char *self = pool_printf(&req->pool, ADMIN_MAILINGS "%s", k->text);
	json_t *live = pool_pack(&req->pool, "{s:O, s:b, s:s, s:s+, s:s, s:s, s:I, s:I, s:I, s:I}", "counts", s, "polling",
				 polling, "self", self, "live_href", self, "/live", "bar_svg", bar.data,
				 "timeline_svg", tl.data, "total", (json_int_t)total, "done", (json_int_t)(total - open),
				 "max", (json_int_t)(total > 0 ? total : 1), "pct",
				 (json_int_t)(total > 0 ? (total - open) * 100 / total : 0));
	json_object_set(live, "status", json_object_get(s, "status"));
	json_object_set_new(live, "status_label", json_string(admin_option(req, "mailing_status", status)));
	pace(req, live, s, status, open);
	buf_free(&bar);
	buf_free(&tl);
	return live;
}

void admin_mailings_view(struct http_req *req)
{
	struct res_key k;
	struct db *db;
	const char *st = http_query(req, "status");
	struct res_query q = {NULL, NULL, NULL, ADMIN_PAGE, {NULL}, NULL, NULL, NULL};
	struct res_page msgs;
	struct message_search s = {NULL};
	if (st && *st == '\0')
		st = NULL;
	if (st && message_status_code(st) < 0) {
		admin_error(req, 400, "admin.messages.bad_status");
		return;
	}
	static const char *const id_sort[] = {"id", NULL};
	if (admin_list_params(req, id_sort, &q) < 0)
		return;
	json_t *obj = admin_res_load(req, R, &k, &db), *live = obj ? live_data(req, db, &k) : NULL;
	if (live == NULL)
		return;
	s.mailing_id = k.text;
	s.status = st;
	if (admin_list_both(req, db, &q, message_search_list, &s, &msgs) < 0)
		return;
	static const struct admin_col mcols[] = {
		{"admin.col.id", "id", NULL, NULL}, {"admin.col.phone", "phone", NULL, NULL}, {"admin.col.status", "status", NULL, "message_status"},
		{"admin.col.attempts", "attempts", NULL, NULL}, {"admin.col.sent", "sent_at", NULL, NULL},
		{"admin.col.last_error", "last_error", NULL, NULL},
	};
	static const char *const keep[] = {"status", NULL};
	const char *self = pool_printf(&req->pool, ADMIN_MAILINGS "%s", k.text);
	struct admin_list_spec spec = {self, mcols, ARRAY_LEN(mcols), NULL, 0, keep};
	json_t *list = admin_list_objs(req, &spec, msgs.objs, msgs.next, msgs.prev, q.sort, NULL);
	const char *state = admin_mailing_status(obj);
	json_t *filter = json_object_get(obj, "filter"), *w = json_object_get(obj, "send_window");
	json_t *ops = admin_mailing_join(json_object_get(filter, "operator_codes")), *tags = admin_mailing_join(json_object_get(filter, "tags"));
	if (json_string_length(ops) == 0)
		json_string_set(ops, admin_t(req, "admin.mailing.every_operator"));
	if (json_string_length(tags) == 0)
		json_string_set(tags, admin_t(req, "admin.mailing.any_tag"));
	int open = strcmp(state, "scheduled") == 0 || strcmp(state, "running") == 0;
	json_t *page = pool_pack(&req->pool,
	    "{s:s, s:s, s:s*, s:O, s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:O, s:o, s:o}", "heading",
	    admin_format(req, "admin.res.mailing.edit", k.text), "self", self, "notice", admin_notice(req, R->notices), "text",
	    json_object_get(obj, "text"), "status", state, "status_label", admin_option(req, "mailing_status", state), "operators",
	    ops, "tags", tags, "can_cancel", open,
	    "can_retry", strcmp(state, "cancelled") != 0 && admin_mailing_count(json_object_get(obj, "stats"), "failed") > 0,
	    "editable", open, "live", live, "list", list, "status_filter",
	    admin_filter(req, "status", "admin.col.status", "message_status", message_status_filter));
	static const char *const times[][2] = {{"start", "start_at"}, {"end", "end_at"}, {"created", "created_at"}};
	for (size_t i = 0; i < ARRAY_LEN(times); i++)
		json_object_set_new(page, times[i][0], admin_time(req, json_string_value(json_object_get(obj, times[i][1]))));
	json_object_set_new(page, "window", w && json_is_object(w)
		? json_string(admin_format(req, "admin.mailing.window_text", json_string_value(json_object_get(w, "start")),
					   json_string_value(json_object_get(w, "end"))))
		: json_string(admin_t(req, "admin.mailing.any_hour")));
	const char *text = json_string_value(json_object_get(obj, "text"));
	json_object_set_new(page, "id", json_string(k.text));
	json_t *size = pool_json(&req->pool, admin_sms_size(req, text ? text : ""));
	json_object_set(page, "text_size", json_object_get(size, "summary"));
	admin_page(req, 200, "admin/mailing", page);
}

void admin_mailings_live(struct http_req *req)
{
	struct res_key k;
	struct db *db;
	if (res_key_parse(R, req->params[0], &k) < 0) {
		admin_error(req, 404, R->not_found);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	json_t *live = live_data(req, db, &k);
	if (live)
		admin_page(req, 200, "admin/mailing_live", live);
}
