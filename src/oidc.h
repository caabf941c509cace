/* oidc.h — OpenID Connect sign-in for the admin (API.md 9.7), the part that talks to the
 * issuer: its discovery document ({issuer}/.well-known/openid-configuration, cached for
 * OIDC_DISCOVERY_TTL_S), the authorization request (code flow, PKCE S256, state, nonce), the
 * code exchange at the token endpoint (client_secret_basic) and the checks of the ID token it
 * returns: signature against the issuer's JWKS (oidc_jwks.h), iss, aud/azp, exp and iat with
 * OIDC_LEEWAY_S, nonce. Every fetch is bounded in size and time. Thread-safe. */
#ifndef HERALD_OIDC_H
#define HERALD_OIDC_H
#include <jansson.h>
#include <stddef.h>
#include "http.h"
#include "oidc_fetch.h"

#define OIDC_LEEWAY_S 60              /* clock skew allowed on exp and iat */
#define OIDC_DISCOVERY_TTL_S 3600
#define OIDC_RANDOM_LEN 43            /* state, nonce, verifier: 32 random bytes, base64url */

/* 1 when issuer, client id and client secret are all set. */
int oidc_enabled(void);
/* Checks the oidc_* configuration: none or all three set, an https issuer (http only on a
 * loopback host), an absolute redirect URI. 0, or -1 with err. */
int oidc_config_check(char *err, size_t errlen);

/* The secrets of one sign-in, kept from the redirect to the callback. */
struct oidc_request {
	char state[OIDC_RANDOM_LEN + 1];
	char nonce[OIDC_RANDOM_LEN + 1];
	char verifier[OIDC_RANDOM_LEN + 1];
};

/* Fills r with fresh random values. */
void oidc_request_new(struct oidc_request *r);
/* The issuer's authorization URL for r and redirect_uri (malloc'd), or NULL with err. */
char *oidc_auth_url(const struct oidc_request *r, const char *redirect_uri, struct oidc_err *err);
/* Exchanges code for tokens and checks the ID token against nonce. Returns its verified claims
 * (the caller decrefs), or NULL with what went wrong in err. */
json_t *oidc_exchange(const char *code, const char *verifier, const char *redirect_uri, const char *nonce,
		      struct oidc_err *err);
/* The role named by the claim cfg.oidc_role_claim (a string, or an array of strings: the
 * highest known one); ROLE_NONE when absent or unknown. */
enum role oidc_role(json_t *claims);

#endif
