/* audit.c — change history. */
#include "audit.h"
#include "group_commit.h"
#include "log.h"
#include "pgarr.h"
#include "route.h"
#include "util.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Rows of writes that arrive together are stored in one statement (group_commit.h): a change's
 * row is stored before its response goes out, as when each wrote its own, and PostgreSQL pays
 * one statement for the concurrent writes of all threads. */
#define AUDIT_BATCH_MAX 256

struct audit_row {
	struct group_item gi;   /* first: the group commit's */
	const char *uid, *username, *action, *object;
	char *detail;
	int ok;
};

static _Atomic unsigned long long rows_stored, rows_failed, statements;

/* Inserts the n rows (their group_items) in one statement on conn (a struct db) and sets ok. */
static void write_rows(void *conn, struct group_item **items, int n)
{
	static const char q[] = "INSERT INTO audit_log (user_id, username, action, object, detail)"
				" SELECT nullif(u, 0), n, a, o, d::jsonb"
				" FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(u, n, a, o, d)";
	struct pgarr_cols c;
	pgarr_cols_start(&c, 5);
	for (int i = 0; i < n; i++) {
		struct audit_row *r = (struct audit_row *)items[i];
		const char *v[] = {r->uid, r->username, r->action, r->object, r->detail};
		for (int k = 0; k < 5; k++)
			pgarr_text(&c.col[k], v[k]);
	}
	pgarr_cols_end(&c);
	int ok = db_run(conn, q, 5, c.param) >= 0;
	pgarr_cols_free(&c);
	for (int i = 0; i < n; i++)
		((struct audit_row *)items[i])->ok = ok;
	atomic_fetch_add(ok ? &rows_stored : &rows_failed, (unsigned long long)n);
	atomic_fetch_add(&statements, 1);
}

static struct group_commit group = GROUP_COMMIT_INIT(AUDIT_BATCH_MAX, write_rows);

void audit(struct db *db, struct http_req *req, const char *action, const char *object,
	   json_t *detail)
{
	char uid[DB_NUM_LEN];
	struct audit_row row = {{0}, db_num(uid, req->user.id), req->user.username, action, object ? object : "",
				detail ? json_dumps(detail, JSON_COMPACT) : NULL, 0};
	struct group_item *one = &row.gi;
	if (db->in_tx)   /* inside the caller's transaction: its own row, sharing its fate */
		write_rows(db, &one, 1);
	else
		group_commit(&group, db, &row.gi);
	if (!row.ok)
		log_warn("audit.failed", LS("action", action), LS("request_id", req->request_id));
	req->audited = 1;   /* tried: a failure is logged above */
	free(row.detail);
}

void audit_metrics(struct buf *out)
{
	buf_printf(out, "# HELP herald_audit_rows_total Change history rows (this instance): stored, or failed (the"
			" change stands without its record; each is logged as audit.failed).\n"
			"# TYPE herald_audit_rows_total counter\nherald_audit_rows_total{result=\"stored\"} %llu\n"
			"herald_audit_rows_total{result=\"failed\"} %llu\n"
			"# HELP herald_audit_statements_total Statements that wrote change history rows (this instance);"
			" rows over statements is how many writes shared one.\n"
			"# TYPE herald_audit_statements_total counter\nherald_audit_statements_total %llu\n",
		   (unsigned long long)atomic_load(&rows_stored), (unsigned long long)atomic_load(&rows_failed),
		   (unsigned long long)atomic_load(&statements));
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
