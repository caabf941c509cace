/* smpp_auth.c — SMPP bind checks (see smpp_auth.h). */
#include "smpp_auth.h"
#include "model_user.h"
#include "smpp_pdu.h"
#include "util.h"

#include <pthread.h>
#include <string.h>

#define AUTH_CACHE 256

/* Successful binds remembered by BLAKE2b(system_id, password, stored hash), so a client that
 * binds 50 sessions pays for one argon2id verification per worker. A changed password changes
 * the stored hash and misses. One cache per worker thread. */
static __thread unsigned char auth_cache[AUTH_CACHE][crypto_generichash_BYTES];
static __thread unsigned auth_next;

/* The hash an unknown system_id is verified against, so it costs what a known one costs. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
	unsigned char raw[16];
	char pw[sizeof(raw) * 2 + 1];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
	if (user_password_hash(pw, dummy_hash) < 0)
		fatal("smpp: cannot hash the dummy password");
}

static void auth_key(const struct smpp_job *j, const char *hash, unsigned char out[crypto_generichash_BYTES])
{
	crypto_generichash_state s;
	crypto_generichash_init(&s, NULL, 0, crypto_generichash_BYTES);
	crypto_generichash_update(&s, (const unsigned char *)j->system_id, strlen(j->system_id) + 1);
	crypto_generichash_update(&s, (const unsigned char *)j->password, strlen(j->password) + 1);
	crypto_generichash_update(&s, (const unsigned char *)hash, strlen(hash));
	crypto_generichash_final(&s, out, crypto_generichash_BYTES);
}

/* 1 when password matches hash (remembered or verified), else 0. */
static int verify(const struct smpp_job *j, const char *hash)
{
	unsigned char key[crypto_generichash_BYTES];
	auth_key(j, hash, key);
	for (unsigned i = 0; i < AUTH_CACHE; i++)
		if (sodium_memcmp(auth_cache[i], key, sizeof(key)) == 0)
			return 1;
	if (user_password_verify(hash, j->password) < 0)
		return 0;
	memcpy(auth_cache[auth_next++ % AUTH_CACHE], key, sizeof(key));
	return 1;
}

void smpp_auth_bind(struct db *db, struct smpp_job *j)
{
	pthread_once(&dummy_once, dummy_make);
	int found = smpp_account_lookup(db, j->system_id, j->ip, &j->account);
	if (found < 0) {
		j->status = ESME_RBINDFAIL;
		j->reason = "database_error";
		return;
	}
	int ok = verify(j, found ? j->account.password_hash : dummy_hash) && found;
	sodium_memzero(j->account.password_hash, sizeof(j->account.password_hash));
	if (!found) {
		j->status = ESME_RINVPASWD;
		j->reason = "unknown_system_id";
	} else if (!ok) {
		j->status = ESME_RINVPASWD;
		j->reason = "wrong_password";
	} else if (!j->account.ip_allowed) {
		j->status = ESME_RINVPASWD;
		j->reason = "address_not_allowed";
	} else if (!j->account.enabled) {
		j->status = ESME_RBINDFAIL;
		j->reason = "disabled";
	} else {
		j->status = ESME_ROK;
		j->reason = "ok";
	}
}
