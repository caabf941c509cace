/* libcurl.h — libcurl's global initialisation, once per process, before the first handle of
 * any module that makes requests (provider.c, oidc_fetch.c, webhook.c). Thread-safe. */
#ifndef HERALD_LIBCURL_H
#define HERALD_LIBCURL_H

void libcurl_init(void);

#endif
