/* breaker.c — the provider's circuit breaker (see breaker.h). */
#include "breaker.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <math.h>
#include <pthread.h>

#define BREAKER_THRESHOLD 20        /* consecutive transient failures that open the circuit */
#define BREAKER_COOLDOWN_MIN 1.0    /* seconds before the first half-open probe */
#define BREAKER_COOLDOWN_MAX 30.0

enum { CB_CLOSED, CB_OPEN, CB_HALF };
static const char *const cb_names[] = {"closed", "open", "half-open"};

static struct {
	pthread_mutex_t mu;
	int state, fails, probing;
	double until, cooldown;
} cb = {PTHREAD_MUTEX_INITIALIZER, CB_CLOSED, 0, 0, 0, BREAKER_COOLDOWN_MIN};

static void cb_set(int state)
{
	if (cb.state != state)
		log_emit(state == CB_OPEN ? LOG_WARN : LOG_INFO, "provider.circuit",
			 (const struct log_field[]){LS("state", cb_names[state]), LI("failures", cb.fails),
						    LD("cooldown_s", cb.cooldown), LEND});
	cb.state = state;
	metrics_circuit(state);
}

int breaker_allow(void)
{
	pthread_mutex_lock(&cb.mu);
	int ok = cb.state == CB_CLOSED;
	if (cb.state == CB_OPEN && now_mono() >= cb.until) {
		cb_set(CB_HALF);
		cb.probing = 0;
	}
	if (cb.state == CB_HALF && !cb.probing) {
		cb.probing = 1;
		ok = 1;
	}
	pthread_mutex_unlock(&cb.mu);
	return ok;
}

int breaker_blocked(void)
{
	pthread_mutex_lock(&cb.mu);
	int b = cb.state == CB_HALF || (cb.state == CB_OPEN && now_mono() < cb.until);
	pthread_mutex_unlock(&cb.mu);
	return b;
}

void breaker_record(int failed)
{
	pthread_mutex_lock(&cb.mu);
	if (cb.state == CB_HALF) {
		cb.probing = 0;
		if (failed) {
			cb.cooldown = fmin(cb.cooldown * 2, BREAKER_COOLDOWN_MAX);
			cb.until = now_mono() + cb.cooldown;
			cb_set(CB_OPEN);
		} else {
			cb.fails = 0;
			cb.cooldown = BREAKER_COOLDOWN_MIN;
			cb_set(CB_CLOSED);
		}
	} else if (cb.state == CB_CLOSED) {
		cb.fails = failed ? cb.fails + 1 : 0;
		if (cb.fails >= BREAKER_THRESHOLD) {
			cb.until = now_mono() + cb.cooldown;
			cb_set(CB_OPEN);
		}
	}
	pthread_mutex_unlock(&cb.mu);
}
