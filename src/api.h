/* api.h — what every /api/v1 handler shares: the database, body parsing, ids, the page size
 * and answering with a model's object (lists: api_list_query and api_list_answer,
 * api_handlers.h). */
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
/* Answers obj (stolen; may be NULL when rc is not MODEL_OK) with status when rc is MODEL_OK,
 * else the failure rc (http_fail). */
void api_object(struct http_req *req, enum model_rc rc, int status, json_t *obj);
/* Answers 200 with the object get gives for the first path parameter's id (api_object). */
void api_object_id(struct http_req *req, enum model_rc (*get)(struct db *db, int64_t id, json_t **out));
/* Parses ?limit (default PAGE_DEFAULT); -1 after answering 400. */
int api_limit(struct http_req *req, int *limit);
/* A query parameter that must be a boolean ("true"/"false"); -1 after answering 400. */
int api_query_bool(struct http_req *req, const char *name, int *out);

#endif
