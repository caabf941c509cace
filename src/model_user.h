/* model_user.h — users, roles and password hashing (argon2id via libsodium). */
#ifndef HERALD_MODEL_USER_H
#define HERALD_MODEL_USER_H
#include <sodium.h>
#include "db.h"
#include "user.h"
#include "outcome.h"
#include "resource.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

/* "admin" -> ROLE_ADMIN ...; ROLE_NONE for anything else. */
enum role role_parse(const char *s);
const char *role_name(enum role r);
/* The user in row 0 of r, columns id, username and role (has_password 0, language ""): on
 * MODEL_OK r stays the caller's to read and clear; MODEL_NOT_FOUND when r has no rows (cleared),
 * a database failure when r is NULL. */
enum model_rc user_of_row(struct db *db, PGresult *r, struct user *u);

/* Hashes password into out (argon2id, t=2, 19 MiB); 0 or -1. */
int user_password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);
/* 0 when password matches hash. */
int user_password_verify(const char *hash, const char *password);

/* Creates a user. Returns the new id, or -1 with e set: MODEL_INVALID on the fields username,
 * password and role; MODEL_DUPLICATE on username (taken); a database failure. */
int64_t user_create(struct db *db, const char *username, const char *password, const char *role,
		    struct model_err *e);

/* The id of the user named username: the id, 0 when there is none, -1 on a database error. */
int64_t user_find(struct db *db, const char *username);
/* Sets role and active flag, and when set_zone the time zone (a name tz_valid accepts, or
 * NULL for HERALD_DEFAULT_TIMEZONE). 1 changed, 0 no such user, -1 error. */
int user_update(struct db *db, int64_t id, const char *role, int active, int set_zone, const char *zone);
/* Sets the language user id reads the admin in (one of I18N_LANGUAGES; NULL or "": none, the
 * browser's). MODEL_INVALID on the field language, MODEL_NOT_FOUND, or a database failure. */
/* Sets the e-mail address of user id (NULL or "": none); MODEL_INVALID on the field email when
 * it is not an address or another user has it, else a database failure. */
enum model_rc user_set_email(struct db *db, int64_t id, const char *email, struct model_err *e);
enum model_rc user_set_language(struct db *db, int64_t id, const char *language, struct model_err *e);
/* Sets a new password (checked like user_create). 0, or -1 with e set (a bad password is
 * MODEL_INVALID on field, the form's name for it). */
int user_set_password(struct db *db, int64_t id, const char *password, const char *field,
		      struct model_err *e);

/* MODEL_OK when password is user id's, MODEL_NOT_FOUND when not (or no such user), else a
 * database failure. */
enum model_rc user_check_password(struct db *db, int64_t id, const char *password);

/* The admin's users (resources.c): get, insert from the add form (username, password, role,
 * language), update from the edit form (role, is_active, timezone, language; the last active
 * admin keeps the first two) and list by username. Users are not deleted. A user is {id,
 * username, role, is_active, created_at, last_login_at, timezone (null for
 * HERALD_DEFAULT_TIMEZONE), language, ...}. */
extern const struct res_model user_model;

/* Number of users with role admin, or -1. */
int64_t user_count_admins(struct db *db);

#endif
