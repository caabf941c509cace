/* model_tag.c — tags. Clients refer to a tag by id, so a rename reaches them by itself; the
 * "clients" column is kept by triggers on clients (sql/001_core.sql). */
#include "model_tag.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG_JSON_ONLY \
	"json_build_object('id', id, 'name', name, 'clients', clients, 'created_at', api_ts(created_at)," \
	" 'updated_at', api_ts(updated_at))::text"
#define TAG_JSON TAG_JSON_ONLY ", id"

int tag_validate(json_t *in, int partial, struct tag_in *out, struct verr *v)
{
	static const char *const fields[] = {"name", NULL};
	jv_only(in, fields, v);
	out->name = NULL;
	jv_str(in, "name", !partial, 1, TAG_NAME_MAX, &out->name, v);
	return verr_any(v) ? -1 : 0;
}

PGresult *tag_get(struct db *db, const char *id)
{
	static const char q[] = "SELECT " TAG_JSON " FROM tags WHERE id = $1::bigint";
	const char *p[] = {id};
	return db_exec(db, q, 1, p);
}

PGresult *tag_insert(struct db *db, const struct tag_in *in)
{
	static const char q[] = "INSERT INTO tags (name) VALUES ($1) RETURNING " TAG_JSON;
	const char *p[] = {in->name};
	PGresult *r = db_exec(db, q, 1, p);
	if (r)
		log_info("tag.created", LS("tag_id", db_str(r, 0, 1)), LS("name", in->name));
	return r;
}

PGresult *tag_update(struct db *db, const char *id, const struct tag_in *in)
{
	static const char q[] = "UPDATE tags SET name = coalesce($2, name), updated_at = now()"
				" WHERE id = $1::bigint RETURNING " TAG_JSON;
	const char *p[] = {id, in->name};
	PGresult *r = db_exec(db, q, 2, p);
	if (r && PQntuples(r))
		log_info("tag.updated", LS("tag_id", id));
	return r;
}

int tag_delete(struct db *db, const char *id)
{
	static const char q[] = "DELETE FROM tags WHERE id = $1::bigint";
	const char *p[] = {id};
	PGresult *r = db_exec(db, q, 1, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n)
		log_info("tag.deleted", LS("tag_id", id));
	return n;
}

PGresult *tag_list(struct db *db, const struct page *pg)
{
	static const char q[] = "SELECT " TAG_JSON " FROM tags WHERE id > $1::bigint ORDER BY id LIMIT $2";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg->limit + 1);
	const char *p[] = {pg->after, lim};
	return db_exec(db, q, 2, p);
}

PGresult *tag_count(struct db *db)
{
	static const char q[] = "SELECT count(*) FROM tags";
	return db_exec(db, q, 0, NULL);
}

#define TAG_SEARCH(keycmp, key, order) \
	"SELECT " TAG_JSON_ONLY ", json_build_array(" key ")::text FROM tags" \
	" WHERE ($1::json IS NULL OR " keycmp ")" \
	"   AND ($2::text IS NULL OR strpos(lower(name), lower($2)) > 0) ORDER BY " order " LIMIT $3"

PGresult *tag_search(struct db *db, const char *sort, const char *after_json, const char *q, int limit)
{
	static const char *const sorts[] = {"name", "-name", "id", "-id"};
	static const char *const sql[] = {
		TAG_SEARCH("name > $1::json->>0", "name", "name"),
		TAG_SEARCH("name < $1::json->>0", "name", "name DESC"),
		TAG_SEARCH("id > ($1::json->>0)::bigint", "id", "id"),
		TAG_SEARCH("id < ($1::json->>0)::bigint", "id", "id DESC"),
	};
	size_t i = 0;
	while (i < ARRAY_LEN(sorts) - 1 && strcmp(sorts[i], sort) != 0)
		i++;
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {after_json, q, lim};
	return db_exec(db, sql[i], 3, p);
}
