/* model_token.h — API tokens: "hrd_" + 43 base64url characters (256 random bits). Only a
 * BLAKE2b-256 hash is stored; the token itself is shown once, at creation. */
#ifndef HERALD_MODEL_TOKEN_H
#define HERALD_MODEL_TOKEN_H
#include "db.h"
#include "user.h"
#include "outcome.h"
#include "resource.h"

#define TOKEN_MAX 64

/* Creates a token named name for user username (the command line) and writes it into out. Returns the token's
 * id, or -1 with e set: MODEL_INVALID on name, MODEL_NOT_FOUND on username (no such active
 * user), or a database failure. */
int64_t token_create(struct db *db, const char *username, const char *name, char out[TOKEN_MAX],
		     struct model_err *e);

/* The admin pages' list of tokens of user_id (0: every user's), newest first: rows with the
 * token's JSON text (column 0: id, name, prefix, username, created_at, last_used_at,
 * revoked_at) and the key (column 1, JSON [id]) after after_json (NULL: from the start). */
PGresult *token_list(struct db *db, int64_t user_id, const char *after_json, int limit);
/* Revokes token id when it belongs to user_id (0: any user). 1 revoked, 0 no such active
 * token, -1 error. Cached checks may accept it for up to cfg.token_cache_s more seconds. */
int token_revoke(struct db *db, int64_t id, int64_t user_id);

/* The model of res_tokens (resource.h): a created object holds the token itself ("token", shown
 * once); deleting revokes; the list's filter 0 is the user whose tokens it shows. */
extern const struct res_model token_model;

/* Checks a presented token on the calling thread's connection; fills *user. Results are
 * reused for cfg.token_cache_s seconds per thread. MODEL_OK, MODEL_NOT_FOUND (not valid) or a
 * database failure. */
enum model_rc token_check(const char *token, struct user *user);

#endif
