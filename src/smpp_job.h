/* smpp_job.h — one unit of work between the SMPP event loop and its database workers
 * (smpp_store.c, smpp_auth.c): what the loop asks, and what the worker answers. */
#ifndef HERALD_SMPP_JOB_H
#define HERALD_SMPP_JOB_H
#include <stdint.h>
#include "model_smpp_account.h"
#include "smpp_pdu.h"

enum smpp_job_kind { SJ_BIND, SJ_SUBMIT, SJ_QUERY, SJ_POLL, SJ_ACK, SJ_CHECK };

/* A receipt to send, as the poll found it. */
struct smpp_receipt {
	int64_t message_id, account_id;
	int status;                     /* messages.status: 2 sent, 3 failed, 4 expired, 5 cancelled */
	char source_addr[22], phone[22];
	char submit_date[11], done_date[11];   /* YYMMDDhhmm, UTC */
	char text[84];                  /* the message's first 20 characters (UTF-8) */
};

/* One unit of work; the loop allocates it (smpp_job_new) and gets it back finished; the loop
 * frees it with smpp_job_free. Inputs are set by the loop, results by the worker. */
struct smpp_job {
	struct smpp_job *next;
	enum smpp_job_kind kind;
	uint64_t conn;                  /* connection id the answer goes to */
	uint32_t seq, command_id;       /* of the request */
	uint32_t status;                /* result: an ESME_* status */
	/* SJ_BIND */
	char system_id[17], password[65], ip[64];
	uint8_t interface_version;
	struct smpp_account_row account;        /* result (password_hash wiped) */
	const char *reason;             /* result: why, for the log (static text) */
	int admitted;                   /* counted by the bind throttle (smpp_bind.c) */
	/* SJ_SUBMIT */
	int64_t account_id;
	char source_addr[22], phone[12];
	char *text;                     /* UTF-8, owned */
	int registered_delivery, parts;
	int64_t due, expires;           /* epoch seconds; 0: now / due + 24 h */
	uint32_t *seqs;                 /* sequence numbers to answer (the parts), owned */
	int nseqs;
	int64_t message_id;             /* result; SJ_QUERY input */
	/* SJ_QUERY results */
	int msg_status;                 /* messages.status */
	char final_date[18];
	/* SJ_POLL: accounts with a receiver bound, and how many receipts fit; SJ_CHECK: the
	 * accounts with a bind */
	int64_t *accounts;              /* owned */
	int naccounts, limit;
	int64_t *refused;               /* SJ_CHECK result: those deleted or disabled, owned */
	int nrefused;
	struct smpp_receipt *receipts;  /* result, owned */
	int nreceipts;
};

struct smpp_job *smpp_job_new(enum smpp_job_kind kind);
/* A job that answers the request in on connection conn. */
struct smpp_job *smpp_job_answering(enum smpp_job_kind kind, uint64_t conn, const struct smpp_pdu *in);
void smpp_job_free(struct smpp_job *j);

#endif
