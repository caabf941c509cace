/* smpp_conn.h — what the SMPP event loop (smpp.c) and the PDU handlers (smpp_session.c and the
 * files it hands PDUs to) share: the connection and per-account state, kept by smpp_conns.c.
 * The loop calls the handlers; both call smpp_conns.c. Only the SMPP thread touches these. */
#ifndef HERALD_SMPP_CONN_H
#define HERALD_SMPP_CONN_H
#include <stdint.h>
#include "buf.h"
#include "smpp_pdu.h"
#include "smpp_store.h"

#define SMPP_MAX_CONNS 4096         /* slots; cfg.smpp_max_connections may set fewer */
#define SMPP_WINDOW 256             /* requests of one bind in flight before we stop reading */
#define SMPP_OUT_HIGH 16384         /* queued output octets before we stop reading */
#define SMPP_RBUF_UNBOUND 4096      /* input buffer (and largest PDU) before a bind */
#define SMPP_RECEIPT_WINDOW 256     /* deliver_sm per bind awaiting deliver_sm_resp */
#define SMPP_MAX_CONCAT 16          /* concatenated messages being assembled per bind ... */
#define SMPP_ACCOUNT_CONCAT 64      /* ... and per account, over its binds */
#define SMPP_CONCAT_TIMEOUT 60.0    /* seconds to wait for the missing parts */
#define SMPP_ENQUIRE_AFTER 30.0     /* seconds of silence before we send enquire_link */
#define SMPP_IDLE_TIMEOUT 60.0      /* seconds of silence before we close */
#define SMPP_TEXT_MAX 4096          /* characters of a (reassembled) message */

/* Per account, shared by its binds: throughput bucket and receiver round-robin. */
struct smpp_account_state {
	struct smpp_account_state *next;
	int64_t id;
	int tps;
	double tokens, refilled;
	int receivers;                  /* receiver and transceiver binds */
	int nconcat;                    /* messages being assembled on its binds */
	unsigned rr;
};

struct smpp_part {
	uint32_t seq;
	char *text;                     /* UTF-8, owned; NULL while the part is missing */
};

/* A concatenated message being assembled on one bind. */
struct smpp_concat {
	struct smpp_concat *next;
	uint16_t ref;
	uint8_t total, got;
	long chars;                     /* of the parts held; at most SMPP_TEXT_MAX */
	char source_addr[22], phone[12];
	int registered_delivery;
	int64_t due, expires;
	double started;
	struct smpp_part parts[];       /* total of them, indexed by segment number - 1 */
};

struct smpp_inflight {
	uint32_t seq;
	int64_t message_id;
};

struct smpp_conn {
	uint64_t id;                    /* unique for the process lifetime; slot in the low 32 bits */
	int fd;
	char ip[64];
	uint32_t bound;                 /* the bind command, 0 while unbound */
	int binding;                    /* a bind is with the store */
	struct smpp_account_state *acct;
	char system_id[17];
	uint8_t *rbuf;                  /* rcap bytes: SMPP_RBUF_UNBOUND, SMPP_PDU_MAX once bound */
	size_t rlen, rcap;
	struct buf wbuf;
	size_t woff;                    /* wbuf octets written */
	int closing;                    /* close when wbuf is written */
	int paused;                     /* EPOLLIN off: the window or the output is full */
	int want_out;                   /* EPOLLOUT on */
	int pending;                    /* requests not answered yet (store jobs and held parts) */
	double opened, last_rx, last_enquire;
	double last_tx;                 /* output last moved (written, or queued when empty) */
	uint32_t next_seq;
	struct smpp_inflight inflight[SMPP_RECEIPT_WINDOW];
	int ninflight;
	struct smpp_concat *concat;
	int nconcat;
};

/* smpp_conns.c: the links and accounts (called by the loop and the handlers; calls neither) */
/* Where the links' epoll events are set (the loop's instance). */
void smpp_conns_init(int ep);
/* Adds c to the table (its id made from the slot); returns the slot. */
int smpp_conn_add(struct smpp_conn *c);
/* Takes c out of the table and the links to flush (the loop then frees it). */
void smpp_conn_remove(struct smpp_conn *c);
int smpp_conns_count(void);
/* Why a new connection from ip may not stay (NULL: it may). */
const char *smpp_conn_refusal(const char *ip);
/* Sets c's epoll events from its state (reading unless paused or closing; writing when
 * output waits). */
