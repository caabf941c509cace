/* inflight.c — the provider requests in flight in this instance (lock-free). */
#include "inflight.h"
#include "util.h"

#include <stdatomic.h>

static atomic_llong inflight;
static atomic_llong idle_ms;    /* when the requests in flight last fell to none (now_mono, ms) */

void inflight_add(int delta)
{
	if (atomic_fetch_add_explicit(&inflight, delta, memory_order_relaxed) + delta == 0)
		atomic_store_explicit(&idle_ms, (long long)(now_mono() * 1000), memory_order_relaxed);
}

long long inflight_now(void)
{
	return atomic_load_explicit(&inflight, memory_order_relaxed);
}

int inflight_sending(void)
{
	long long now = (long long)(now_mono() * 1000);
	return inflight_now() > 0 || now - atomic_load_explicit(&idle_ms, memory_order_relaxed) < 1000;
}
