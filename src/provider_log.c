/* provider_log.c — the "log" provider (HERALD_PROVIDER_URL unset): writes each message to the
 * log (info level: the log is this provider's only output) and counts it as sent. */
#include "provider_impl.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct log_provider {
	struct provider base;
	int cap, n;
	struct provider_msg **done;   /* finished, not yet handed back */
};

static struct provider *lp_open(int concurrency)
{
	struct log_provider *lp = xcalloc(1, sizeof(*lp));
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
	m->timeout = 0;
	m->http_status = 0;
	m->retry_after_ms = -1;
	m->latency = 0;
	m->error[0] = '\0';
	metrics_provider(MR_OK, 0);
	lp->done[lp->n++] = m;
}

static int lp_poll(struct provider *p, int timeout_ms, int fd, struct provider_msg **done, int max)
{
	struct log_provider *lp = (struct log_provider *)p;
	if (lp->n == 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		poll(&pfd, fd >= 0 ? 1 : 0, timeout_ms);
		return 0;
	}
	int k = lp->n < max ? lp->n : max;
	memcpy(done, lp->done + lp->n - k, (size_t)k * sizeof(*done));
	lp->n -= k;
	return k;
}

const struct provider_ops provider_log_ops = {
	"log", lp_open, lp_close, lp_room, lp_inflight, lp_submit, lp_poll,
};
