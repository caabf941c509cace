/* provider.h — the outbound provider seen by the dispatcher: an asynchronous queue of messages.
 * The dispatcher submits messages while provider_room() > 0 and collects finished ones with
 * provider_poll(). Two implementations: "log" (HERALD_PROVIDER_URL unset: every message is
 * written to the log and counts as sent) and "probe" (API.md section 5, libcurl multi).
 * A provider object belongs to one thread; several threads each open their own. */
#ifndef HERALD_PROVIDER_H
#define HERALD_PROVIDER_H

/* A request is not started when less than this remains before the message's expires_at: started
 * any later, it could reach the provider after the mailing's end. */
#define PROVIDER_SEND_GUARD_S 0.05
#include <stdint.h>

enum provider_outcome { PO_SENT, PO_TRANSIENT, PO_PERMANENT };

/* One message on its way. The dispatcher owns it (and its strings) from submit to the moment
 * provider_poll() hands it back; the provider fills the result fields. */
struct provider_msg {
	int64_t id, mailing_id, client_id;
	char *phone;                 /* "7XXXXXXXXXX" */
	char *text;
	int rendered;                /* text was rendered for this recipient (the dispatcher keeps it) */
	double expires_at;           /* epoch seconds: no request reaches past it */
	double window_end;           /* epoch seconds the client's send window closes; 0: no window */
	double send_by;              /* monotonic seconds: the claim is held long enough for a request
				      * started before this (the dispatcher releases it unsent after) */
	int attempts;                /* including this one */
	int claim;                   /* the dispatcher's slot of the claim that took it */
	/* results */
	enum provider_outcome outcome;
	int timeout;                 /* transient because of a timeout */
	int http_status;             /* 0 when no response came */
	int retry_after_ms;          /* from Retry-After, or -1 */
	double latency;              /* seconds */
	char error[256];             /* why it was not sent ("" when sent) */
};

struct provider;

/* Opens the provider chosen by cfg.provider_url with room for `concurrency` requests in flight.
 * NULL with a logged error on failure. Close with provider_close(). */
struct provider *provider_open(int concurrency);
/* Aborts what is in flight (those messages are not handed back) and frees the provider. */
void provider_close(struct provider *p);
/* "log" or "probe". */
const char *provider_name(const struct provider *p);
/* How many more messages can be submitted now. */
int provider_room(const struct provider *p);
/* Messages submitted and not yet handed back. */
int provider_inflight(const struct provider *p);
/* Starts sending m (room must be > 0). The provider keeps the pointer until it is handed back. */
void provider_submit(struct provider *p, struct provider_msg *m);
/* Drives the transfers for at most timeout_ms (returns earlier when something finished, or
 * when fd, if >= 0, becomes readable) and stores up to max finished messages in done[];
 * returns how many. */
int provider_poll(struct provider *p, int timeout_ms, int fd, struct provider_msg **done, int max);

#endif
