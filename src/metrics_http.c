/* metrics_http.c — herald_http_request_seconds{route,method}: the time of every HTTP response
 * by the route pattern that handled it (not the raw path, so the series are bounded by the
 * route table) and the request method. Series appear once they have an observation. */
#include "metrics.h"
#include "metrics_hist.h"
#include "route.h"
#include "util.h"

#include <stdio.h>

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
static const struct hist_bounds bounds = {buckets, ARRAY_LEN(buckets)};

/* Methods by bit position of enum http_method (GET = 1 << 0 ... OPTIONS = 1 << 6), then other. */
#define METHODS 8
static const char *const method_names[METHODS] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "other"};

/* Row ROUTES_MAX holds the requests no route handled. */
static struct {
	atomic_ullong counts[ARRAY_LEN(buckets) + 1];
	atomic_ullong sum_us;
} series[ROUTES_MAX + 1][METHODS];

static int method_slot(int method)
{
	for (int i = 0; i < METHODS - 1; i++)
		if (method == 1 << i)
			return i;
	return METHODS - 1;
}

void metrics_http_latency(int route, int method, double seconds)
{
	size_t r = route >= 0 && (size_t)route < routes_len ? (size_t)route : ROUTES_MAX;
	int m = method_slot(method);
	hist_observe(&bounds, series[r][m].counts, &series[r][m].sum_us, seconds);
}

void metrics_http_render(struct buf *out)
{
	buf_puts(out, "# HELP herald_http_request_seconds HTTP response time (to the response queued) by route"
		      " pattern and method; route \"unmatched\": no route handled it (404, 405, 501).\n"
		      "# TYPE herald_http_request_seconds histogram\n");
	for (size_t r = 0; r <= ROUTES_MAX; r++) {
		if (r >= routes_len && r < ROUTES_MAX)
			continue;
		/* Patterns are constants of routes.c: no quote, backslash or newline to escape. */
		const char *pattern = r < ROUTES_MAX ? routes[r].pattern : "unmatched";
		for (int m = 0; m < METHODS; m++) {
			if (hist_count(&bounds, series[r][m].counts) == 0)
				continue;
			char labels[256];
			int n = snprintf(labels, sizeof(labels), "route=\"%s\",method=\"%s\",", pattern, method_names[m]);
			if (n < 0 || (size_t)n >= sizeof(labels))
				continue;
			hist_render(out, "herald_http_request_seconds", labels, &bounds, series[r][m].counts,
				    &series[r][m].sum_us);
		}
	}
}
