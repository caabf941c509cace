/* dispatch.c — the dispatcher role: claims due messages in batches, sends them through the
 * provider, writes the outcomes back in batches.
 *
 * cfg.dispatch_workers threads, each with its own database connection and its own provider
 * (cfg.provider_concurrency is split between them), so a slow or failing provider never holds a
 * connection or thread of the HTTP API. A worker loops:
 *   claim   one UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING …:
 *           due rows become 'sending' with a lease, rows past expires_at become 'expired';
 *   send    queued messages go to the provider while it has room, the circuit breaker allows it
 *           and the token bucket (cfg.provider_rate) has tokens; none starts after expires_at;
 *   write   finished ones are written back with one UPDATE … FROM unnest(…) per batch (the
 *           message_counts / message_minutes triggers keep the counters).
 * The claim and the write go to PostgreSQL asynchronously (PQsendQueryPrepared; the connection's
 * socket is polled together with curl's), so transfers go on while the database works; at most
 * one statement is in flight per worker, and the outcomes that finish meanwhile collect for the
 * next write.
 * A transient failure goes back to pending with due_at = now + backoff (full jitter between 0
 * and min(retry_max, retry_base * 2^(attempts-1)); Retry-After when the provider gave one), kept
 * inside the send window, or becomes expired when that is past expires_at. Leases of a crashed
 * instance (status 1, lease_until < now) return to pending. When idle a worker sleeps on its
 * connection (LISTEN herald_messages) until the next due_at, at most 1 s.
 *
 * Logging: per-message events (claimed, attempt with latency and outcome, retry with its delay,
 * final status) are debug lines, since at a million messages they would be the whole log; each
 * worker writes an info "dispatch.progress" summary every 5 s while it has work, circuit breaker
 * changes are warn/info, and the scheduler logs each mailing's start and end at info. */
#include "dispatch.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "provider.h"
#include "util.h"
#include "window.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define BREAKER_THRESHOLD 20        /* consecutive transient failures that open the circuit */
#define BREAKER_COOLDOWN_MIN 1.0    /* seconds before the first half-open probe */
#define BREAKER_COOLDOWN_MAX 30.0
#define IDLE_MAX_MS 1000            /* longest sleep when nothing is due */
#define IDLE_MIN_MS 20
#define FLUSH_EVERY_S 0.1           /* outcomes wait at most this long before being written: each
				     * statement costs ~5 ms of trigger and planning whatever its size */
#define MAINTAIN_EVERY_S 1.0        /* lease recovery */
#define PROGRESS_EVERY_S 5.0
#define TEXT_CACHE 16               /* mailing texts kept per worker */
#define CANCEL_CHECK_S 0.2          /* queued messages of cancelled mailings are dropped this fast */

/* ---- circuit breaker and token bucket: shared by the workers of this process ---- */

enum { CB_CLOSED, CB_OPEN, CB_HALF };
static const char *const cb_names[] = {"closed", "open", "half-open"};

static struct {
	pthread_mutex_t mu;
	int state, fails, probing;
	double until, cooldown;
} cb = {PTHREAD_MUTEX_INITIALIZER, CB_CLOSED, 0, 0, 0, BREAKER_COOLDOWN_MIN};

static void cb_set(int state)
{
	if (cb.state != state)
		log_emit(state == CB_OPEN ? LOG_WARN : LOG_INFO, "provider.circuit",
			 (const struct log_field[]){LS("state", cb_names[state]), LI("failures", cb.fails),
						    LD("cooldown_s", cb.cooldown), LEND});
	cb.state = state;
	metrics_circuit(state);
}

/* 1 when a request may start now; in half-open state only one probe is let through. */
static int cb_allow(void)
{
	pthread_mutex_lock(&cb.mu);
	int ok = cb.state == CB_CLOSED;
	if (cb.state == CB_OPEN && now_mono() >= cb.until) {
		cb_set(CB_HALF);
		cb.probing = 0;
	}
	if (cb.state == CB_HALF && !cb.probing) {
		cb.probing = 1;
		ok = 1;
	}
	pthread_mutex_unlock(&cb.mu);
	return ok;
}

/* 1 while the circuit is open and its cool-down has not ended (nothing should be claimed). */
static int cb_blocked(void)
{
	pthread_mutex_lock(&cb.mu);
	int b = cb.state == CB_HALF || (cb.state == CB_OPEN && now_mono() < cb.until);
	pthread_mutex_unlock(&cb.mu);
	return b;
}

