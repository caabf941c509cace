/* web_system.c — /healthz and /metrics. */
#include "api_handlers.h"
#include "metrics.h"

void web_healthz(struct http_req *req)
{
	struct db *db = db_thread();
	if (db == NULL || db_simple(db, "SELECT 1") < 0) {
		static const char down[] = "{\"status\":\"unavailable\",\"database\":\"unreachable\"}";
		db_thread_close();
		http_json_text(req, 503, down, sizeof(down) - 1);
		return;
	}
	static const char ok[] = "{\"status\":\"ok\"}";
	http_json_text(req, 200, ok, sizeof(ok) - 1);
}

void web_metrics(struct http_req *req)
{
	struct buf b = BUF_INIT;
	metrics_render(&b, db_thread());
	http_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len);
	buf_free(&b);
}
