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
	/* m's result fields are reset (transient, no error) before. */
	void (*submit)(struct provider *p, struct provider_msg *m);
	/* Hands back up to max messages that finished without a transfer (a kind with a socket of
	 * its own does that socket's I/O and timers here first). */
	int (*ready)(struct provider *p, struct provider_msg **done, int max);
	/* A transfer of this provider on the loop's multi ended with rc: its message. */
	struct provider_msg *(*finished)(struct provider *p, CURL *easy, CURLcode rc);
	/* A kind with a socket of its own: the socket the loop waits on with curl's (-1: none now)
	 * and the poll events it waits for. NULL: none. */
	int (*wait_fd)(const struct provider *p, short *events);
};

struct provider {
	const struct provider_ops *ops;
	struct provider_loop *loop;
};

/* The thread's curl multi (every transfer of its providers), its open providers and the
 * sockets a wait watches besides curl's (cap of them). */
struct provider_loop {
	CURLM *multi;
	struct provider **open;
	struct curl_waitfd *waits;
	int nopen, cap;
	long connections;            /* the connection cache: the providers' concurrency */
};

extern const struct provider_ops provider_log_ops;
extern const struct provider_ops provider_probe_ops;
extern const struct provider_ops provider_smpp_ops;

#endif
