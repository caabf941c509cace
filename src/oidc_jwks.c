/* oidc_jwks.c — the issuer's key set and ID token signatures (see oidc_jwks.h). */
#include "oidc_jwks.h"
#include "log.h"
#include "oidc_fetch.h"
#include "util.h"

#include <cjose/cjose.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *keys;           /* the "keys" array of the set */
static char *keys_uri;         /* where it came from */
static double keys_at;         /* when (monotonic) */

/* Fetches the set at uri into the cache; 0 or -1 with err. Called with mu held. */
static int fetch_keys(const char *uri, struct oidc_err *err)
{
	json_t *set = oidc_fetch(uri, NULL, err);
	if (set == NULL)
		return -1;
	json_t *k = json_object_get(set, "keys");
	if (!json_is_array(k)) {
		oidc_err_set(err, "oidc.no_keys", NULL);
		json_decref(set);
		return -1;
	}
	json_decref(keys);
	keys = json_incref(k);
	free(keys_uri);
	keys_uri = xstrdup(uri);
	keys_at = now_mono();
	json_decref(set);
	log_info("oidc.jwks_fetched", LS("uri", uri), LI("keys", json_array_size(k)));
	return 0;
}

/* The signing key of type kty named kid (kid NULL: the first signing key of that type), or
 * NULL. Called with mu held. */
static json_t *find_key(const char *kty, const char *kid)
{
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *t = json_string_value(json_object_get(k, "kty"));
		const char *id = json_string_value(json_object_get(k, "kid"));
		if ((use == NULL || strcmp(use, "sig") == 0) && t && strcmp(t, kty) == 0 &&
		    (kid == NULL || (id && strcmp(id, kid) == 0)))
			return k;
	}
	return NULL;
}

/* The key type an algorithm needs: "RSA" for RS* and PS*, "EC" for ES*; NULL for any other
 * (symmetric HS*, "none"). */
static const char *alg_kty(const char *alg)
{
	static const char *const rsa[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"};
	static const char *const ec[] = {"ES256", "ES384", "ES512"};
	for (size_t i = 0; alg && i < ARRAY_LEN(rsa); i++)
		if (strcmp(alg, rsa[i]) == 0)
			return "RSA";
	for (size_t i = 0; alg && i < ARRAY_LEN(ec); i++)
		if (strcmp(alg, ec[i]) == 0)
			return "EC";
	return NULL;
}

/* A reference to the key for (kty, kid), fetching the set when it is missing, from another
 * place, or lacks kid and was fetched more than OIDC_JWKS_REFETCH_S ago. */
static json_t *key_for(const char *jwks_uri, const char *kty, const char *kid, struct oidc_err *err)
{
	pthread_mutex_lock(&mu);
	json_t *k = NULL;
	if (keys == NULL || strcmp(keys_uri, jwks_uri) != 0) {
		if (fetch_keys(jwks_uri, err) < 0)
			goto out;
	}
	if ((k = find_key(kty, kid)) == NULL && now_mono() - keys_at >= OIDC_JWKS_REFETCH_S &&
	    fetch_keys(jwks_uri, err) == 0)
		k = find_key(kty, kid);
	if (k == NULL)
		oidc_err_set(err, "oidc.unknown_key", NULL);
out:
	json_incref(k);
	pthread_mutex_unlock(&mu);
	return k;
}

json_t *oidc_jwks_verify(const char *jwks_uri, const char *token, struct oidc_err *err)
{
	cjose_err e;
	size_t len = strlen(token);
	if (len > OIDC_TOKEN_MAX) {
		oidc_err_set(err, "oidc.token_long", "%d", OIDC_TOKEN_MAX);
		return NULL;
	}
	cjose_jws_t *jws = cjose_jws_import(token, len, &e);
	if (jws == NULL) {
		oidc_err_set(err, "oidc.not_jwt", "%s", e.message);
		return NULL;
	}
	cjose_header_t *hdr = cjose_jws_get_protected(jws);
	const char *alg = cjose_header_get(hdr, "alg", &e), *kid = cjose_header_get(hdr, "kid", &e);
	const char *kty = alg_kty(alg), *key_alg;
	json_t *jwk = NULL, *claims = NULL;
	cjose_jwk_t *key = NULL;
	char *key_json = NULL;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	if (kty == NULL) {
		oidc_err_set(err, "oidc.algorithm", "%.20s", alg ? alg : "-");
		goto out;
	}
	if ((jwk = key_for(jwks_uri, kty, kid, err)) == NULL)
		goto out;
	if ((key_alg = json_string_value(json_object_get(jwk, "alg"))) != NULL && strcmp(key_alg, alg) != 0) {
		oidc_err_set(err, "oidc.key_algorithm", NULL);
		goto out;
	}
	key_json = json_dumps(jwk, JSON_COMPACT);
	if (key_json == NULL || (key = cjose_jwk_import(key_json, strlen(key_json), &e)) == NULL) {
		oidc_err_set(err, "oidc.bad_key", NULL);
		goto out;
	}
	if (!cjose_jws_verify(jws, key, &e)) {
		oidc_err_set(err, "oidc.signature", NULL);
		goto out;
	}
	if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &e) ||
	    (claims = json_loadb((const char *)plain, plain_len, 0, NULL)) == NULL || !json_is_object(claims)) {
		json_decref(claims);
		claims = NULL;
		oidc_err_set(err, "oidc.claims_object", NULL);
	}
out:
	free(key_json);
	if (key)
		cjose_jwk_release(key);
	json_decref(jwk);
	cjose_jws_release(jws);
	return claims;
}
