/* webhook.h — the webhook sender (API.md 9.6): a thread with its own database session that
 * keeps up to cfg.webhook_concurrency signed POSTs in flight on one curl multi handle, each
 * within cfg.webhook_timeout_ms, claiming due deliveries of sql/026_webhooks.sql's queue for its
 * free slots (FOR UPDATE SKIP LOCKED and a lease, so instances share it and no attempt is made
 * twice) and writing the answers back in batches: any 2xx is delivered; otherwise the delivery
 * is retried with exponential backoff (cfg.webhook_retry_base_ms doubling to an hour, with
 * jitter) until it is 24 hours old, then given up. It never touches the dispatcher's sessions or
 * threads, so a slow or dead receiver never slows sending. */
#ifndef HERALD_WEBHOOK_H
#define HERALD_WEBHOOK_H
#include <jansson.h>
#include "buf.h"
#include "db.h"
#include "worker.h"

/* The "webhook" role's thread (serve.c: worker_start, worker_stop). */
extern struct worker webhook_worker;

/* The body of an event, malloc'ed: {"event", "occurred_at", "data"} with data (stolen) the
 * message or mailing as the API shows it when the event is sent ({"id"} when it is gone;
 * {"webhook_id"} for a test event). */
char *webhook_body(const char *event, const char *occurred_at, json_t *data);
/* The X-Herald-Signature value of body with secret: "sha256=" and 64 hex digits. */
#define WEBHOOK_SIGNATURE_LEN (7 + 64 + 1)
void webhook_sign(const char *secret, const char *body, size_t len, char out[WEBHOOK_SIGNATURE_LEN]);

/* The sender's figures in Prometheus' text format (metrics.c); db (may be NULL) gives the
 * deliveries waiting in the queue (all instances). */
void webhook_metrics(struct buf *out, struct db *db);

#endif
