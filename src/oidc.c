/* oidc.c — discovery, the authorization request, the code exchange and the ID token's
 * claims (see oidc.h). */
#include "oidc.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "model_user.h"
#include "oidc_fetch.h"
#include "oidc_jwks.h"
#include "util.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int oidc_enabled(void)
{
	return *cfg.oidc_issuer && *cfg.oidc_client_id && *cfg.oidc_client_secret;
}

int oidc_config_check(char *err, size_t errlen)
{
	int set = (*cfg.oidc_issuer != '\0') + (*cfg.oidc_client_id != '\0') + (*cfg.oidc_client_secret != '\0');
	if (set == 0)
		return 0;
	if (set != 3) {
		snprintf(err, errlen, "oidc_issuer, oidc_client_id and oidc_client_secret are set together or not at all");
		return -1;
	}
	if (strlen(cfg.oidc_issuer) > 512 || !oidc_url_acceptable(cfg.oidc_issuer)) {
		snprintf(err, errlen, "oidc_issuer: '%s' is not an https URL (http only to a loopback address)",
			 cfg.oidc_issuer);
		return -1;
	}
	if (*cfg.oidc_redirect_uri && (strlen(cfg.oidc_redirect_uri) > 512 ||
				       (strncmp(cfg.oidc_redirect_uri, "https://", 8) != 0 &&
					strncmp(cfg.oidc_redirect_uri, "http://", 7) != 0))) {
		snprintf(err, errlen, "oidc_redirect_uri: '%s' is not an absolute http(s) URL", cfg.oidc_redirect_uri);
		return -1;
	}
	if (*cfg.oidc_role_claim == '\0' || strlen(cfg.oidc_role_claim) > 100) {
		snprintf(err, errlen, "oidc_role_claim: give the name of a claim (1 to 100 characters)");
		return -1;
	}
	return 0;
}

