/* admin_oidc.c — the admin's OpenID Connect sign-in (API.md 9.7): /admin/oidc/login keeps a
 * new sign-in (oidc_store.h), binds it to the browser with a cookie holding its state and
 * sends the browser to the issuer; /admin/oidc/callback takes the sign-in of the returned state
 * (once), checks the cookie, exchanges the code (oidc.h), maps the role claim to a herald user
 * and starts the same session as the password sign-in (session.h). Every refusal is the
 * sign-in page with what went wrong, and no session. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "config.h"
#include "log.h"
#include "model_user.h"
#include "oidc.h"
#include "oidc_store.h"
#include "session.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The state of the sign-in this browser started. SameSite=Lax, not Strict: the callback is a
 * top-level navigation from the issuer's site. */
#define STATE_COOKIE "herald_oidc_state"
#define STATE_COOKIE_ATTRS "; HttpOnly; SameSite=Lax; Path=/admin/oidc/"

static void state_cookie(struct http_req *req, const char *state)
{
	int secure = session_tls(req) || strcmp(cfg.cookie_secure, "off") != 0;
	http_header(req, "Set-Cookie", pool_printf(&req->pool, STATE_COOKIE "=%s" STATE_COOKIE_ATTRS "%s%s", state,
						   secure ? "; Secure" : "", *state ? "; Max-Age=600" : "; Max-Age=0"));
}

/* The callback URL the issuer returns to: cfg.oidc_redirect_uri, else this request's scheme
 * and Host (which the issuer checks against the client's registered URIs). 0 or -1. */
static int redirect_uri(struct http_req *req, char *out, size_t n)
{
	static const char host_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-:[]";
	if (*cfg.oidc_redirect_uri) {
		snprintf(out, n, "%s", cfg.oidc_redirect_uri);
		return 0;
	}
	const char *host = http_header_in(req, MHD_HTTP_HEADER_HOST);
	if (host == NULL || *host == '\0' || strlen(host) > 255 || strspn(host, host_chars) != strlen(host))
		return -1;
	snprintf(out, n, "%s://%s/admin/oidc/callback", session_tls(req) ? "https" : "http", host);
	return 0;
}

/* The sign-in page with the text at path (its %s: the provider's name, then detail). */
static void refuse(struct http_req *req, int status, const char *next, const char *path, const char *detail)
{
	admin_login_page(req, status, next, NULL, admin_format(req, path, cfg.oidc_name, detail ? detail : ""));
}

/* refuse() with what went wrong with the issuer, in the user's language (and in English in
 * the log as event). */
static void refuse_err(struct http_req *req, int status, const char *next, const char *path, const char *event,
		       const struct oidc_err *err)
{
	char *en = oidc_err_text(err, "en"), *theirs = oidc_err_text(err, admin_lang(req));
	pool_defer(&req->pool, free, en);
	pool_defer(&req->pool, free, theirs);
	log_warn(event, LS("client", req->client), LS("error", en));
	refuse(req, status, next, path, theirs);
}

