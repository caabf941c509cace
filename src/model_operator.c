/* model_operator.c — operators. */
#include "model_operator.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPERATOR_JSON \
	"json_build_object('code', code, 'name', name, 'created_at', api_ts(created_at)," \
	" 'updated_at', api_ts(updated_at))::text, code"

int operator_validate(json_t *in, const char *code_from_path, int full, struct operator_in *out,
		      struct verr *v)
{
	static const char *const fields[] = {"code", "name", NULL};
	const char *code = NULL;
	jv_only(in, fields, v);
	out->name = NULL;
	if (jv_str(in, "code", code_from_path == NULL, 1, 3, &code, v) == 1 && valid_operator_code(code))
		verr_add(v, "code", "%s", valid_operator_code(code));
	if (code_from_path && code && strcmp(code, code_from_path) != 0)
		verr_add(v, "code", "cannot be changed; create a new operator instead");
	out->code = code_from_path ? code_from_path : code;
	jv_str(in, "name", 0, 0, 100, &out->name, v);
	return verr_any(v) ? -1 : 0;
}

PGresult *operator_get(struct db *db, const char *code)
{
	static const char q[] = "SELECT " OPERATOR_JSON " FROM operators WHERE code = $1";
	const char *p[] = {code};
	return db_exec(db, q, 1, p);
}

PGresult *operator_insert(struct db *db, const struct operator_in *in)
{
	static const char q[] = "INSERT INTO operators (code, name) VALUES ($1, coalesce($2, ''))"
				" RETURNING " OPERATOR_JSON;
	const char *p[] = {in->code, in->name};
	PGresult *r = db_exec(db, q, 2, p);
	if (r)
		log_info("operator.created", LS("operator_code", in->code));
	return r;
}

PGresult *operator_update(struct db *db, const struct operator_in *in, int full)
{
	static const char q[] = "UPDATE operators SET name = coalesce($2, name), updated_at = now()"
				" WHERE code = $1 RETURNING " OPERATOR_JSON;
	const char *p[] = {in->code, in->name ? in->name : (full ? "" : NULL)};
	PGresult *r = db_exec(db, q, 2, p);
	if (r && PQntuples(r))
		log_info("operator.updated", LS("operator_code", in->code));
	return r;
}

int operator_delete(struct db *db, const char *code)
{
	static const char q[] = "DELETE FROM operators WHERE code = $1";
	const char *p[] = {code};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n)
		log_info("operator.deleted", LS("operator_code", code));
	return n;
}

PGresult *operator_list(struct db *db, const struct page *pg)
{
	static const char q[] = "SELECT " OPERATOR_JSON " FROM operators WHERE code > $1"
				" ORDER BY code LIMIT $2";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg->limit + 1);
	const char *p[] = {pg->after, lim};
	return db_exec(db, q, 2, p);
}

PGresult *operator_count(struct db *db)
{
	static const char q[] = "SELECT count(*) FROM operators";
	return db_exec(db, q, 0, NULL);
}
