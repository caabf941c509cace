/* model_webhook.h — webhooks (API.md 9.6): a user's URL that receives the events of their
 * messages and mailings, signed with a write-only secret. Validation and SQL behind the resource
 * descriptor (resources.c); the queue of deliveries is sql/026_webhooks.sql's, sent by
 * webhook.c. */
#ifndef HERALD_MODEL_WEBHOOK_H
#define HERALD_MODEL_WEBHOOK_H
#include "resource.h"

#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_SECRET_MIN 16
#define WEBHOOK_SECRET_MAX 256
#define WEBHOOK_ANSWER_MAX 200      /* the bytes of an answer kept with its delivery */
#define WEBHOOK_TEST_EVENT "webhook.test"

/* The events a webhook may subscribe to, NULL-terminated. */
extern const char *const webhook_events[];

/* get, insert, update, remove and list (by id; filter "user_id": the owner's objects only).
 * In: {"url" (http or https, at most WEBHOOK_URL_MAX), "events" (1..6 of webhook_events, each
 * once), "secret" (WEBHOOK_SECRET_MIN..MAX printable ASCII; required to create, kept when not
 * given), "enabled" (default true: a PUT without it enables), "user_id" (the owner, set by the
 * front end; never changed)}. Objects:
 * {"id", "user_id", "username", "url", "events", "enabled", "created_at", "updated_at"}: never
 * the secret. */
extern const struct res_model webhook_model;
/* The number of webhooks of the owner in q->filter[0] (NULL: every user's). */
enum model_rc webhook_count_of(struct db *db, const struct res_query *q, int64_t *n);

/* The last n deliveries of webhook id, newest first: a JSON array of {"id", "event", "status",
 * "attempts", "last_code", "last_answer", "next_at", "created_at"} (new reference), or NULL on
 * a database failure. */
json_t *webhook_deliveries(struct db *db, int64_t id, int n);
/* How many events of webhook id wait to be delivered (their first try or a retry), in *n. */
enum model_rc webhook_waiting(struct db *db, int64_t id, int64_t *n);
/* Queues a test event for webhook id: MODEL_OK, or a database failure. */
enum model_rc webhook_queue_test(struct db *db, int64_t id);

#endif
