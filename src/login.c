/* login.c — sign-in checks and throttling (see login.h). */
#include "login.h"
#include "log.h"
#include "model_user.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char pw[33];
	random_hex(pw, 16);
	if (user_password_hash(pw, dummy) < 0)
		dummy[0] = '\0';
}

/* Counts an attempt on both keys ($1 the pair, $2 the address) and answers 0 when it may go
 * on, else the seconds until the longer block ends. Each key's row is locked by the upsert,
 * in the same order by every attempt, so the count and the decision are one step. An attempt
 * over a key's limit blocks the key (1 minute << strikes) and starts its count again. */
static const char q_attempt[] =
    "WITH k (key, lim) AS (VALUES ($1::text, " STR(LOGIN_MAX_PER_USER) "), ($2::text, " STR(LOGIN_MAX_PER_ADDR) ")),"
    " up AS ("
    "  INSERT INTO login_throttle AS t (key, attempts) SELECT key, 1 FROM k"
    "  ON CONFLICT (key) DO UPDATE SET"
    "   attempts = CASE WHEN t.blocked_until > now() THEN t.attempts"
    "                   WHEN t.updated_at < now() - interval '" LOGIN_WINDOW "' THEN 1"
    "                   WHEN t.attempts + 1 > (SELECT lim FROM k WHERE k.key = t.key) THEN 0"
    "                   ELSE t.attempts + 1 END,"
    "   strikes = CASE WHEN t.blocked_until > now() THEN t.strikes"
    "                  WHEN t.updated_at < now() - interval '1 day' THEN 0"
    "                  WHEN t.updated_at < now() - interval '" LOGIN_WINDOW "' THEN t.strikes"
    "                  WHEN t.attempts + 1 > (SELECT lim FROM k WHERE k.key = t.key) THEN t.strikes + 1"
    "                  ELSE t.strikes END,"
    "   blocked_until = CASE WHEN t.blocked_until > now() THEN t.blocked_until"
    "                  WHEN t.updated_at < now() - interval '" LOGIN_WINDOW "' THEN NULL"
    "                  WHEN t.attempts + 1 > (SELECT lim FROM k WHERE k.key = t.key)"
    "                   THEN now() + interval '1 minute' * (1 << least(CASE WHEN t.updated_at < now() - interval '1 day'"
    "                                                          THEN 0 ELSE t.strikes END, 6))"
    "                  ELSE NULL END,"
    "   updated_at = CASE WHEN t.blocked_until > now() THEN t.updated_at ELSE now() END"
    "  RETURNING t.blocked_until)"
    " SELECT coalesce(max(ceil(extract(epoch FROM blocked_until - now()))) FILTER (WHERE blocked_until > now()), 0)::int"
    " FROM up";
/* A successful sign-in: the pair's count ends, the address gets its attempt back. */
static const char q_ok[] =
    "WITH p AS (DELETE FROM login_throttle WHERE key = $1),"
    " a AS (UPDATE login_throttle SET attempts = greatest(attempts - 1, 0) WHERE key = $2),"
    " old AS (DELETE FROM login_throttle WHERE updated_at < now() - interval '1 day'"
    "   AND (blocked_until IS NULL OR blocked_until < now()))"
    " UPDATE users SET last_login_at = now() WHERE id = $3";

enum login_result login_check(struct db *db, const char *addr, const char *username, const char *password,
			      struct user *user, int *retry_after)
{
	static const char q_user[] = "SELECT id, password_hash, role FROM users WHERE username = $1 AND is_active";
	char *pair = xasprintf("u:%s %s", addr, username), *host = xasprintf("a:%s", addr);
	const char *pk[] = {pair, host};
	enum login_result res = LOGIN_DB;
	PGresult *r = db_exec(db, q_attempt, 2, pk);
	if (r == NULL)
		goto out;
	*retry_after = (int)db_i64(r, 0, 0);
	PQclear(r);
	if (*retry_after > 0) {
		log_warn("login.throttled", LS("username", username), LS("client", addr), LI("retry_after_s", *retry_after));
		res = LOGIN_THROTTLED;
		goto out;
	}
	const char *p[] = {username};
	if ((r = db_exec(db, q_user, 1, p)) == NULL)
		goto out;
	int ok;
	if (PQntuples(r) == 1) {
		ok = user_password_verify(db_str(r, 0, 1), password) == 0;
	} else {
		pthread_once(&dummy_once, make_dummy);
		user_password_verify(dummy, password);
		ok = 0;
	}
	if (!ok) {
		PQclear(r);
		log_info("login.failed", LS("username", username), LS("client", addr));
		res = LOGIN_BAD;
		goto out;
	}
	user->id = db_i64(r, 0, 0);
	snprintf(user->username, sizeof(user->username), "%s", username);
	user->role = role_parse(db_str(r, 0, 2));
	user->has_password = 1;
	PQclear(r);
	char uid[DB_NUM_LEN];
	const char *pu[] = {pair, host, db_num(uid, user->id)};
	if (db_run(db, q_ok, 3, pu) < 0)
		goto out;
	log_info("login.ok", LI("user_id", user->id), LS("username", username), LS("client", addr));
	res = LOGIN_OK;
out:
	free(pair);
	free(host);
	return res;
}
