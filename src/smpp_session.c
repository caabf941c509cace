/* smpp_session.c — what each SMPP PDU does: binds (smpp_bind.c), submit_sm
 * (decoding, validation, throughput, reassembly of concatenated messages), query_sm,
 * enquire_link, unbind, and delivery receipts. Runs on the SMPP thread only. */
#include "log.h"
#include "metrics.h"
#include "smpp_conn.h"
#include "smpp_text.h"
#include "util.h"
#include "valid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One token per submit_sm, refilled at the account's throughput, bursts up to one second. */
static int throttled(struct smpp_account_state *a)
{
	double now = smpp_now();
	a->tokens += (now - a->refilled) * a->tps;
	a->refilled = now;
	if (a->tokens > a->tps)
		a->tokens = a->tps;
	if (a->tokens < 1)
		return 1;
	a->tokens -= 1;
	return 0;
}

static void push_submit(struct smpp_conn *c, const char *src, const char *phone, char *text,
			int rd, int64_t due, int64_t expires, uint32_t *seqs, int nseqs)
{
	struct smpp_job *j = smpp_job_new(SJ_SUBMIT);
	j->conn = c->id;
	j->command_id = SMPP_SUBMIT_SM;
	j->account_id = c->acct->id;
	snprintf(j->source_addr, sizeof(j->source_addr), "%s", src);
	snprintf(j->phone, sizeof(j->phone), "%s", phone);
	j->text = text;
	j->registered_delivery = rd;
	j->parts = nseqs;
	j->due = due;
	j->expires = expires;
	j->seqs = seqs;
	j->nseqs = nseqs;
	smpp_conn_store(j);
}

/* Frees m, which c held. */
static void concat_free(struct smpp_conn *c, struct smpp_concat *m)
{
	for (int i = 0; i < m->total; i++)
		free(m->parts[i].text);
	free(m);
	c->nconcat--;
	c->acct->nconcat--;
}