/* Records a provider answer: failed = transient failure of the provider (5xx, 429, timeout,
 * connection error, bad body); anything else shows the provider is up. */
static void cb_record(int failed)
{
	pthread_mutex_lock(&cb.mu);
	if (cb.state == CB_HALF) {
		cb.probing = 0;
		if (failed) {
			cb.cooldown = fmin(cb.cooldown * 2, BREAKER_COOLDOWN_MAX);
			cb.until = now_mono() + cb.cooldown;
			cb_set(CB_OPEN);
		} else {
			cb.fails = 0;
			cb.cooldown = BREAKER_COOLDOWN_MIN;
			cb_set(CB_CLOSED);
		}
	} else if (cb.state == CB_CLOSED) {
		cb.fails = failed ? cb.fails + 1 : 0;
		if (cb.fails >= BREAKER_THRESHOLD) {
			cb.until = now_mono() + cb.cooldown;
			cb_set(CB_OPEN);
		}
	}
	pthread_mutex_unlock(&cb.mu);
}

static struct {
	pthread_mutex_t mu;
	double tokens, last;
} bucket = {PTHREAD_MUTEX_INITIALIZER, 0, 0};

/* Takes up to want tokens (cfg.provider_rate per second, burst of 1/20 s); returns how many. */
static int bucket_take(int want)
{
	if (cfg.provider_rate <= 0)
		return want;
	double burst = fmax(1.0, cfg.provider_rate / 20.0), now = now_mono();
	pthread_mutex_lock(&bucket.mu);
	bucket.tokens = fmin(burst, bucket.tokens + (now - bucket.last) * cfg.provider_rate);
	bucket.last = now;
	int got = (int)fmin(want, floor(bucket.tokens));
	bucket.tokens -= got;
	pthread_mutex_unlock(&bucket.mu);
	return got;
}

/* ---- SQL ---- */

static const char sql_claim[] =
    "WITH c AS (SELECT id FROM messages WHERE status = 0 AND due_at <= now()"
    "            ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED),"
    " u AS (UPDATE messages m SET"
    "   status = CASE WHEN m.expires_at <= now() THEN 4 ELSE 1 END,"
    "   lease_until = CASE WHEN m.expires_at <= now() THEN NULL"
    "                 ELSE now() + $2 * interval '1 millisecond' END,"
    "   attempts = m.attempts + CASE WHEN m.expires_at <= now() THEN 0 ELSE 1 END,"
    "   last_error = CASE WHEN m.expires_at <= now()"
    "                THEN coalesce(m.last_error, 'end_at passed before it could be sent') ELSE m.last_error END"
    "   FROM c WHERE m.id = c.id"
    "   RETURNING m.id, m.mailing_id, m.client_id, m.phone, m.text, m.status,"
    "             extract(epoch FROM m.expires_at) AS exp, m.attempts)"
    " SELECT id, mailing_id, client_id, phone, text, status, exp, attempts FROM u";

/* One statement per batch of outcomes: $1 ids, $2 statuses (0 retry, 2 sent, 3 failed,
 * 4 expired), $3 retry delays in ms, $4 errors. A retry stays inside the send window of its
 * mailing, and becomes expired when its next try would be at or past expires_at. */
#define RETRY_AT "(now() + u.d * interval '1 millisecond')"
static const char sql_write[] =
    "UPDATE messages m SET"
    " status = CASE WHEN u.s = 0 AND " RETRY_AT " >= m.expires_at THEN 4 ELSE u.s END,"
    " due_at = CASE WHEN u.s <> 0 THEN m.due_at ELSE least(m.expires_at, coalesce("
    "   (SELECT " SQL_WINDOW_NEXT(RETRY_AT, "c.timezone", "g.window_start", "g.window_end")
    "      FROM mailings g JOIN clients c ON c.id = m.client_id"
    "     WHERE g.id = m.mailing_id AND g.window_start IS NOT NULL), " RETRY_AT ")) END,"
    " lease_until = NULL,"
    " sent_at = CASE WHEN u.s = 2 THEN now() ELSE m.sent_at END,"
    " last_error = u.e"
    " FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::text[]) AS u(id, s, d, e)"
    " WHERE m.id = u.id AND m.status = 1";

