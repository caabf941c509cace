/* provider_smpp.c — the "smpp" provider: herald as an ESME bound to an upstream SMSC
 * (docs/smpp.md, "Upstream SMSC"). One non-blocking TCP link per provider object (so one per
 * dispatch worker), driven from the worker's loop: provider.c waits on its socket with curl's
 * and calls ready(), which does the link's I/O and timers and hands back finished messages.
 *   link      connect, bind_transceiver (system_id from the url, password the token), then up
 *             to `concurrency` submit_sm outstanding; enquire_link after
 *             HERALD_SMPP_ENQUIRE_LINK_S without traffic; a drop, a refused bind or a timeout
 *             closes the link and it is tried again after a backoff of 1 s doubling to 30 s
 *             (reset by a successful bind); unbind when the provider closes.
 *   message   one submit_sm each: the text in GSM 03.38 (unpacked) or UCS-2 (smpp_text.h), in
 *             short_message when it fits one SMS (160 septets, 140 octets), in message_payload
 *             otherwise (the SMSC segments it), registered_delivery 1 (a receipt asked); the
 *             submits of a round of the loop go out in one write.
 *   outcomes  submit_sm_resp ESME_ROK: sent, its message_id in m->ref; ESME_RTHROTTLED,
 *             ESME_RMSGQFUL and the SMSC's own failures: transient; any other status:
 *             permanent. No answer within HERALD_PROVIDER_TIMEOUT_MS (or the message's
 *             expires_at): the link is closed first, so that no late answer can come, then the
 *             message is a transient timeout. A link that goes down takes what it had in flight
 *             with it: those are transient ("connection lost"), their outcome unknown. While
 *             the link is down, a message submitted fails at once (transient, "connection ..."),
 *             which opens the provider's circuit; while it connects or binds, room is 0.
 *   receipts  a receipt (deliver_sm, esm_class 0x04): its SMSC id (the receipted_message_id
 *             TLV, else "id:" of the text) and its final state (message_state TLV, else
 *             "stat:") become a delivery report, queued for smsc_receipts.c, and the
 *             deliver_sm_resp says ESME_ROK; a full queue answers ESME_RMSGQFUL, and the SMSC
 *             sends it again. DELIVRD is delivered; UNDELIV, EXPIRED, DELETED and REJECTD
 *             undelivered; other states (ENROUTE, ACCEPTD, UNKNOWN) are not final and change
 *             nothing. Other deliver_sm (a phone's reply) are answered and ignored. */
#include "provider_impl.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "smpp_pdu.h"
#include "smpp_text.h"
#include "message_status.h"
#include "smsc_receipts.h"
#include "util.h"
#include "valid.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKOFF_FIRST_S 1.0
#define BACKOFF_MAX_S 30.0
#define THROTTLE_RETRY_MS 1000      /* a message the SMSC throttled waits at least this */
#define READS_PER_ROUND 64          /* reads of the link per ready(): the loop's other work goes on */
#define SM_GSM_MAX 160              /* septets (one per octet) in one short_message */
#define SM_UCS2_MAX 140             /* octets */

enum link_state { L_DOWN, L_CONNECTING, L_BINDING, L_BOUND };

struct pending {
	uint32_t seq;
	struct provider_msg *m;     /* NULL: a free slot */
	double t0, deadline;        /* monotonic */
};

struct smpp_provider {
	struct provider base;
	int64_t id;                 /* the providers row */
	char name[72];
	struct smpp_url url;
	char password[65];
	struct metrics_provider *mp;
	enum link_state state;
	int fd;
	struct buf out;             /* encoded, not yet written */
	size_t out_off;
	uint8_t *in;                /* SMPP_PDU_MAX bytes: what was read of the next PDUs */
	size_t in_len;
	struct pending *win;        /* cap slots */
	int cap, nwin;
	struct provider_msg **ready;   /* finished, not yet handed back (cap of them at most) */
	int nready;
	uint32_t seq;
	double retry_at, backoff, deadline, last_rx, enquire_at;   /* monotonic */
	int enquire_out;            /* an enquire_link waits for its answer */
	char down[200];             /* why the link is down ("" while it is up) */
};