static void concat_unlink(struct smpp_conn *c, struct smpp_concat *m)
{
	for (struct smpp_concat **pp = &c->concat; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
}

/* Answers every part held by m with status and drops m from c. */
static void concat_fail(struct smpp_conn *c, struct smpp_concat *m, uint32_t status)
{
	concat_unlink(c, m);
	for (int i = 0; i < m->total; i++)
		if (m->parts[i].text) {
			smpp_conn_reply(c, SMPP_SUBMIT_SM, m->parts[i].seq, status);
			c->pending--;
		}
	concat_free(c, m);
}

struct submit_info {
	const char *phone;
	int rd;
	int64_t due, expires;
};

/* Holds one part; when the last one arrives, stores the whole message once. Each part's
 * submit_sm_resp waits for that commit and carries the one message id. */
static void on_part(struct smpp_conn *c, const struct smpp_pdu *in, const struct submit_info *si,
		    uint16_t ref, uint8_t total, uint8_t seqno, char *text)
{
	struct smpp_concat *m = c->concat;
	while (m && !(m->ref == ref && m->total == total && strcmp(m->source_addr, in->source_addr) == 0 &&
		      strcmp(m->phone, si->phone) == 0))
		m = m->next;
	if (m == NULL) {
		if (c->nconcat >= SMPP_MAX_CONCAT || c->acct->nconcat >= SMPP_ACCOUNT_CONCAT) {
			free(text);
			smpp_conn_reply(c, SMPP_SUBMIT_SM, in->seq, ESME_RMSGQFUL);
			return;
		}
		m = xcalloc(1, sizeof(*m) + (size_t)total * sizeof(struct smpp_part));
		m->ref = ref;
		m->total = total;
		snprintf(m->source_addr, sizeof(m->source_addr), "%s", in->source_addr);
		snprintf(m->phone, sizeof(m->phone), "%s", si->phone);
		m->registered_delivery = si->rd;
		m->due = si->due;
		m->expires = si->expires;
		m->started = smpp_now();
		m->next = c->concat;
		c->concat = m;
		c->nconcat++;
		c->acct->nconcat++;
	}
	struct smpp_part *p = &m->parts[seqno - 1];
	if (p->text) {
		free(text);
		smpp_conn_reply(c, SMPP_SUBMIT_SM, in->seq, ESME_RSUBMITFAIL);
		return;
	}
	p->text = text;
	p->seq = in->seq;
	m->got++;
	c->pending++;
	m->chars += *text ? utf8_length(text, strlen(text)) : 0;
	if (m->chars > SMPP_TEXT_MAX) {     /* too long already: no need to hold the rest */
		concat_fail(c, m, ESME_RINVMSGLEN);
		return;
	}
	if (m->got < m->total)
		return;
	struct buf whole = BUF_INIT;
	uint32_t *seqs = xmalloc((size_t)total * sizeof(*seqs));
	for (int i = 0; i < total; i++) {
		buf_puts(&whole, m->parts[i].text);
		seqs[i] = m->parts[i].seq;
	}
	long chars = whole.len ? utf8_length(whole.data, whole.len) : 0;
	if (chars < 1 || chars > SMPP_TEXT_MAX) {
		buf_free(&whole);
		free(seqs);
		concat_fail(c, m, ESME_RINVMSGLEN);
		return;
	}
	concat_unlink(c, m);
	push_submit(c, m->source_addr, m->phone, buf_steal(&whole), m->registered_delivery, m->due,
		    m->expires, seqs, total);
	concat_free(c, m);
}

static void on_submit(struct smpp_conn *c, const struct smpp_pdu *in)
{
	if (!c->bound || c->bound == SMPP_BIND_RECEIVER) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVBNDSTS);
		return;
	}
	if (throttled(c->acct)) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RTHROTTLED);
		return;
	}
	const uint8_t *p = in->sm;
	size_t n = in->sm_len;
	if (in->has_payload) {
		if (in->sm_len) {       /* 3.4: one or the other */
			smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVMSGLEN);
			return;
		}
		p = in->payload;
		n = in->payload_len;
	}
	struct submit_info si = {0};
	si.phone = in->destination_addr + (in->destination_addr[0] == '+');
	if (valid_phone(si.phone)) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVDSTADR);
		return;
	}
	int64_t now = (int64_t)time(NULL);
	int rs = smpp_time_parse(in->schedule, now, &si.due), rv = smpp_time_parse(in->validity, now, &si.expires);
	if (rs < 0) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVSCHED);
		return;
	}
	if (rv < 0 || (rv > 0 && si.expires <= (si.due > now ? si.due : now))) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVEXPIRY);
		return;
	}
	if (rs > 0 && si.due <= now)
		si.due = 0;         /* a time in the past means now */
	si.rd = in->registered_delivery & 0x03;
	struct smpp_udh udh = {0};
	if ((in->esm_class & 0x40) && smpp_udh_parse(p, n, &udh) < 0) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVESMCLASS);
		return;
	}
	struct buf text = BUF_INIT;
	int rc = smpp_text_decode(in->data_coding, p, n, udh.len, &text);
	long chars = text.len ? utf8_length(text.data, text.len) : 0;
	if (rc < 0 || chars > SMPP_TEXT_MAX || (chars < 1 && !(udh.concat || in->has_sar))) {
		buf_free(&text);
		smpp_conn_reply(c, in->command_id, in->seq,
				rc == -2 ? ESME_RINVDCS : rc < 0 ? ESME_RSUBMITFAIL : ESME_RINVMSGLEN);
		return;
	}
	char *t = text.data ? buf_steal(&text) : xstrdup("");
	if (udh.concat && udh.total > 1)
		on_part(c, in, &si, udh.ref, udh.total, udh.seq, t);
	else if (in->has_sar && in->sar_total > 1 && in->sar_seq <= in->sar_total)
		on_part(c, in, &si, in->sar_ref, in->sar_total, in->sar_seq, t);
	else if (in->has_sar && in->sar_seq > in->sar_total) {
		free(t);
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVOPTPARAMVAL);
	} else if (*t == '\0') {
		free(t);
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVMSGLEN);
	} else {
		uint32_t *seqs = xmalloc(sizeof(*seqs));
		seqs[0] = in->seq;
		c->pending++;
		push_submit(c, in->source_addr, si.phone, t, si.rd, si.due, si.expires, seqs, 1);
	}
}

static void submit_result(struct smpp_conn *c, struct smpp_job *j)
{
	struct smpp_pdu r = {0};
	r.command_id = SMPP_SUBMIT_SM | SMPP_RESP;
	r.status = j->status;
	snprintf(r.message_id, sizeof(r.message_id), "%lld", (long long)j->message_id);
	for (int i = 0; i < j->nseqs; i++) {
		r.seq = j->seqs[i];
		smpp_conn_send(c, &r);
	}
	metrics_smpp(j->status == ESME_ROK ? MS_SUBMIT_OK : MS_SUBMIT_REFUSED, (unsigned)j->nseqs);
	c->pending -= j->nseqs;
	smpp_conn_window(c);
}

static void on_query(struct smpp_conn *c, const struct smpp_pdu *in)
{
	int64_t id;
	if (!c->bound || c->bound == SMPP_BIND_RECEIVER) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVBNDSTS);
		return;
	}
	if (parse_i64(in->message_id, 1, INT64_MAX, &id) < 0) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RINVMSGID);
		return;
	}
	struct smpp_job *j = smpp_job_answering(SJ_QUERY, c->id, in);
	j->message_id = id;
	j->account_id = c->acct->id;
	c->pending++;
	smpp_conn_store(j);
}

static void query_result(struct smpp_conn *c, struct smpp_job *j)
{
	struct smpp_pdu r = {0};
	r.command_id = SMPP_QUERY_SM | SMPP_RESP;
	r.seq = j->seq;
	r.status = j->status;
	snprintf(r.message_id, sizeof(r.message_id), "%lld", (long long)j->message_id);
	snprintf(r.final_date, sizeof(r.final_date), "%s", j->final_date);
	r.message_state = smpp_message_state(j->msg_status);
	smpp_conn_send(c, &r);
	c->pending--;
	smpp_conn_window(c);
}

