/* model_user.c — users. */
#include "model_user.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define PWHASH_OPS 2
#define PWHASH_MEM (19u * 1024 * 1024)

static const char *const role_names[] = {"none", "viewer", "operator", "admin"};

enum role role_parse(const char *s)
{
	for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
		if (s && strcmp(s, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_ADMIN ? role_names[r] : "none";
}

int user_password_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str_alg(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM,
				     crypto_pwhash_ALG_ARGON2ID13);
}

int user_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

static int valid_username(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@-") == n;
}

int64_t user_create(struct db *db, const char *username, const char *password, const char *role,
		    char *err, size_t errlen)
{
	static const char q[] =
	    "INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3) RETURNING id";
	char hash[crypto_pwhash_STRBYTES];
	if (!valid_username(username)) {
		snprintf(err, errlen, "a user name is 1 to 64 letters, digits or _ . @ -");
		return -1;
	}
	size_t plen = strlen(password);
	if (plen < PASSWORD_MIN || plen > PASSWORD_MAX || utf8_length(password, plen) < 0) {
		snprintf(err, errlen, "a password is %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
		return -1;
	}
	if (role_parse(role) == ROLE_NONE) {
		snprintf(err, errlen, "a role is admin, operator or viewer");
		return -1;
	}
	if (user_password_hash(password, hash) < 0) {
		snprintf(err, errlen, "out of memory hashing the password");
		return -1;
	}
	const char *p[] = {username, hash, role};
	PGresult *r = db_exec(db, q, 3, p);
	if (r == NULL) {
		snprintf(err, errlen, "%s", db_is_unique(db) ? "that user name is taken" : db->err);
		return -1;
	}
	int64_t id = db_i64(r, 0, 0);
	PQclear(r);
	log_info("user.created", LI("user_id", id), LS("username", username), LS("role", role));
	return id;
}

int64_t user_count_admins(struct db *db)
{
	static const char q[] = "SELECT count(*) FROM users WHERE role = 'admin' AND is_active";
	PGresult *r = db_exec(db, q, 0, NULL);
	if (r == NULL)
		return -1;
	int64_t n = db_i64(r, 0, 0);
	PQclear(r);
	return n;
}
