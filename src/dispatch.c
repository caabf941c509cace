/* dispatch.c — the dispatcher role: claims due messages in batches, sends them through the
 * providers, writes the outcomes back in batches.
 *
 * cfg.dispatch_workers threads, each with its own database connection and its own object of
 * each provider (provider_set.h; each provider's concurrency is split between them, its
 * circuit breaker and rate bucket are the process's), so a slow or failing provider never
 * holds a connection or thread of the HTTP API. A worker loops:
 *   claim   one statement takes up to n due rows from the queue (message_queue) and the next
 *           ids of a started mailing's range (dispatch_ranges), locks them FOR UPDATE SKIP
 *           LOCKED and updates them (sql/017_queue.sql: no index covers a column that changes,
 *           so these updates are HOT): rows inside their send window become 'sending' with a
 *           lease and attempts + 1; rows whose window is closed wait in the queue for its next
 *           opening; rows past expires_at expire;
 *   send    each queued message goes to the provider the routing picks for it (dispatch_route.c:
 *           its operator code, the weights, the open circuits) while that one has room, its
 *           circuit breaker allows it and its token bucket has tokens;
 *   write   finished ones are written back with one UPDATE … FROM unnest(…) per batch, with
 *           the provider each went to (the message_counts / message_minutes triggers keep the
 *           counters).
 * The claim and the write go to PostgreSQL asynchronously (PQsendQueryPrepared; the connection's
 * socket is polled together with curl's), so transfers go on while the database works; at most
 * one statement is in flight per worker, and the outcomes that finish meanwhile collect for the
 * next write. The worker's other statements (lease recovery, the providers' table and health,
 * the mailings of its queue) complete in place, and while they wait dw_db_wait keeps the
 * transfers moving: a statement stalled behind a lock or a slow disk for longer than the
 * provider timeout would otherwise make every request in flight time out, and be sent again.
 *
 * Exactly once (API.md 9.1). A claim is held for dw_lease_ms() = HOLD_S + provider timeout +
 * WRITE_GRACE_S from the moment it was sent. A claimed message is submitted within HOLD_S of the
 * claim or released unsent, so its request ends (answer or timeout) and its outcome is written
 * before any other worker or instance can take the lease over. Claims are sized to what the
 * provider took from this worker in HOLD_S / 2 at the rate observed, so a slow provider gets
 * small claims and a fast one full batches. The claim's attempts is its fence: every outcome
 * write carries it and changes the row only while the row still holds that attempt, so a holder
 * whose lease was taken over (a stalled instance) never overwrites the newer holder's outcome.
 * A message leaves only inside its client's send window: the claim checks the window, and a
 * message whose window closes while it waits is released to the next opening. None starts
 * after expires_at.
 *
 * A transient failure goes back to pending with due_at = now + backoff (full jitter between 0
 * and min(retry_max, retry_base * 2^(attempts-1)); Retry-After when the provider gave one), kept
 * inside the send window, or becomes expired when that is past expires_at. Leases of a crashed
 * instance (status 1, lease_until < now; each claim is recorded in dispatch_claims) return to
 * pending, in the queue. When idle a worker sleeps on its
 * connection (LISTEN herald_messages) until the next due_at, at most 1 s.
 *
 * Logging: per-message events (claimed, attempt with latency and outcome, retry with its delay,
 * final status) are debug lines, since at a million messages they would be the whole log; each
 * worker writes an info "dispatch.progress" summary every 5 s while it has work, circuit breaker
 * changes are warn/info, and the scheduler logs each mailing's start and end at info. */
#include "dispatch.h"
#include "dispatch_worker.h"
#include "config.h"
#include "inflight.h"
#include "log.h"
#include "metrics.h"
#include "provider.h"
#include "provider_set.h"
#include "smsc_receipts.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define FLUSH_EVERY_S 0.1           /* outcomes wait at most this long before being written: each
				     * statement costs ~5 ms of trigger and planning whatever its size */
#define PROGRESS_EVERY_S 5.0
#define WAIT_OPEN_MS 1000           /* a message whose providers' circuits are open waits this */
#define WAIT_NONE_MS 10000          /* one that no enabled provider takes waits this */
#define CLAIM_LEAD_S 0.05           /* a write and a claim of a full batch, measured 10-25 ms each */

static struct worker *workers;
static int nworkers;
static atomic_int stopping;

