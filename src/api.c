/* api.c — shared /api/v1 handler helpers. */
#include "api.h"
#include "util.h"

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

void api_object(struct http_req *req, enum model_rc rc, int status, json_t *obj)
{
	if (rc == MODEL_OK) {
		http_json(req, status, obj);
		return;
	}
	json_decref(obj);
	http_fail(req, rc, NULL, NULL);
}

void api_object_id(struct http_req *req, enum model_rc (*get)(struct db *db, int64_t id, json_t **out))
{
	int64_t id;
	json_t *obj = NULL;
	struct db *db = api_path_db(req, &id);
	if (db == NULL)
		return;
	enum model_rc rc = get(db, id, &obj);
	api_object(req, rc, 200, obj);
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
