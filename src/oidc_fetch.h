/* oidc_fetch.h — the requests to the OpenID Connect issuer (oidc.c's discovery and code
 * exchange, oidc_jwks.c's key set): bounded in size and time, https only (or http to this
 * host). */
#ifndef HERALD_OIDC_FETCH_H
#define HERALD_OIDC_FETCH_H
#include <jansson.h>
#include <stddef.h>

#define OIDC_FETCH_MAX (256 * 1024)   /* bytes of any answer from the issuer */
#define OIDC_TIMEOUT_MS 10000

/* What went wrong with the issuer: a path in the language catalogue (i18n.h, "oidc.…") and
 * the one value its text shows (%s; "" when it shows none), written in each reader's language
 * where it is read: English in the log, the user's on the sign-in page. */
struct oidc_err {
	const char *path;
	char arg[224];
};

/* Sets e to path with the value printed from fmt (NULL: none). */
void oidc_err_set(struct oidc_err *e, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* e's text in lang (malloc'ed). */
char *oidc_err_text(const struct oidc_err *e, const char *lang);

/* 1 when url is https://…, or http:// to localhost or a loopback address. */
int oidc_url_acceptable(const char *url);
/* GET url (form NULL) or POST form to it with the client's credentials; the JSON object of a
 * 200 answer, or NULL with err. */
json_t *oidc_fetch(const char *url, const char *form, struct oidc_err *err);

#endif