/* Every queued message goes back unsent (the breaker opened, or herald stops). */
static void release_queue(struct worker *w)
{
	while (w->qlen > 0)
		add_result(w, queue_pop(w), OUT_RELEASE, 0);
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
	struct provider_state *st = m->via;
	inflight_add(-1);
	w->rate_slots[w->rate_slot]++;
	atomic_fetch_add_explicit(&st->requests, 1, memory_order_relaxed);
	if (m->outcome != PO_SENT)
		atomic_fetch_add_explicit(&st->failures, 1, memory_order_relaxed);
	log_debug("message.attempt", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
		  LI("client_id", m->client_id), LI("attempt", m->attempts), LD("latency_ms", m->latency * 1000),
		  LS("outcome", m->outcome == PO_SENT ? "sent" : m->outcome == PO_PERMANENT ? "permanent" : "transient"),
		  LI("http_status", m->http_status), LS("error", m->error[0] ? m->error : NULL));
	if (m->outcome != PO_SENT)
		snprintf(w->last_error, sizeof(w->last_error), "%s", m->error);
	if (m->outcome == PO_SENT) {
		breaker_record(&st->br, 0);
		add_result(w, m, OUT_SENT, 0);
	} else if (m->outcome == PO_PERMANENT) {
		breaker_record(&st->br, 0);
		add_result(w, m, OUT_FAILED, 0);
	} else {
		if (m->http_status || m->timeout || strncmp(m->error, "connection", 10) == 0)
			breaker_record(&st->br, 1);
		long d = m->retry_after_ms >= 0 ? m->retry_after_ms : backoff_ms(m->attempts);
		add_result(w, m, OUT_RETRY, d);
	}
	w->res[w->nres - 1].asked = 1;
}

/* Moves the transfers for at most ms (less when fd, -1 for none, becomes readable) and takes
 * the outcomes of those that ended. */
static void move_transfers(struct worker *w, int ms, int fd)
{
	int k = provider_loop_poll(w->loop, ms, fd, w->done, w->cap);
	for (int i = 0; i < k; i++)
		on_done(w, w->done[i]);
}

void dw_db_wait(void *arg, int fd)
{
	move_transfers(arg, 100, fd);
}

static long rate_count(const struct worker *w)
{
	long n = 0;
	for (int i = 0; i < RATE_SLOTS; i++)
		n += w->rate_slots[i];
	return n;
}

/* Moves the send rate's window on to now; while the worker is idle (nothing sent in the
 * window, nothing in flight or queued) the time it began to send from idle moves with it. */
static void observe_rate(struct worker *w)
{
	double now = now_mono();
	if (now - w->rate_at >= RATE_SLOTS * RATE_SLOT_S) {
		memset(w->rate_slots, 0, sizeof(w->rate_slots));
		w->rate_at = now;
	}
	while (now - w->rate_at >= RATE_SLOT_S) {
		w->rate_slot = (w->rate_slot + 1) % RATE_SLOTS;
		w->rate_slots[w->rate_slot] = 0;
		w->rate_at += RATE_SLOT_S;
	}
	if (w->qlen == 0 && dw_inflight(w) == 0 && rate_count(w) == 0)
		w->rate_from = now;
}

/* Requests finished per second over the window, or over the time since the worker began to
 * send when that is shorter (at least a slot): a mailing's first claims are sized to what the
 * provider has shown it takes, not to that spread over a window mostly idle, which doubled
 * them claim by claim from the providers' concurrency (six rounds of claim and write before a
 * full batch, about a fifth of a second at fakeprobe). */
static double send_rate(const struct worker *w)
{
	double span = RATE_SLOTS * RATE_SLOT_S, busy = now_mono() - w->rate_from;
	if (busy < span)
		span = busy > RATE_SLOT_S ? busy : RATE_SLOT_S;
	return rate_count(w) / span;
}

/* How many messages to claim now: the queue holds at most what the providers take from this
 * worker in HOLD_S / 2 at the observed rate (at least one round of their concurrency), and the
 * worker's share of the providers' rates (when every one has a rate); a claim takes up to the
 * batch size of that room, within the free slots. A claim costs PostgreSQL about as much
 * whatever its size, so the queue is not topped up by a few rows at a time. */
static int claim_size(const struct worker *w, double rate_seen)
{
	double fits = rate_seen * HOLD_S / 2;
	int most = fits > w->conc ? (int)fits : w->conc;
	long rate = 0;
	for (int i = 0; i < w->nroutes && rate >= 0; i++)
		rate = w->routes[i].conf.rate > 0 ? rate + w->routes[i].conf.rate : -1;
	if (rate > 0 && most > rate / nworkers + 1)
		most = (int)(rate / nworkers + 1);
	int n = most - w->qlen;
	if (n > cfg.dispatch_batch)
		n = cfg.dispatch_batch;
	if (n > w->nfree - w->conc)
		n = w->nfree - w->conc;
	return n;
}

/* The queue is claimed for when it is shorter than this: a round of the providers' concurrency
 * and what they send while a write and a claim take their turns on the connection. */
