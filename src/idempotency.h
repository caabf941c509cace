/* idempotency.h — the Idempotency-Key of direct sends (API.md 9.2): the first answer to a key is
 * stored in the same transaction as what the request created, so a repeat (sequential, or in
 * parallel on any instance) replays it and creates nothing. Keys are the API token user's and
 * are kept IDEM_KEEP. */
#ifndef HERALD_IDEMPOTENCY_H
#define HERALD_IDEMPOTENCY_H
#include "db.h"
#include "http.h"

#define IDEM_KEEP "24 hours"
#define IDEM_KEY_MAX 255

/* Creates what the request asks for and answers req; a 2xx answer means it created something. */
typedef void (*idem_create_fn)(struct http_req *req, struct db *db, void *ctx);

/* Without an Idempotency-Key header: create(req, db, ctx). With one: 400 when the key is not 1..255
 * visible ASCII characters; a replay of the first answer (header Idempotent-Replayed: true) when
 * the key was used with the same route and body; 422 when it was used with another; else create
 * runs in a transaction that also keeps its answer when it is a 2xx (and keeps nothing when not). */
void idem_run(struct http_req *req, struct db *db, idem_create_fn create, void *ctx);

/* Deletes the keys older than IDEM_KEEP, set-based; the number deleted, or -1. */
long idem_expire(struct db *db);

#endif
