/* provider.c — picks the provider implementation and forwards to it. */
#include "provider_impl.h"
#include "config.h"

struct provider *provider_open(int concurrency)
{
	const struct provider_ops *ops = *cfg.provider_url ? &provider_probe_ops : &provider_log_ops;
	struct provider *p = ops->open(concurrency < 1 ? 1 : concurrency);
	if (p)
		p->ops = ops;
	return p;
}

void provider_close(struct provider *p)
{
	if (p)
		p->ops->close(p);
}

const char *provider_name(const struct provider *p) { return p->ops->name; }
int provider_room(const struct provider *p) { return p->ops->room(p); }
int provider_inflight(const struct provider *p) { return p->ops->inflight(p); }
void provider_submit(struct provider *p, struct provider_msg *m) { p->ops->submit(p, m); }

int provider_poll(struct provider *p, int timeout_ms, int fd, struct provider_msg **done, int max)
{
	return p->ops->poll(p, timeout_ms, fd, done, max);
}
