/* api.h — what every /api/v1 handler shares: body parsing, ids, pagination, answering with
 * JSON made by PostgreSQL, and mapping database failures to problem+json. */
#ifndef HERALD_API_H
#define HERALD_API_H
#include <jansson.h>
#include "db.h"
#include "http.h"
#include "page.h"
#include "valid.h"


/* The thread's database connection, or NULL after answering 503. */
struct db *api_db(struct http_req *req);
/* The body as a JSON object (in the request's pool), or NULL after answering 400/415. */
json_t *api_body_object(struct http_req *req);
/* Path parameter idx as a positive id; NULL after answering 404. */
int api_path_id(struct http_req *req, int idx, int64_t *id);
/* api_path_id of the first path parameter, then api_db: the database, or NULL after answering. */
struct db *api_path_db(struct http_req *req, int64_t *id);
/* Answers 200 with the row get gives for the first path parameter's id (api_answer). */
void api_answer_id(struct http_req *req, PGresult *(*get)(struct db *db, int64_t id));
/* Parses ?limit (default PAGE_DEFAULT); -1 after answering 400. */
int api_limit(struct http_req *req, int *limit);
/* Parses ?limit, ?cursor and ?count. numeric: the cursor key must be a positive integer.
 * -1 after answering 400. */
int api_page(struct http_req *req, struct page *pg, int numeric);
/* A query parameter that must be a boolean ("true"/"false"); -1 after answering 400. */
int api_query_bool(struct http_req *req, const char *name, int *out);
/* Appends the JSON object of row of r to b. */
typedef void (*api_row_fn)(struct buf *b, const PGresult *r, int row);

/* Answers a list page: r holds up to limit+1 rows with the object's JSON text in column 0 and
 * its key in column 1; count_r (may be NULL) holds the total in row 0 column 0. Both go into the
 * request's pool. */
void api_list(struct http_req *req, const struct page *pg, PGresult *r, PGresult *count_r);
/* api_list for rows whose JSON row_json writes, with the key in column key_col. */
void api_list_rows(struct http_req *req, const struct page *pg, PGresult *r, PGresult *count_r,
		   api_row_fn row_json, int key_col);
/* Answers status with the JSON text in row 0 column 0 of r, or 404 when r has no rows.
 * r goes into the request's pool. With status 201, location_prefix + column 1 goes into Location. */
void api_row(struct http_req *req, int status, PGresult *r, const char *location_prefix);
/* api_row for a row whose JSON row_json writes, with the key in column key_col. */
void api_row_with(struct http_req *req, int status, PGresult *r, const char *location_prefix,
		  api_row_fn row_json, int key_col);
/* api_row for a statement that may have failed: r NULL answers as http_db_fail. */
void api_answer(struct http_req *req, struct db *db, int status, PGresult *r, const char *location_prefix);
/* api_list for statements that may have failed: r NULL, or pg->count with c NULL, answers as
 * http_db_fail (what there is goes into the pool). */
void api_answer_list(struct http_req *req, struct db *db, const struct page *pg, PGresult *r, PGresult *c);
/* api_answer_list for rows whose JSON row_json writes, with the key in column key_col. */
void api_answer_list_rows(struct http_req *req, struct db *db, const struct page *pg, PGresult *r,
			  PGresult *c, api_row_fn row_json, int key_col);
/* Cursor encoding: opaque base64url of the key text. */
void api_cursor_encode(const char *key, char *out, size_t outlen);
int api_cursor_decode(const char *cursor, char *out, size_t outlen);

#endif
