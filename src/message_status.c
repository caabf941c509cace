/* message_status.c — the names of the message statuses (message_status.h). */
#include "message_status.h"

#include <string.h>

const char *const message_status_filter[MSG_STATUSES + 2] = {
	"", "pending", "sending", "sent", "failed", "expired", "cancelled", "delivered", "undelivered", NULL,
};
_Static_assert(MSG_PENDING == 0 && MSG_SENDING == 1 && MSG_SENT == 2 && MSG_FAILED == 3 &&
	       MSG_EXPIRED == 4 && MSG_CANCELLED == 5 && MSG_DELIVERED == 6 && MSG_UNDELIVERED == 7 &&
	       MSG_STATUSES == 8,
	       "message_status_filter lists the names in number order");

const char *message_status_name(int status)
{
	return status >= 0 && status < MSG_STATUSES ? message_status_filter[status + 1] : NULL;
}

int message_status_code(const char *name)
{
	for (int i = 0; i < MSG_STATUSES; i++)
		if (strcmp(message_status_filter[i + 1], name) == 0)
			return i;
	return -1;
}