static int claim_below(const struct worker *w, double rate_seen)
{
	return w->conc + (int)(rate_seen * CLAIM_LEAD_S);
}

/* Starts queued messages, each on the provider the routing picks for it, while that one has
 * room and its bucket and breaker allow. A message whose claim is too old to start (past
 * send_by), or whose send window closes, goes back unsent, and so does one that no provider
 * may take now (it waits for a circuit's cool-down, or for a provider that takes its code);
 * one at its mailing's end expires. */
static void submit_queued(struct worker *w)
{
	while (w->qlen > 0) {
		struct provider_msg *m = w->queue[w->qhead];
		double now = now_real();
		if (now + PROVIDER_SEND_GUARD_S >= m->expires_at) {
			queue_pop(w);
			snprintf(m->error, sizeof(m->error), "end_at passed before it could be sent");
			add_result(w, m, OUT_EXPIRED, 0);
			continue;
		}
		if (now_mono() >= m->send_by || (m->window_end > 0 && now + PROVIDER_SEND_GUARD_S >= m->window_end)) {
			add_result(w, queue_pop(w), OUT_RELEASE, 0);
			continue;
		}
		int any;
		struct route *r = dw_route_pick(w, m, &any);
		if (r == NULL) {
			add_result(w, queue_pop(w), OUT_RELEASE, any ? WAIT_OPEN_MS : WAIT_NONE_MS);
			continue;
		}
		if (provider_room(r->prov) <= 0 || bucket_take(&r->st->bk, 1) < 1 || !breaker_allow(&r->st->br))
			return;
		dw_route_taken(w, r);
		queue_pop(w);
		m->via = r->st;
		inflight_add(1);
		provider_submit(r->prov, m);
	}
}

static void progress(struct worker *w, int force)
{
	double now = now_mono();
	if (!force && now - w->last_progress < PROGRESS_EVERY_S)
		return;
	w->last_progress = now;
	if (w->n_claimed + w->n_sent + w->n_retry + w->n_failed + w->n_expired + w->n_released + w->n_cancelled +
	    w->n_stale == 0)
		return;
	log_info("dispatch.progress", LI("worker", w->idx), LI("claimed", w->n_claimed), LI("sent", w->n_sent),
		 LI("retried", w->n_retry), LI("failed", w->n_failed), LI("expired", w->n_expired),
		 LI("cancelled", w->n_cancelled), LI("released", w->n_released), LI("stale", w->n_stale),
		 LI("inflight", dw_inflight(w)), LI("queued", w->qlen), LD("rate", send_rate(w)),
		 LS("last_error", w->last_error[0] ? w->last_error : NULL));
	w->last_error[0] = '\0';
	w->n_claimed = w->n_sent = w->n_retry = w->n_failed = w->n_expired = w->n_released = w->n_cancelled = 0;
	w->n_stale = 0;
}

static void run(struct worker *w)
{
	int batch = cfg.dispatch_batch;
	while (!atomic_load(&stopping)) {
		if (dw_connect(w) < 0) {   /* what is in flight still ends; its outcomes wait */
			move_transfers(w, 1000, -1);
			continue;
		}
		dw_wait(w, 0);
		dw_routes_sync(w);
		dw_routes_close(w, 0);
		dw_maintain(w);
		dw_check_mailings(w);
		double now = now_mono();
		if (dw_notified(w))
			w->next_claim = 0;
		int blocked = dw_routes_blocked(w);
		if (blocked && w->qlen > 0)
			release_queue(w);
		if (w->pending == P_NONE &&
		    (w->nres >= batch || (w->nres > 0 && (now - w->last_flush >= FLUSH_EVERY_S ||
							  (dw_inflight(w) == 0 && w->qlen == 0))))) {
			if (dw_write(w) < 0)
				poll(NULL, 0, 100);
		} else if (w->pending == P_NONE && !blocked && now >= w->next_claim) {
			double rate = send_rate(w);
			int want = w->qlen < claim_below(w, rate) ? claim_size(w, rate) : 0;
			if (want > 0 && dw_claim(w, want) < 0)
				w->next_claim = now + 1.0;
		}
		submit_queued(w);
		int busy = dw_inflight(w) > 0 || w->qlen > 0 || w->pending != P_NONE;
		move_transfers(w, busy ? 10 : 0, w->pending != P_NONE ? PQsocket(w->db->conn) : -1);
		observe_rate(w);
		progress(w, 0);
		now = now_mono();
		if (!busy && w->nres == 0) {
			if (blocked)
				dw_idle(w, 50);
			else if (now < w->next_claim)
				dw_idle(w, (int)((w->next_claim - now) * 1000) + 1);
		}
	}
}

/* SIGTERM: nothing new is claimed; the queue goes back; what is in flight gets a bounded time
 * to finish, then whatever is still in flight goes back too (its outcome is unknown). */
