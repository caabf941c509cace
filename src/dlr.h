/* dlr.h — delivery reports (API.md 9.5): a provider says whether a message it accepted reached
 * the phone. The one rule that applies a report, for every path that receives one (the HTTP
 * endpoint POST /api/v1/providers/{id}/dlr, an upstream SMPP provider's deliver_sm receipts). */
#ifndef HERALD_DLR_H
#define HERALD_DLR_H
#include <libpq-fe.h>
#include <stdint.h>
#include "buf.h"

/* Applies a delivery report from provider provider_id for message message_id: status is
 * MSG_DELIVERED or MSG_UNDELIVERED, error may be NULL. Returns DLR_OK, DLR_UNKNOWN (no such
 * message, or not this provider's), DLR_NOT_SENT (not in a state a report can change;
 * a repeat of the same final report is DLR_OK), or DLR_DB on a database error. */
enum dlr_rc { DLR_OK, DLR_UNKNOWN, DLR_NOT_SENT, DLR_DB };
/* Call it outside a transaction: reports that arrive at once are written together by one
 * statement, on the connection of one of their callers, and committed with it (dlr.c). */
enum dlr_rc dlr_apply(PGconn *db, int64_t provider_id, int64_t message_id, int status, const char *error);

/* dlr_apply for n reports read together (an upstream SMSC's receipts, smsc_receipts.c): report i
 * is provider_ids[i], message_ids[i], statuses[i], errors[i] (may be NULL); its outcome goes to
 * rcs[i]. One statement for each DLR_BATCH_MAX of them, on db, outside a transaction. Only the
 * reports applied (DLR_OK) are counted in the metrics: the caller may try the others again, and
 * counts each once with dlr_count_final when it stops trying. */
#define DLR_BATCH_MAX 256
void dlr_apply_many(PGconn *db, int n, const int64_t *provider_ids, const int64_t *message_ids, const int *statuses,
		    const char *const *errors, enum dlr_rc *rcs);

/* dlr_apply for a report posted with secret (POST /api/v1/providers/{id}/dlr), in the same one
 * statement: it changes the message only when secret is provider_id's dlr_secret. When it is not
 * (or the provider has none, or there is no such provider) *denied is 1, nothing changed, and the
 * return value says nothing. The secret is compared as SHA-256 digests, so the time the
 * comparison takes tells nothing about the secret. */
enum dlr_rc dlr_apply_posted(PGconn *db, int64_t provider_id, const char *secret, int64_t message_id,
			     int status, const char *error, int *denied);

/* How many characters of a report's error are kept in last_error. */
#define DLR_ERROR_MAX 500

/* Counts a report of dlr_apply_many whose last outcome was rc (not DLR_OK), or one whose message
 * was never found (DLR_UNKNOWN), as unknown, not_sent or error. */
void dlr_count_final(enum dlr_rc rc);
/* Counts a posted report refused before it reached the statement: unauthorized (it carried no
 * bearer) or else invalid (its body broke a rule). */
void dlr_count_refused(int unauthorized);
/* The reports' figures in Prometheus' text format (metrics.c): this instance's reports by outcome. */
void dlr_metrics(struct buf *out);

#endif
