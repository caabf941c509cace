/* metrics.h — process counters and the Prometheus text exposition of GET /metrics. Counters
 * are lock-free atomics; figures that are cluster-wide (message counts, queue) come from the
 * database when /metrics is scraped. */
#ifndef HERALD_METRICS_H
#define HERALD_METRICS_H
#include "buf.h"
#include "db.h"

/* Counts one HTTP response by status code. */
void metrics_http(int status);

/* Provider results: "ok", "transient", "permanent", "timeout"; seconds is the request time. */
enum metrics_result { MR_OK, MR_TRANSIENT, MR_PERMANENT, MR_TIMEOUT, MR_COUNT };
void metrics_provider(enum metrics_result result, double seconds);

/* Dispatcher figures: outcomes written back, requests in flight, circuit breaker state. */
enum metrics_dispatch { MD_SENT, MD_RETRY, MD_FAILED, MD_EXPIRED, MD_CANCELLED, MD_RELEASED, MD_COUNT };
void metrics_dispatch(enum metrics_dispatch outcome, unsigned n);
void metrics_inflight_add(int delta);
/* 0 closed, 1 open, 2 half-open. */
void metrics_circuit(int state);

/* Appends the exposition to out; db (may be NULL) supplies the database figures. */
void metrics_render(struct buf *out, struct db *db);

#endif
