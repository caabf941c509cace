/* model_smpp_account.h — SMPP accounts: validation, creation and the lookup a bind needs. */
#ifndef HERALD_MODEL_SMPP_ACCOUNT_H
#define HERALD_MODEL_SMPP_ACCOUNT_H
#include <sodium.h>
#include <stdint.h>
#include "db.h"

#define SMPP_TPS_DEFAULT 100
#define SMPP_TPS_MAX 1000000

struct smpp_account_in {
	const char *system_id;      /* 1..16 printable ASCII characters, no spaces */
	const char *password;       /* PASSWORD_MIN..64 printable ASCII (SMPP 3.4 peers send <= 8) */
	int tps;                    /* 1..SMPP_TPS_MAX submit_sm per second */
	const char *allowed_cidrs;  /* "10.0.0.0/8,127.0.0.1" or NULL/"" for any address */
};

/* Returns NULL when in is valid, else the message (static). */
const char *smpp_account_validate(const struct smpp_account_in *in);

/* Validates, hashes the password (argon2id) and inserts. Returns the new id, or -1 with a
 * message in err (invalid input, system_id taken, bad CIDR, database error). */
int64_t smpp_account_create(struct db *db, const struct smpp_account_in *in, char *err, size_t errlen);

/* What a bind needs to know about an account. */
struct smpp_account_row {
	int64_t id;
	char password_hash[crypto_pwhash_STRBYTES];
	int tps;
	int enabled;
	int ip_allowed;             /* ip is inside allowed_cidrs, or the list is empty */
};

/* Looks system_id up for a bind from address ip. 1 found (out filled), 0 no such account,
 * -1 database error. */
int smpp_account_lookup(struct db *db, const char *system_id, const char *ip,
			struct smpp_account_row *out);

#endif
