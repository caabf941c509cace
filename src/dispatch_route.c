/* dispatch_route.c — a dispatch worker's providers (its routes) and the choice of one for each
 * message (API.md 9.5): a message goes to an enabled provider whose operator codes hold its
 * operator code (none: any), chosen by weight with a smooth weighted round robin (nginx's:
 * each candidate's current weight grows by its weight, the largest is chosen and loses the
 * candidates' total), so n messages split by weight within one message per provider; a
 * provider whose circuit is open is no candidate, so its messages go to the others; one with
 * no free slot is passed over within SKIP_DEBT. */
#include "dispatch_worker.h"
#include "config.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A provider whose turn it is but that has all its requests out is passed over, so that the
 * others' free slots do not wait for it, while it is owed fewer than this many messages of the
 * worker's: then the worker waits for it. The weights hold within that many messages a worker
 * whatever the providers' speeds (a pick that always passed over a full provider gave the
 * light one of weights 1:3 half of the messages when the heavy one was saturated). */
#define SKIP_DEBT 8

/* A change that keeps the provider object (and what it has in flight). */
static int same_transport(const struct route *r, const struct provider_conf *c, int conc)
{
	return r->prov && r->conc == conc && strcmp(r->conf.kind, c->kind) == 0 && strcmp(r->conf.url, c->url) == 0 &&
	       strcmp(r->conf.token, c->token) == 0;
}

static void retire(struct worker *w, struct provider *p)
{
	if (p == NULL)
		return;
	if (provider_inflight(p) == 0) {
		provider_close(p);
		return;
	}
	w->retired = xrealloc(w->retired, (size_t)(w->nretired + 1) * sizeof(*w->retired));
	w->retired[w->nretired++] = p;
}

void dw_routes_sync(struct worker *w)
{
	unsigned gen = provider_set_generation();
	if (w->routes && gen == w->routes_gen)
		return;
	int n, nworkers = cfg.dispatch_workers > 0 ? cfg.dispatch_workers : 1;
	struct provider_conf *confs = provider_set_copy(&n, &gen);
	struct route *routes = xcalloc((size_t)(n ? n : 1), sizeof(*routes));
	int k = 0, conc = 0;
	w->need_codes = 0;
	for (int i = 0; i < n; i++) {
		struct route *r = &routes[k], *old = NULL;
		int share = (confs[i].concurrency + nworkers - 1) / nworkers;
		for (int j = 0; j < w->nroutes && old == NULL; j++)
			if (w->routes[j].conf.id == confs[i].id && w->routes[j].prov)
				old = &w->routes[j];
		if (old && same_transport(old, &confs[i], share)) {
			r->prov = old->prov;
			r->cw = old->cw;
			old->prov = NULL;
		} else if ((r->prov = provider_open(w->loop, &confs[i], share)) == NULL) {
			continue;
		}
		r->conf = confs[i];
		memset(&confs[i], 0, sizeof(confs[i]));
		r->st = provider_set_state(&r->conf);
		r->conc = share;
		conc += share;
		w->need_codes |= r->conf.ncodes != PROVIDER_CODES_ANY;
		k++;
	}
	provider_confs_free(confs, n);
	for (int j = 0; j < w->nroutes; j++) {
		retire(w, w->routes[j].prov);
		provider_conf_clear(&w->routes[j].conf);
	}
	free(w->routes);
	w->routes = routes;
	w->nroutes = k;
	w->routes_gen = gen;
	w->conc = conc < 1 ? 1 : conc > w->conc_max ? w->conc_max : conc;
}

void dw_routes_close(struct worker *w, int all)
{
	for (int i = 0; i < w->nretired;) {
		if (all || provider_inflight(w->retired[i]) == 0) {
			provider_close(w->retired[i]);
			w->retired[i] = w->retired[--w->nretired];
		} else {
			i++;
		}
	}
	if (!all)
		return;
	for (int j = 0; j < w->nroutes; j++) {
		provider_close(w->routes[j].prov);
		provider_conf_clear(&w->routes[j].conf);
	}
	free(w->routes);
	free(w->retired);
	w->routes = NULL;
	w->retired = NULL;
	w->nroutes = 0;
}

int dw_inflight(const struct worker *w)
{
	int n = 0;
	for (int i = 0; i < w->nroutes; i++)
		n += provider_inflight(w->routes[i].prov);
	for (int i = 0; i < w->nretired; i++)
		n += provider_inflight(w->retired[i]);
	return n;
}

int dw_routes_blocked(const struct worker *w)
{
	for (int i = 0; i < w->nroutes; i++)
		if (!breaker_blocked(&w->routes[i].st->br))
			return 0;
	return 1;
}

/* A route's place in the round robin: the one with the highest turn goes first. */
static long long turn(const struct route *r)
{
	return r->cw + r->conf.weight;
}

struct route *dw_route_pick(struct worker *w, const struct provider_msg *m, int *any)
{
	*any = 0;
	w->pick_total = 0;
	for (int i = 0; i < w->nroutes; i++) {
		struct route *r = &w->routes[i];
		r->cand = (!w->need_codes || provider_takes(&r->conf, m->op));
		*any |= r->cand;
		r->cand = r->cand && !breaker_blocked(&r->st->br);
		if (r->cand)
			w->pick_total += r->conf.weight;
	}
	/* first: the candidate whose turn it is; open: the first by turn with a free slot; owed:
	 * the first by turn with no free slot that is owed SKIP_DEBT messages or more, which may
	 * not be passed over (ties go to the earlier route) */
	struct route *first = NULL, *open = NULL, *owed = NULL;
	for (int i = 0; i < w->nroutes; i++) {
		struct route *r = &w->routes[i];
		if (!r->cand)
			continue;
		if (first == NULL || turn(r) > turn(first))
			first = r;
		if (provider_room(r->prov) > 0) {
			if (open == NULL || turn(r) > turn(open))
				open = r;
		} else if (turn(r) > SKIP_DEBT * w->pick_total && (owed == NULL || turn(r) > turn(owed))) {
			owed = r;
		}
	}
	if (open && (owed == NULL || turn(open) > turn(owed) || (turn(open) == turn(owed) && open < owed)))
		return open;
	return first;
}

void dw_route_taken(struct worker *w, struct route *r)
{
	for (int i = 0; i < w->nroutes; i++)
		if (w->routes[i].cand)
			w->routes[i].cw += w->routes[i].conf.weight;
	r->cw -= w->pick_total;
}
