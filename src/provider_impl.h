/* provider_impl.h — what a provider implementation supplies to provider.c (not for callers:
 * they include provider.h). Each implementation embeds struct provider first in its own state. */
#ifndef HERALD_PROVIDER_IMPL_H
#define HERALD_PROVIDER_IMPL_H
#include "provider.h"

#include <curl/curl.h>

struct provider_ops {
	const char *kind;
	struct provider *(*open)(struct provider_loop *l, const struct provider_conf *c, int concurrency);
	void (*close)(struct provider *p);
	int (*room)(const struct provider *p);
	int (*inflight)(const struct provider *p);
	void (*submit)(struct provider *p, struct provider_msg *m);
	/* Hands back up to max messages that finished without a transfer. */
	int (*ready)(struct provider *p, struct provider_msg **done, int max);
	/* A transfer of this provider on the loop's multi ended with rc: its message. */
	struct provider_msg *(*finished)(struct provider *p, CURL *easy, CURLcode rc);
};

struct provider {
	const struct provider_ops *ops;
	struct provider_loop *loop;
};

/* The thread's curl multi (every transfer of its providers) and its open providers. */
struct provider_loop {
	CURLM *multi;
	struct provider **open;
	int nopen, cap;
	long connections;            /* the connection cache: the providers' concurrency */
};

extern const struct provider_ops provider_log_ops;
extern const struct provider_ops provider_probe_ops;

#endif
