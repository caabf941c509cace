/* csrf.h — CSRF tokens: HMAC-SHA512/256 (libsodium crypto_auth) of the session id under a key
 * stored in the database (app_secrets), so every instance accepts every other's tokens. */
#ifndef HERALD_CSRF_H
#define HERALD_CSRF_H
#include <sodium.h>
#include "db.h"

#define CSRF_TOKEN_LEN (crypto_auth_BYTES * 2 + 1)

/* Loads the key, creating it on first start. 0, or -1 (logged). */
int csrf_init(struct db *db);
/* The token of session id sid, as hex, into out. */
void csrf_token(const char *sid, char out[CSRF_TOKEN_LEN]);
/* 1 when token (may be NULL) is the token of sid; constant time. */
int csrf_valid(const char *sid, const char *token);

#endif
