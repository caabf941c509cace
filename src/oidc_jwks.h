/* oidc_jwks.h — the issuer's signing keys (its JWKS, from the discovery document's jwks_uri)
 * and the check of an ID token's signature with them, through cjose: the keys are imported by
 * cjose_jwk_import, the signature checked by cjose_jws_verify. Only asymmetric algorithms
 * (RS*, PS*, ES*) on a key of the matching type are accepted. The set is cached per process and
 * fetched again when a token names a key id it lacks (key rotation), at most once per
 * OIDC_JWKS_REFETCH_S. Thread-safe. */
#ifndef HERALD_OIDC_JWKS_H
#define HERALD_OIDC_JWKS_H
#include <jansson.h>
#include <stddef.h>
#include "oidc_fetch.h"

#define OIDC_JWKS_REFETCH_S 10
#define OIDC_TOKEN_MAX (16 * 1024)   /* bytes of an ID token */

/* Checks the signature of the compact JWS token with a key of the set at jwks_uri. Returns
 * the payload (a JSON object; the caller decrefs), or NULL with err. */
json_t *oidc_jwks_verify(const char *jwks_uri, const char *token, struct oidc_err *err);

#endif
