/* model_operator.c — operators. */
#include "model_operator.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPERATOR_JSON_ONLY \
	"json_build_object('code', code, 'name', name, 'created_at', api_ts(created_at)," \
	" 'updated_at', api_ts(updated_at))::text"
#define OPERATOR_JSON OPERATOR_JSON_ONLY ", code"

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

int operator_delete_many(struct db *db, const char *codes_json)
{
	static const char q[] = "DELETE FROM operators WHERE code IN (SELECT json_array_elements_text($1::json))";
	const char *p[] = {codes_json};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	log_info("operator.deleted_many", LI("count", n));
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

#define OPERATOR_SEARCH(keycmp, order) \
	"SELECT " OPERATOR_JSON_ONLY ", json_build_array(" order ")::text FROM operators" \
	" WHERE ($1::json IS NULL OR " keycmp ")" \
	"   AND ($2::text IS NULL OR starts_with(code, $2) OR strpos(lower(name), lower($2)) > 0)"

PGresult *operator_search(struct db *db, const char *sort, const char *after_json, const char *q,
			  int limit)
{
	static const char by_code[] = OPERATOR_SEARCH("code > $1::json->>0", "code") " ORDER BY code LIMIT $3";
	static const char by_code_desc[] =
	    OPERATOR_SEARCH("code < $1::json->>0", "code") " ORDER BY code DESC LIMIT $3";
	static const char by_name[] = OPERATOR_SEARCH("(name, code) > ($1::json->>0, $1::json->>1)", "name, code")
	    " ORDER BY name, code LIMIT $3";
	static const char by_name_desc[] =
	    OPERATOR_SEARCH("(name, code) < ($1::json->>0, $1::json->>1)", "name, code")
	    " ORDER BY name DESC, code DESC LIMIT $3";
	const char *sql = strcmp(sort, "-code") == 0 ? by_code_desc : strcmp(sort, "name") == 0 ? by_name
			: strcmp(sort, "-name") == 0 ? by_name_desc : by_code;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {after_json, q, lim};
	return db_exec(db, sql, 3, p);
}
