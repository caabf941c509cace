/* client_bulk.c — the clients' bulk upsert: validated in C, stored set-based from array
 * parameters (model_client.h: client_bulk). */
#include "model_client.h"
#include "model_client_sql.h"
#include "analyzer.h"
#include "log.h"
#include "pgarr.h"

/* The arrays of a bulk: phone, operator_code, tag, timezone, attributes (JSON text). */
#define BULK_COLS 5

/* Creates the operators and tags the items name (in key order, so that concurrent bulks take
 * their locks in the same order), then upserts the clients, the last item of a phone winning. */
static int bulk_store(struct db *db, const char *const arrays[BULK_COLS], struct client_bulk_result *res)
{
	static const char refs[] =
		"WITH op AS (INSERT INTO operators (code) SELECT DISTINCT o FROM unnest($1::text[]) o"
		"            ORDER BY 1 ON CONFLICT DO NOTHING)"
		" INSERT INTO tags (name) SELECT DISTINCT t FROM unnest($2::text[]) t WHERE t IS NOT NULL" TAG_MISSING("t")
		" ORDER BY 1 ON CONFLICT (name) DO NOTHING";
	static const char upsert[] =
		"WITH s AS (SELECT DISTINCT ON (phone) phone, op, tag, tz, attrs"
		"           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY"
		"                AS u(phone, op, tag, tz, attrs, n)"
		"           ORDER BY phone, n DESC),"
		" up AS (INSERT INTO clients AS c (phone, operator_code, tag_id, timezone, attributes)"
		"        SELECT s.phone, s.op, t.id, s.tz, " ATTRS_OF("s.attrs") " FROM s LEFT JOIN tags t ON t.name = s.tag"
		"        ORDER BY s.phone"
		"        ON CONFLICT (phone) DO UPDATE SET operator_code = EXCLUDED.operator_code,"
		"          tag_id = EXCLUDED.tag_id, timezone = EXCLUDED.timezone, attributes = EXCLUDED.attributes,"
		"          updated_at = now()"
		"        WHERE (c.operator_code, c.tag_id, c.timezone, c.attributes) IS DISTINCT FROM"
		"              (EXCLUDED.operator_code, EXCLUDED.tag_id, EXCLUDED.timezone, EXCLUDED.attributes)"
		"        RETURNING (c.xmax = 0) AS inserted)"
		" SELECT (SELECT count(*) FROM up WHERE inserted),"
		"        (SELECT count(*) FROM s) - (SELECT count(*) FROM up WHERE inserted),"
		"        (SELECT count(*) FROM up)";
	/* Sorting 100,000 rows twice spills to disk with the default work_mem. */
	static const char mem[] = "SET LOCAL work_mem = '64MB'";
	const char *rp[] = {arrays[1], arrays[2]};
	if (db_begin(db) < 0)
		return -1;
	PGresult *r = NULL;
	if (db_simple(db, mem) < 0 || db_run(db, refs, 2, rp) < 0 || (r = db_exec(db, upsert, BULK_COLS, arrays)) == NULL ||
	    db_commit(db) < 0) {
		PQclear(r);
		db_rollback(db);
		return -1;
	}
	res->created = db_i64(r, 0, 0);
	res->updated = db_i64(r, 0, 1);
	analyzer_note(ANALYZER_CLIENTS, db_i64(r, 0, 2));   /* rows written: the unchanged are not */
	PQclear(r);
	return 0;
}

int client_bulk(struct db *db, json_t *items, struct client_bulk_result *res)
{
	struct buf cols[BULK_COLS] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
	size_t i, valid = 0;
	json_t *item;
	res->created = res->updated = 0;
	res->errors = json_array();
	for (int k = 0; k < BULK_COLS; k++)
		pgarr_start(&cols[k]);
	json_array_foreach(items, i, item) {
		struct verr v = {NULL, res->lang};
		struct client_in in;
		if (!json_is_object(item))
			verr_add(&v, "item", "valid.object");
		if (verr_any(&v) || client_validate(item, 0, &in, &v) < 0) {
			json_array_append_new(res->errors,
					      json_pack("{s:I,s:o}", "index", (json_int_t)i, "errors", verr_take(&v)));
			continue;
		}
		pgarr_text(&cols[0], in.phone);
		pgarr_text(&cols[1], in.operator_code);
		pgarr_text(&cols[2], in.tag);
		pgarr_text(&cols[3], in.timezone);
		char *attrs = client_attrs_text(&in);
		pgarr_text(&cols[4], attrs ? attrs : "{}");
		free(attrs);
		valid++;
	}
	int rc = 0;
	if (valid) {
		for (int k = 0; k < BULK_COLS; k++)
			pgarr_end(&cols[k]);
		const char *arrays[BULK_COLS] = {cols[0].data, cols[1].data, cols[2].data, cols[3].data, cols[4].data};
		rc = bulk_store(db, arrays, res);
		if (rc == 0)
			log_info("client.bulk", LI("items", json_array_size(items)), LI("created", res->created),
				 LI("updated", res->updated), LI("invalid", json_array_size(res->errors)));
	}
	for (int k = 0; k < BULK_COLS; k++)
		buf_free(&cols[k]);
	return rc;
}
