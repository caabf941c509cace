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

/* Revokes token id when it belongs to user_id (0: any user). 1 revoked, 0 no such active
 * token, -1 error. Cached checks may accept it for up to cfg.token_cache_s more seconds. */
int token_revoke(struct db *db, int64_t id, int64_t user_id);

/* The model of res_tokens (resource.h): a created object holds the token itself ("token", shown
 * once); deleting revokes; the list (newest first) has filter 0, the user whose tokens it shows.
 * A token is {id, name, prefix, username, created_at, last_used_at, revoked_at}. */
extern const struct res_model token_model;

/* Checks a presented token on the calling thread's connection; fills *user. Results are
 * reused for cfg.token_cache_s seconds per thread. MODEL_OK, MODEL_NOT_FOUND (not valid) or a
 * database failure. */
enum model_rc token_check(const char *token, struct user *user);

#endif