static void on_deliver_resp(struct smpp_conn *c, const struct smpp_pdu *in)
{
	for (int i = 0; i < c->ninflight; i++) {
		if (c->inflight[i].seq != in->seq)
			continue;
		int64_t id = c->inflight[i].message_id;
		c->inflight[i] = c->inflight[--c->ninflight];
		if (in->status != ESME_ROK) {   /* refused: sent again when its lease runs out */
			log_warn("smpp.receipt_refused", LI("message_id", id), LI("status", in->status));
			return;
		}
		struct smpp_job *j = smpp_job_new(SJ_ACK);
		j->message_id = id;
		smpp_conn_store(j);
		return;
	}
}

void smpp_session_pdu(struct smpp_conn *c, const uint8_t *p, size_t len)
{
	struct smpp_pdu in;
	uint32_t st = smpp_decode(p, len, &in);
	if (st != ESME_ROK) {
		log_warn("smpp.bad_pdu", LS("ip", c->ip), LI("command_id", in.command_id), LI("status", st));
		if (in.command_id & SMPP_RESP)
			smpp_conn_reply(c, SMPP_GENERIC_NACK, in.seq, st);
		else
			smpp_conn_reply(c, st == ESME_RINVCMDID ? SMPP_GENERIC_NACK : in.command_id, in.seq, st);
		return;
	}
	switch (in.command_id) {
	case SMPP_BIND_RECEIVER:
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_TRANSCEIVER:
		smpp_bind_pdu(c, &in);
		return;
	case SMPP_ENQUIRE_LINK:
		smpp_conn_reply(c, in.command_id, in.seq, ESME_ROK);
		return;
	case SMPP_UNBIND:
		smpp_conn_reply(c, in.command_id, in.seq, ESME_ROK);
		smpp_conn_close_after(c);
		return;
	case SMPP_SUBMIT_SM:
		on_submit(c, &in);
		return;
	case SMPP_QUERY_SM:
		on_query(c, &in);
		return;
	case SMPP_DELIVER_SM | SMPP_RESP:
		on_deliver_resp(c, &in);
		return;
	case SMPP_DELIVER_SM:       /* an ESME does not deliver to us */
		smpp_conn_reply(c, in.command_id, in.seq, ESME_RINVBNDSTS);
		return;
	default:                    /* other responses (enquire_link_resp, generic_nack, ...) */
		return;
	}
}

void smpp_session_result(struct smpp_job *j)
{
	struct smpp_conn *c = j->conn ? smpp_conn_find(j->conn) : NULL;
	switch (j->kind) {
	case SJ_BIND:
		smpp_bind_result(c, j);
		break;
	case SJ_SUBMIT:
		if (c)
			submit_result(c, j);
		else if (j->status == ESME_ROK)
			log_info("smpp.stored_after_close", LI("message_id", j->message_id));
		break;
	case SJ_QUERY:
		if (c)
			query_result(c, j);
		break;
	case SJ_POLL:
		smpp_receipt_dispatch(j);
		break;
	case SJ_CHECK:
		smpp_check_result(j);
		break;
	case SJ_ACK:
		break;
	}
}

static void concat_expire(struct smpp_conn *c, double now)
{
	for (struct smpp_concat *m = c->concat, *next; m; m = next) {
		next = m->next;
		if (now - m->started > SMPP_CONCAT_TIMEOUT) {
			log_warn("smpp.concat_timeout", LS("system_id", c->system_id), LI("ref", m->ref),
				 LI("got", m->got), LI("total", m->total));
			concat_fail(c, m, ESME_RSUBMITFAIL);
		}
	}
}

void smpp_session_tick(double now)
{
	int slot = 0;
	for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;) {
		if (c->closing)
			continue;
		concat_expire(c, now);
		smpp_conn_window(c);
		double idle = now - c->last_rx;
		if (idle > SMPP_IDLE_TIMEOUT) {
			log_info("smpp.idle_timeout", LI("conn", (uint32_t)c->id), LS("ip", c->ip));
			smpp_conn_close_after(c);
		} else if (idle > SMPP_ENQUIRE_AFTER && c->bound && now - c->last_enquire > SMPP_ENQUIRE_AFTER) {
			struct smpp_pdu e = {0};
			e.command_id = SMPP_ENQUIRE_LINK;
			e.seq = c->next_seq++;
			c->last_enquire = now;
			smpp_conn_send(c, &e);
		}
	}
	smpp_receipt_poll();
	smpp_bind_release(now);
}

void smpp_session_closed(struct smpp_conn *c)
{
	while (c->concat) {
		struct smpp_concat *m = c->concat;
		c->concat = m->next;
		concat_free(c, m);
	}
	if (c->acct && smpp_is_receiver(c->bound))
		c->acct->receivers--;
}
