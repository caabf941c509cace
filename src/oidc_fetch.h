/* oidc_fetch.h — the requests to the OpenID Connect issuer (oidc.c's discovery and code
 * exchange, oidc_jwks.c's key set): bounded in size and time, https only (or http to this
 * host). */
#ifndef HERALD_OIDC_FETCH_H
#define HERALD_OIDC_FETCH_H
#include <jansson.h>
#include <stddef.h>

#define OIDC_FETCH_MAX (256 * 1024)   /* bytes of any answer from the issuer */
#define OIDC_TIMEOUT_MS 10000

/* 1 when url is https://…, or http:// to localhost or a loopback address. */
int oidc_url_acceptable(const char *url);
/* GET url (form NULL) or POST form to it with the client's credentials; the JSON object of a
 * 200 answer, or NULL with err. */
json_t *oidc_fetch(const char *url, const char *form, char *err, size_t errlen);

#endif
