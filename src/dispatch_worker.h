/* dispatch_worker.h — one dispatch worker's state, shared by its loop (dispatch.c) and its
 * database side (dispatch_db.c). Internal to the dispatcher. */
#ifndef HERALD_DISPATCH_WORKER_H
#define HERALD_DISPATCH_WORKER_H

#include "buf.h"
#include "db.h"
#include "message_status.h"
#include "provider.h"
#include "provider_set.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define HOLD_S 5.0                  /* a claimed message not submitted within this goes back unsent */
#define WRITE_GRACE_S 10.0          /* for writing an outcome after its request ended */
#define TEXT_CACHE 16               /* mailing texts kept per worker */
#define RATE_SLOTS 10               /* the send rate is observed over the last RATE_SLOTS x */
#define RATE_SLOT_S 0.25            /* RATE_SLOT_S seconds (HOLD_S / 2) */

/* Outcomes as the write statement takes them: the message statuses, OUT_RETRY for back to
 * pending, and OUT_RELEASE for a claimed message that was never sent (back to pending, its
 * attempt given back). Macros, so that the SQL can hold them: MSG_SQL(OUT_SENT). */
#define OUT_RETRY MSG_PENDING
#define OUT_RELEASE MSG_SENDING
#define OUT_SENT MSG_SENT
#define OUT_FAILED MSG_FAILED
#define OUT_EXPIRED MSG_EXPIRED
#define OUT_CANCELLED MSG_CANCELLED

struct result {
	struct provider_msg *m;
	int out;              /* OUT_* */
	long delay_ms;
	int asked;            /* the provider was asked: the write counts its latency */
};

/* A claim of the worker's (a row of dispatch_claims) and how many of its messages have no
 * outcome written yet; at 0 the row goes with the next write. */
struct wclaim {
	int64_t id;
	int left;
};
/* One of the worker's providers (dispatch_route.c): its row, its state shared by the workers
 * (breaker, bucket, counts), the worker's provider object with its share of the concurrency,
 * and its current weight in the smooth weighted round robin. */
struct route {
	struct provider_conf conf;
	struct provider_state *st;
	struct provider *prov;
	int conc;
	long long cw;
	int cand;                    /* a candidate of the last pick */
};

/* A mailing's text in a worker's cache; personal: its template when it has tags (personal.h). */
struct tmpl_set;
struct wtext {
	int64_t mailing_id;
	char *text;
	struct tmpl_set *personal;
};

struct worker {
	int idx, conc, cap;          /* cap: messages held at once (queued + in flight + written) */
	pthread_t thread;
	struct db *db;
	struct provider_loop *loop;  /* drives the transfers of every provider below */
	struct route *routes;        /* the providers, as of provider_set generation routes_gen */
	int nroutes;
	unsigned routes_gen;
	int need_codes;              /* a route takes only some operator codes: the claim reads them */
	int conc_max;                /* what cap leaves room for in flight */
	struct provider **retired;   /* replaced providers finishing what is in flight */
	int nretired;
	long long pick_total;        /* the candidates' weights at the last pick */
	struct provider_msg *pool;
	struct provider_msg **free_msgs;
	int nfree;
	struct provider_msg **queue; /* claimed, not yet submitted: FIFO ring */
	int qhead, qlen;
	struct result *res, *wres;   /* outcomes collecting / being written */
	int nres, nwres;
	int pending;                 /* statement in flight on db: P_NONE, P_CLAIM, P_WRITE */
	int claim_want;
	double claim_sent;           /* when the claim in flight was sent (monotonic) */
	long rate_slots[RATE_SLOTS]; /* requests finished per RATE_SLOT_S, a ring */
	int rate_slot;               /* the slot being counted, since rate_at (monotonic) */
	double rate_at;
	double rate_from;            /* when the worker last began to send from idle (monotonic) */
	struct provider_msg **done;
	double last_flush, last_maintain, next_claim, last_progress, last_mailing_check;
	struct wtext texts[TEXT_CACHE];
	struct provider_msg **personal;        /* cap slots: a claim's messages whose text is */
	const struct tmpl_set **personal_t;    /* rendered for them, and their templates */
	int text_next;
	long n_claimed, n_sent, n_retry, n_failed, n_expired, n_released, n_cancelled, n_stale;
	char last_error[256];        /* of the last failed attempt since the last progress line */
	struct wclaim *claims;       /* cap slots; free ones on claim_free */
	int *claim_free, nclaim_free;
	struct buf a_ids, a_st, a_delay, a_err, a_att, a_text, a_claims, a_hist, a_prov, a_ref;
	char instance[200];          /* its provider_minutes rows: "host:pid/worker" */
	int nclaims_done;            /* ids in a_claims (pgarr, not yet ended) */
};

