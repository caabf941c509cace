/* model_smpp_account.c — SMPP accounts. */
#include "model_smpp_account.h"
#include "log.h"
#include "model_user.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


int smpp_account_validate(const struct smpp_account_in *in, int password_required, struct verr *v)
{
	if (in->system_id == NULL || !valid_visible(in->system_id, 1, 16))
		verr_add(v, "system_id", "valid.system_id");
	if ((in->password || password_required) &&
	    (in->password == NULL || !valid_visible(in->password, SMPP_PASSWORD_MIN, SMPP_PASSWORD_MAX)))
		verr_add(v, "password", "valid.smpp_password");
	if (in->tps < 1 || in->tps > SMPP_TPS_MAX)
		verr_add(v, "throughput", "valid.throughput");
	if (in->allowed_cidrs && strlen(in->allowed_cidrs) > 4096)
		verr_add(v, "allowed_cidrs", "valid.cidrs_long");
	return verr_any(v) ? -1 : 0;
}

/* The outcome of a failed write, on the field at fault. */
static void write_error(struct db *db, struct model_err *e)
{
	if (model_err_db(e, db) == MODEL_DUPLICATE)
		model_err_field(e, MODEL_DUPLICATE, "system_id", "valid.system_id_taken");
	else if (strncmp(db->sqlstate, "22", 2) == 0)
		model_err_field(e, MODEL_INVALID, "allowed_cidrs",
				"valid.cidr");
}

#define CIDRS_PARAM "coalesce(string_to_array(nullif(replace($4, ' ', ''), ''), ',')::cidr[], '{}')"

int64_t smpp_account_create(struct db *db, const struct smpp_account_in *in, struct model_err *e)
{
	static const char q[] =
	    "INSERT INTO smpp_accounts (system_id, password_hash, throughput, allowed_cidrs)"
	    " VALUES ($1, $2, $3, " CIDRS_PARAM ") RETURNING id";
	char hash[crypto_pwhash_STRBYTES], tps[DB_NUM_LEN];
	if (smpp_account_validate(in, 1, &e->fields) < 0) {
		e->rc = MODEL_INVALID;
		return -1;
	}
	if (user_password_hash(in->password, hash) < 0) {
		model_err_field(e, MODEL_ERROR, "password", "valid.hash_memory");
		return -1;
	}
	const char *p[] = {in->system_id, hash, db_num(tps, in->tps), in->allowed_cidrs};
	PGresult *r = db_exec(db, q, 4, p);
	if (r == NULL) {
		write_error(db, e);
		return -1;
	}
	int64_t id = db_i64(r, 0, 0);
	PQclear(r);
	log_info("smpp.account_created", LI("smpp_account_id", id), LS("system_id", in->system_id),
		 LI("tps", in->tps));
	return id;
}

static int update_row(struct db *db, int64_t id, const struct smpp_account_in *in, int enabled,
			struct model_err *e)
{
	static const char q[] =
	    "UPDATE smpp_accounts SET system_id = $1, password_hash = coalesce($2, password_hash),"
	    " throughput = $3::int, allowed_cidrs = " CIDRS_PARAM ", enabled = $5::boolean, updated_at = now()"
	    " WHERE id = $6::bigint";
	char hash[crypto_pwhash_STRBYTES], tps[DB_NUM_LEN], ids[DB_NUM_LEN];
	if (smpp_account_validate(in, 0, &e->fields) < 0) {
		e->rc = MODEL_INVALID;
		return -1;
	}
	if (in->password && user_password_hash(in->password, hash) < 0) {
		model_err_field(e, MODEL_ERROR, "password", "valid.hash_memory");
		return -1;
	}
	const char *p[] = {in->system_id, in->password ? hash : NULL, db_num(tps, in->tps), in->allowed_cidrs,
			   enabled ? "t" : "f", db_num(ids, id)};
	PGresult *r = db_exec(db, q, 6, p);
	if (r == NULL) {
		write_error(db, e);
		return -1;
	}
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n)
		log_info("smpp.account_updated", LI("smpp_account_id", id), LI("tps", in->tps), LI("enabled", enabled),
			 LI("password_reset", in->password != NULL));
	return n;
}

