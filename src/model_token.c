/* model_token.c — API tokens. */
#include "model_token.h"
#include "config.h"
#include "log.h"
#include "model_user.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "hrd_"
#define TOKEN_RAW 32
#define CACHE_SLOTS 64

/* A checked token, by its hash as secret_hash_param writes it. */
struct cache_entry {
	char hash[HASH_PARAM_LEN];
	struct user user;
	double until;
};

static _Thread_local struct cache_entry cache[CACHE_SLOTS];

int64_t token_create(struct db *db, const char *username, const char *name, char out[TOKEN_MAX],
		     struct model_err *e)
{
	static const char q[] =
	    "INSERT INTO api_tokens (user_id, name, token_hash, prefix)"
	    " SELECT id, $2, $3::bytea, $4 FROM users WHERE username = $1 AND is_active RETURNING id";
	unsigned char raw[TOKEN_RAW];
	char hp[HASH_PARAM_LEN], prefix[16];
	size_t nlen = strlen(name);
	if (nlen < 1 || nlen > 100 || utf8_length(name, nlen) < 0) {
		model_err_field(e, MODEL_INVALID, "name", "a token name is 1 to 100 characters");
		return -1;
	}
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
	sodium_bin2base64(out + strlen(TOKEN_PREFIX), TOKEN_MAX - strlen(TOKEN_PREFIX), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	secret_hash_param(out, hp);
	snprintf(prefix, sizeof(prefix), "%.12s", out);
	const char *p[] = {username, name, hp, prefix};
	PGresult *r = db_exec(db, q, 4, p);
	if (r == NULL) {
		model_err_db(e, db);
		return -1;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		model_err_field(e, MODEL_NOT_FOUND, "username", "no active user named '%s'", username);
		return -1;
	}
	int64_t id = db_i64(r, 0, 0);
	PQclear(r);
	log_info("token.created", LI("token_id", id), LS("username", username), LS("prefix", prefix));
	return id;
}

PGresult *token_list(struct db *db, int64_t user_id, const char *after_json, int limit)
{
	static const char q[] =
	    "SELECT json_build_object('id', t.id, 'name', t.name, 'prefix', t.prefix, 'username', u.username,"
	    " 'created_at', api_ts(t.created_at), 'last_used_at', api_ts(t.last_used_at),"
	    " 'revoked_at', api_ts(t.revoked_at))::text, json_build_array(t.id)::text"
	    " FROM api_tokens t JOIN users u ON u.id = t.user_id"
	    " WHERE ($1 = 0 OR t.user_id = $1) AND ($2::json IS NULL OR t.id < ($2::json->>0)::bigint)"
	    " ORDER BY t.id DESC LIMIT $3";
	char uid[24], lim[16];
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {uid, after_json, lim};
	return db_exec(db, q, 3, p);
}

int token_revoke(struct db *db, int64_t id, int64_t user_id)
{
	static const char q[] = "UPDATE api_tokens SET revoked_at = now()"
				" WHERE id = $1 AND ($2 = 0 OR user_id = $2) AND revoked_at IS NULL";
	char tid[24], uid[24];
	snprintf(tid, sizeof(tid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	const char *p[] = {tid, uid};
	PGresult *r = db_exec(db, q, 2, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n)
		log_info("token.revoked", LI("token_id", id));
	return n;
}

enum model_rc token_check(const char *token, struct user *user)
{
	static const char q[] =
	    "UPDATE api_tokens t SET last_used_at = now() FROM users u"
	    " WHERE t.token_hash = $1::bytea AND t.revoked_at IS NULL AND u.id = t.user_id AND u.is_active"
	    " RETURNING u.id, u.username, u.role";
	char hp[HASH_PARAM_LEN], first[5];
	size_t len = strlen(token);
	if (len < strlen(TOKEN_PREFIX) + 8 || len >= TOKEN_MAX)
		return MODEL_NOT_FOUND;
	secret_hash_param(token, hp);
	memcpy(first, hp + 2, 4);   /* the hash's first two bytes in hex */
	first[4] = '\0';
	unsigned slot = (unsigned)strtoul(first, NULL, 16) % CACHE_SLOTS;
	double now = now_mono();
	if (cache[slot].until > now && sodium_memcmp(cache[slot].hash, hp, HASH_PARAM_LEN) == 0) {
		*user = cache[slot].user;
		return MODEL_OK;
	}
	struct db *db = db_thread();
	if (db == NULL)
		return MODEL_UNAVAILABLE;
	const char *p[] = {hp};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return model_db_rc(db);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MODEL_NOT_FOUND;
	}
	user->id = db_i64(r, 0, 0);
	snprintf(user->username, sizeof(user->username), "%s", db_str(r, 0, 1));
	user->role = role_parse(db_str(r, 0, 2));
	PQclear(r);
	memcpy(cache[slot].hash, hp, HASH_PARAM_LEN);
	cache[slot].user = *user;
	cache[slot].until = now + cfg.token_cache_s;
	return MODEL_OK;
}
