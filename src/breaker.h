/* breaker.h — a provider's circuit breaker, shared by the dispatch workers of one process (one
 * per provider, provider_set.h). Closed: requests go. After BREAKER_THRESHOLD consecutive
 * transient failures it opens: nothing is sent to that provider (its messages go to another
 * eligible one, or wait) for a cool-down that doubles with every failed probe (1 s up to 30 s);
 * then half-open: one probe request goes, and its answer closes or reopens it. */
#ifndef HERALD_BREAKER_H
#define HERALD_BREAKER_H
#include <pthread.h>
#include <stdatomic.h>

struct metrics_provider;

enum breaker_state { CB_CLOSED, CB_OPEN, CB_HALF };

struct breaker {
	pthread_mutex_t mu;
	const char *name;            /* the provider's, for the log */
	struct metrics_provider *mp; /* its metrics */
	atomic_int state, fails;      /* written under mu; read without it on the hot path: a
				       * closed circuit with no failure counted takes no lock */
	int probing;
	double until, cooldown;
};

void breaker_init(struct breaker *b, const char *name);
void breaker_destroy(struct breaker *b);
/* 1 when a request may start now; in half-open state only one probe is let through. */
int breaker_allow(struct breaker *b);
/* 1 while the circuit is open and its cool-down has not ended, or a probe is out. */
int breaker_blocked(struct breaker *b);
/* Records a provider answer: failed = transient failure of the provider (5xx, 429, timeout,
 * connection error, bad body); anything else shows the provider is up. */
void breaker_record(struct breaker *b, int failed);
/* CB_CLOSED, CB_OPEN or CB_HALF, and its name ("closed", "open", "half-open"). */
enum breaker_state breaker_state(struct breaker *b);
const char *breaker_state_name(enum breaker_state s);

#endif