static uint32_t next_seq(struct smpp_provider *sp)
{
	sp->seq = sp->seq >= 0x7FFFFFFF ? 1 : sp->seq + 1;
	return sp->seq;
}

static void put(struct smpp_provider *sp, const struct smpp_pdu *p)
{
	if (smpp_encode(p, &sp->out) < 0)
		log_error("provider.smpp_encode", LS("provider", sp->name), LS("command", smpp_cmd_name(p->command_id)));
}

/* Sends a PDU with no body but its header (enquire_link, unbind, their answers, generic_nack). */
static void put_header(struct smpp_provider *sp, uint32_t command_id, uint32_t status, uint32_t seq)
{
	struct smpp_pdu p;
	memset(&p, 0, sizeof(p));
	p.command_id = command_id;
	p.status = status;
	p.seq = seq;
	put(sp, &p);
}

/* Writes what is queued; -1 when the link failed. */
static int flush(struct smpp_provider *sp)
{
	while (sp->out_off < sp->out.len) {
		ssize_t n = send(sp->fd, sp->out.data + sp->out_off, sp->out.len - sp->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
		sp->out_off += (size_t)n;
	}
	buf_reset(&sp->out);
	sp->out_off = 0;
	return 0;
}

static void finish(struct smpp_provider *sp, struct provider_msg *m, enum provider_outcome o, enum metrics_result mr)
{
	m->outcome = o;
	metrics_provider(sp->mp, mr, m->latency);
	sp->ready[sp->nready++] = m;
}

static void release(struct smpp_provider *sp, struct pending *w)
{
	w->m = NULL;
	sp->nwin--;
}

/* Closes the link: what it had in flight is transient, its outcome unknown (timed out: the one
 * whose answer did not come in time); the next attempt after the backoff. */
static void link_down(struct smpp_provider *sp, const char *why, const struct pending *timed_out)
{
	double now = now_mono();
	for (int i = 0; i < sp->cap; i++) {
		struct pending *w = &sp->win[i];
		if (w->m == NULL)
			continue;
		struct provider_msg *m = w->m;
		m->latency = now - w->t0;
		m->timeout = w == timed_out;
		snprintf(m->error, sizeof(m->error), "%s", m->timeout ? "timeout: no submit_sm_resp in time" : why);
		finish(sp, m, PO_TRANSIENT, m->timeout ? MR_TIMEOUT : MR_TRANSIENT);
		release(sp, w);
	}
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	buf_reset(&sp->out);
	sp->out_off = sp->in_len = 0;
	sp->enquire_out = 0;
	sp->state = L_DOWN;
	sp->retry_at = now + sp->backoff;
	log_warn("provider.smpp_down", LS("provider", sp->name), LS("reason", why), LD("retry_in_s", sp->backoff));
	snprintf(sp->down, sizeof(sp->down), "%s", why);
	sp->backoff = sp->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : sp->backoff * 2;
}

static void connect_failed(struct smpp_provider *sp, const char *what)
{
	char why[200];
	snprintf(why, sizeof(why), "connection error: %.100s:%s: %s", sp->url.host, sp->url.port, what);
	link_down(sp, why, NULL);
}

/* Starts connecting. The host name is resolved here (getaddrinfo blocks while it resolves a
 * name; an address is instant). */
static void link_start(struct smpp_provider *sp)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai;
	int rc = getaddrinfo(sp->url.host, sp->url.port, &hints, &ai);
	if (rc != 0) {
		connect_failed(sp, gai_strerror(rc));
		return;
	}
	sp->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (sp->fd >= 0)
		setsockopt(sp->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (sp->fd < 0 || (connect(sp->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		int e = errno;
		freeaddrinfo(ai);
		connect_failed(sp, strerror(e));
		return;
	}
	freeaddrinfo(ai);
	sp->state = L_CONNECTING;
	sp->deadline = now_mono() + cfg.provider_timeout_ms / 1000.0;
}

static void send_bind(struct smpp_provider *sp)
{
	struct smpp_pdu p;
	memset(&p, 0, sizeof(p));
	p.command_id = SMPP_BIND_TRANSCEIVER;
	p.seq = next_seq(sp);
	snprintf(p.system_id, sizeof(p.system_id), "%s", sp->url.system_id);
	snprintf(p.password, sizeof(p.password), "%s", sp->password);
	p.interface_version = 0x34;
	put(sp, &p);
	sp->state = L_BINDING;
}

/* The transient statuses: the SMSC is busy or failed itself; the message may go later. */
static int status_transient(uint32_t st)
{
	return st == ESME_RTHROTTLED || st == ESME_RMSGQFUL || st == ESME_RSYSERR || st == ESME_RSUBMITFAIL ||
	       st == ESME_RINVBNDSTS || st == 0x64 /* ESME_RX_T_APPN */ || st == 0xFE /* ESME_RDELIVERYFAILURE */ ||
	       st == 0xFF /* ESME_RUNKNOWNERR */;
}

static struct pending *find(struct smpp_provider *sp, uint32_t seq)
{
	for (int i = 0; i < sp->cap; i++)
		if (sp->win[i].m && sp->win[i].seq == seq)
			return &sp->win[i];
	return NULL;
}

/* The answer to a submit_sm (a generic_nack counts as one with its status). */
static void on_submit_resp(struct smpp_provider *sp, const struct smpp_pdu *in)
{
	struct pending *w = find(sp, in->seq);
	if (w == NULL) {
		log_warn("provider.smpp_unexpected", LS("provider", sp->name), LS("command", smpp_cmd_name(in->command_id)),
			 LI("seq", in->seq));
		return;
	}
	struct provider_msg *m = w->m;
	m->latency = now_mono() - w->t0;
	release(sp, w);
	if (in->status == ESME_ROK && in->command_id != SMPP_GENERIC_NACK) {
		snprintf(m->ref, sizeof(m->ref), "%s", in->message_id);
		finish(sp, m, PO_SENT, MR_OK);
		return;
	}
	snprintf(m->error, sizeof(m->error), "SMSC answered %s with status 0x%08X", smpp_cmd_name(in->command_id),
		 (unsigned)in->status);
	if (status_transient(in->status)) {
		if (in->status == ESME_RTHROTTLED || in->status == ESME_RMSGQFUL)
			m->retry_after_ms = THROTTLE_RETRY_MS;
		finish(sp, m, PO_TRANSIENT, MR_TRANSIENT);
	} else {
		finish(sp, m, PO_PERMANENT, MR_PERMANENT);
	}
}

/* A receipt's "key:value" from its text ("" when absent). */
static void receipt_field(const struct smpp_pdu *in, const char *key, char *out, size_t outlen)
{
	out[0] = '\0';
	size_t klen = strlen(key);
	for (size_t i = 0; i + klen <= in->sm_len; i++) {
		if ((i > 0 && in->sm[i - 1] != ' ') || memcmp(in->sm + i, key, klen) != 0)
			continue;
		size_t k = 0;
		for (i += klen; i < in->sm_len && in->sm[i] != ' ' && k + 1 < outlen; i++)
			out[k++] = (char)(in->sm[i] >= 0x21 && in->sm[i] < 0x7F ? in->sm[i] : '?');
		out[k] = '\0';
		return;
	}
}

/* The delivery report status of a receipt's final state (stat: text, or the message_state TLV
 * when state is not 0, as its stat: word): MSG_DELIVERED, MSG_UNDELIVERED, or -1 when it is not
 * final (ENROUTE, ACCEPTD, UNKNOWN). */
static int receipt_status(const char *stat, int state)
{
	static const char *const undelivered[] = {"UNDELIV", "EXPIRED", "DELETED", "REJECTD"};
	if (state)
		stat = smpp_state_stat(state);
	if (strcmp(stat, "DELIVRD") == 0)
		return MSG_DELIVERED;
	for (size_t i = 0; i < ARRAY_LEN(undelivered); i++)
		if (strcmp(stat, undelivered[i]) == 0)
			return MSG_UNDELIVERED;
	return -1;
}

static void on_deliver(struct smpp_provider *sp, const struct smpp_pdu *in)
{
	struct smpp_pdu resp;
	memset(&resp, 0, sizeof(resp));
	resp.command_id = SMPP_DELIVER_SM | SMPP_RESP;
	resp.seq = in->seq;
	if ((in->esm_class & 0x3C) != 0x04) {
		put(sp, &resp);
		log_debug("provider.smpp_mo_ignored", LS("provider", sp->name), LS("from", in->source_addr));
		return;
	}
	char id[PROVIDER_REF_MAX + 1], stat[16], err[16], why[SMSC_ERROR_MAX + 1];
	receipt_field(in, "id:", id, sizeof(id));
	receipt_field(in, "stat:", stat, sizeof(stat));
	receipt_field(in, "err:", err, sizeof(err));
	const char *ref = in->has_receipted_id ? in->receipted_id : id;
	int status = receipt_status(stat, in->has_state ? in->tlv_state : 0);
	log_debug("provider.smpp_receipt", LS("provider", sp->name), LS("smsc_id", ref), LS("stat", stat),
		  LI("message_state", in->has_state ? in->tlv_state : 0));
	snprintf(why, sizeof(why), "%s%s%s", *stat ? stat : "undelivered", *err ? " err:" : "", err);
	if (status >= 0 && *ref && smsc_receipt_queue(sp->id, ref, status, status == MSG_UNDELIVERED ? why : NULL) < 0)
		resp.status = ESME_RMSGQFUL;
	put(sp, &resp);
}

static void on_pdu(struct smpp_provider *sp, const uint8_t *p, size_t len)
{
	struct smpp_pdu in;
	uint32_t rc = smpp_decode(p, len, &in);
	if (rc != ESME_ROK && !(in.command_id & SMPP_RESP)) {
		put_header(sp, SMPP_GENERIC_NACK, rc, in.seq);
		return;
	}
	switch (in.command_id) {
	case SMPP_BIND_TRANSCEIVER | SMPP_RESP:
		if (sp->state != L_BINDING)
			break;
		if (in.status != ESME_ROK || rc != ESME_ROK) {
			char why[200];
			snprintf(why, sizeof(why), "connection refused: bind_transceiver answered with status 0x%08X",
				 (unsigned)in.status);
			link_down(sp, why, NULL);
			return;
		}
		sp->state = L_BOUND;
		sp->backoff = BACKOFF_FIRST_S;
		sp->down[0] = '\0';
		log_info("provider.smpp_bound", LS("provider", sp->name), LS("host", sp->url.host),
			 LS("port", sp->url.port), LS("system_id", sp->url.system_id), LS("smsc", in.system_id));
		break;
	case SMPP_SUBMIT_SM | SMPP_RESP:
	case SMPP_GENERIC_NACK:
		if (rc != ESME_ROK)
			in.status = rc;
		on_submit_resp(sp, &in);
		break;
	case SMPP_DELIVER_SM:
		on_deliver(sp, &in);
		break;
	case SMPP_ENQUIRE_LINK:
		put_header(sp, SMPP_ENQUIRE_LINK | SMPP_RESP, ESME_ROK, in.seq);
		break;
	case SMPP_ENQUIRE_LINK | SMPP_RESP:
		sp->enquire_out = 0;
		break;
	case SMPP_UNBIND:
		put_header(sp, SMPP_UNBIND | SMPP_RESP, ESME_ROK, in.seq);
		flush(sp);
		link_down(sp, "connection lost: the SMSC unbound", NULL);
		return;
	default:
		if (!(in.command_id & SMPP_RESP))
			put_header(sp, SMPP_GENERIC_NACK, ESME_RINVCMDID, in.seq);
	}
}

/* Reads and handles what came; -1 with why set when the link failed. */
static int receive(struct smpp_provider *sp, char *why, size_t whylen)
{
	for (int reads = 0; reads < READS_PER_ROUND; reads++) {
		ssize_t n = recv(sp->fd, sp->in + sp->in_len, SMPP_PDU_MAX - sp->in_len, MSG_DONTWAIT);
		if (n == 0) {
			snprintf(why, whylen, "connection lost: the SMSC closed the connection");
			return -1;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			snprintf(why, whylen, "connection lost: %s", strerror(errno));
			return -1;
		}
		sp->in_len += (size_t)n;
		size_t off = 0;
		for (;;) {
			uint32_t len, seq;
			int whole = smpp_frame(sp->in + off, sp->in_len - off, SMPP_PDU_MAX, &len, &seq);
			if (whole < 0) {
				snprintf(why, whylen, "connection lost: a PDU of %u bytes from the SMSC", (unsigned)len);
				return -1;
			}
			if (!whole)
				break;
			sp->last_rx = now_mono();
			on_pdu(sp, sp->in + off, len);
			if (sp->state == L_DOWN)   /* the link went with what was read */
				return 0;
			off += len;
		}
		memmove(sp->in, sp->in + off, sp->in_len - off);
		sp->in_len -= off;
	}
	return 0;
}

/* The link's I/O and timers. */
static void drive(struct smpp_provider *sp)
{
	double now = now_mono();
	char why[200];
	if (sp->state == L_DOWN) {
		if (now < sp->retry_at)
			return;
		link_start(sp);
		if (sp->state == L_DOWN)
			return;
	}
	if (sp->state == L_CONNECTING) {
		struct pollfd pf = {sp->fd, POLLOUT, 0};
		int err = 0;
		socklen_t elen = sizeof(err);
		if (poll(&pf, 1, 0) == 1) {
			if (getsockopt(sp->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err != 0) {
				connect_failed(sp, strerror(err ? err : errno));
				return;
			}
			sp->last_rx = now;
			send_bind(sp);
		}
	}
	if ((sp->state == L_CONNECTING || sp->state == L_BINDING) && now >= sp->deadline) {
		link_down(sp, sp->state == L_CONNECTING ? "connection error: connect timed out" :
			  "connection error: no bind_transceiver_resp in time", NULL);
		return;
	}
	if (sp->state != L_CONNECTING && receive(sp, why, sizeof(why)) < 0) {
		link_down(sp, why, NULL);
		return;
	}
	if (sp->state == L_DOWN)
		return;
	for (int i = 0; i < sp->cap; i++)
		if (sp->win[i].m && now >= sp->win[i].deadline) {
			link_down(sp, "connection lost: closed after a submit_sm_resp did not come in time", &sp->win[i]);
			return;
		}
	if (sp->state == L_BOUND && sp->enquire_out && now >= sp->enquire_at + cfg.provider_timeout_ms / 1000.0) {
		link_down(sp, "connection lost: no enquire_link_resp in time", NULL);
		return;
	}
	if (sp->state == L_BOUND && !sp->enquire_out && now - sp->last_rx >= cfg.smpp_enquire_link_s) {
		put_header(sp, SMPP_ENQUIRE_LINK, ESME_ROK, next_seq(sp));
		sp->enquire_out = 1;
		sp->enquire_at = now;
	}
	if (sp->state != L_CONNECTING && flush(sp) < 0) {
		snprintf(why, sizeof(why), "connection lost: %s", strerror(errno));
		link_down(sp, why, NULL);
	}
}

static struct provider *sp_open(struct provider_loop *l, const struct provider_conf *c, int concurrency)
{
	(void)l;
	struct smpp_provider *sp = xcalloc(1, sizeof(*sp));
	if (smpp_url_parse(c->url, &sp->url) < 0 || strlen(c->token) >= sizeof(sp->password)) {
		log_error("provider.smpp_bad_conf", LS("provider", c->name),
			  LS("reason", "its url is not an smpp:// url of src/valid.h, or its password is over 64 characters"));
		free(sp);
		return NULL;
	}
	sp->id = c->id;
	snprintf(sp->name, sizeof(sp->name), "%s", c->name);
	snprintf(sp->password, sizeof(sp->password), "%s", c->token);
	sp->mp = metrics_provider_of(c->name);
	sp->fd = -1;
	sp->cap = concurrency;
	sp->win = xcalloc((size_t)concurrency, sizeof(*sp->win));
	sp->ready = xcalloc((size_t)concurrency, sizeof(*sp->ready));
	sp->in = xmalloc(SMPP_PDU_MAX);
	sp->backoff = BACKOFF_FIRST_S;
	sp->retry_at = now_mono();
	log_info("provider.opened", LS("provider", c->name), LS("kind", "smpp"), LS("host", sp->url.host),
		 LS("port", sp->url.port), LS("system_id", sp->url.system_id), LI("window", concurrency),
		 LI("timeout_ms", cfg.provider_timeout_ms));
	drive(sp);
	return &sp->base;
}

static void sp_close(struct provider *p)
{
	struct smpp_provider *sp = (struct smpp_provider *)p;
	if (sp->state == L_BOUND) {   /* the unbind_resp is not waited for */
		put_header(sp, SMPP_UNBIND, ESME_ROK, next_seq(sp));
		flush(sp);
	}
	if (sp->fd >= 0)
		close(sp->fd);
	buf_free(&sp->out);
	free(sp->in);
	free(sp->win);
	free(sp->ready);
	free(sp);
}

static int sp_room(const struct provider *p)
{
	const struct smpp_provider *sp = (const struct smpp_provider *)p;
	if (sp->state == L_CONNECTING || sp->state == L_BINDING)
		return 0;
	return sp->cap - sp->nwin - sp->nready;
}

static int sp_inflight(const struct provider *p)
{
	const struct smpp_provider *sp = (const struct smpp_provider *)p;
	return sp->nwin + sp->nready;
}

static void sp_submit(struct provider *p, struct provider_msg *m)
{
	struct smpp_provider *sp = (struct smpp_provider *)p;
	double left = m->expires_at - now_real() - PROVIDER_SEND_GUARD_S;
	if (sp->state != L_BOUND || left <= 0 || !is_digits(m->phone, strlen(m->phone)) || strlen(m->phone) > 20) {
		snprintf(m->error, sizeof(m->error), "%s", sp->state != L_BOUND ? sp->down : left <= 0 ?
			 "expires_at reached before sending" : "phone is not digits");
		finish(sp, m, sp->state == L_BOUND && left > 0 ? PO_PERMANENT : PO_TRANSIENT,
		       sp->state == L_BOUND && left > 0 ? MR_PERMANENT : MR_TRANSIENT);
		return;
	}
	struct buf text = BUF_INIT;
	struct smpp_pdu s;
	memset(&s, 0, sizeof(s));
	s.command_id = SMPP_SUBMIT_SM;
	s.seq = next_seq(sp);
	s.dst_ton = 1;
	s.dst_npi = 1;
	snprintf(s.destination_addr, sizeof(s.destination_addr), "%s", m->phone);
	s.registered_delivery = 1;
	s.data_coding = (uint8_t)smpp_text_encode(m->text, &text);
	if (text.len <= (s.data_coding == 0 ? SM_GSM_MAX : SM_UCS2_MAX)) {
		s.sm = (const uint8_t *)text.data;
		s.sm_len = text.len;
	} else {
		s.payload = (const uint8_t *)text.data;
		s.payload_len = text.len;
		s.has_payload = 1;
	}
	size_t before = sp->out.len;
	put(sp, &s);
	buf_free(&text);
	if (sp->out.len == before) {
		snprintf(m->error, sizeof(m->error), "the text does not fit one submit_sm");
		finish(sp, m, PO_PERMANENT, MR_PERMANENT);
		return;
	}
	struct pending *w = sp->win;
	while (w->m)
		w++;
	double now = now_mono(), tmo = cfg.provider_timeout_ms / 1000.0;
	*w = (struct pending){s.seq, m, now, now + (left < tmo ? left : tmo)};
	sp->nwin++;   /* written with the round's other submits when the loop drives the link (sp_ready) */
}

static int sp_ready(struct provider *p, struct provider_msg **done, int max)
{
	struct smpp_provider *sp = (struct smpp_provider *)p;
	drive(sp);
	int k = 0;
	while (k < max && sp->nready > 0)
		done[k++] = sp->ready[--sp->nready];
	return k;
}

static int sp_wait_fd(const struct provider *p, short *events)
{
	const struct smpp_provider *sp = (const struct smpp_provider *)p;
	*events = (short)(sp->state == L_CONNECTING || sp->out.len > sp->out_off ? POLLIN | POLLOUT : POLLIN);
	return sp->fd;
}

const struct provider_ops provider_smpp_ops = {
	"smpp", sp_open, sp_close, sp_room, sp_inflight, sp_submit, sp_ready, NULL, sp_wait_fd,
};