/* Messages claimed but not sent (released = 1) or whose outcome is unknown (0) go back. */
static const char sql_release[] =
    "UPDATE messages SET status = 0, lease_until = NULL, attempts = attempts - $2::int"
    " WHERE id = ANY($1::bigint[]) AND status = 1";

static const char sql_recover[] =
    "UPDATE messages SET status = 0, lease_until = NULL"
    " WHERE id IN (SELECT id FROM messages WHERE status = 1 AND lease_until < now()"
    "              ORDER BY lease_until LIMIT 10000 FOR UPDATE SKIP LOCKED)";

static const char sql_next_due[] =
    "SELECT extract(epoch FROM min(due_at) - now()) * 1000 FROM messages WHERE status = 0";

static const char sql_text[] = "SELECT text FROM mailings WHERE id = $1";

static const char sql_cancelled[] =
    "SELECT id FROM mailings WHERE id = ANY($1::bigint[]) AND status = 'cancelled'";

/* ---- a worker ---- */

struct result {
	struct provider_msg *m;
	int status;           /* 0 retry, 2 sent, 3 failed, 4 expired, 5 cancelled */
	long delay_ms;
};

struct worker {
	int idx, conc, cap;          /* cap: messages held at once (queued + in flight + written) */
	pthread_t thread;
	struct db *db;
	struct provider *prov;
	struct provider_msg *pool;
	struct provider_msg **free_msgs;
	int nfree;
	struct provider_msg **queue; /* claimed, not yet submitted: FIFO ring */
	int qhead, qlen;
	struct result *res, *wres;   /* outcomes collecting / being written */
	int nres, nwres;
	int pending;                 /* statement in flight on db: P_NONE, P_CLAIM, P_WRITE */
	int claim_want;
	struct provider_msg **done;
	double last_flush, last_maintain, next_claim, last_progress, last_cancel_check;
	struct { int64_t mailing_id; char *text; } texts[TEXT_CACHE];
	int text_next;
	long n_claimed, n_sent, n_retry, n_failed, n_expired, n_released, n_cancelled;
	char last_error[256];        /* of the last failed attempt since the last progress line */
	struct buf a_ids, a_st, a_delay, a_err;
};

enum { P_NONE, P_CLAIM, P_WRITE };

static int db_wait(struct worker *w, int block);
static void end_write(struct worker *w, int ok);

static struct worker *workers;
static int nworkers;
static atomic_int stopping;

static long lease_ms(void)
{
	return 2L * cfg.provider_timeout_ms + 5000;
}

static int connect_db(struct worker *w)
{
	char err[512];
	if (w->db && PQstatus(w->db->conn) == CONNECTION_OK)
		return 0;
	if (w->pending == P_WRITE)      /* its outcome is unknown: write those outcomes again */
		end_write(w, 0);
	w->pending = P_NONE;
	db_close(w->db);
	w->db = db_connect(cfg.database_url, err, sizeof(err));
	if (w->db == NULL) {
		log_error("dispatch.db_unreachable", LI("worker", w->idx), LS("error", err));
		return -1;
	}
	/* Every statement here reaches rows by key. A generic plan of the claim guesses its LIMIT
	 * at a tenth of the table and hash-joins a sequential scan of messages (measured 40-190 ms
	 * per claim at 100k rows); custom plans do the same once a batch is a few percent of the
	 * table. Custom plans without sequential scans keep the claim at ~25 us a row. */
	if (db_simple(w->db, "SET application_name = 'herald-dispatch'; SET plan_cache_mode = force_custom_plan;"
			     " SET enable_seqscan = off; LISTEN herald_messages") < 0)
		return -1;
	/* claim and write run asynchronously (PQsendQueryPrepared) so that the provider's
	 * transfers go on while the database works */
	PGresult *r1 = PQprepare(w->db->conn, "dispatch_claim", sql_claim, 2, NULL);
	PGresult *r2 = PQprepare(w->db->conn, "dispatch_write", sql_write, 4, NULL);
	int ok = PQresultStatus(r1) == PGRES_COMMAND_OK && PQresultStatus(r2) == PGRES_COMMAND_OK;
	PQclear(r1);
	PQclear(r2);
	if (!ok) {
		log_error("dispatch.prepare_failed", LI("worker", w->idx), LS("error", PQerrorMessage(w->db->conn)));
		db_close(w->db);
		w->db = NULL;
		return -1;
	}
	w->pending = P_NONE;
	w->next_claim = 0;
	return 0;
}

