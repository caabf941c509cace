/* oidc_store.h — what OpenID Connect sign-in keeps in PostgreSQL, so that any herald instance
 * may take the callback: the sign-ins under way (oidc_logins, one row from the redirect to the
 * issuer until the callback takes it, at most OIDC_LOGIN_TTL old) and the herald user of an
 * issuer's subject (users.oidc_issuer, users.oidc_subject). */
#ifndef HERALD_OIDC_STORE_H
#define HERALD_OIDC_STORE_H
#include "db.h"
#include "http.h"
#include "oidc.h"

#define OIDC_LOGIN_TTL "10 minutes"
#define OIDC_URI_MAX 600

/* A sign-in under way, as the callback finds it. */
struct oidc_pending {
	char nonce[OIDC_RANDOM_LEN + 1];
	char verifier[OIDC_RANDOM_LEN + 1];
	char redirect_uri[OIDC_URI_MAX];
	char next[OIDC_URI_MAX];
};

/* Keeps sign-in r (only the hash of its state) with where to return; deletes expired ones.
 * 0 or -1. */
int oidc_store_put(struct db *db, const struct oidc_request *r, const char *redirect_uri, const char *next);
/* Takes the sign-in of state: deletes it and fills *p. 1 taken, 0 none (unknown, already
 * taken or expired), -1 database error. A state is taken at most once. */
int oidc_store_take(struct db *db, const char *state, struct oidc_pending *p);
/* The herald user of (cfg.oidc_issuer, sub) with role: created on the first sign-in (named
 * after name when that is a free, valid user name, else "oidc-" and a hash), its role set on
 * each. Fills *u; 1 signed in, 0 the user is deactivated, -1 database error. */
int oidc_store_user(struct db *db, const char *sub, const char *name, enum role role, struct user *u);

#endif
