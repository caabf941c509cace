/* provider.c — opens providers by kind, forwards to them, and drives a thread's providers in
 * one loop: every probe transfer is on the loop's curl multi (a transfer's CURLINFO_PRIVATE
 * points at a pointer to its provider), and the sockets of smpp providers and the database's
 * are extra descriptors of the same wait, so one wait serves them all. */
#include "provider_impl.h"
#include "libcurl.h"
#include "log.h"
#include "util.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct provider_loop *provider_loop_new(void)
{
	libcurl_init();
	struct provider_loop *l = xcalloc(1, sizeof(*l));
	l->waits = xcalloc(1, sizeof(*l->waits));   /* the database's; one more per provider opened */
	l->multi = curl_multi_init();
	if (l->multi == NULL)
		fatal("curl_multi_init failed");
	return l;
}

void provider_loop_free(struct provider_loop *l)
{
	if (l == NULL)
		return;
	curl_multi_cleanup(l->multi);
	free(l->open);
	free(l->waits);
	free(l);
}

struct provider *provider_open(struct provider_loop *l, const struct provider_conf *c, int concurrency)
{
	const struct provider_ops *ops = strcmp(c->kind, "log") == 0 ? &provider_log_ops
				       : strcmp(c->kind, "probe") == 0 ? &provider_probe_ops
				       : strcmp(c->kind, "smpp") == 0 ? &provider_smpp_ops : NULL;
	if (ops == NULL) {
		log_error("provider.unknown_kind", LS("provider", c->name), LS("kind", c->kind));
		return NULL;
	}
	if (concurrency < 1)
		concurrency = 1;
	struct provider *p = ops->open(l, c, concurrency);
	if (p == NULL)
		return NULL;
	p->ops = ops;
	p->loop = l;
	if (l->nopen == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4;
		l->open = xrealloc(l->open, (size_t)l->cap * sizeof(*l->open));
		l->waits = xrealloc(l->waits, (size_t)(l->cap + 1) * sizeof(*l->waits));
	}
	l->open[l->nopen++] = p;
	l->connections += concurrency;
	curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, l->connections);
	return p;
}

void provider_close(struct provider *p)
{
	if (p == NULL)
		return;
	struct provider_loop *l = p->loop;
	for (int i = 0; i < l->nopen; i++)
		if (l->open[i] == p)
			l->open[i] = l->open[--l->nopen];
	p->ops->close(p);
}

int provider_room(const struct provider *p) { return p->ops->room(p); }
int provider_inflight(const struct provider *p) { return p->ops->inflight(p); }
void provider_submit(struct provider *p, struct provider_msg *m)
{
	m->outcome = PO_TRANSIENT;
	m->timeout = 0;
	m->http_status = 0;
	m->retry_after_ms = -1;
	m->latency = 0;
	m->error[0] = m->ref[0] = '\0';
	p->ops->submit(p, m);
}

static int collect(struct provider_loop *l, struct provider_msg **done, int max)
{
	int k = 0, left;
	for (int i = 0; i < l->nopen && k < max; i++)
		k += l->open[i]->ops->ready(l->open[i], done + k, max - k);
	CURLMsg *cm;
	while (k < max && (cm = curl_multi_info_read(l->multi, &left)) != NULL) {
		if (cm->msg != CURLMSG_DONE)
			continue;
		struct provider **owner;
		curl_easy_getinfo(cm->easy_handle, CURLINFO_PRIVATE, (char **)&owner);
		CURLcode rc = cm->data.result;
		CURL *easy = cm->easy_handle;
		curl_multi_remove_handle(l->multi, easy);
		done[k++] = (*owner)->ops->finished(*owner, easy, rc);
	}
	return k;
}

int provider_loop_poll(struct provider_loop *l, int timeout_ms, int fd, struct provider_msg **done, int max)
{
	int running;
	curl_multi_perform(l->multi, &running);
	int k = collect(l, done, max);
	if (k > 0 || timeout_ms <= 0)
		return k;
	unsigned n = 0;
	if (fd >= 0)
		l->waits[n++] = (struct curl_waitfd){fd, CURL_WAIT_POLLIN, 0};
	for (int i = 0; i < l->nopen; i++) {
		short ev;
		int pfd = l->open[i]->ops->wait_fd ? l->open[i]->ops->wait_fd(l->open[i], &ev) : -1;
		if (pfd >= 0)
			l->waits[n++] = (struct curl_waitfd){pfd, (short)((ev & POLLIN ? CURL_WAIT_POLLIN : 0) |
									 (ev & POLLOUT ? CURL_WAIT_POLLOUT : 0)), 0};
	}
	curl_multi_poll(l->multi, l->waits, n, timeout_ms, NULL);
	curl_multi_perform(l->multi, &running);
	return collect(l, done, max);
}