/* Reads pending notifications; 1 when there was at least one. */
static int drain_notifies(struct worker *w)
{
	int got = 0;
	PGnotify *n;
	PQconsumeInput(w->db->conn);
	while ((n = PQnotifies(w->db->conn)) != NULL) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

static const char *mailing_text(struct worker *w, int64_t mailing_id)
{
	for (int i = 0; i < TEXT_CACHE; i++)
		if (w->texts[i].text && w->texts[i].mailing_id == mailing_id)
			return w->texts[i].text;
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)mailing_id);
	const char *p[] = {id};
	PGresult *r = db_exec(w->db, sql_text, 1, p);
	if (r == NULL)
		return NULL;
	int slot = w->text_next++ % TEXT_CACHE;
	free(w->texts[slot].text);
	w->texts[slot].mailing_id = mailing_id;
	w->texts[slot].text = PQntuples(r) ? xstrdup(db_str(r, 0, 0)) : NULL;
	PQclear(r);
	return w->texts[slot].text;
}

static void msg_free(struct worker *w, struct provider_msg *m)
{
	free(m->phone);
	free(m->text);
	m->phone = m->text = NULL;
	w->free_msgs[w->nfree++] = m;
}

static void queue_push(struct worker *w, struct provider_msg *m)
{
	w->queue[(w->qhead + w->qlen++) % w->cap] = m;
}

static struct provider_msg *queue_pop(struct worker *w)
{
	struct provider_msg *m = w->queue[w->qhead];
	w->qhead = (w->qhead + 1) % w->cap;
	w->qlen--;
	return m;
}

static void add_result(struct worker *w, struct provider_msg *m, int status, long delay_ms)
{
	w->res[w->nres++] = (struct result){m, status, delay_ms};
}

/* Appends v to a PostgreSQL array literal in b (quoted, NULL when v is NULL or empty). */
static void array_text(struct buf *b, const char *v)
{
	buf_putc(b, b->len > 1 ? ',' : '{');
	if (v == NULL || *v == '\0') {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *v);
	}
	buf_putc(b, '"');
}

static void array_start(struct buf *b)
{
	buf_reset(b);
	buf_putc(b, '{');
}

static void array_int(struct buf *b, long long v)
{
	buf_printf(b, b->len > 1 ? ",%lld" : "%lld", v);
}

/* Sends every collected outcome as one statement (asynchronously); the outcomes move to wres
 * until end_write(). 0, or -1 when it could not be sent (they stay collected). */
static int start_write(struct worker *w)
{
	w->last_flush = now_mono();
	if (w->nres == 0 || w->pending != P_NONE)
		return 0;
	array_start(&w->a_ids);
	array_start(&w->a_st);
	array_start(&w->a_delay);
	buf_reset(&w->a_err);
	for (int i = 0; i < w->nres; i++) {
		struct result *r = &w->res[i];
		array_int(&w->a_ids, r->m->id);
		array_int(&w->a_st, r->status);
		array_int(&w->a_delay, r->delay_ms);
		array_text(&w->a_err, r->status == 2 ? NULL : r->m->error);
	}
	buf_putc(&w->a_ids, '}');
	buf_putc(&w->a_st, '}');
	buf_putc(&w->a_delay, '}');
	buf_putc(&w->a_err, '}');
	const char *p[] = {w->a_ids.data, w->a_st.data, w->a_delay.data, w->a_err.data};
	if (connect_db(w) < 0 || !PQsendQueryPrepared(w->db->conn, "dispatch_write", 4, p, NULL, NULL, 0))
		return -1;
	struct result *t = w->wres;
	w->wres = w->res;
	w->nwres = w->nres;
	w->res = t;
	w->nres = 0;
	w->pending = P_WRITE;
	return 0;
}

