/* model_user.h — users, roles and password hashing (argon2id via libsodium). */
#ifndef HERALD_MODEL_USER_H
#define HERALD_MODEL_USER_H
#include <sodium.h>
#include "db.h"
#include "http.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

/* "admin" -> ROLE_ADMIN ...; ROLE_NONE for anything else. */
enum role role_parse(const char *s);
const char *role_name(enum role r);

/* Hashes password into out (argon2id, t=2, 19 MiB); 0 or -1. */
int user_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);
/* 0 when password matches hash. */
int user_password_verify(const char *hash, const char *password);

/* Creates a user. Returns the new id, or -1 with a message in err (bad name, weak password,
 * bad role, name taken, database error). */
int64_t user_create(struct db *db, const char *username, const char *password, const char *role,
		    char *err, size_t errlen);

/* Number of users with role admin, or -1. */
int64_t user_count_admins(struct db *db);

#endif
