/* metrics.c — counters and exposition. */
#include "metrics.h"
#include "webhook.h"
#include "audit.h"
#include "dlr.h"
#include "inflight.h"
#include "metrics_hist.h"
#include "util.h"
#include "version.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HTTP_CODES 600

static atomic_ullong http_codes[HTTP_CODES];
static atomic_ullong provider_results[MR_COUNT];
static const char *const result_names[MR_COUNT] = {"ok", "transient", "permanent", "timeout"};

/* herald_provider_request_seconds buckets (upper bounds, seconds); +Inf is implied. */
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
static const struct hist_bounds provider_bounds = {buckets, ARRAY_LEN(buckets)};

/* One provider's series. */
struct metrics_provider {
	char name[72];
	atomic_ullong results[MR_COUNT];
	atomic_ullong bucket_counts[ARRAY_LEN(buckets) + 1];
	atomic_ullong latency_sum_us;
	atomic_int circuit;
};
static struct metrics_provider providers[METRICS_PROVIDERS_MAX];
static atomic_int nproviders;
static pthread_mutex_t providers_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_ullong dispatch_counts[MD_COUNT];
static const char *const dispatch_names[MD_COUNT] = {"sent", "retry", "failed", "expired", "cancelled", "released", "stale"};
static atomic_ullong smpp_counts[MS_COUNT];
static atomic_llong smpp_connections, smpp_binds;

const int metrics_hist_bounds_ms[METRICS_HIST_LEN - 1] = {
	1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000, 3000,
	5000, 7000, 10000, 15000, 20000, 30000, 60000};
static atomic_ullong report_hist[METRICS_HIST_LEN];

void metrics_http(int route, int method, int status, double seconds)
{
	if (status >= 100 && status < HTTP_CODES)
		atomic_fetch_add_explicit(&http_codes[status], 1, memory_order_relaxed);
	metrics_http_latency(route, method, seconds);
}

struct metrics_provider *metrics_provider_of(const char *name)
{
	pthread_mutex_lock(&providers_mu);
	int n = atomic_load(&nproviders), i = 0;
	while (i < n && strcmp(providers[i].name, name) != 0)
		i++;
	if (i == n && n < METRICS_PROVIDERS_MAX) {
		snprintf(providers[i].name, sizeof(providers[i].name), "%s", name);
		atomic_store(&nproviders, n + 1);
	}
	pthread_mutex_unlock(&providers_mu);
	return &providers[i < METRICS_PROVIDERS_MAX ? i : METRICS_PROVIDERS_MAX - 1];
}

void metrics_provider(struct metrics_provider *p, enum metrics_result result, double seconds)
{
	if (result < MR_COUNT) {
		atomic_fetch_add_explicit(&provider_results[result], 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&p->results[result], 1, memory_order_relaxed);
	}
	hist_observe(&provider_bounds, p->bucket_counts, &p->latency_sum_us, seconds);
	atomic_fetch_add_explicit(&report_hist[metrics_hist_slot(seconds)], 1, memory_order_relaxed);
}

static char instance_name[200];

static void name_instance(void)
{
	char host[128] = "";
	gethostname(host, sizeof(host) - 1);
	snprintf(instance_name, sizeof(instance_name), "%s:%d", host, (int)getpid());
}

const char *metrics_instance(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, name_instance);
	return instance_name;
}

size_t metrics_hist_slot(double seconds)
{
	size_t i;
	double ms = seconds * 1e3;
	for (i = 0; i < ARRAY_LEN(metrics_hist_bounds_ms) && ms > metrics_hist_bounds_ms[i]; i++)
		;
	return i;
}

double metrics_hist_quantile(const long long *hist, size_t n, double q)
{
	long long total = 0, seen = 0;
	for (size_t i = 0; i < n; i++)
		total += hist[i];
	if (total <= 0)
		return -1;
	double rank = q * (double)total;
	for (size_t i = 0; i < n; i++) {
		if (hist[i] <= 0 || (double)(seen + hist[i]) < rank) {
			seen += hist[i];
			continue;
		}
		if (i >= ARRAY_LEN(metrics_hist_bounds_ms))
			break;
		double lo = i ? metrics_hist_bounds_ms[i - 1] : 0, hi = metrics_hist_bounds_ms[i];
		return lo + (hi - lo) * (rank - (double)seen) / (double)hist[i];
	}
	return metrics_hist_bounds_ms[ARRAY_LEN(metrics_hist_bounds_ms) - 1];
}

