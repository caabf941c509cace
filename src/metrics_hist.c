/* metrics_hist.c — histogram counters and their exposition. */
#include "metrics_hist.h"

#include <string.h>

void hist_observe(const struct hist_bounds *b, atomic_ullong *counts, atomic_ullong *sum_us, double seconds)
{
	size_t i = 0;
	if (!(seconds > 0))
		seconds = 0;
	while (i < b->n && seconds > b->le[i])
		i++;
	atomic_fetch_add_explicit(&counts[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(sum_us, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
}

unsigned long long hist_count(const struct hist_bounds *b, const atomic_ullong *counts)
{
	unsigned long long n = 0;
	for (size_t i = 0; i <= b->n; i++)
		n += atomic_load_explicit(&counts[i], memory_order_relaxed);
	return n;
}

void hist_render(struct buf *out, const char *name, const char *labels, const struct hist_bounds *b,
		 const atomic_ullong *counts, const atomic_ullong *sum_us)
{
	unsigned long long cum = 0;
	for (size_t i = 0; i <= b->n; i++) {
		cum += atomic_load_explicit(&counts[i], memory_order_relaxed);
		if (i < b->n)
			buf_printf(out, "%s_bucket{%sle=\"%g\"} %llu\n", name, labels, b->le[i], cum);
		else
			buf_printf(out, "%s_bucket{%sle=\"+Inf\"} %llu\n", name, labels, cum);
	}
	/* The labels without their final comma for _sum and _count. */
	size_t ll = strlen(labels);
	int lw = ll ? (int)ll - 1 : 0;
	buf_printf(out, "%s_sum%s%.*s%s %.6f\n", name, ll ? "{" : "", lw, labels, ll ? "}" : "",
		   (double)atomic_load_explicit(sum_us, memory_order_relaxed) / 1e6);
	buf_printf(out, "%s_count%s%.*s%s %llu\n", name, ll ? "{" : "", lw, labels, ll ? "}" : "", cum);
}
