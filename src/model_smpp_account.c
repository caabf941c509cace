/* model_smpp_account.c — SMPP accounts. */
#include "model_smpp_account.h"
#include "log.h"
#include "model_user.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define SMPP_PASSWORD_MAX 64

static int printable(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~')
			return 0;
	return 1;
}

const char *smpp_account_validate(const struct smpp_account_in *in)
{
	if (in->system_id == NULL || !printable(in->system_id, 1, 16))
		return "a system_id is 1 to 16 printable ASCII characters without spaces";
	if (in->password == NULL || !printable(in->password, PASSWORD_MIN, SMPP_PASSWORD_MAX))
		return "an SMPP password is 8 to 64 printable ASCII characters without spaces";
	if (in->tps < 1 || in->tps > SMPP_TPS_MAX)
		return "throughput (--tps) is 1 to 1000000 messages per second";
	if (in->allowed_cidrs && strlen(in->allowed_cidrs) > 4096)
		return "the allowed address list is longer than 4096 characters";
	return NULL;
}

int64_t smpp_account_create(struct db *db, const struct smpp_account_in *in, char *err, size_t errlen)
{
	static const char q[] =
	    "INSERT INTO smpp_accounts (system_id, password_hash, throughput, allowed_cidrs)"
	    " VALUES ($1, $2, $3, coalesce(string_to_array(nullif($4, ''), ',')::cidr[], '{}'))"
	    " RETURNING id";
	char hash[crypto_pwhash_STRBYTES], tps[16];
	const char *msg = smpp_account_validate(in);
	if (msg) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	if (user_password_hash(in->password, hash) < 0) {
		snprintf(err, errlen, "out of memory hashing the password");
		return -1;
	}
	snprintf(tps, sizeof(tps), "%d", in->tps);
	const char *p[] = {in->system_id, hash, tps, in->allowed_cidrs};
	PGresult *r = db_exec(db, q, 4, p);
	if (r == NULL) {
		snprintf(err, errlen, "%s", db_is_unique(db) ? "that system_id is taken" :
			 strncmp(db->sqlstate, "22", 2) == 0 ? "an allowed address is not a valid CIDR" : db->err);
		return -1;
	}
	int64_t id = db_i64(r, 0, 0);
	PQclear(r);
	log_info("smpp.account_created", LI("smpp_account_id", id), LS("system_id", in->system_id),
		 LI("tps", in->tps));
	return id;
}

int smpp_account_lookup(struct db *db, const char *system_id, const char *ip,
			struct smpp_account_row *out)
{
	static const char q[] =
	    "SELECT id, password_hash, throughput, enabled,"
	    "       cardinality(allowed_cidrs) = 0 OR $2::inet <<= ANY (allowed_cidrs)"
	    "  FROM smpp_accounts WHERE system_id = $1";
	const char *p[] = {system_id, ip};
	PGresult *r = db_exec(db, q, 2, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	out->id = db_i64(r, 0, 0);
	snprintf(out->password_hash, sizeof(out->password_hash), "%s", db_str(r, 0, 1));
	out->tps = (int)db_i64(r, 0, 2);
	out->enabled = strcmp(db_str(r, 0, 3), "t") == 0;
	out->ip_allowed = strcmp(db_str(r, 0, 4), "t") == 0;
	PQclear(r);
	return 1;
}
