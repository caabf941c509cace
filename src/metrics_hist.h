/* metrics_hist.h — Prometheus histograms kept in lock-free counters, shared by the provider
 * latency (metrics.c) and the per-route HTTP latency (metrics_http.c). Internal to metrics. */
#ifndef HERALD_METRICS_HIST_H
#define HERALD_METRICS_HIST_H
#include "buf.h"

#include <stdatomic.h>
#include <stddef.h>

/* One series: counts[i] holds the observations of at most bounds[i] seconds (and more than the
 * bound before), counts[n] the slower ones; sum_us their sum in microseconds. */
struct hist_bounds {
	const double *le;
	size_t n;
};

/* Counts one observation of seconds (negative counts as 0). */
void hist_observe(const struct hist_bounds *b, atomic_ullong *counts, atomic_ullong *sum_us, double seconds);
/* The number of observations so far. */
unsigned long long hist_count(const struct hist_bounds *b, const atomic_ullong *counts);
/* Appends the series' _bucket, _sum and _count lines; labels is "" or `a="x",b="y",` (each
 * followed by a comma) and is put before le. */
void hist_render(struct buf *out, const char *name, const char *labels, const struct hist_bounds *b,
		 const atomic_ullong *counts, const atomic_ullong *sum_us);

#endif
