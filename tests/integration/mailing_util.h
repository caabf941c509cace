/* mailing_util.h — fixtures shared by the mailings, messages and statistics integration tests:
 * mailings made over the API, messages put straight into the database (the counters follow by
 * trigger), error and notification checks. */
#ifndef HERALD_MAILING_UTIL_H
#define HERALD_MAILING_UTIL_H
#include "itest.h"
#include "message_status.h"

/* Far enough ahead that no scheduler starts these mailings while a test runs. */
#define M_START "2099-01-10T09:00:00+03:00"
#define M_END "2099-01-20T09:00:00+03:00"
#define M_START_UTC "2099-01-10T06:00:00Z"
#define M_END_UTC "2099-01-20T06:00:00Z"

/* Creates a scheduled mailing with text (and extra JSON members, "" for none, else starting
 * with ","); fails the test unless 201. Returns its id. */
long long mailing_new(const char *text, const char *extra);
/* Sets the mailing's status in the database (to test the state rules). */
void mailing_set_status(long long id, const char *status);
/* Inserts n messages of the mailing with status (MSG_*), not due for 30 days. */
void messages_insert(long long mailing_id, int status, int n);
/* The number of the mailing's message rows with status (-1: any). */
long messages_rows(long long mailing_id, int status);
/* LISTEN on channel (the test's own database connection). */
void notify_listen(const char *channel);
/* True when a notification on channel with payload has arrived (waits up to 2 s); drains. */
int notify_seen(const char *channel, const char *payload);

#endif
