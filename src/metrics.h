/* metrics.h — process counters and the Prometheus text exposition of GET /metrics. Counters
 * are lock-free atomics; figures that are cluster-wide (message counts, queue) come from the
 * database when /metrics is scraped. */
#ifndef HERALD_METRICS_H
#define HERALD_METRICS_H
#include "buf.h"
#include "db.h"

/* Counts one HTTP response: by status code, and its time (seconds from the request's arrival
 * to the response queued) by route and method. route is the row's index in routes[] (route.h),
 * -1 for a request no row handled (404, 405, 501); method an enum http_method bit, 0 unknown. */
void metrics_http(int route, int method, int status, double seconds);

/* Provider results: "ok", "transient", "permanent", "timeout"; seconds is the request time.
 * Each provider's series carry its name as the label provider: metrics_provider_of(name) is
 * its slot (found or made, kept for the process's life; past METRICS_PROVIDERS_MAX names they
 * share the last one). */
enum metrics_result { MR_OK, MR_TRANSIENT, MR_PERMANENT, MR_TIMEOUT, MR_COUNT };
#define METRICS_PROVIDERS_MAX 64
struct metrics_provider;
struct metrics_provider *metrics_provider_of(const char *name);
void metrics_provider(struct metrics_provider *p, enum metrics_result result, double seconds);
/* Its circuit breaker's state: 0 closed, 1 open, 2 half-open. */
void metrics_circuit(struct metrics_provider *p, int state);

/* Dispatcher figures: outcomes written back (the requests in flight: inflight.h). */
enum metrics_dispatch { MD_SENT, MD_RETRY, MD_FAILED, MD_EXPIRED, MD_CANCELLED, MD_RELEASED, MD_STALE, MD_COUNT };
void metrics_dispatch(enum metrics_dispatch outcome, unsigned n);

/* SMPP server figures, counted by the SMPP thread: submit_sm answered OK (stored) or with an
 * error, of which ESME_RTHROTTLED, and failed binds; and the links and binds open now. */
enum metrics_smpp { MS_SUBMIT_OK, MS_SUBMIT_REFUSED, MS_THROTTLED, MS_BIND_FAILED, MS_COUNT };
void metrics_smpp(enum metrics_smpp what, unsigned n);
void metrics_smpp_links(int connections_delta, int binds_delta);

/* Provider latency of this process since start (the admin dashboard's provider health), in the
 * buckets of the daily report's provider_minutes (src/report.c). hist[i] counts
 * requests of at most metrics_hist_bounds_ms[i] ms (and more than the bound before); the last
 * element counts the slower ones. The bounds equal sql/006's provider_hist_bounds_ms(). */
#define METRICS_HIST_LEN 29
extern const int metrics_hist_bounds_ms[METRICS_HIST_LEN - 1];
struct metrics_totals {
	unsigned long long requests, failures, hist[METRICS_HIST_LEN];
};
/* Fills out with the running totals (lock-free reads of the counters). */
void metrics_totals(struct metrics_totals *out);
/* This process's name in provider_minutes: "host:pid". */
const char *metrics_instance(void);
/* The slot of that histogram (and of provider_minutes.hist, which the dispatcher writes with
 * each batch of outcomes) that a request of seconds falls in. */
size_t metrics_hist_slot(double seconds);
/* The q-quantile (0..1) in milliseconds of a histogram over metrics_hist_bounds_ms (n counts,
 * the last one above the last bound), interpolated linearly inside the bucket; the last bound
 * when it falls above it; -1 when the histogram is empty. */
double metrics_hist_quantile(const long long *hist, size_t n, double q);

/* The provider requests of this process since start by result (out[MR_OK]...), and a result's
 * name ("ok", "transient", ...). For the admin dashboard's provider health. */
void metrics_results(unsigned long long out[MR_COUNT]);
const char *metrics_result_name(enum metrics_result r);

/* Appends the exposition to out; db (may be NULL) supplies the database figures. */
void metrics_render(struct buf *out, struct db *db);

/* Parts of it. metrics_http.c: herald_http_request_seconds{route,method}; metrics_process.c:
 * the process_* metrics of the Prometheus client libraries, read from /proc. */
void metrics_http_latency(int route, int method, double seconds);
void metrics_http_render(struct buf *out);
void metrics_process_render(struct buf *out);

#endif
