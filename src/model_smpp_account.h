/* model_smpp_account.h — SMPP accounts: validation, creation and the lookup a bind needs. */
#ifndef HERALD_MODEL_SMPP_ACCOUNT_H
#define HERALD_MODEL_SMPP_ACCOUNT_H
#include <sodium.h>
#include <stdint.h>
#include "db.h"
#include "outcome.h"
#include "resource.h"
#include "valid.h"

#define SMPP_TPS_DEFAULT 100
#define SMPP_TPS_MAX 1000000
/* SMPP 3.4 passwords are 1..8 characters; longer ones are allowed for peers that send them.
 * Guessing is resisted by bind throttling (smpp_session.c), not by length. */
#define SMPP_PASSWORD_MIN 1
#define SMPP_PASSWORD_MAX 64

struct smpp_account_in {
	const char *system_id;      /* 1..16 printable ASCII characters, no spaces */
	const char *password;       /* SMPP_PASSWORD_MIN..MAX printable ASCII (3.4: <= 8) */
	int tps;                    /* 1..SMPP_TPS_MAX submit_sm per second */
	const char *allowed_cidrs;  /* "10.0.0.0/8,127.0.0.1" or NULL/"" for any address */
};

/* Checks in; every bad field goes to v under its name (system_id, password, throughput,
 * allowed_cidrs). A NULL password is accepted unless password_required (an update keeps the
 * old one). Returns 0 or -1. */
int smpp_account_validate(const struct smpp_account_in *in, int password_required, struct verr *v);

/* Validates, hashes the password (argon2id) and inserts. Returns the new id, or -1 with e set:
 * MODEL_INVALID on the fields (allowed_cidrs also for a bad CIDR), MODEL_DUPLICATE on
 * system_id, or a database failure. */
int64_t smpp_account_create(struct db *db, const struct smpp_account_in *in, struct model_err *e);

/* The admin's accounts (resources.c): get, insert and update from a form (the password is
 * kept when empty on update; enabled when the checkbox is sent), remove, and list by
 * system_id (q: contained in it). */
extern const struct res_model smpp_account_model;

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
