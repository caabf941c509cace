/* message_search.h — the messages' one list, at scale: the API's, the admin's messages page and a
 * mailing's own page read it. Newest or oldest first, filtered by status, mailing, phone, a date
 * range and the text of the last error, a page at a time in either direction (keyset on id),
 * and a count, exact or (the admin's) exact up to MESSAGE_COUNT_EXACT and estimated past it
 * (from the counters when only status and mailing filter, else the planner's). */
#ifndef HERALD_MESSAGE_SEARCH_H
#define HERALD_MESSAGE_SEARCH_H
#include <stdint.h>
#include "resource.h"

#define MESSAGE_COUNT_EXACT 10000
#define MESSAGE_ERROR_MAX 100   /* characters of the error filter */

/* Each NULL when not filtered; checked values as text. */
struct message_search {
	const char *status;       /* a status's name (message_status.h) */
	const char *mailing_id;
	const char *phone;        /* 7XXXXXXXXXX */
	const char *from, *to;    /* YYYY-MM-DD (days in zone, both included) */
	const char *error;        /* a substring of last_error, matched case-insensitively */
	const char *zone;         /* the time zone of from and to (never NULL when either is given) */
};

/* The messages s (ctx, a const struct message_search *) matches as a list (a res_list_fn): the
 * API's message objects (model_message_sql.h) by q->sort "-id" (newest first) or its mirror
 * "id", keyed by [id]; planned per call, so that the filters given pick the plan. */
enum model_rc message_search_list(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out);

/* The number of messages matching s into *n: with exact NULL, counted; else counted up to
 * MESSAGE_COUNT_EXACT and estimated past it, and *exact says which. -1 on a database error. */
int message_search_count(struct db *db, const struct message_search *s, int64_t *n, int *exact);

#endif
