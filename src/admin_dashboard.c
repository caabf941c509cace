/* admin_dashboard.c — /admin/: totals of messages (from the message_counts counters, never
 * from the messages table) and of mailings by status, the running mailings with their
 * progress, every provider's circuit and counts as each live instance reports them
 * (provider_health, provider_set.c), the provider requests as this process saw them
 * (metrics.c), and, for admins, the latest changes (audit_log). */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "metrics.h"
#include "model_mailing.h"
#include "provider_set.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define RUNNING_SHOWN 8

/* Provider requests of this process by result, the error rate and the latency buckets that
 * hold requests. New reference. */
static json_t *provider_health(struct http_req *req)
{
	unsigned long long res[MR_COUNT];
	struct metrics_totals t;
	metrics_results(res);
	metrics_totals(&t);
	json_t *results = json_array(), *latency = json_array();
	unsigned long long all = 0;
	for (int i = 0; i < MR_COUNT; i++) {
		all += res[i];
		json_array_append_new(results, json_pack("{s:s, s:I, s:b}", "name",
							 admin_option(req, "provider_result", metrics_result_name((enum metrics_result)i)),
							 "n", (json_int_t)res[i], "bad", i != MR_OK));
	}
	for (int i = 0; i < METRICS_HIST_LEN; i++) {
		if (t.hist[i] == 0)
			continue;
		json_t *label = json_string(i < METRICS_HIST_LEN - 1 ? admin_format(req, "admin.dash.le_ms", metrics_hist_bounds_ms[i])
								      : admin_format(req, "admin.dash.gt_ms", metrics_hist_bounds_ms[i - 1]));
		json_array_append_new(latency, json_pack("{s:o, s:I, s:I}", "label", label, "n", (json_int_t)t.hist[i],
							 "pct", (json_int_t)(t.hist[i] * 100 / (t.requests ? t.requests : 1))));
	}
	json_t *h = json_pack("{s:I, s:o, s:o, s:b}", "requests", (json_int_t)all, "results", results, "latency",
			      latency, "any", all > 0);
	json_object_set_new(h, "error_rate", json_sprintf("%.1f", all ? 100.0 * (double)(all - res[MR_OK]) / (double)all : 0.0));
	return h;
}

void admin_dashboard(struct http_req *req)
{
	static const char q[] =
	    "SELECT json_build_object('messages', message_totals_json(),"
	    " 'mailings', mailing_totals_json(),"
	    " 'providers', (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.name, 'instance', h.instance,"
	    "   'state', h.state, 'requests', h.requests, 'failures', h.failures) ORDER BY p.name, h.instance), '[]')"
	    "   FROM provider_health h JOIN providers p ON p.id = h.provider_id"
	    "  WHERE h.updated_at > now() - interval '" PROVIDER_HEALTH_LIVE "'))::text";
	struct db *db = admin_db(req);
	if (db == NULL)
		return;
	struct mailing_query mq = {{"-start_at", NULL, NULL, RUNNING_SHOWN, {NULL}, NULL, NULL, NULL}, "running", NULL, NULL, NULL};
	struct res_page run = {NULL, NULL, NULL, NULL};
	json_t *stats = NULL;
	enum model_rc rc = res_row(db, db_exec(db, q, 0, NULL), &stats);
	pool_json(&req->pool, stats);
	if (rc == MODEL_OK)
		rc = mailing_list(db, &mq, &run);
	res_page_keys_free(&run);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	json_t *running = run.objs, *m;
	size_t i;
	json_object_set_new(stats, "any_provider", json_boolean(json_array_size(json_object_get(stats, "providers"))));
	json_array_foreach(json_object_get(stats, "providers"), i, m) {
		const char *state = json_string_value(json_object_get(m, "state"));
		json_object_set_new(m, "bad", json_boolean(state && strcmp(state, "closed") != 0));
		json_object_set_new(m, "state", json_string(admin_option(req, "circuit", state)));
	}
	json_array_foreach(running, i, m) {
		admin_mailing_row(m);
		json_object_set_new(m, "end_at", admin_time(req, json_string_value(json_object_get(m, "end_at"))));
	}
	json_t *page = pool_pack(&req->pool, "{s:O, s:o, s:b, s:o}", "stats", stats, "running", running,
				 "none_running", json_array_size(running) == 0, "provider",
				 provider_health(req));
	if (req->user.role >= ROLE_ADMIN) {
		json_t *h = admin_history(req, db, NULL);
		json_object_set_new(page, "recent", h ? h : json_pack("{s:[]}", "rows"));
	}
	admin_page(req, 200, "admin/dashboard", page);
}
