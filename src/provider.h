/* provider.h — an outbound provider seen by the dispatcher: an asynchronous queue of messages.
 * The dispatcher submits messages while provider_room() > 0 and collects finished ones, of all
 * its providers at once, with provider_loop_poll(). Three kinds: "log" (no provider configured:
 * every message is written to the log and counts as sent), "probe" (API.md section 5,
 * libcurl multi) and "smpp" (an upstream SMSC, herald bound as an ESME: provider_smpp.c). A provider loop and its providers belong to one thread; several threads each
 * open their own. */
#ifndef HERALD_PROVIDER_H
#define HERALD_PROVIDER_H

/* A request is not started when less than this remains before the message's expires_at: started
 * any later, it could reach the provider after the mailing's end. */
#define PROVIDER_SEND_GUARD_S 0.05
#include <stdint.h>

enum provider_outcome { PO_SENT, PO_TRANSIENT, PO_PERMANENT };

/* The longest id a provider gives a message (an SMSC's message_id: 65 characters, SMPP 3.4;
 * provider_refs.ref holds the same). */
#define PROVIDER_REF_MAX 65

struct provider_state;

/* One message on its way. The dispatcher owns it (and its strings) from submit to the moment
 * provider_loop_poll() hands it back; the provider fills the result fields. */
struct provider_msg {
	int64_t id, mailing_id, client_id;
	char *phone;                 /* "7XXXXXXXXXX" */
	char *text;
	char op[4];                  /* its client's operator code ("": not read, provider_set.h) */
	int rendered;                /* text was rendered for this recipient (the dispatcher keeps it) */
	double expires_at;           /* epoch seconds: no request reaches past it */
	double window_end;           /* epoch seconds the client's send window closes; 0: no window */
	double send_by;              /* monotonic seconds: the claim is held long enough for a request
				      * started before this (the dispatcher releases it unsent after) */
	int attempts;                /* including this one */
	int claim;                   /* the dispatcher's slot of the claim that took it */
	struct provider_state *via;  /* the provider it was submitted to (the dispatcher's) */
	/* results */
	enum provider_outcome outcome;
	int timeout;                 /* transient because of a timeout */
	int http_status;             /* 0 when no response came */
	int retry_after_ms;          /* from Retry-After, or -1 */
	double latency;              /* seconds */
	char error[256];             /* why it was not sent ("" when sent) */
	char ref[PROVIDER_REF_MAX + 1];   /* the provider's id of it, when it gave one (smpp: the
					   * SMSC's message_id, which its receipts name); "" otherwise */
};

/* What a provider is: a row of providers (sql/025_providers.sql), or the log provider. */
#define PROVIDER_CODES_ANY 0
struct provider_conf {
	int64_t id;                  /* 0: the log provider */
	char name[72];
	char kind[16];               /* "probe", "smpp", "log" */
	char *url, *token;           /* probe: base URL, bearer token ("" none); smpp:
				      * smpp://SYSTEM_ID@HOST:PORT, the bind password */
	char (*codes)[4];            /* operator codes it takes; ncodes PROVIDER_CODES_ANY: any */
	int ncodes, weight, rate, concurrency;
};

struct provider;
struct provider_loop;

/* The loop that drives a thread's providers. */
struct provider_loop *provider_loop_new(void);
/* Frees the loop; close its providers first. */
void provider_loop_free(struct provider_loop *l);
/* Opens provider c on loop l with room for `concurrency` requests in flight. NULL with a logged
 * error on failure. Close with provider_close(). */
struct provider *provider_open(struct provider_loop *l, const struct provider_conf *c, int concurrency);
/* Aborts what is in flight (those messages are not handed back) and frees the provider. */
void provider_close(struct provider *p);
/* How many more messages can be submitted now. */
int provider_room(const struct provider *p);
/* Messages submitted and not yet handed back. */
int provider_inflight(const struct provider *p);
/* Starts sending m (room must be > 0). The provider keeps the pointer until it is handed back. */
void provider_submit(struct provider *p, struct provider_msg *m);
/* Drives the transfers of every provider of l for at most timeout_ms (returns earlier when
 * something finished, or when fd, if >= 0, becomes readable) and stores up to max finished
 * messages in done[]; returns how many. */
int provider_loop_poll(struct provider_loop *l, int timeout_ms, int fd, struct provider_msg **done, int max);

#endif
