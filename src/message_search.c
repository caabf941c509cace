/* message_search.c — the messages' one list: filtered keyset pages and counts. */
#include "message_search.h"
#include "buf.h"
#include "model_message_sql.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_CAP "10001"   /* MESSAGE_COUNT_EXACT + 1: counted exactly up to here */

/* Parameters: $1 status (its name), $2 mailing_id, $3 phone, $4 from, $5 to, $6 error (a LIKE pattern),
 * $7 the zone of from and to. */
#define FILTERS \
	" ($1::text IS NULL OR g.status = message_status($1)) AND ($2::bigint IS NULL OR g.mailing_id = $2)" \
	" AND ($3::text IS NULL OR g.phone = $3)" \
	" AND ($4::date IS NULL OR g.created_at >= $4::date::timestamp AT TIME ZONE $7::text)" \
	" AND ($5::date IS NULL OR g.created_at < ($5::date + 1)::timestamp AT TIME ZONE $7::text)" \
	" AND ($6::text IS NULL OR g.last_error ILIKE $6)"
#define ROW MESSAGE_OBJ ", json_build_array(g.id)::text"

/* $8 the key to go past ([id]), $9 the limit. Planned per call (db_exec_once): the filters given
 * pick the plan. */
#define AFTER(cmp) " AND ($8::json IS NULL OR g.id " cmp " ($8::json->>0)::bigint)"
static const char sql_newest[] = "SELECT " ROW " FROM messages g WHERE" FILTERS AFTER("<") " ORDER BY g.id DESC LIMIT $9";
static const char sql_oldest[] = "SELECT " ROW " FROM messages g WHERE" FILTERS AFTER(">") " ORDER BY g.id LIMIT $9";

/* The error filter as a LIKE pattern that matches it anywhere, its wildcards escaped. */
static char *error_pattern(const char *error)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '%');
	for (const char *c = error; *c; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *c);
	}
	buf_putc(&b, '%');
	return buf_steal(&b);
}

enum model_rc message_search_list(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out)
{
	const struct message_search *s = ctx;
	if (!res_key_fits(q->after, "i"))
		return MODEL_INVALID;
	char lim[DB_NUM_LEN], *pattern = s->error ? error_pattern(s->error) : NULL;
	const char *p[] = {s->status, s->mailing_id, s->phone, s->from, s->to, pattern, s->zone,
			   q->after, db_num(lim, q->limit + 1)};
	PGresult *r = db_exec_once(db, strcmp(q->sort, "id") == 0 ? sql_oldest : sql_newest, 9, p);
	free(pattern);
	return res_rows(db, r, q->limit, out);
}

/* The planner's estimate of the rows matching s. -1 on a database error. */
static int estimate(struct db *db, const char *const p[7], int64_t *n)
{
	static const char q[] = "EXPLAIN (FORMAT JSON) SELECT 1 FROM messages g WHERE" FILTERS;
	PGresult *r = db_exec_once(db, q, 7, p);
	if (r == NULL)
		return -1;
	json_t *plan = json_loads(db_str(r, 0, 0), 0, NULL);
	PQclear(r);
	*n = (int64_t)json_number_value(json_object_get(json_object_get(json_array_get(plan, 0), "Plan"), "Plan Rows"));
	json_decref(plan);
	return 0;
}

int message_search_count(struct db *db, const struct message_search *s, int64_t *n, int *exact)
{
	static const char *const q_count[] = {"SELECT count(*) FROM messages g WHERE" FILTERS,
					      "SELECT count(*) FROM (SELECT 1 FROM messages g WHERE" FILTERS
					      " LIMIT " COUNT_CAP ") s"};
	/* the counters are exact and cheap when only status and mailing filter */
	static const char q_counters[] = "SELECT coalesce(sum(n), 0) FROM message_counts"
					 " WHERE ($2::bigint IS NULL OR mailing_id = $2) AND ($1::text IS NULL OR status = message_status($1))";
	char *pattern = s->error ? error_pattern(s->error) : NULL;
	const char *p[] = {s->status, s->mailing_id, s->phone, s->from, s->to, pattern, s->zone};
	int rc = -1;
	PGresult *r;
	if (exact)
		*exact = 1;
	if (!s->phone && !s->from && !s->to && !s->error) {
		if ((r = db_exec(db, q_counters, 2, p)) != NULL) {
			*n = db_i64(r, 0, 0);
			rc = 0;
		}
	} else if ((r = db_exec_once(db, q_count[exact != NULL], 7, p)) != NULL) {
		*n = db_i64(r, 0, 0);
		rc = 0;
		if (exact && *n > MESSAGE_COUNT_EXACT) {
			*exact = 0;
			rc = estimate(db, p, n);
			if (rc == 0 && *n <= MESSAGE_COUNT_EXACT)
				*n = MESSAGE_COUNT_EXACT + 1;   /* more than counted, whatever the planner thinks */
		}
	}
	PQclear(r);
	free(pattern);
	return rc;
}
