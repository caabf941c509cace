/* login.c — sign-in checks and throttling. */
#include "login.h"
#include "log.h"
#include "model_user.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[33];
	random_hex(pw, 16);
	if (user_password_hash(pw, dummy) < 0)
		dummy[0] = '\0';
}

enum login_result login_check(struct db *db, const char *username, const char *password,
			      struct user *user)
{
	static const char q_failures[] =
	    "SELECT count(*) FROM login_failures WHERE username = $1 AND at > now() - interval '" LOGIN_WINDOW "'";
	static const char q_user[] = "SELECT id, password_hash, role FROM users WHERE username = $1 AND is_active";
	static const char q_fail[] =
	    "WITH old AS (DELETE FROM login_failures WHERE at < now() - interval '" LOGIN_WINDOW "')"
	    " INSERT INTO login_failures (username) VALUES ($1)";
	static const char q_ok[] =
	    "WITH f AS (DELETE FROM login_failures WHERE username = (SELECT username FROM users WHERE id = $1))"
	    " UPDATE users SET last_login_at = now() WHERE id = $1";
	const char *p[] = {username};
	PGresult *r = db_exec(db, q_failures, 1, p);
	if (r == NULL)
		return LOGIN_DB;
	int64_t failures = db_i64(r, 0, 0);
	PQclear(r);
	if (failures >= LOGIN_MAX_FAILURES) {
		log_warn("login.throttled", LS("username", username));
		return LOGIN_THROTTLED;
	}
	if ((r = db_exec(db, q_user, 1, p)) == NULL)
		return LOGIN_DB;
	int found = PQntuples(r) == 1, ok;
	if (found) {
		ok = user_password_verify(db_str(r, 0, 1), password) == 0;
	} else {
		pthread_once(&dummy_once, make_dummy);
		user_password_verify(dummy, password);
		ok = 0;
	}
	if (!ok) {
		PQclear(r);
		log_info("login.failed", LS("username", username));
		return db_run(db, q_fail, 1, p) < 0 ? LOGIN_DB : LOGIN_BAD;
	}
	user->id = db_i64(r, 0, 0);
	snprintf(user->username, sizeof(user->username), "%s", username);
	user->role = role_parse(db_str(r, 0, 2));
	PQclear(r);
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", (long long)user->id);
	const char *pu[] = {uid};
	if (db_run(db, q_ok, 1, pu) < 0)
		return LOGIN_DB;
	log_info("login.ok", LI("user_id", user->id), LS("username", username));
	return LOGIN_OK;
}
