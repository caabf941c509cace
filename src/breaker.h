/* breaker.h — the provider's circuit breaker, shared by the dispatch workers of one process.
 * Closed: requests go. After BREAKER_THRESHOLD consecutive transient failures it opens: nothing
 * is sent (and nothing claimed) for a cool-down that doubles with every failed probe (1 s up to
 * 30 s); then half-open: one probe request goes, and its answer closes or reopens it. */
#ifndef HERALD_BREAKER_H
#define HERALD_BREAKER_H

/* 1 when a request may start now; in half-open state only one probe is let through. */
int breaker_allow(void);
/* 1 while the circuit is open and its cool-down has not ended, or a probe is out. */
int breaker_blocked(void);
/* Records a provider answer: failed = transient failure of the provider (5xx, 429, timeout,
 * connection error, bad body); anything else shows the provider is up. */
void breaker_record(int failed);

#endif
