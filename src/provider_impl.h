/* provider_impl.h — what a provider implementation supplies to provider.c (not for callers:
 * they include provider.h). Each implementation embeds struct provider first in its own state. */
#ifndef HERALD_PROVIDER_IMPL_H
#define HERALD_PROVIDER_IMPL_H
#include "provider.h"

struct provider_ops {
	const char *name;
	struct provider *(*open)(int concurrency);
	void (*close)(struct provider *p);
	int (*room)(const struct provider *p);
	int (*inflight)(const struct provider *p);
	void (*submit)(struct provider *p, struct provider_msg *m);
	int (*poll)(struct provider *p, int timeout_ms, int fd, struct provider_msg **done, int max);
};

struct provider {
	const struct provider_ops *ops;
};

extern const struct provider_ops provider_log_ops;
extern const struct provider_ops provider_probe_ops;

#endif