/* The write of wres finished: ok, or failed (the outcomes go back to be written again). */
static void end_write(struct worker *w, int ok)
{
	if (!ok) {
		memcpy(w->res + w->nres, w->wres, sizeof(*w->res) * (size_t)w->nwres);
		w->nres += w->nwres;
		w->nwres = 0;
		return;
	}
	double now = now_real();
	for (int i = 0; i < w->nwres; i++) {
		struct result *r = &w->wres[i];
		struct provider_msg *m = r->m;
		int final = r->status;
		if (final == 0 && now + r->delay_ms / 1000.0 >= m->expires_at)
			final = 4;
		if (final == 0) {
			w->n_retry++;
			metrics_dispatch(MD_RETRY, 1);
			log_debug("message.retry", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
				  LI("client_id", m->client_id), LI("attempts", m->attempts), LI("delay_ms", r->delay_ms),
				  LS("error", m->error));
		} else {
			static const char *const names[] = {"pending", "sending", "sent", "failed", "expired", "cancelled"};
			long *n = final == 2 ? &w->n_sent : final == 3 ? &w->n_failed : final == 4 ? &w->n_expired : &w->n_cancelled;
			(*n)++;
			metrics_dispatch(final == 2 ? MD_SENT : final == 3 ? MD_FAILED : final == 4 ? MD_EXPIRED : MD_CANCELLED, 1);
			log_debug("message.final", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
				  LI("client_id", m->client_id), LS("status", names[final]),
				  LI("attempts", m->attempts), LS("error", final == 2 ? NULL : m->error));
		}
		msg_free(w, m);
	}
	w->nwres = 0;
}

/* Puts messages back to pending: the queue (never sent: attempts given back) or, with
 * all_inflight, every message still in the provider (outcome unknown). */
static void release(struct worker *w, struct provider_msg **ms, int n, int never_sent)
{
	if (n == 0)
		return;
	if (w->db)
		db_wait(w, 1);
	array_start(&w->a_ids);
	for (int i = 0; i < n; i++)
		array_int(&w->a_ids, ms[i]->id);
	buf_putc(&w->a_ids, '}');
	const char *p[] = {w->a_ids.data, never_sent ? "1" : "0"};
	if (connect_db(w) == 0 && db_run(w->db, sql_release, 2, p) == 0) {
		w->n_released += n;
		metrics_dispatch(MD_RELEASED, (unsigned)n);
	}
	for (int i = 0; i < n; i++)
		msg_free(w, ms[i]);
}

static void release_queue(struct worker *w)
{
	struct provider_msg **tmp = xmalloc(sizeof(*tmp) * (size_t)(w->qlen + 1));
	int n = 0;
	while (w->qlen > 0)
		tmp[n++] = queue_pop(w);
	release(w, tmp, n, 1);
	free(tmp);
}

static long backoff_ms(int attempts)
{
	double cap = cfg.retry_base_ms * pow(2.0, attempts > 1 ? attempts - 1 : 0);
	if (cap > cfg.retry_max_ms)
		cap = cfg.retry_max_ms;
	uint32_t r;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)rand();
	return (long)(cap * (r / 4294967296.0));
}

static void on_done(struct worker *w, struct provider_msg *m)
{
	metrics_inflight_add(-1);
	log_debug("message.attempt", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
		  LI("client_id", m->client_id), LI("attempt", m->attempts), LD("latency_ms", m->latency * 1000),
		  LS("outcome", m->outcome == PO_SENT ? "sent" : m->outcome == PO_PERMANENT ? "permanent" : "transient"),
		  LI("http_status", m->http_status), LS("error", m->error[0] ? m->error : NULL));
	if (m->outcome != PO_SENT)
		snprintf(w->last_error, sizeof(w->last_error), "%s", m->error);
	if (m->outcome == PO_SENT) {
		cb_record(0);
		add_result(w, m, 2, 0);
	} else if (m->outcome == PO_PERMANENT) {
		cb_record(0);
		add_result(w, m, 3, 0);
	} else {
		if (m->http_status || m->timeout || strncmp(m->error, "connection", 10) == 0)
			cb_record(1);
		long d = m->retry_after_ms >= 0 ? m->retry_after_ms : backoff_ms(m->attempts);
		add_result(w, m, 0, d);
	}
}

/* Sends the claim of up to n due messages (asynchronously); 0 or -1. */
static int start_claim(struct worker *w, int n)
{
	char sn[16], sl[24];
	snprintf(sn, sizeof(sn), "%d", n);
	snprintf(sl, sizeof(sl), "%ld", lease_ms());
	const char *p[] = {sn, sl};
	if (connect_db(w) < 0 || !PQsendQueryPrepared(w->db->conn, "dispatch_claim", 2, p, NULL, NULL, 0))
		return -1;
	w->claim_want = n;
	w->pending = P_CLAIM;
	return 0;
}

