/* model_message.h — messages: reading the queue/ledger, and direct sending (one message, or a
 * batch that becomes a running mailing of kind 'batch'). Sending itself is the engine's: these
 * only store pending messages and wake it with pg_notify('herald_messages'). */
#ifndef HERALD_MODEL_MESSAGE_H
#define HERALD_MODEL_MESSAGE_H
#include <jansson.h>
#include "db.h"
#include "message_status.h"
#include "page.h"
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

struct message_filter {
	const char *status;       /* the number as text (MSG_SQL), or NULL */
	const char *mailing_id;   /* a validated id, or NULL */
	const char *phone;        /* or NULL */
};

/* Each returns a result whose row 0 has the message's JSON text (column 0) and its id (column
 * 1); no rows when there is no such message. NULL on a database error. Caller PQclears. */
PGresult *message_get(struct db *db, int64_t id);
/* The messages of ids (a bigint[] literal) that exist, in no order. */
PGresult *message_get_many(struct db *db, const char *ids);
/* Stores a pending direct message (client_id: the client with that phone, if any) sent by user
 * created_by (0: none), whose webhooks get its events. */
PGresult *message_send(struct db *db, const struct message_in *in, int64_t created_by);
/* Creates the batch mailing and its messages (duplicate phones once) in one statement. Row 0:
 * {"mailing_id","count"} (column 0) and the mailing id (column 1). */
PGresult *message_batch(struct db *db, const struct message_in *in, int64_t created_by);
/* A page ordered by id. */
PGresult *message_list(struct db *db, const struct page *pg, const struct message_filter *f);
/* The number matching f: from the counters unless f->phone is given. */
PGresult *message_count(struct db *db, const struct message_filter *f);

#endif
