/* model_token.h — API tokens: "hrd_" + 43 base64url characters (256 random bits). Only a
 * BLAKE2b-256 hash is stored; the token itself is shown once, at creation. */
#ifndef HERALD_MODEL_TOKEN_H
#define HERALD_MODEL_TOKEN_H
#include "db.h"
#include "http.h"

#define TOKEN_MAX 64

/* Creates a token named name for user username and writes it into out. Returns the token's
 * id, or -1 with err filled (no such user, database error). */
int64_t token_create(struct db *db, const char *username, const char *name, char out[TOKEN_MAX],
		     char *err, size_t errlen);

/* Checks a presented token on the calling thread's connection; fills *user. Results are
 * reused for cfg.token_cache_s seconds per thread. 0 valid, -1 invalid, -2 database down. */
int token_check(const char *token, struct user *user);

#endif
