/* model_operator.c — operators. */
#include "model_operator.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define OPERATOR_JSON \
	"json_build_object('code', code, 'name', name, 'created_at', api_ts(created_at)," \
	" 'updated_at', api_ts(updated_at))::text"

int operator_validate(json_t *in, const char *code_from_path, struct operator_in *out, struct verr *v)
{
	static const char *const fields[] = {"code", "name", NULL};
	const char *code = NULL;
	jv_only(in, fields, v);
	out->name = NULL;
	if (jv_str(in, "code", code_from_path == NULL, 1, 3, &code, v) == 1 && valid_operator_code(code))
		verr_add(v, "code", valid_operator_code(code));
	if (code_from_path && code && strcmp(code, code_from_path) != 0)
		verr_add(v, "code", "valid.code_fixed");
	out->code = code_from_path ? code_from_path : code;
	jv_str(in, "name", 0, 0, 100, &out->name, v);
	return verr_any(v) ? -1 : 0;
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	static const char q[] = "INSERT INTO operators (code, name) VALUES ($1, coalesce($2, ''))"
				" RETURNING " OPERATOR_JSON;
	struct operator_in oi;
	if (operator_validate(in, NULL, &oi, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	const char *p[] = {oi.code, oi.name};
	if (res_written(db, db_exec(db, q, 2, p), e, "code", "valid.operator_exists", out) == MODEL_OK)
		log_info("operator.created", LS("operator_code", oi.code));
	return e->rc;
}

static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	static const char q[] = "UPDATE operators SET name = coalesce($2, name), updated_at = now()"
				" WHERE code = $1 RETURNING " OPERATOR_JSON;
	struct operator_in oi;
	if (operator_validate(in, k->text, &oi, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	const char *p[] = {oi.code, oi.name ? oi.name : (partial ? NULL : "")};
	if ((e->rc = res_row(db, db_exec(db, q, 2, p), out)) == MODEL_OK)
		log_info("operator.updated", LS("operator_code", oi.code));
	return e->rc;
}

static enum model_rc remove_many(struct db *db, json_t *keys, int *n)
{
	static const char q[] = "DELETE FROM operators WHERE code IN (SELECT json_array_elements_text($1::json))";
	char *codes = json_dumps(keys, JSON_COMPACT);
	const char *p[] = {codes};
	enum model_rc rc = res_changed(db, db_exec(db, q, 1, p), n);
	free(codes);
	if (rc == MODEL_OK)
		log_info("operator.deleted_many", LI("count", *n));
	return rc == MODEL_NOT_FOUND ? MODEL_OK : rc;
}

#define OPERATOR_SEARCH(keycmp, key, order) \
	RES_LIST_SQL(OPERATOR_JSON, "operators", "(starts_with(code, $2) OR strpos(lower(name), lower($2)) > 0)", \
		     keycmp, key, order)

static const struct res_order orders[] = {
	{"code", OPERATOR_SEARCH("code > $1::json->>0", "code", "code"), "s"},
	{"-code", OPERATOR_SEARCH("code < $1::json->>0", "code", "code DESC"), "s"},
	{"name", OPERATOR_SEARCH("(name, code) > ($1::json->>0, $1::json->>1)", "name, code", "name, code"), "ss"},
	{"-name", OPERATOR_SEARCH("(name, code) < ($1::json->>0, $1::json->>1)", "name, code", "name DESC, code DESC"),
	 "ss"},
};

const struct res_model operator_model = {
	.insert = insert, .update = update, .remove_many = remove_many,
	RES_TABLE_SQL(OPERATOR_JSON, "operators", "code = $1", "operator.deleted", "operator_code"),
	RES_ORDERS(orders),
};
