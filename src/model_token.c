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

/* A token's object (t, u: its row and its user's), as the admin's pages show it. */
#define TOKEN_JSON \
	"json_build_object('id', t.id, 'name', t.name, 'prefix', t.prefix, 'user_id', t.user_id," \
	" 'username', u.username, 'created_at', api_ts(t.created_at), 'last_used_at', api_ts(t.last_used_at)," \
	" 'revoked_at', api_ts(t.revoked_at))::text"

/* Creates a token named name for the active user named username, or (username NULL) of id
 * user_id; the token into out, its object into *obj. */
static enum model_rc create(struct db *db, const char *username, int64_t user_id, const char *name,
			    char out[TOKEN_MAX], struct model_err *e, json_t **obj)
{
	static const char q[] =
	    "WITH t AS (INSERT INTO api_tokens (user_id, name, token_hash, prefix)"
	    "           SELECT id, $2, $3::bytea, $4 FROM users"
	    "           WHERE CASE WHEN $1::text IS NULL THEN id = $5::bigint ELSE username = $1 END AND is_active"
	    "           RETURNING *)"
	    " SELECT " TOKEN_JSON " FROM t JOIN users u ON u.id = t.user_id";
	unsigned char raw[TOKEN_RAW];
	char hp[HASH_PARAM_LEN], prefix[16], uid[DB_NUM_LEN];
	size_t nlen = strlen(name);
	if (nlen < 1 || nlen > 100 || utf8_length(name, nlen) < 0)
		return model_err_field(e, MODEL_INVALID, "name", "valid.token_name");
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
	sodium_bin2base64(out + strlen(TOKEN_PREFIX), TOKEN_MAX - strlen(TOKEN_PREFIX), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	secret_hash_param(out, hp);
	snprintf(prefix, sizeof(prefix), "%.12s", out);
	const char *p[] = {username, name, hp, prefix, db_num(uid, user_id)};
	PGresult *r = db_exec(db, q, 5, p);
	if (r == NULL)
		return model_err_db(e, db);
	if ((e->rc = res_row(db, r, obj)) == MODEL_NOT_FOUND)
		return model_err_field(e, MODEL_NOT_FOUND, "username", "valid.no_user",
				       username ? username : uid);
	if (e->rc == MODEL_OK)
		log_info("token.created", LI("token_id", json_integer_value(json_object_get(*obj, "id"))),
			 LS("username", json_string_value(json_object_get(*obj, "username"))), LS("prefix", prefix));
	return e->rc;
}

int64_t token_create(struct db *db, const char *username, const char *name, char out[TOKEN_MAX],
		     struct model_err *e)
{
	json_t *obj = NULL;
	if (create(db, username, 0, name, out, e, &obj) != MODEL_OK)
		return -1;
	int64_t id = json_integer_value(json_object_get(obj, "id"));
	json_decref(obj);
	return id;
}

/* Newest first after the key $2 (cmp "<", dir " DESC") or oldest first (cmp ">", dir ""). */
#define TOKEN_LIST(cmp, dir) \
	"SELECT " TOKEN_JSON ", json_build_array(t.id)::text" \
	" FROM api_tokens t JOIN users u ON u.id = t.user_id" \
	" WHERE ($1 = 0 OR t.user_id = $1) AND ($2::json IS NULL OR t.id " cmp " ($2::json->>0)::bigint)" \
	" ORDER BY t.id" dir " LIMIT $3"

/* A page of tokens (of user_id; 0: everyone's) after the key after_json, newest first, or oldest
 * first when oldest (the admin's previous pages). */
static PGresult *token_page(struct db *db, int64_t user_id, const char *after_json, int limit, int oldest)
{
	static const char *const q[] = {TOKEN_LIST("<", " DESC"), TOKEN_LIST(">", "")};
	char uid[DB_NUM_LEN], lim[DB_NUM_LEN];
	const char *p[] = {db_num(uid, user_id), after_json, db_num(lim, limit)};
	return db_exec(db, q[oldest != 0], 3, p);
}

int token_revoke(struct db *db, int64_t id, int64_t user_id)
{
	static const char q[] = "UPDATE api_tokens SET revoked_at = now()"
				" WHERE id = $1 AND ($2 = 0 OR user_id = $2) AND revoked_at IS NULL";
	char tid[DB_NUM_LEN], uid[DB_NUM_LEN];
	const char *p[] = {db_num(tid, id), db_num(uid, user_id)};
	int n = 0;
	enum model_rc rc = res_changed(db, db_exec(db, q, 2, p), &n);
	if (rc == MODEL_OK)
		log_info("token.revoked", LI("token_id", id));
	return rc == MODEL_OK || rc == MODEL_NOT_FOUND ? n : -1;
}

/* --- res_tokens' operations --------------------------------------------------------------- */

/* in: the name, and the user whose token it is (user_id) */
static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	static const char *const fields[] = {"name", "user_id", NULL};
	const char *name = NULL;
	int64_t user_id = 0;
	char token[TOKEN_MAX];
	*out = NULL;
	jv_only(in, fields, &e->fields);
	jv_str(in, "name", 1, 1, 100, &name, &e->fields);
	jv_i64(in, "user_id", 1, 1, INT64_MAX, &user_id, &e->fields);
	if (verr_any(&e->fields))
		return e->rc = MODEL_INVALID;
	if (create(db, NULL, user_id, name, token, e, out) == MODEL_OK)
		json_object_set_new(*out, "token", json_string(token));
	sodium_memzero(token, sizeof(token));
	return e->rc;
}

static enum model_rc revoke(struct db *db, const struct res_key *k)
{
	int n = token_revoke(db, k->id, 0);
	return n < 0 ? model_db_rc(db) : n == 0 ? MODEL_NOT_FOUND : MODEL_OK;
}

/* q->filter[0]: the user whose tokens are listed (NULL: every user's) */
static enum model_rc list(struct db *db, const struct res_query *q, struct res_page *out)
{
	int64_t user_id = 0;
	if (!res_key_fits(q->after, "i") || (q->filter[0] && parse_i64(q->filter[0], 1, INT64_MAX, &user_id) < 0))
		return MODEL_INVALID;
	/* "-newest": the admin's previous pages */
	return res_rows(db, token_page(db, user_id, q->after, q->limit + 1, strcmp(q->sort, "-newest") == 0), q->limit,
			out);
}

const struct res_model token_model = {
	.insert = insert, .remove = revoke, .list = list,
	.get_sql = "SELECT " TOKEN_JSON " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1::bigint",
};

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
	enum model_rc rc = user_of_row(db, r, user);   /* has_password 0: a token has no admin session */
	if (rc != MODEL_OK)
		return rc;
	PQclear(r);
	memcpy(cache[slot].hash, hp, HASH_PARAM_LEN);
	cache[slot].user = *user;
	cache[slot].until = now + cfg.token_cache_s;
	return MODEL_OK;
}
