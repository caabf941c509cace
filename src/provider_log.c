/* provider_log.c — the "log" provider (HERALD_PROVIDER_URL unset and no provider row enabled):
 * writes each message to the log (info level: the log is this provider's only output) and
 * counts it as sent. */
#include "provider_impl.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct log_provider {
	struct provider base;
	struct metrics_provider *mp;
	int cap, n;
	struct provider_msg **done;   /* finished, not yet handed back */
};

static struct provider *lp_open(struct provider_loop *l, const struct provider_conf *c, int concurrency)
{
	(void)l;
	struct log_provider *lp = xcalloc(1, sizeof(*lp));
	lp->mp = metrics_provider_of(c->name);
	lp->cap = concurrency;
	lp->done = xcalloc((size_t)concurrency, sizeof(*lp->done));
	return &lp->base;
}

static void lp_close(struct provider *p)
{
	struct log_provider *lp = (struct log_provider *)p;
	free(lp->done);
	free(lp);
}

static int lp_room(const struct provider *p)
{
	const struct log_provider *lp = (const struct log_provider *)p;
	return lp->cap - lp->n;
}

static int lp_inflight(const struct provider *p)
{
	return ((const struct log_provider *)p)->n;
}

static void lp_submit(struct provider *p, struct provider_msg *m)
{
	struct log_provider *lp = (struct log_provider *)p;
	log_info("provider.log_message", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
		 LI("client_id", m->client_id), LS("phone", m->phone), LS("text", m->text));
	m->outcome = PO_SENT;
	metrics_provider(lp->mp, MR_OK, 0);
	lp->done[lp->n++] = m;
}

static int lp_ready(struct provider *p, struct provider_msg **done, int max)
{
	struct log_provider *lp = (struct log_provider *)p;
	int k = lp->n < max ? lp->n : max;
	memcpy(done, lp->done + lp->n - k, (size_t)k * sizeof(*done));
	lp->n -= k;
	return k;
}

const struct provider_ops provider_log_ops = {
	"log", lp_open, lp_close, lp_room, lp_inflight, lp_submit, lp_ready, NULL, NULL,
};
