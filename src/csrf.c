/* csrf.c — CSRF tokens bound to the session. */
#include "csrf.h"
#include "log.h"

#include <string.h>

static unsigned char key[crypto_auth_KEYBYTES];

int csrf_init(struct db *db)
{
	static const char q_make[] = "INSERT INTO app_secrets (name, value) VALUES ('csrf', $1::bytea)"
				     " ON CONFLICT (name) DO NOTHING";
	static const char q_get[] = "SELECT encode(value, 'hex') FROM app_secrets WHERE name = 'csrf'";
	unsigned char fresh[crypto_auth_KEYBYTES];
	char hex[2 + sizeof(fresh) * 2 + 1] = "\\x";
	crypto_auth_keygen(fresh);
	sodium_bin2hex(hex + 2, sizeof(hex) - 2, fresh, sizeof(fresh));
	const char *p[] = {hex};
	PGresult *r;
	if (db_run(db, q_make, 1, p) < 0 || (r = db_exec(db, q_get, 0, NULL)) == NULL)
		return -1;
	size_t n = 0;
	int rc = PQntuples(r) == 1 &&
		 sodium_hex2bin(key, sizeof(key), db_str(r, 0, 0), strlen(db_str(r, 0, 0)), NULL, &n, NULL) == 0 &&
		 n == sizeof(key) ? 0 : -1;
	PQclear(r);
	sodium_memzero(fresh, sizeof(fresh));
	if (rc < 0)
		log_error("csrf.bad_key", LS("table", "app_secrets"));
	return rc;
}

void csrf_token(const char *sid, char out[CSRF_TOKEN_LEN])
{
	unsigned char mac[crypto_auth_BYTES];
	crypto_auth(mac, (const unsigned char *)sid, strlen(sid), key);
	sodium_bin2hex(out, CSRF_TOKEN_LEN, mac, sizeof(mac));
}

int csrf_valid(const char *sid, const char *token)
{
	unsigned char mac[crypto_auth_BYTES];
	size_t n = 0;
	if (token == NULL || strlen(token) != CSRF_TOKEN_LEN - 1 ||
	    sodium_hex2bin(mac, sizeof(mac), token, strlen(token), NULL, &n, NULL) != 0 || n != sizeof(mac))
		return 0;
	return crypto_auth_verify(mac, (const unsigned char *)sid, strlen(sid), key) == 0;
}