enum { P_NONE, P_CLAIM, P_WRITE };

/* dispatch_text.c: the text of the mailing (NULL when it could not be read: it is read again
 * next time), and its release. */
const struct wtext *dw_text(struct worker *w, int64_t mailing_id);
void dw_text_free(struct wtext *t);
/* Renders the texts of personal messages ms[0..n) (ts: their templates) for their
 * recipients, in one query for the n recipients: each m->text is set, or is NULL with the
 * reason in m->error when its text did not render. -1 when the recipients could not be read. */
int dw_render(struct worker *w, struct provider_msg **ms, const struct tmpl_set *const *ts, int n);

static inline void msg_free(struct worker *w, struct provider_msg *m)
{
	free(m->phone);
	free(m->text);
	m->phone = m->text = NULL;
	w->free_msgs[w->nfree++] = m;
}

static inline void queue_push(struct worker *w, struct provider_msg *m)
{
	w->queue[(w->qhead + w->qlen++) % w->cap] = m;
}

static inline struct provider_msg *queue_pop(struct worker *w)
{
	struct provider_msg *m = w->queue[w->qhead];
	w->qhead = (w->qhead + 1) % w->cap;
	w->qlen--;
	return m;
}

static inline void add_result(struct worker *w, struct provider_msg *m, int out, long delay_ms)
{
	w->res[w->nres++] = (struct result){m, out, delay_ms, 0};
}

/* ---- dispatch_route.c: the worker's providers ---- */

/* Follows provider_set: opens the providers that came or changed (their share of each one's
 * concurrency), retires those that went or changed (closed once nothing of theirs is in
 * flight), keeps the others and what they have in flight; sets w->conc to the shares' sum. */
void dw_routes_sync(struct worker *w);
/* Closes retired providers with nothing in flight (all of them, and every route, with all). */
void dw_routes_close(struct worker *w, int all);
/* Requests in flight over every provider of the worker. */
int dw_inflight(const struct worker *w);
/* 1 when no route may send now: none, or every circuit open. */
int dw_routes_blocked(const struct worker *w);
/* The route for m (m->op read when w->need_codes): among the routes that take its operator
 * code and whose circuit is not open, the one the smooth weighted round robin picks (passing
 * over one with no free slot within SKIP_DEBT; when it returns a full one, the worker waits),
 * not yet counted (dw_route_taken); NULL when none may take it now, with *any set when some
 * route takes its code at all. */
struct route *dw_route_pick(struct worker *w, const struct provider_msg *m, int *any);
/* Counts the last pick's choice of r in the round robin. */
void dw_route_taken(struct worker *w, struct route *r);

/* ---- dispatch_db.c: the worker's statements ---- */

/* How long a claim is held (ms): a message submitted within HOLD_S of its claim has its answer
 * or its timeout within the provider timeout, and its outcome written within WRITE_GRACE_S. */
long dw_lease_ms(void);
/* Connects (again) when the connection is not up, prepares the statements; 0 or -1. Its
 * statements that complete in place (dispatch_maintain.c, provider_set.c) wait in
 * dw_db_wait. */
int dw_connect(struct worker *w);
/* Reads pending notifications; 1 when there was at least one. */
int dw_notified(struct worker *w);
/* Sends the claim of up to n due messages (asynchronously); 0 or -1. */
int dw_claim(struct worker *w, int n);
/* Sends every collected outcome as one statement (asynchronously); 0, or -1 when it could not
 * be sent (they stay collected). */
int dw_write(struct worker *w);
/* Completes the statement in flight: with block, waits for it; otherwise only when its result
 * is already here. Returns 1 when nothing is in flight any more. */
int dw_wait(struct worker *w, int block);
/* Lease recovery, at most once a second; the providers' rows are followed (provider_set_refresh)
 * and their health written (provider_set_report) on the same beat. */
void dw_maintain(struct worker *w);
/* Drops queued messages of cancelled or deleted mailings and applies a shortened end_at. */
void dw_check_mailings(struct worker *w);
/* Sleeps on the connection for at most ms; a NOTIFY herald_messages ends it and makes the
 * worker claim at once. */
void dw_idle(struct worker *w, int ms);

/* ---- dispatch.c: the worker's loop ---- */

/* db->wait of the worker's connection (arg: the worker): moves its provider transfers and
 * collects their outcomes while one of its statements waits for PostgreSQL, so that a
 * statement stalled behind a lock or a slow disk does not make requests time out. */
void dw_db_wait(void *arg, int fd);

#endif