/* Takes the claimed rows of r into the queue; returns how many rows came back. */
static int end_claim(struct worker *w, PGresult *r)
{
	int rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		struct provider_msg *m = w->free_msgs[--w->nfree];
		memset(m, 0, sizeof(*m));
		m->id = db_i64(r, i, 0);
		m->mailing_id = db_i64(r, i, 1);
		m->client_id = db_i64(r, i, 2);
		m->phone = xstrdup(db_str(r, i, 3));
		m->expires_at = strtod(db_str(r, i, 6), NULL);
		m->attempts = (int)db_i64(r, i, 7);
		int status = (int)db_i64(r, i, 5);
		if (status == 4) {     /* already past expires_at: the claim expired it */
			w->n_expired++;
			metrics_dispatch(MD_EXPIRED, 1);
			log_debug("message.final", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
				  LI("client_id", m->client_id), LS("status", "expired"), LI("attempts", m->attempts));
			msg_free(w, m);
			continue;
		}
		const char *text = db_null(r, i, 4) ? (m->mailing_id ? mailing_text(w, m->mailing_id) : NULL)
						    : db_str(r, i, 4);
		m->text = xstrdup(text ? text : "");
		w->n_claimed++;
		log_debug("message.claimed", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
			  LI("client_id", m->client_id), LI("attempt", m->attempts));
		queue_push(w, m);
	}
	return rows;
}

/* Milliseconds until the next pending message is due (IDLE_MIN_MS..IDLE_MAX_MS). */
static int next_due_ms(struct worker *w)
{
	PGresult *r = db_exec(w->db, sql_next_due, 0, NULL);
	double ms = IDLE_MAX_MS;
	if (r && !db_null(r, 0, 0))
		ms = strtod(db_str(r, 0, 0), NULL);
	if (r)
		PQclear(r);
	return ms < IDLE_MIN_MS ? IDLE_MIN_MS : ms > IDLE_MAX_MS ? IDLE_MAX_MS : (int)ms;
}

/* Completes the statement in flight: with block, waits for it; otherwise only when its result
 * is already here. Returns 1 when nothing is in flight any more. */
static int db_wait(struct worker *w, int block)
{
	if (w->pending == P_NONE)
		return 1;
	PGconn *c = w->db->conn;
	if (!block && (!PQconsumeInput(c) || PQisBusy(c)) && PQstatus(c) == CONNECTION_OK)
		return 0;
	PGresult *r, *tuples = NULL;
	int ok = 1;
	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_TUPLES_OK && tuples == NULL) {
			tuples = r;
			continue;
		}
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			ok = 0;
			log_error("dispatch.db_error", LI("worker", w->idx), LS("error", PQresultErrorMessage(r)));
		}
		PQclear(r);
	}
	if (PQstatus(c) != CONNECTION_OK)
		ok = 0;
	int what = w->pending;
	w->pending = P_NONE;
	if (what == P_WRITE) {
		end_write(w, ok);
	} else {
		int got = ok && tuples ? end_claim(w, tuples) : -1;
		double now = now_mono();
		if (got < 0)
			w->next_claim = now + 1.0;
		else if (got < w->claim_want)
			w->next_claim = now + next_due_ms(w) / 1000.0;
	}
	PQclear(tuples);
	return 1;
}

/* Starts queued messages while the provider has room and the breaker and bucket allow. */
static void submit_queued(struct worker *w)
{
	while (w->qlen > 0 && provider_room(w->prov) > 0) {
		struct provider_msg *m = w->queue[w->qhead];
		if (now_real() + PROVIDER_SEND_GUARD_S >= m->expires_at) {
			queue_pop(w);
			snprintf(m->error, sizeof(m->error), "end_at passed before it could be sent");
			add_result(w, m, 4, 0);
			continue;
		}
		if (!cb_allow() || bucket_take(1) < 1)
			return;
		queue_pop(w);
		metrics_inflight_add(1);
		provider_submit(w->prov, m);
	}
}