void metrics_totals(struct metrics_totals *out)
{
	out->requests = 0;
	for (size_t i = 0; i < METRICS_HIST_LEN; i++) {
		out->hist[i] = atomic_load_explicit(&report_hist[i], memory_order_relaxed);
		out->requests += out->hist[i];
	}
	out->failures = 0;
	for (int r = MR_TRANSIENT; r < MR_COUNT; r++)
		out->failures += atomic_load_explicit(&provider_results[r], memory_order_relaxed);
}

void metrics_results(unsigned long long out[MR_COUNT])
{
	for (int r = 0; r < MR_COUNT; r++)
		out[r] = atomic_load_explicit(&provider_results[r], memory_order_relaxed);
}

const char *metrics_result_name(enum metrics_result r)
{
	return r < MR_COUNT ? result_names[r] : "unknown";
}

void metrics_dispatch(enum metrics_dispatch outcome, unsigned n)
{
	if (outcome < MD_COUNT)
		atomic_fetch_add_explicit(&dispatch_counts[outcome], n, memory_order_relaxed);
}

void metrics_smpp(enum metrics_smpp what, unsigned n)
{
	if (what < MS_COUNT)
		atomic_fetch_add_explicit(&smpp_counts[what], n, memory_order_relaxed);
}

void metrics_smpp_links(int connections_delta, int binds_delta)
{
	atomic_fetch_add_explicit(&smpp_connections, connections_delta, memory_order_relaxed);
	atomic_fetch_add_explicit(&smpp_binds, binds_delta, memory_order_relaxed);
}

static unsigned long long smpp_count(enum metrics_smpp what)
{
	return atomic_load_explicit(&smpp_counts[what], memory_order_relaxed);
}

static void render_smpp(struct buf *out)
{
	buf_printf(out, "# HELP herald_smpp_connections SMPP links open (this instance).\n"
			"# TYPE herald_smpp_connections gauge\nherald_smpp_connections %lld\n"
			"# HELP herald_smpp_binds SMPP links bound (this instance).\n"
			"# TYPE herald_smpp_binds gauge\nherald_smpp_binds %lld\n",
		   (long long)atomic_load_explicit(&smpp_connections, memory_order_relaxed),
		   (long long)atomic_load_explicit(&smpp_binds, memory_order_relaxed));
	buf_printf(out, "# HELP herald_smpp_submits_total submit_sm answered: ok (stored) or refused (an error status).\n"
			"# TYPE herald_smpp_submits_total counter\n"
			"herald_smpp_submits_total{result=\"ok\"} %llu\nherald_smpp_submits_total{result=\"refused\"} %llu\n"
			"# HELP herald_smpp_throttled_total submit_sm answered ESME_RTHROTTLED.\n"
			"# TYPE herald_smpp_throttled_total counter\nherald_smpp_throttled_total %llu\n"
			"# HELP herald_smpp_bind_failures_total Binds refused (wrong credentials, throttled, disabled).\n"
			"# TYPE herald_smpp_bind_failures_total counter\nherald_smpp_bind_failures_total %llu\n",
		   smpp_count(MS_SUBMIT_OK), smpp_count(MS_SUBMIT_REFUSED), smpp_count(MS_THROTTLED),
		   smpp_count(MS_BIND_FAILED));
}

void metrics_circuit(struct metrics_provider *p, int state)
{
	atomic_store_explicit(&p->circuit, state, memory_order_relaxed);
}

/* s as a label value: '\\', '"' and newlines escaped. */
static void label_value(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			buf_putc(out, '\\');
		if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
}

/* Each provider's requests by result, latency and circuit, labelled provider. */
static void render_providers(struct buf *out)
{
	int n = atomic_load(&nproviders);
	struct buf label = BUF_INIT;
	buf_puts(out, "# HELP herald_provider_requests_total Provider requests by provider and result.\n"
		      "# TYPE herald_provider_requests_total counter\n");
	for (int i = 0; i < n; i++)
		for (int r = 0; r < MR_COUNT; r++) {
			buf_puts(out, "herald_provider_requests_total{provider=\"");
			label_value(out, providers[i].name);
			buf_printf(out, "\",result=\"%s\"} %llu\n", result_names[r],
				   atomic_load_explicit(&providers[i].results[r], memory_order_relaxed));
		}
	buf_puts(out, "# HELP herald_provider_request_seconds Provider request latency by provider.\n"
		      "# TYPE herald_provider_request_seconds histogram\n");
	for (int i = 0; i < n; i++) {
		buf_reset(&label);
		buf_puts(&label, "provider=\"");
		label_value(&label, providers[i].name);
		buf_puts(&label, "\",");
		hist_render(out, "herald_provider_request_seconds", label.data, &provider_bounds, providers[i].bucket_counts,
			    &providers[i].latency_sum_us);
	}
	buf_puts(out, "# HELP herald_provider_circuit Circuit breaker by provider: 0 closed, 1 open, 2 half-open.\n"
		      "# TYPE herald_provider_circuit gauge\n");
	for (int i = 0; i < n; i++) {
		buf_puts(out, "herald_provider_circuit{provider=\"");
		label_value(out, providers[i].name);
		buf_printf(out, "\"} %d\n", atomic_load_explicit(&providers[i].circuit, memory_order_relaxed));
	}
	buf_free(&label);
}