static void random_b64(char out[OIDC_RANDOM_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, OIDC_RANDOM_LEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void oidc_request_new(struct oidc_request *r)
{
	random_b64(r->state);
	random_b64(r->nonce);
	random_b64(r->verifier);
}

/* --- discovery --------------------------------------------------------------------------- */

static pthread_mutex_t disc_mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *disc;           /* the discovery document, checked */
static double disc_at;

static int endpoint_ok(json_t *d, const char *name)
{
	const char *u = json_string_value(json_object_get(d, name));
	return u != NULL && strlen(u) <= 1024 && oidc_url_acceptable(u);
}

/* The discovery document (a new reference), or NULL with err. */
static json_t *discovery(struct oidc_err *err)
{
	pthread_mutex_lock(&disc_mu);
	if (disc == NULL || now_mono() - disc_at > OIDC_DISCOVERY_TTL_S) {
		size_t n = strlen(cfg.oidc_issuer);
		char *url = xasprintf("%.*s/.well-known/openid-configuration", (int)(n && cfg.oidc_issuer[n - 1] == '/' ? n - 1 : n),
				      cfg.oidc_issuer);
		json_t *d = oidc_fetch(url, NULL, err);
		free(url);
		const char *iss = d ? json_string_value(json_object_get(d, "issuer")) : NULL;
		if (d != NULL && (iss == NULL || strcmp(iss, cfg.oidc_issuer) != 0)) {
			oidc_err_set(err, "oidc.other_issuer", NULL);
			json_decref(d);
			d = NULL;
		} else if (d != NULL && (!endpoint_ok(d, "authorization_endpoint") || !endpoint_ok(d, "token_endpoint") ||
					 !endpoint_ok(d, "jwks_uri"))) {
			oidc_err_set(err, "oidc.no_endpoint", NULL);
			json_decref(d);
			d = NULL;
		}
		if (d != NULL) {
			json_decref(disc);
			disc = d;
			disc_at = now_mono();
		} else {
			char *why = oidc_err_text(err, "en");
			log_warn("oidc.discovery_failed", LS("issuer", cfg.oidc_issuer), LS("error", why));
			free(why);
		}
	}
	json_t *d = json_incref(disc);
	pthread_mutex_unlock(&disc_mu);
	return d;
}

/* --- the flow ---------------------------------------------------------------------------- */

static void put_param(struct buf *b, CURL *c, const char *name, const char *value)
{
	char *v = curl_easy_escape(c, value, 0);
	buf_printf(b, "%s%s=%s", b->len && !strchr("?&", b->data[b->len - 1]) ? "&" : "", name, v);
	curl_free(v);
}

char *oidc_auth_url(const struct oidc_request *r, const char *redirect_uri, struct oidc_err *err)
{
	json_t *d = discovery(err);
	if (d == NULL)
		return NULL;
	const char *ep = json_string_value(json_object_get(d, "authorization_endpoint"));
	unsigned char h[crypto_hash_sha256_BYTES];
	char challenge[OIDC_RANDOM_LEN + 1];
	crypto_hash_sha256(h, (const unsigned char *)r->verifier, strlen(r->verifier));
	sodium_bin2base64(challenge, sizeof(challenge), h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	CURL *c = curl_easy_init();
	if (c == NULL)
		fatal("curl_easy_init failed");
	struct buf b = BUF_INIT;
	buf_puts(&b, ep);
	buf_putc(&b, strchr(ep, '?') ? '&' : '?');
	put_param(&b, c, "response_type", "code");
	put_param(&b, c, "client_id", cfg.oidc_client_id);
	put_param(&b, c, "redirect_uri", redirect_uri);
	put_param(&b, c, "scope", "openid profile email");
	put_param(&b, c, "state", r->state);
	put_param(&b, c, "nonce", r->nonce);
	put_param(&b, c, "code_challenge", challenge);
	put_param(&b, c, "code_challenge_method", "S256");
	curl_easy_cleanup(c);
	json_decref(d);
	return buf_steal(&b);
}

/* 1 when the ID token is meant for this client: aud is the client id or an array holding it
 * (then azp, when several audiences, must be the client id). */
static int audience_ok(json_t *claims)
{
	json_t *aud = json_object_get(claims, "aud"), *azp = json_object_get(claims, "azp");
	const char *id = cfg.oidc_client_id;
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), id) == 0 &&
		       (azp == NULL || (json_is_string(azp) && strcmp(json_string_value(azp), id) == 0));
	if (!json_is_array(aud))
		return 0;
	size_t i;
	json_t *a;
	int found = 0;
	json_array_foreach(aud, i, a)
		found |= json_is_string(a) && strcmp(json_string_value(a), id) == 0;
	if (!found)
		return 0;
	if (json_array_size(aud) == 1 && azp == NULL)
		return 1;
	return json_is_string(azp) && strcmp(json_string_value(azp), id) == 0;
}

/* The claims' checks (OpenID Connect Core 3.1.3.7); NULL or what is wrong (a catalogue path). */
static const char *claims_problem(json_t *claims, const char *nonce)
{
	json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat");
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const char *n = json_string_value(json_object_get(claims, "nonce"));
	double now = now_real();
	if (iss == NULL || strcmp(iss, cfg.oidc_issuer) != 0)
		return "oidc.claims.issuer";
	if (!audience_ok(claims))
		return "oidc.claims.audience";
	if (!json_is_number(exp) || json_number_value(exp) + OIDC_LEEWAY_S < now)
		return "oidc.claims.expired";
	if (!json_is_number(iat) || json_number_value(iat) - OIDC_LEEWAY_S > now)
		return "oidc.claims.future";
	if (n == NULL || nonce == NULL || strlen(n) != strlen(nonce) || sodium_memcmp(n, nonce, strlen(n)) != 0)
		return "oidc.claims.nonce";
	if (sub == NULL || *sub == '\0' || strlen(sub) > 255)
		return "oidc.claims.subject";
	return NULL;
}

json_t *oidc_exchange(const char *code, const char *verifier, const char *redirect_uri, const char *nonce,
		      struct oidc_err *err)
{
	json_t *d = discovery(err);
	if (d == NULL)
		return NULL;
	CURL *c = curl_easy_init();
	if (c == NULL)
		fatal("curl_easy_init failed");
	struct buf form = BUF_INIT;
	put_param(&form, c, "grant_type", "authorization_code");
	put_param(&form, c, "code", code);
	put_param(&form, c, "redirect_uri", redirect_uri);
	put_param(&form, c, "code_verifier", verifier);
	curl_easy_cleanup(c);
	json_t *tok = oidc_fetch(json_string_value(json_object_get(d, "token_endpoint")), form.data, err);
	buf_free(&form);
	json_t *claims = NULL;
	const char *idt = tok ? json_string_value(json_object_get(tok, "id_token")) : NULL;
	const char *why;
	if (tok != NULL && idt == NULL) {
		oidc_err_set(err, "oidc.no_token", NULL);
	} else if (idt != NULL &&
		   (claims = oidc_jwks_verify(json_string_value(json_object_get(d, "jwks_uri")), idt, err)) != NULL &&
		   (why = claims_problem(claims, nonce)) != NULL) {
		oidc_err_set(err, why, NULL);
		json_decref(claims);
		claims = NULL;
	}
	json_decref(tok);
	json_decref(d);
	return claims;
}

enum role oidc_role(json_t *claims)
{
	json_t *v = json_object_get(claims, cfg.oidc_role_claim), *a;
	if (json_is_string(v))
		return role_parse(json_string_value(v));
	enum role best = ROLE_NONE, r;
	size_t i;
	if (json_is_array(v))
		json_array_foreach(v, i, a)
			if ((r = role_parse(json_string_value(a))) > best)
				best = r;
	return best;
}
