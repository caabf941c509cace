/* smpp_receipt.c — delivery receipts: polling the durable queue (smpp_receipts) for accounts
 * with a receiver bound, and sending each as a deliver_sm to one of its receivers, round-robin.
 * A receipt is marked delivered when the deliver_sm_resp comes back (smpp_session.c); one not
 * acknowledged is claimed again by a later poll when its 30 s lease runs out. */
#include "log.h"
#include "message_status.h"
#include "smpp_conn.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_MAX 500

static int poll_in_flight;
static int more;          /* the last poll was full: more receipts are probably due */


static int delivered(int status)
{
	return status == MSG_SENT || status == MSG_DELIVERED;
}

/* A receipt is made only for a final status; a sent message's comes only from a provider
 * without delivery reports (sql/027): sent is its final word, DELIVRD as before reports
 * existed. Its stat: word is its state's (smpp_state_stat). */
uint8_t smpp_message_state(int status)
{
	switch (status) {
	case MSG_SENT: case MSG_DELIVERED: return SMPP_STATE_DELIVERED;
	case MSG_FAILED: case MSG_UNDELIVERED: return SMPP_STATE_UNDELIVERABLE;
	case MSG_EXPIRED: return SMPP_STATE_EXPIRED;
	case MSG_CANCELLED: return SMPP_STATE_REJECTED;
	default: return SMPP_STATE_ENROUTE;
	}
}

void smpp_receipt_pdu(const struct smpp_receipt *rc, struct smpp_pdu *out, char *body, size_t bodylen)
{
	/* the excerpt keeps characters that read the same in ASCII and GSM 03.38, '?' otherwise */
	char text[21];
	size_t n = 0;
	for (const unsigned char *s = (const unsigned char *)rc->text; *s && n < 20; s++) {
		if ((*s & 0xC0) == 0x80)
			continue;       /* continuation byte of a character already replaced */
		text[n++] = (*s < 0x80 && strchr("@$_`[\\]^{|}~", *s) == NULL && *s >= ' ') ? (char)*s : '?';
	}
	text[n] = '\0';
	snprintf(body, bodylen, "id:%lld sub:001 dlvrd:%s submit date:%s done date:%s stat:%s err:%s text:%s",
		 (long long)rc->message_id, delivered(rc->status) ? "001" : "000", rc->submit_date,
		 rc->done_date, smpp_state_stat(smpp_message_state(rc->status)), delivered(rc->status) ? "000" : "001", text);
	memset(out, 0, sizeof(*out));
	out->command_id = SMPP_DELIVER_SM;
	snprintf(out->source_addr, sizeof(out->source_addr), "%s", rc->phone);
	snprintf(out->destination_addr, sizeof(out->destination_addr), "%s", rc->source_addr);
	out->src_ton = out->dst_ton = 1;
	out->src_npi = out->dst_npi = 1;
	out->esm_class = 0x04;
	out->sm = (const uint8_t *)body;
	out->sm_len = strlen(body);
	snprintf(out->receipted_id, sizeof(out->receipted_id), "%lld", (long long)rc->message_id);
	out->has_receipted_id = 1;
	out->tlv_state = smpp_message_state(rc->status);
	out->has_state = 1;
}

static void send_one(struct smpp_conn *c, const struct smpp_receipt *rc)
{
	struct smpp_pdu d;
	char body[256];
	smpp_receipt_pdu(rc, &d, body, sizeof(body));
	d.seq = c->next_seq++;
	if (c->next_seq > 0x7FFFFFFF)
		c->next_seq = 1;
	c->inflight[c->ninflight].seq = d.seq;
	c->inflight[c->ninflight].message_id = rc->message_id;
	c->ninflight++;
	smpp_conn_send(c, &d);
	log_info("smpp.receipt_sent", LI("message_id", rc->message_id), LS("system_id", c->system_id),
		 LS("stat", smpp_state_stat(smpp_message_state(rc->status))));
}

void smpp_receipt_dispatch(const struct smpp_job *j)
{
	struct smpp_conn *cand[SMPP_MAX_CONNS];
	poll_in_flight = 0;
	more = j->status == ESME_ROK && j->nreceipts >= j->limit;
	for (int i = 0; i < j->nreceipts; i++) {
		const struct smpp_receipt *rc = &j->receipts[i];
		struct smpp_account_state *a = smpp_account_state(rc->account_id);
		int n = 0, slot = 0;
		for (struct smpp_conn *x; (x = smpp_conn_next(&slot)) != NULL;)
			if (x->acct == a && smpp_is_receiver(x->bound) && !x->closing &&
			    x->ninflight < SMPP_RECEIPT_WINDOW)
				cand[n++] = x;
		if (n == 0) {       /* its receivers went away: the lease brings it back later */
			log_debug("smpp.receipt_deferred", LI("message_id", rc->message_id));
			continue;
		}
		send_one(cand[a->rr++ % (unsigned)n], rc);
	}
}

void smpp_receipt_poll(void)
{
	if (poll_in_flight)
		return;
	int64_t ids[64];
	int nids = 0, room = 0, slot = 0;
	for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;) {
		if (!smpp_is_receiver(c->bound) || c->closing || c->acct == NULL)
			continue;
		room += SMPP_RECEIPT_WINDOW - c->ninflight;
		int seen = 0;
		for (int i = 0; i < nids; i++)
			seen |= ids[i] == c->acct->id;
		if (!seen && nids < (int)ARRAY_LEN(ids))
			ids[nids++] = c->acct->id;
	}
	if (nids == 0 || room == 0)
		return;
	struct smpp_job *j = smpp_job_new(SJ_POLL);
	j->accounts = xmalloc((size_t)nids * sizeof(*j->accounts));
	memcpy(j->accounts, ids, (size_t)nids * sizeof(*ids));
	j->naccounts = nids;
	j->limit = room < POLL_MAX ? room : POLL_MAX;
	poll_in_flight = 1;
	smpp_conn_store(j);
}

void smpp_receipt_more(void)
{
	if (more && !poll_in_flight)
		smpp_receipt_poll();
}
