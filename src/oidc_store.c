/* oidc_store.c — sign-ins under way and the users of an issuer (see oidc_store.h). */
#include "oidc_store.h"
#include "config.h"
#include "model_user.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int oidc_store_put(struct db *db, const struct oidc_request *r, const char *redirect_uri, const char *next)
{
	static const char q[] =
	    "WITH old AS (DELETE FROM oidc_logins WHERE created_at < now() - interval '" OIDC_LOGIN_TTL "')"
	    " INSERT INTO oidc_logins (state_hash, nonce, verifier, redirect_uri, next) VALUES ($1::bytea, $2, $3, $4, $5)";
	char h[HASH_PARAM_LEN];
	secret_hash_param(r->state, h);
	const char *p[] = {h, r->nonce, r->verifier, redirect_uri, next};
	return db_run(db, q, 5, p) < 0 ? -1 : 0;
}

int oidc_store_take(struct db *db, const char *state, struct oidc_pending *out)
{
	static const char q[] =
	    "DELETE FROM oidc_logins WHERE state_hash = $1::bytea"
	    " RETURNING nonce, verifier, redirect_uri, next, created_at > now() - interval '" OIDC_LOGIN_TTL "'";
	char h[HASH_PARAM_LEN];
	secret_hash_param(state, h);
	const char *p[] = {h};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return -1;
	int found = PQntuples(r) == 1 && strcmp(db_str(r, 0, 4), "t") == 0;
	if (found) {
		snprintf(out->nonce, sizeof(out->nonce), "%s", db_str(r, 0, 0));
		snprintf(out->verifier, sizeof(out->verifier), "%s", db_str(r, 0, 1));
		snprintf(out->redirect_uri, sizeof(out->redirect_uri), "%s", db_str(r, 0, 2));
		snprintf(out->next, sizeof(out->next), "%s", db_str(r, 0, 3));
	}
	PQclear(r);
	return found;
}

int oidc_store_user(struct db *db, const char *sub, const char *name, enum role role, struct user *u)
{
	static const char q[] =
	    "WITH c AS (SELECT CASE WHEN $3::text ~ '^[A-Za-z0-9_.@-]{1,64}$'"
	    "                        AND NOT EXISTS (SELECT 1 FROM users WHERE username = $3) THEN $3"
	    "   ELSE 'oidc-' || left(encode(sha256(convert_to($1::text || ' ' || $2::text, 'UTF8')), 'hex'), 16) END AS username)"
	    " INSERT INTO users AS u (username, role, oidc_issuer, oidc_subject, last_login_at)"
	    " SELECT username, $4::text, $1::text, $2::text, now() FROM c"
	    " ON CONFLICT (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL DO UPDATE SET"
	    "  role = EXCLUDED.role,"
	    "  updated_at = CASE WHEN u.role = EXCLUDED.role THEN u.updated_at ELSE now() END,"
	    "  last_login_at = CASE WHEN u.is_active THEN now() ELSE u.last_login_at END"
	    " RETURNING u.id, u.username, u.is_active";
	const char *p[] = {cfg.oidc_issuer, sub, name ? name : "", role_name(role)};
	PGresult *r = db_exec(db, q, 4, p);
	if (r == NULL)
		return -1;
	int active = strcmp(db_str(r, 0, 2), "t") == 0;
	u->id = db_i64(r, 0, 0);
	snprintf(u->username, sizeof(u->username), "%s", db_str(r, 0, 1));
	u->role = role;
	u->has_password = 0;
	PQclear(r);
	return active;
}
