/* admin_text.h — the texts of a request's admin pages (admin_text.c): every text an admin page
 * shows from C is a path in the catalogue (locale/<lang>.json), in the request's language. */
#ifndef HERALD_ADMIN_TEXT_H
#define HERALD_ADMIN_TEXT_H
#include "http.h"

/* The language of the request's pages: the user's setting, else the best of Accept-Language,
 * else cfg.language (i18n.h); worked out once per request. */
const char *admin_lang(struct http_req *req);
/* The text at path ("admin.nav.clients") in the request's language (i18n_text); every text an
 * admin page shows from C is such a path. */
const char *admin_t(struct http_req *req, const char *path);
/* The same, NULL when the catalogue has no text at path (an optional text). */
const char *admin_t_opt(struct http_req *req, const char *path);
/* That text as a printf format with the arguments given, in the request's pool. */
const char *admin_format(struct http_req *req, const char *path, ...);
/* The plural form of path for n (i18n_plural) with n as its %lld, in the request's pool. */
const char *admin_plural(struct http_req *req, const char *path, long long n);
/* The same with n written out with the language's thousands separator as its %s ("12,345
 * messages", "12 345 сообщений"). */
const char *admin_count(struct http_req *req, const char *path, long long n);

/* The label of a value of the select, filter or status called name in the request's language:
 * the text at admin.options.<name>.<value> ("_" for ""), else the value itself; "—" for NULL. */
const char *admin_option(struct http_req *req, const char *name, const char *value);

#endif