static void drain(struct worker *w)
{
	if (w->db)
		dw_wait(w, 1);
	release_queue(w);
	double deadline = now_mono() + fmin(cfg.provider_timeout_ms / 1000.0, 5.0);
	while (dw_inflight(w) > 0 && now_mono() < deadline)
		move_transfers(w, 50, -1);
	/* what is still in flight was submitted and never came back: its outcome is unknown */
	int inflight = dw_inflight(w);
	for (int i = 0; i < w->cap && inflight > 0; i++) {
		struct provider_msg *m = &w->pool[i];
		int held = m->phone != NULL;
		for (int j = 0; j < w->nres && held; j++)
			held = w->res[j].m != m;
		if (held) {
			snprintf(m->error, sizeof(m->error), "outcome unknown: herald stopped before the provider answered");
			add_result(w, m, OUT_RETRY, 0);
		}
	}
	inflight_add(-inflight);
	for (int tries = 0; w->nres > 0 && tries < 3; tries++) {
		if (dw_write(w) < 0)
			poll(NULL, 0, 200);
		else
			dw_wait(w, 1);
	}
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
		w->loop = provider_loop_new();   /* before the first statement: dw_db_wait drives it */
		dw_connect(w);
		if (i == 0 && w->db)
			provider_set_load(w->db);
		w->conc_max = INT_MAX;
		dw_routes_sync(w);
		/* room for what the providers of the start take in flight, at least
		 * HERALD_PROVIDER_CONCURRENCY's share: providers added later share it */
		w->conc_max = w->conc > (cfg.provider_concurrency + nworkers - 1) / nworkers
			      ? w->conc : (cfg.provider_concurrency + nworkers - 1) / nworkers;
		w->cap = 4 * cfg.dispatch_batch + 2 * w->conc_max;   /* queue, results written and to write */
		w->pool = xcalloc((size_t)w->cap, sizeof(*w->pool));
		w->free_msgs = xcalloc((size_t)w->cap, sizeof(*w->free_msgs));
		w->queue = xcalloc((size_t)w->cap, sizeof(*w->queue));
		w->res = xcalloc((size_t)w->cap, sizeof(*w->res));
		w->wres = xcalloc((size_t)w->cap, sizeof(*w->wres));
		w->done = xcalloc((size_t)w->cap, sizeof(*w->done));
		w->claims = xcalloc((size_t)w->cap, sizeof(*w->claims));
		w->claim_free = xcalloc((size_t)w->cap, sizeof(*w->claim_free));
		w->personal = xcalloc((size_t)w->cap, sizeof(*w->personal));
		w->personal_t = xcalloc((size_t)w->cap, sizeof(*w->personal_t));
		for (int j = 0; j < w->cap; j++) {
			w->free_msgs[w->nfree++] = &w->pool[j];
			w->claim_free[w->nclaim_free++] = w->cap - 1 - j;
		}
		w->rate_at = now_mono();
		snprintf(w->instance, sizeof(w->instance), "%s/%d", metrics_instance(), i);
	}
	if (smsc_receipts_start() < 0)   /* before the workers: their SMSC links queue receipts */
		return -1;
	for (int i = 0; i < nworkers; i++)
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0)
			fatal("pthread_create: %s", strerror(errno));
	log_info("dispatch.started", LI("workers", nworkers), LI("providers", workers[0].nroutes),
		 LS("provider", workers[0].nroutes ? workers[0].routes[0].conf.name : NULL),
		 LI("concurrency", workers[0].conc * nworkers), LI("batch", cfg.dispatch_batch),
		 LI("lease_ms", dw_lease_ms()));
	return 0;
}

void dispatch_stop(void)
{
	atomic_store(&stopping, 1);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		dw_routes_close(w, 1);
		provider_loop_free(w->loop);
		db_close(w->db);
		for (int j = 0; j < TEXT_CACHE; j++)
			dw_text_free(&w->texts[j]);
		free(w->pool);
		free(w->free_msgs);
		free(w->queue);
		free(w->res);
		free(w->wres);
		free(w->done);
		free(w->claims);
		free(w->claim_free);
		free(w->personal);
		free(w->personal_t);
		buf_free(&w->a_claims);
		buf_free(&w->a_text);
		buf_free(&w->a_ids);
		buf_free(&w->a_st);
		buf_free(&w->a_delay);
		buf_free(&w->a_err);
		buf_free(&w->a_att);
		buf_free(&w->a_hist);
		buf_free(&w->a_prov);
		buf_free(&w->a_ref);
	}
	smsc_receipts_stop();
	provider_set_free();
	free(workers);
	workers = NULL;
	nworkers = 0;
}