void admin_oidc_login(struct http_req *req)
{
	char ru[OIDC_URI_MAX];
	struct oidc_err err;
	const char *next = admin_safe_next(http_query(req, "next"));
	struct oidc_request r;
	struct db *db;
	if (!oidc_enabled()) {
		admin_error(req, 404, "admin.oidc.off");
		return;
	}
	if (redirect_uri(req, ru, sizeof(ru)) < 0) {
		refuse(req, 400, next, "admin.oidc.host", NULL);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	oidc_request_new(&r);
	char *url = oidc_auth_url(&r, ru, &err);
	pool_defer(&req->pool, free, url);
	if (url == NULL) {
		refuse_err(req, 502, next, "admin.oidc.unavailable", "oidc.unavailable", &err);
	} else if (oidc_store_put(db, &r, ru, next) < 0) {
		http_db_fail(req, db);
	} else {
		state_cookie(req, r.state);
		http_redirect(req, 303, url);
	}
	sodium_memzero(&r, sizeof(r));
}

/* 1 when the browser's state cookie is state. */
static int cookie_matches(struct http_req *req, const char *state)
{
	const char *c = http_cookie(req, STATE_COOKIE);
	return c != NULL && strlen(c) == strlen(state) && sodium_memcmp(c, state, strlen(state)) == 0;
}

/* Signs in the subject of the verified claims: 0 done (response queued), -1 refused or
 * failed (response queued). */
static int sign_in(struct http_req *req, struct db *db, json_t *claims, const char *next)
{
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const char *name = json_string_value(json_object_get(claims, "preferred_username"));
	enum role role = oidc_role(claims);
	struct user u;
	if (name == NULL)
		name = json_string_value(json_object_get(claims, "email"));
	if (role == ROLE_NONE) {
		log_warn("oidc.no_role", LS("sub", sub), LS("claim", cfg.oidc_role_claim));
		refuse(req, 403, next,
		       "admin.oidc.no_role", NULL);
		return -1;
	}
	switch (oidc_store_user(db, sub, name, role, &u)) {
	case -1:
		http_db_fail(req, db);
		return -1;
	case 0:
		log_warn("oidc.inactive", LS("sub", sub), LI("user_id", u.id));
		refuse(req, 403, next, "admin.oidc.inactive", NULL);
		return -1;
	}
	req->user = u;
	if (session_start(req, db, u.id) < 0) {
		http_db_fail(req, db);
		return -1;
	}
	audit_route(db, req, "", pool_pack(&req->pool, "{s:s, s:s}", "via", "oidc", "role", role_name(role)));
	log_info("login.ok", LI("user_id", u.id), LS("username", u.username), LS("client", req->client),
		 LS("via", "oidc"));
	return 0;
}

void admin_oidc_callback(struct http_req *req)
{
	const char *state = http_query(req, "state"), *code = http_query(req, "code");
	const char *error = http_query(req, "error"), *iss = http_query(req, "iss");
	struct oidc_pending p;
	char denied[104];
	struct oidc_err err;
	struct db *db;
	if (!oidc_enabled()) {
		admin_error(req, 404, "admin.oidc.off");
		return;
	}
	state_cookie(req, "");
	if (state == NULL || strlen(state) != OIDC_RANDOM_LEN) {
		refuse(req, 400, NULL, "admin.oidc.incomplete", NULL);
		return;
	}
	if (!cookie_matches(req, state)) {
		refuse(req, 400, NULL, "admin.oidc.not_started", NULL);
		return;
	}
	if ((db = admin_db(req)) == NULL)
		return;
	int taken = oidc_store_take(db, state, &p);
	if (taken < 0) {
		http_db_fail(req, db);
		return;
	}
	if (taken == 0) {
		log_warn("oidc.state_unknown", LS("client", req->client));
		refuse(req, 400, NULL, "admin.oidc.used", NULL);
		return;
	}
	if (error != NULL) {
		snprintf(denied, sizeof(denied), "%.100s", error);
		refuse(req, 401, p.next, "admin.oidc.denied", denied);
		return;
	}
	if (iss != NULL && strcmp(iss, cfg.oidc_issuer) != 0) {
		refuse(req, 400, p.next, "admin.oidc.foreign", NULL);
		return;
	}
	if (code == NULL || *code == '\0' || strlen(code) > 2048) {
		refuse(req, 400, p.next, "admin.oidc.incomplete", NULL);
		return;
	}
	json_t *claims = pool_json(&req->pool, oidc_exchange(code, p.verifier, p.redirect_uri, p.nonce, &err));
	sodium_memzero(&p.verifier, sizeof(p.verifier));
	if (claims == NULL) {
		refuse_err(req, 401, p.next, "admin.oidc.failed", "oidc.refused", &err);
		return;
	}
	if (sign_in(req, db, claims, p.next) == 0) {
		/* A page that moves on by itself, not a redirect: the session cookie is SameSite=Strict
		 * and a redirect would still count as the issuer's cross-site navigation. */
		http_header(req, "Refresh", pool_printf(&req->pool, "0; url=%s", p.next));
		admin_page(req, 200, "admin/oidc_done",
			   pool_pack(&req->pool, "{s:s, s:s}", "next", p.next, "username", req->user.username));
	}
}
