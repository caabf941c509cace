/* message_status.h — a message's status: the one definition of the numbers stored in
 * messages.status and of their names. sql/016_message_status.sql gives SQL the same
 * (message_status_names(), message_status(name)); test_messages checks that the two agree.
 * The numbers are macros so that SQL written at compile time can hold them as constants:
 * "WHERE status = " MSG_SQL(MSG_PENDING) is "WHERE status = 0". */
#ifndef HERALD_MESSAGE_STATUS_H
#define HERALD_MESSAGE_STATUS_H

#define MSG_PENDING 0         /* waiting for its due time */
#define MSG_SENDING 1         /* claimed by a dispatcher, under a lease */
#define MSG_SENT 2
#define MSG_FAILED 3
#define MSG_EXPIRED 4         /* expires_at (the mailing's end_at) passed before it was sent */
#define MSG_CANCELLED 5
#define MSG_DELIVERED 6       /* sent, and the provider reported it reached the phone (dlr.h) */
#define MSG_UNDELIVERED 7     /* sent, and the provider reported it could not reach the phone */
#define MSG_STATUSES 8        /* how many there are: 0 .. MSG_STATUSES - 1 */

/* A status as an SQL literal, for string concatenation at compile time. */
#define MSG_SQL(status) MSG_SQL_(status)
#define MSG_SQL_(status) #status

/* "" (any) and then every name in number order, NULL-terminated: a list filter's choices. */
extern const char *const message_status_filter[MSG_STATUSES + 2];

/* The name of status ("sent"), or NULL outside 0 .. MSG_STATUSES - 1. */
const char *message_status_name(int status);

/* The number of the status called name, or -1 when there is none. */
int message_status_code(const char *name);

#endif