static void progress(struct worker *w, int force)
{
	double now = now_mono();
	if (!force && now - w->last_progress < PROGRESS_EVERY_S)
		return;
	w->last_progress = now;
	if (w->n_claimed + w->n_sent + w->n_retry + w->n_failed + w->n_expired + w->n_released + w->n_cancelled == 0)
		return;
	log_info("dispatch.progress", LI("worker", w->idx), LI("claimed", w->n_claimed), LI("sent", w->n_sent),
		 LI("retried", w->n_retry), LI("failed", w->n_failed), LI("expired", w->n_expired),
		 LI("cancelled", w->n_cancelled), LI("released", w->n_released),
		 LI("inflight", provider_inflight(w->prov)), LI("queued", w->qlen),
		 LS("last_error", w->last_error[0] ? w->last_error : NULL));
	w->last_error[0] = '\0';
	w->n_claimed = w->n_sent = w->n_retry = w->n_failed = w->n_expired = w->n_released = w->n_cancelled = 0;
}

static void maintain(struct worker *w)
{
	double now = now_mono();
	if (now - w->last_maintain < MAINTAIN_EVERY_S || w->pending != P_NONE)
		return;
	w->last_maintain = now;
	PGresult *r = db_exec(w->db, sql_recover, 0, NULL);
	if (r && atoi(PQcmdTuples(r)) > 0)
		log_info("dispatch.leases_recovered", LI("worker", w->idx), LS("messages", PQcmdTuples(r)));
	if (r)
		PQclear(r);
}

/* Drops queued messages whose mailing was cancelled (the API cancels pending messages only;
 * these were already claimed), so a cancel stops sending within CANCEL_CHECK_S. */
static void drop_cancelled(struct worker *w)
{
	double now = now_mono();
	if (w->qlen == 0 || now - w->last_cancel_check < CANCEL_CHECK_S || w->pending != P_NONE)
		return;
	w->last_cancel_check = now;
	int64_t ids[TEXT_CACHE];
	int n = 0;
	array_start(&w->a_ids);
	for (int i = 0; i < w->qlen && n < TEXT_CACHE; i++) {
		int64_t id = w->queue[(w->qhead + i) % w->cap]->mailing_id, seen = 0;
		for (int j = 0; j < n && !seen; j++)
			seen = ids[j] == id;
		if (!seen && id) {
			ids[n++] = id;
			array_int(&w->a_ids, id);
		}
	}
	buf_putc(&w->a_ids, '}');
	if (n == 0)
		return;
	const char *p[] = {w->a_ids.data};
	PGresult *r = db_exec(w->db, sql_cancelled, 1, p);
	if (r == NULL || PQntuples(r) == 0) {
		if (r)
			PQclear(r);
		return;
	}
	int keep = w->qlen;
	for (int i = 0; i < keep; i++) {
		struct provider_msg *m = queue_pop(w);
		int cancelled = 0;
		for (int j = 0; j < PQntuples(r) && !cancelled; j++)
			cancelled = db_i64(r, j, 0) == m->mailing_id;
		if (cancelled) {
			snprintf(m->error, sizeof(m->error), "mailing cancelled");
			add_result(w, m, 5, 0);
		} else {
			queue_push(w, m);
		}
	}
	PQclear(r);
}

/* Sleeps on the connection (NOTIFY herald_messages) for at most ms. */
static void idle_wait(struct worker *w, int ms)
{
	struct pollfd pfd = {PQsocket(w->db->conn), POLLIN, 0};
	if (pfd.fd >= 0 && poll(&pfd, 1, ms) > 0)
		drain_notifies(w);
	else if (pfd.fd < 0)
		poll(NULL, 0, ms);
}

static void run(struct worker *w)
{
	int batch = cfg.dispatch_batch;
	while (!atomic_load(&stopping)) {
		if (connect_db(w) < 0) {
			poll(NULL, 0, 1000);
			continue;
		}
		db_wait(w, 0);
		maintain(w);
		drop_cancelled(w);
		double now = now_mono();
		if (drain_notifies(w))
			w->next_claim = 0;
		int blocked = cb_blocked();
		if (blocked && w->qlen > 0)
			release_queue(w);
		if (w->pending == P_NONE &&
		    (w->nres >= batch || (w->nres > 0 && (now - w->last_flush >= FLUSH_EVERY_S ||
							  (provider_inflight(w->prov) == 0 && w->qlen == 0))))) {
			if (start_write(w) < 0)
				poll(NULL, 0, 100);
		} else if (w->pending == P_NONE && !blocked && w->qlen < w->conc && now >= w->next_claim) {
			int want = w->nfree - w->conc < batch ? w->nfree - w->conc : batch;
			if (cfg.provider_rate > 0 && want > cfg.provider_rate / nworkers + 1)
				want = cfg.provider_rate / nworkers + 1;
			if (want > 0 && start_claim(w, want) < 0)
				w->next_claim = now + 1.0;
		}
		submit_queued(w);
		int busy = provider_inflight(w->prov) > 0 || w->qlen > 0 || w->pending != P_NONE;
		int k = provider_poll(w->prov, busy ? 10 : 0, w->pending != P_NONE ? PQsocket(w->db->conn) : -1,
				      w->done, w->conc);
		for (int i = 0; i < k; i++)
			on_done(w, w->done[i]);
		progress(w, 0);
		now = now_mono();
		if (!busy && w->nres == 0) {
			if (blocked)
				idle_wait(w, 50);
			else if (now < w->next_claim)
				idle_wait(w, (int)((w->next_claim - now) * 1000) + 1);
		}
	}
}