/* A counter family: one sample of counts[i] per label value names[i]. */
static void render_counters(struct buf *out, const char *name, const char *help, const char *label,
			    const char *const *names, atomic_ullong *counts, int n)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
	for (int i = 0; i < n; i++)
		buf_printf(out, "%s{%s=\"%s\"} %llu\n", name, label, names[i],
			   atomic_load_explicit(&counts[i], memory_order_relaxed));
}

static void render_dispatch(struct buf *out)
{
	render_counters(out, "herald_dispatch_outcomes_total", "Message outcomes written by this instance's dispatcher.",
			"outcome", dispatch_names, dispatch_counts, MD_COUNT);
	buf_printf(out, "# HELP herald_provider_inflight Provider requests in flight (this instance).\n"
			"# TYPE herald_provider_inflight gauge\nherald_provider_inflight %lld\n",
		   inflight_now());
}

/* Cluster-wide, from the counters (sql/010): messages in each status now (gauge), messages that
 * entered each status so far (counter), and the queue. */
static void render_db(struct buf *out, struct db *db)
{
	PGresult *r = db ? db_exec(db, "SELECT status, now, entered FROM message_status_totals()", 0, NULL) : NULL;
	if (r) {
		buf_puts(out, "# HELP herald_messages Messages in each status now (all instances).\n"
			      "# TYPE herald_messages gauge\n");
		for (int i = 0; i < PQntuples(r); i++)
			buf_printf(out, "herald_messages{status=\"%s\"} %s\n", db_str(r, i, 0), db_str(r, i, 1));
		buf_puts(out, "# HELP herald_messages_total Messages that entered each status (all instances; a retry"
			      " enters pending and sending again).\n"
			      "# TYPE herald_messages_total counter\n");
		for (int i = 0; i < PQntuples(r); i++)
			buf_printf(out, "herald_messages_total{status=\"%s\"} %s\n", db_str(r, i, 0), db_str(r, i, 2));
		buf_printf(out, "# HELP herald_queue_pending Messages waiting to be sent (all instances).\n"
				"# TYPE herald_queue_pending gauge\nherald_queue_pending %s\n", db_str(r, 0, 1));
		PQclear(r);
	}
	r = db ? db_exec(db, "SELECT count(*) FROM smpp_receipts WHERE delivered_at IS NULL", 0, NULL) : NULL;
	if (r) {
		buf_printf(out, "# HELP herald_smpp_receipts_pending SMPP delivery receipts not yet acknowledged (all instances).\n"
				"# TYPE herald_smpp_receipts_pending gauge\nherald_smpp_receipts_pending %s\n", db_str(r, 0, 0));
		PQclear(r);
	}
	buf_printf(out, "# HELP herald_db_up Whether this instance reaches the database.\n"
			"# TYPE herald_db_up gauge\nherald_db_up %d\n", db != NULL);
}

void metrics_render(struct buf *out, struct db *db)
{
	buf_puts(out, "# HELP herald_http_requests_total HTTP responses by status code.\n"
		      "# TYPE herald_http_requests_total counter\n");
	for (int c = 100; c < HTTP_CODES; c++) {
		unsigned long long n = atomic_load_explicit(&http_codes[c], memory_order_relaxed);
		if (n)
			buf_printf(out, "herald_http_requests_total{code=\"%d\"} %llu\n", c, n);
	}
	render_providers(out);
	metrics_http_render(out);
	render_dispatch(out);
	render_smpp(out);
	webhook_metrics(out, db);
	dlr_metrics(out);
	audit_metrics(out);
	render_db(out, db);
	buf_printf(out, "# HELP herald_build_info The version of this instance's build (value always 1).\n"
			"# TYPE herald_build_info gauge\nherald_build_info{version=\"%s\"} 1\n", herald_version());
	metrics_process_render(out);
}