#define ACCOUNT_JSON \
	"json_build_object('id', id, 'system_id', system_id, 'throughput', throughput," \
	" 'allowed_cidrs', array_to_string(allowed_cidrs, ','), 'enabled', enabled," \
	" 'created_at', api_ts(created_at), 'updated_at', api_ts(updated_at))::text"

/* The form (or object) in as an account and its enabled flag; strings borrowed from in. The
 * throughput may be a number or its text; enabled is true when present and not false. */
static void from_json(json_t *in, struct smpp_account_in *acc, int *enabled, struct verr *v)
{
	json_t *tps = json_object_get(in, "throughput"), *en = json_object_get(in, "enabled");
	const char *pw = json_string_value(json_object_get(in, "password"));
	int64_t n = json_is_integer(tps) ? json_integer_value(tps) : 0;
	acc->system_id = json_string_value(json_object_get(in, "system_id"));
	acc->password = pw && *pw ? pw : NULL;
	acc->allowed_cidrs = json_string_value(json_object_get(in, "allowed_cidrs"));
	if ((!json_is_integer(tps) && (!json_is_string(tps) || parse_i64(json_string_value(tps), 1, SMPP_TPS_MAX, &n) < 0)) ||
	    n < 1 || n > SMPP_TPS_MAX) {
		verr_add(v, "throughput", "valid.tps", SMPP_TPS_MAX);
		n = 1;
	}
	acc->tps = (int)n;
	*enabled = en != NULL && !json_is_false(en);
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	struct smpp_account_in acc;
	int enabled;
	from_json(in, &acc, &enabled, &e->fields);
	if (smpp_account_validate(&acc, 1, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	int64_t id = smpp_account_create(db, &acc, e);
	if (id > 0 && !enabled && update_row(db, id, &(struct smpp_account_in){acc.system_id, NULL, acc.tps, acc.allowed_cidrs},
					     0, e) < 0)
		id = -1;
	if (id < 0)
		return e->rc;
	char ids[DB_NUM_LEN];
	return e->rc = res_model_get(&smpp_account_model, db, &(struct res_key){db_num(ids, id), id}, out);
}

static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	struct smpp_account_in acc;
	int enabled, rc;
	from_json(in, &acc, &enabled, &e->fields);
	if (smpp_account_validate(&acc, 0, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	if ((rc = update_row(db, k->id, &acc, enabled, e)) < 0)
		return e->rc;
	return e->rc = rc == 0 ? MODEL_NOT_FOUND : res_model_get(&smpp_account_model, db, k, out);
}

/* By system_id after the key $1 (cmp ">", dir "") or, the admin's previous pages, before it (cmp
 * "<", dir " DESC"). */
#define ACCOUNT_LIST(cmp, dir) \
	"SELECT " ACCOUNT_JSON ", json_build_array(system_id)::text FROM smpp_accounts" \
	" WHERE ($1::json IS NULL OR system_id " cmp " $1::json->>0)" \
	"   AND ($2::text IS NULL OR strpos(lower(system_id), lower($2)) > 0)" \
	" ORDER BY system_id" dir " LIMIT $3"

static const struct res_order orders[] = {
	{"system_id", ACCOUNT_LIST(">", ""), "s"},
	{"-system_id", ACCOUNT_LIST("<", " DESC"), "s"},
};

const struct res_model smpp_account_model = {
	.insert = insert, .update = update,
	RES_TABLE_SQL(ACCOUNT_JSON, "smpp_accounts", "id = $1::bigint",
		      "smpp.account_deleted", "smpp_account_id"),
	RES_ORDERS(orders),
};

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