void smpp_conn_events(struct smpp_conn *c);
/* Whether c must stop reading: its window or output is full, or the server stops. */
int smpp_conn_should_pause(const struct smpp_conn *c);
/* The next link with output to write or input to handle, taken off that list; NULL: none. */
struct smpp_conn *smpp_conn_dirty(void);
/* A job came back from the store; how many are still there. */
void smpp_conn_stored(void);
int smpp_conns_in_store(void);
/* The server stops: every link stops reading. */
void smpp_conns_stop(void);
int smpp_conns_stopping(void);
struct smpp_conn *smpp_conn_find(uint64_t id);
/* Connections in slot order: start with *slot = 0, NULL at the end. */
struct smpp_conn *smpp_conn_next(int *slot);
/* Encodes p onto c's output (flushed by the loop). */
void smpp_conn_send(struct smpp_conn *c, const struct smpp_pdu *p);
/* Answers request (command_id, seq) with its _resp (or generic_nack) carrying status only. */
void smpp_conn_reply(struct smpp_conn *c, uint32_t command_id, uint32_t seq, uint32_t status);
/* Stops reading, writes what is queued, then closes. */
void smpp_conn_close_after(struct smpp_conn *c);
/* Called when c->pending went down: resumes reading when the window has room (the input it
 * holds is handled when the loop flushes). */
void smpp_conn_window(struct smpp_conn *c);
/* Hands j to the store, counting it as in flight. */
void smpp_conn_store(struct smpp_job *j);
double smpp_now(void);

/* The state of account id, created on first use. */
struct smpp_account_state *smpp_account_state(int64_t id);
/* Frees the account states (at stop). */
void smpp_accounts_reset(void);
/* True for bind_receiver and bind_transceiver. */
int smpp_is_receiver(uint32_t bind);

/* smpp_session.c */
void smpp_session_pdu(struct smpp_conn *c, const uint8_t *p, size_t len);
void smpp_session_result(struct smpp_job *j);
/* Once a second: idle links, concat timeouts, receipt polling. */
void smpp_session_tick(double now);
/* c is about to be freed. */
void smpp_session_closed(struct smpp_conn *c);

/* smpp_bind.c */
/* A bind_*: refused at once (throttled), checked, or parked until a check may start. */
void smpp_bind_pdu(struct smpp_conn *c, const struct smpp_pdu *in);
/* A bind's outcome (c NULL when the link is gone): counts it, answers it. */
void smpp_bind_result(struct smpp_conn *c, struct smpp_job *j);
/* Starts or refuses the parked binds that may go now (after a check, and once a second). */
void smpp_bind_release(double now);
/* Drops the parked binds and the counts (at stop). */
void smpp_bind_reset(void);

/* smpp_check.c */
/* Twice a second: asks the store which accounts with a bind were deleted or disabled. */
void smpp_check_accounts(double now);
/* Unbinds and closes the links of the accounts the check refused. */
void smpp_check_result(const struct smpp_job *j);

/* smpp_receipt.c */
/* Asks the store for due receipts when receivers are bound and none is asked for already. */
void smpp_receipt_poll(void);
/* Polls again at once when the last poll was full (called every loop iteration). */
void smpp_receipt_more(void);
/* Sends the receipts a poll returned to their accounts' receivers, round-robin. */
void smpp_receipt_dispatch(const struct smpp_job *j);
/* SMPP message_state of a messages.status (pending and sending are ENROUTE; sent and delivered
 * DELIVERED; failed and undelivered UNDELIVERABLE; cancelled REJECTED). */
uint8_t smpp_message_state(int status);
/* The deliver_sm of a receipt (exposed for the unit tests). */
void smpp_receipt_pdu(const struct smpp_receipt *rc, struct smpp_pdu *out, char *body, size_t bodylen);

#endif
