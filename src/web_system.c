/* web_system.c — /healthz and /metrics. */
#include "api_handlers.h"
#include "config.h"
#include "metrics.h"
#include "version.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void web_healthz(struct http_req *req)
{
	char body[160];
	struct db *db = db_thread();
	int up = db != NULL && db_simple(db, "SELECT 1") == 0;
	if (!up)
		db_thread_close();
	/* herald_version() needs no escaping (version.h) */
	int n = snprintf(body, sizeof(body), up ? "{\"status\":\"ok\",\"version\":\"%s\"}"
					     : "{\"status\":\"unavailable\",\"database\":\"unreachable\",\"version\":\"%s\"}",
			 herald_version());
	http_json_text(req, up ? 200 : 503, body, (size_t)n);
}

/* /metrics is open to the clients of cfg.metrics_nets (loopback by default) and to a request
 * carrying cfg.metrics_token as its bearer token. */
static int metrics_allowed(struct http_req *req)
{
	if (net_list_has(&cfg.metrics_nets, req->client))
		return 1;
	const char *h = http_header_in(req, MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n = strlen(cfg.metrics_token);
	return n > 0 && h && strncasecmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == n &&
	       sodium_memcmp(h + 7, cfg.metrics_token, n) == 0;
}

void web_metrics(struct http_req *req)
{
	if (!metrics_allowed(req)) {
		http_problem(req, 403, "the metrics are open to the addresses of metrics_allow and to the metrics token", NULL);
		return;
	}
	struct buf b = BUF_INIT;
	metrics_render(&b, db_thread());
	http_text(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data ? b.data : "", b.len);
	buf_free(&b);
}
