/* smpp_conns.c — the SMPP thread's links: the connection table, each link's output queue and
 * the links to flush, the jobs in the store, and the per-account state that an account's binds
 * share. The PDU handlers (smpp_session.c, smpp_bind.c, smpp_check.c, smpp_receipt.c) and the
 * event loop (smpp.c) both call down to it; it calls neither. Only the SMPP thread touches it. */
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "smpp_conn.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

static struct {
	int ep;                         /* the loop's epoll instance */
	struct smpp_conn *conns[SMPP_MAX_CONNS];
	int top;                        /* slots [0, top) may be in use */
	uint64_t gen;
	int nconns;
	int in_store;                   /* jobs handed to the store, not back yet */
	int stopping;                   /* no more reading */
	struct smpp_conn *dirty[SMPP_MAX_CONNS];
	int ndirty;
} S = {.ep = -1};

static struct smpp_account_state *accounts;

struct smpp_account_state *smpp_account_state(int64_t id)
{
	for (struct smpp_account_state *a = accounts; a; a = a->next)
		if (a->id == id)
			return a;
	struct smpp_account_state *a = xcalloc(1, sizeof(*a));
	a->id = id;
	a->refilled = smpp_now();
	a->next = accounts;
	accounts = a;
	return a;
}

void smpp_accounts_reset(void)
{
	while (accounts) {
		struct smpp_account_state *next = accounts->next;
		free(accounts);
		accounts = next;
	}
}

int smpp_is_receiver(uint32_t bind)
{
	return bind == SMPP_BIND_RECEIVER || bind == SMPP_BIND_TRANSCEIVER;
}

void smpp_conns_init(int ep)
{
	S.ep = ep;
}

double smpp_now(void)
{
	return now_mono();
}

struct smpp_conn *smpp_conn_find(uint64_t id)
{
	uint32_t slot = (uint32_t)id;
	if (slot >= SMPP_MAX_CONNS || S.conns[slot] == NULL || S.conns[slot]->id != id)
		return NULL;
	return S.conns[slot];
}

struct smpp_conn *smpp_conn_next(int *slot)
{
	while (*slot < S.top) {
		struct smpp_conn *c = S.conns[(*slot)++];
		if (c)
			return c;
	}
	return NULL;
}

void smpp_conn_events(struct smpp_conn *c)
{
	struct epoll_event ev = {.events = (c->paused || c->closing ? 0 : EPOLLIN | EPOLLRDHUP) |
					   (c->want_out ? EPOLLOUT : 0),
				 .data.u64 = c->id};
	epoll_ctl(S.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void mark_dirty(struct smpp_conn *c)
{
	for (int i = 0; i < S.ndirty; i++)
		if (S.dirty[i] == c)
			return;
	S.dirty[S.ndirty++] = c;
}

void smpp_conn_send(struct smpp_conn *c, const struct smpp_pdu *p)
{
	if (c->woff == c->wbuf.len)
		c->last_tx = smpp_now();
	if (smpp_encode(p, &c->wbuf) < 0) {
		log_error("smpp.encode_failed", LS("command", smpp_cmd_name(p->command_id)));
		return;
	}
	mark_dirty(c);
}

void smpp_conn_reply(struct smpp_conn *c, uint32_t command_id, uint32_t seq, uint32_t status)
{
	struct smpp_pdu r = {0};
	int known = command_id == SMPP_BIND_RECEIVER || command_id == SMPP_BIND_TRANSMITTER ||
		    command_id == SMPP_BIND_TRANSCEIVER || command_id == SMPP_SUBMIT_SM ||
		    command_id == SMPP_QUERY_SM || command_id == SMPP_UNBIND ||
		    command_id == SMPP_ENQUIRE_LINK || command_id == SMPP_DELIVER_SM;
	r.command_id = known ? command_id | SMPP_RESP : SMPP_GENERIC_NACK;
	if (command_id == SMPP_SUBMIT_SM && status != ESME_ROK)
		metrics_smpp(MS_SUBMIT_REFUSED, 1);
	if (command_id == SMPP_SUBMIT_SM && status == ESME_RTHROTTLED)
		metrics_smpp(MS_THROTTLED, 1);
	r.status = status;
	r.seq = seq;
	smpp_conn_send(c, &r);
}

static int out_full(const struct smpp_conn *c)
{
	return c->wbuf.len - c->woff >= SMPP_OUT_HIGH;
}

int smpp_conn_should_pause(const struct smpp_conn *c)
{
	return c->pending >= SMPP_WINDOW || out_full(c) || S.stopping;
}

void smpp_conn_close_after(struct smpp_conn *c)
{
	if (!c->closing) {
		c->closing = 1;
		smpp_conn_events(c);
	}
	mark_dirty(c);
}

void smpp_conn_store(struct smpp_job *j)
{
	S.in_store++;
	smpp_store_push(j);
}

void smpp_conn_stored(void)
{
	S.in_store--;
}

int smpp_conns_in_store(void)
{
	return S.in_store;
}

void smpp_conns_stop(void)
{
	S.stopping = 1;
	int slot = 0;
	for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;) {
		c->paused = 1;
		smpp_conn_events(c);
	}
}

int smpp_conns_stopping(void)
{
	return S.stopping;
}

void smpp_conn_window(struct smpp_conn *c)
{
	if (c->paused && !c->closing && !smpp_conn_should_pause(c)) {
		c->paused = 0;
		smpp_conn_events(c);
		mark_dirty(c);      /* the loop handles the input it holds (smpp.c, flush_dirty) */
	}
}

/* Why a new connection from ip may not stay (NULL: it may). */
const char *smpp_conn_refusal(const char *ip)
{
	if (S.nconns >= cfg.smpp_max_connections)
		return "too_many_connections";
	int same = 0;
	for (int i = 0; i < S.top; i++)
		if (S.conns[i] && strcmp(S.conns[i]->ip, ip) == 0)
			same++;
	return same >= cfg.smpp_max_connections_per_ip ? "too_many_connections_from_address" : NULL;
}

int smpp_conn_add(struct smpp_conn *c)
{
	int slot = 0;
	while (S.conns[slot] != NULL)   /* nconns < SMPP_MAX_CONNS: a slot is free */
		slot++;
	c->id = (++S.gen << 32) | (uint32_t)slot;
	S.conns[slot] = c;
	S.nconns++;
	if (slot >= S.top)
		S.top = slot + 1;
	return slot;
}

void smpp_conn_remove(struct smpp_conn *c)
{
	for (int i = 0; i < S.ndirty; i++)
		if (S.dirty[i] == c)
			S.dirty[i] = S.dirty[--S.ndirty];
	S.conns[(uint32_t)c->id] = NULL;
	S.nconns--;
}

int smpp_conns_count(void)
{
	return S.nconns;
}

struct smpp_conn *smpp_conn_dirty(void)
{
	return S.ndirty > 0 ? S.dirty[--S.ndirty] : NULL;
}
