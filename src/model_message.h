/* model_message.h — messages: reading the queue/ledger, and direct sending (one message, or a
 * batch that becomes a running mailing of kind 'batch'). Sending itself is the engine's: these
 * only store pending messages and wake it with pg_notify('herald_messages'). */
#ifndef HERALD_MODEL_MESSAGE_H
#define HERALD_MODEL_MESSAGE_H
#include <jansson.h>
#include "db.h"
#include "message_status.h"
#include "resource.h"
#include "valid.h"

#define MESSAGE_BATCH_MAX 100000
#define MESSAGE_EXPIRY "24 hours"   /* direct messages without end_at expire this long after send_at */
#define MESSAGE_EXPIRY_S (24 * 3600)

struct message_in {
	const char *phone;              /* POST /messages; borrowed */
	char *phones;                   /* batch: owned text[] literal of every phone given */
	const char *text;               /* borrowed */
	const char *send_at, *end_at;   /* borrowed; NULL when not given */
};

/* Validates a direct message {"phone","text","send_at"?,"end_at"?} (batch 0) or a batch
 * {"phones": [...], "text", "send_at"?, "end_at"?} (batch 1; a bad phone is named
 * "phones[i]"). end_at must be after send_at and after now; without end_at, send_at may not
 * be so far past that the message expires at once. Returns 0, or -1 with every bad
 * field in v. Release out with message_in_free either way. */
int message_validate(json_t *in, int batch, struct message_in *out, struct verr *v);
void message_in_free(struct message_in *in);

/* The message id ({id, mailing_id, client_id, phone, text, status, attempts, last_error,
 * created_at, sent_at, smpp_account}) in *out; MODEL_NOT_FOUND when there is none. */
enum model_rc message_get(struct db *db, int64_t id, json_t **out);
/* The messages of ids (a bigint[] literal) that exist: an object of each one's JSON by its id
 * ({"12": {...}}) in *out. */
enum model_rc message_get_many(struct db *db, const char *ids, json_t **out);
/* Stores a pending direct message (client_id: the client with that phone, if any) sent by user
 * created_by (0: none), whose webhooks get its events: the message in *out. */
enum model_rc message_send(struct db *db, const struct message_in *in, int64_t created_by, json_t **out);
/* Creates the batch mailing and its messages (duplicate phones once) in one statement:
 * {"mailing_id", "count", "stop_listed"} in *out. */
enum model_rc message_batch(struct db *db, const struct message_in *in, int64_t created_by, json_t **out);

#endif
