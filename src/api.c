/* api.c — shared /api/v1 handler helpers. */
#include "api.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct db *api_db(struct http_req *req)
{
	struct db *db = db_thread();
	if (db == NULL)
		http_fail(req, MODEL_UNAVAILABLE, NULL, NULL);
	return db;
}

json_t *api_body_object(struct http_req *req)
{
	json_t *v = http_body_json(req);
	if (v != NULL && !json_is_object(v)) {
		http_problem(req, 400, "the body must be a JSON object", NULL);
		return NULL;
	}
	return v;
}

int api_path_id(struct http_req *req, int idx, int64_t *id)
{
	if (idx >= req->nparams || parse_i64(req->params[idx], 1, INT64_MAX, id) < 0) {
		http_problem(req, 404, "no such object", NULL);
		return -1;
	}
	return 0;
}

struct db *api_path_db(struct http_req *req, int64_t *id)
{
	return api_path_id(req, 0, id) < 0 ? NULL : api_db(req);
}

void api_answer_id(struct http_req *req, PGresult *(*get)(struct db *db, int64_t id))
{
	int64_t id;
	struct db *db = api_path_db(req, &id);
	if (db)
		api_answer(req, db, 200, get(db, id), NULL);
}

void api_cursor_encode(const char *key, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, (const unsigned char *)key, strlen(key),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int api_cursor_decode(const char *cursor, char *out, size_t outlen)
{
	size_t n;
	if (strlen(cursor) > 96 ||
	    sodium_base642bin((unsigned char *)out, outlen - 1, cursor, strlen(cursor), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n == 0)
		return -1;
	out[n] = '\0';
	return strlen(out) == n ? 0 : -1;
}

int api_query_bool(struct http_req *req, const char *name, int *out)
{
	const char *s = http_query(req, name);
	*out = 0;
	if (s == NULL)
		return 0;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") != 0 && strcmp(s, "0") != 0) {
		char detail[160];
		snprintf(detail, sizeof(detail), "%s must be true or false", name);
		http_problem(req, 400, detail, NULL);
		return -1;
	}
	return 0;
}

int api_limit(struct http_req *req, int *limit)
{
	const char *s = http_query(req, "limit");
	int64_t n = PAGE_DEFAULT;
	if (s && parse_i64(s, 1, PAGE_MAX, &n) < 0) {
		http_problem(req, 400, "limit must be a whole number from 1 to 1000", NULL);
		return -1;
	}
	*limit = (int)n;
	return 0;
}

int api_page(struct http_req *req, struct page *pg, int numeric)
{
	const char *cursor = http_query(req, "cursor");
	int64_t id;
	pg->after[0] = '\0';
	if (api_limit(req, &pg->limit) < 0)
		return -1;
	if (cursor && (api_cursor_decode(cursor, pg->after, sizeof(pg->after)) < 0 ||
		       (numeric && parse_i64(pg->after, 0, INT64_MAX, &id) < 0))) {
		http_problem(req, 400, "cursor is not one this API gave out", NULL);
		return -1;
	}
	if (numeric && pg->after[0] == '\0')
		strcpy(pg->after, "0");
	return api_query_bool(req, "count", &pg->count);
}

/* The row writer of api_list and api_row: JSON text made by PostgreSQL in column 0. */
static void json_col0(struct buf *b, const PGresult *r, int row)
{
	buf_append(b, PQgetvalue(r, row, 0), (size_t)PQgetlength(r, row, 0));
}

void api_list(struct http_req *req, const struct page *pg, PGresult *r, PGresult *count_r)
{
	api_list_rows(req, pg, r, count_r, json_col0, 1);
}

void api_list_rows(struct http_req *req, const struct page *pg, PGresult *r, PGresult *count_r,
		   api_row_fn row_json, int key_col)
{
	struct buf *b = &req->out;
	pool_pg(&req->pool, r);
	pool_pg(&req->pool, count_r);
	int rows = PQntuples(r), shown = rows > pg->limit ? pg->limit : rows;
	buf_reset(b);
	buf_puts(b, "{\"results\":[");
	for (int i = 0; i < shown; i++) {
		if (i)
			buf_putc(b, ',');
		row_json(b, r, i);
	}
	buf_puts(b, "],\"next_cursor\":");
	if (rows > pg->limit) {
		char c[140];
		api_cursor_encode(db_str(r, shown - 1, key_col), c, sizeof(c));
		buf_json_str(b, c);
	} else {
		buf_puts(b, "null");
	}
	if (count_r)
		buf_printf(b, ",\"count\":%s", db_str(count_r, 0, 0));
	buf_putc(b, '}');
	req->status = 200;
	req->content_type = "application/json";
}

void api_row(struct http_req *req, int status, PGresult *r, const char *location_prefix)
{
	api_row_with(req, status, r, location_prefix, json_col0, 1);
}

void api_row_with(struct http_req *req, int status, PGresult *r, const char *location_prefix,
		  api_row_fn row_json, int key_col)
{
	if (PQntuples(pool_pg(&req->pool, r)) == 0) {
		http_problem(req, 404, "no such object", NULL);
		return;
	}
	req->static_body = NULL;
	buf_reset(&req->out);
	row_json(&req->out, r, 0);
	req->status = status;
	req->content_type = "application/json";
	if (status == 201 && location_prefix)
		http_header(req, "Location", pool_printf(&req->pool, "%s%s", location_prefix, db_str(r, 0, key_col)));
}

void api_answer(struct http_req *req, struct db *db, int status, PGresult *r, const char *location_prefix)
{
	if (r == NULL)
		http_db_fail(req, db);
	else
		api_row(req, status, r, location_prefix);
}

void api_answer_list(struct http_req *req, struct db *db, const struct page *pg, PGresult *r, PGresult *c)
{
	api_answer_list_rows(req, db, pg, r, c, json_col0, 1);
}

void api_answer_list_rows(struct http_req *req, struct db *db, const struct page *pg, PGresult *r,
			  PGresult *c, api_row_fn row_json, int key_col)
{
	if (r == NULL || (pg->count && c == NULL)) {
		pool_pg(&req->pool, r);
		pool_pg(&req->pool, c);
		http_db_fail(req, db);
		return;
	}
	api_list_rows(req, pg, r, c, row_json, key_col);
}
