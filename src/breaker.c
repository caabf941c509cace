/* breaker.c — a provider's circuit breaker (see breaker.h). */
#include "breaker.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <math.h>

#define BREAKER_THRESHOLD 20        /* consecutive transient failures that open the circuit */
#define BREAKER_COOLDOWN_MIN 1.0    /* seconds before the first half-open probe */
#define BREAKER_COOLDOWN_MAX 30.0

static const char *const cb_names[] = {"closed", "open", "half-open"};

void breaker_init(struct breaker *b, const char *name)
{
	pthread_mutex_init(&b->mu, NULL);
	b->name = name;
	b->mp = metrics_provider_of(name);
	atomic_init(&b->state, CB_CLOSED);
	atomic_init(&b->fails, 0);
	b->probing = 0;
	b->until = 0;
	b->cooldown = BREAKER_COOLDOWN_MIN;
}

void breaker_destroy(struct breaker *b)
{
	pthread_mutex_destroy(&b->mu);
}

const char *breaker_state_name(enum breaker_state s)
{
	return cb_names[s];
}

static void cb_set(struct breaker *b, int state)
{
	if (b->state != state)
		log_emit(state == CB_OPEN ? LOG_WARN : LOG_INFO, "provider.circuit",
			 (const struct log_field[]){LS("state", cb_names[state]), LS("provider", b->name),
						    LI("failures", b->fails), LD("cooldown_s", b->cooldown), LEND});
	b->state = state;
	metrics_circuit(b->mp, state);
}

int breaker_allow(struct breaker *b)
{
	if (atomic_load_explicit(&b->state, memory_order_relaxed) == CB_CLOSED)
		return 1;
	pthread_mutex_lock(&b->mu);
	int ok = b->state == CB_CLOSED;
	if (b->state == CB_OPEN && now_mono() >= b->until) {
		cb_set(b, CB_HALF);
		b->probing = 0;
	}
	if (b->state == CB_HALF && !b->probing) {
		b->probing = 1;
		ok = 1;
	}
	pthread_mutex_unlock(&b->mu);
	return ok;
}

int breaker_blocked(struct breaker *b)
{
	if (atomic_load_explicit(&b->state, memory_order_relaxed) == CB_CLOSED)
		return 0;
	pthread_mutex_lock(&b->mu);
	int blocked = b->state == CB_HALF || (b->state == CB_OPEN && now_mono() < b->until);
	pthread_mutex_unlock(&b->mu);
	return blocked;
}

enum breaker_state breaker_state(struct breaker *b)
{
	return (enum breaker_state)atomic_load(&b->state);
}

void breaker_record(struct breaker *b, int failed)
{
	if (!failed && atomic_load_explicit(&b->state, memory_order_relaxed) == CB_CLOSED &&
	    atomic_load_explicit(&b->fails, memory_order_relaxed) == 0)
		return;
	pthread_mutex_lock(&b->mu);
	if (b->state == CB_HALF) {
		b->probing = 0;
		if (failed) {
			b->cooldown = fmin(b->cooldown * 2, BREAKER_COOLDOWN_MAX);
			b->until = now_mono() + b->cooldown;
			cb_set(b, CB_OPEN);
		} else {
			b->fails = 0;
			b->cooldown = BREAKER_COOLDOWN_MIN;
			cb_set(b, CB_CLOSED);
		}
	} else if (b->state == CB_CLOSED) {
		b->fails = failed ? b->fails + 1 : 0;
		if (b->fails >= BREAKER_THRESHOLD) {
			b->until = now_mono() + b->cooldown;
			cb_set(b, CB_OPEN);
		}
	}
	pthread_mutex_unlock(&b->mu);
}
