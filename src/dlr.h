/* dlr.h — delivery reports (API.md 9.5): a provider says whether a message it accepted reached
 * the phone. The one rule that applies a report, for every path that receives one (the HTTP
 * endpoint POST /api/v1/providers/{id}/dlr, an upstream SMPP provider's deliver_sm receipts). */
#ifndef HERALD_DLR_H
#define HERALD_DLR_H
#include <libpq-fe.h>
#include <stdint.h>

/* Applies a delivery report from provider provider_id for message message_id: status is
 * MSG_DELIVERED or MSG_UNDELIVERED, error may be NULL. Returns DLR_OK, DLR_UNKNOWN (no such
 * message, or not this provider's), DLR_NOT_SENT (not in a state a report can change;
 * a repeat of the same final report is DLR_OK), or DLR_DB on a database error. */
enum dlr_rc { DLR_OK, DLR_UNKNOWN, DLR_NOT_SENT, DLR_DB };
enum dlr_rc dlr_apply(PGconn *db, int64_t provider_id, int64_t message_id, int status, const char *error);

#endif