/* SIGTERM: nothing new is claimed; the queue goes back; what is in flight gets a bounded time
 * to finish, then whatever is still in flight goes back too (its outcome is unknown). */
static void drain(struct worker *w)
{
	if (w->db)
		db_wait(w, 1);
	release_queue(w);
	double deadline = now_mono() + fmin(cfg.provider_timeout_ms / 1000.0, 5.0);
	while (provider_inflight(w->prov) > 0 && now_mono() < deadline) {
		int k = provider_poll(w->prov, 50, -1, w->done, w->conc);
		for (int i = 0; i < k; i++)
			on_done(w, w->done[i]);
	}
	for (int tries = 0; w->nres > 0 && tries < 3; tries++) {
		if (start_write(w) < 0)
			poll(NULL, 0, 200);
		else
			db_wait(w, 1);
	}
	int n = 0;
	for (int i = 0; i < w->cap; i++)
		if (w->pool[i].phone != NULL)
			w->done[n++] = &w->pool[i];
	/* what is left was submitted and never came back, or could not be written */
	struct provider_msg **left = xmalloc(sizeof(*left) * (size_t)(n + 1));
	memcpy(left, w->done, sizeof(*left) * (size_t)n);
	metrics_inflight_add(-provider_inflight(w->prov));
	w->nres = 0;
	release(w, left, n, 0);
	free(left);
	progress(w, 1);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	run(w);
	drain(w);
	log_info("dispatch.stopped", LI("worker", w->idx));
	return NULL;
}

int dispatch_start(void)
{
	nworkers = cfg.dispatch_workers;
	workers = xcalloc((size_t)nworkers, sizeof(*workers));
	atomic_store(&stopping, 0);
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		w->idx = i;
		w->conc = (cfg.provider_concurrency + nworkers - 1) / nworkers;
		w->cap = 2 * cfg.dispatch_batch + 2 * w->conc;
		w->prov = provider_open(w->conc);
		if (w->prov == NULL)
			return -1;
		w->pool = xcalloc((size_t)w->cap, sizeof(*w->pool));
		w->free_msgs = xcalloc((size_t)w->cap, sizeof(*w->free_msgs));
		w->queue = xcalloc((size_t)w->cap, sizeof(*w->queue));
		w->res = xcalloc((size_t)w->cap, sizeof(*w->res));
		w->wres = xcalloc((size_t)w->cap, sizeof(*w->wres));
		w->done = xcalloc((size_t)w->cap, sizeof(*w->done));
		for (int j = 0; j < w->cap; j++)
			w->free_msgs[w->nfree++] = &w->pool[j];
		connect_db(w);
	}
	for (int i = 0; i < nworkers; i++)
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			fatal("pthread_create: %s", strerror(errno));
	log_info("dispatch.started", LI("workers", nworkers), LS("provider", provider_name(workers[0].prov)),
		 LI("concurrency", cfg.provider_concurrency), LI("batch", cfg.dispatch_batch),
		 LI("rate", cfg.provider_rate), LI("lease_ms", lease_ms()));
	return 0;
}

void dispatch_stop(void)
{
	atomic_store(&stopping, 1);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		provider_close(w->prov);
		db_close(w->db);
		for (int j = 0; j < TEXT_CACHE; j++)
			free(w->texts[j].text);
		free(w->pool);
		free(w->free_msgs);
		free(w->queue);
		free(w->res);
		free(w->wres);
		free(w->done);
		buf_free(&w->a_ids);
		buf_free(&w->a_st);
		buf_free(&w->a_delay);
		buf_free(&w->a_err);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
}
