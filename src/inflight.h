/* inflight.h — the provider requests in flight in this instance: the dispatcher counts them,
 * the webhook sender asks whether the instance is sending (sending comes first), and
 * GET /metrics shows them (herald_provider_inflight). */
#ifndef HERALD_INFLIGHT_H
#define HERALD_INFLIGHT_H

/* Counts delta requests started (> 0) or ended (< 0). */
void inflight_add(int delta);
/* The provider requests in flight in this instance now. */
long long inflight_now(void);
/* 1 while this instance sends messages: a provider request in flight now, or none for less than a
 * second (requests that end together leave none in flight for a moment). */
int inflight_sending(void);

#endif
