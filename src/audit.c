/* audit.c — change history. */
#include "audit.h"
#include "log.h"
#include "route.h"
#include "util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Each write stores its own row on its own connection before it answers (inside the caller's
 * transaction when it has one, sharing its fate), so a record is visible when its response is.
 * Rows of concurrent writes were once shared in one statement (group_commit.h): with the HTTP
 * threads few, a batch held 1.3-1.5 rows, and waiting for the batch in flight cost more than the
 * statements it saved (docs/performance.md, "Client writes"). */
static _Atomic unsigned long long rows_stored, rows_failed;

void audit(struct db *db, struct http_req *req, const char *action, const char *object,
	   json_t *detail)
{
	static const char q[] = "INSERT INTO audit_log (user_id, username, action, object, detail)"
				" VALUES (nullif($1::bigint, 0), $2, $3, $4, $5::jsonb)";
	char uid[DB_NUM_LEN];
	char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	const char *p[] = {db_num(uid, req->user.id), req->user.username, action, object ? object : "", d};
	int ok = db_run(db, q, 5, p) >= 0;
	atomic_fetch_add(ok ? &rows_stored : &rows_failed, 1);
	if (!ok)
		log_warn("audit.failed", LS("action", action), LS("request_id", req->request_id));
	req->audited = 1;   /* tried: a failure is logged above */
	free(d);
}

void audit_metrics(struct buf *out)
{
	buf_printf(out, "# HELP herald_audit_rows_total Change history rows (this instance): stored, or failed (the"
			" change stands without its record; each is logged as audit.failed).\n"
			"# TYPE herald_audit_rows_total counter\nherald_audit_rows_total{result=\"stored\"} %llu\n"
			"herald_audit_rows_total{result=\"failed\"} %llu\n",
		   (unsigned long long)atomic_load(&rows_stored), (unsigned long long)atomic_load(&rows_failed));
}

void audit_route(struct db *db, struct http_req *req, const char *object, json_t *detail)
{
	audit(db, req, req->route->action, object, detail);
}

json_t *audit_changes(json_t *before, json_t *after)
{
	static const char *const skip[] = {"id", "created_at", "updated_at"};
	json_t *b = json_object(), *a = json_object(), *sides[2] = {before, after}, *v;
	const char *k;
	for (int i = 0; i < 2; i++)
		json_object_foreach(sides[i], k, v) {
			size_t j = 0;
			while (j < ARRAY_LEN(skip) && strcmp(skip[j], k) != 0)
				j++;
			json_t *old = json_object_get(before, k), *new = json_object_get(after, k);
			if (j < ARRAY_LEN(skip) || (old && new && json_equal(old, new)))
				continue;
			if (before)
				json_object_set(b, k, old ? old : json_null());
			if (after)
				json_object_set(a, k, new ? new : json_null());
		}
	json_t *out = json_object();
	if (before)
		json_object_set_new(out, "before", b);
	else
		json_decref(b);
	if (after)
		json_object_set_new(out, "after", a);
	else
		json_decref(a);
	return out;
}

void audit_outcome(struct db *db, struct http_req *req, const char *object, json_t *after)
{
	json_t *counted = json_deep_copy(after), *v, *detail;
	const char *k;
	json_object_foreach(counted, k, v)
		if (json_is_array(v))
			json_object_set_new(counted, k, json_integer((json_int_t)json_array_size(v)));
	detail = audit_changes(NULL, counted);
	audit_route(db, req, object, detail);
	json_decref(detail);
	json_decref(counted);
}
