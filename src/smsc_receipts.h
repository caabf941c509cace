/* smsc_receipts.h — an upstream SMSC's delivery receipts (deliver_sm, provider kind smpp) applied
 * as delivery reports (dlr.h) by a thread of their own (smsc_receipts.c), which the dispatch role
 * starts and stops. */
#ifndef HERALD_SMSC_RECEIPTS_H
#define HERALD_SMSC_RECEIPTS_H
#include <stdint.h>
#include "provider.h"

#define SMSC_ERROR_MAX 63     /* characters of a receipt's state kept as last_error */

/* Queues the receipt of provider provider_id for the SMSC's message ref: status MSG_DELIVERED
 * or MSG_UNDELIVERED, error (may be NULL) kept as the message's last_error when undelivered.
 * 0, or -1 when the queue is full or stopped (answer the SMSC ESME_RMSGQFUL: it sends the
 * receipt again later). Any thread. */
int smsc_receipt_queue(int64_t provider_id, const char *ref, int status, const char *error);

/* Start and stop the thread that applies them (0, or -1 logged). */
int smsc_receipts_start(void);
void smsc_receipts_stop(void);

#endif
