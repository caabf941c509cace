/* model_client.c — clients: validation, res_clients' operations and the one filtered keyset
 * list (the rows written as JSON by client_json.c; the bulk upsert is client_bulk.c). */
#include "model_client.h"
#include "model_client_sql.h"
#include "analyzer.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "message_status.h"
#include "page.h"
#include "tz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns row_of() reads (the id, column 0, is the key), whose tag name is tag_expr.
 * JSON is written in C: PostgreSQL's json_build_object and to_char cost ~10 us a row, which
 * made a page of 50 cost more than everything else of a request together. */
#define CLIENT_COLS(tag_expr) \
	"c.id, c.phone, c.operator_code, " tag_expr ", c.timezone," \
	" floor(date_part('epoch', c.created_at))::bigint, floor(date_part('epoch', c.updated_at))::bigint," \
	" c.attributes"
#define TAG_OF_C "(SELECT name FROM tags WHERE id = c.tag_id)"
#define CLIENTS_TAGS "clients c LEFT JOIN tags t ON t.id = c.tag_id"

/* --- validation ----------------------------------------------------------------------- */

int client_attr_key_valid(const char *k)
{
	size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_");
	return n >= 1 && n <= 32 && k[n] == '\0' && !(*k >= '0' && *k <= '9');
}

/* A value's rule is jv_str's, checked on a's member and renamed. */
void client_attrs_check(json_t *a, struct verr *v)
{
	struct verr each = {NULL, v->lang};
	const char *k, *s;
	json_t *msgs, *m;
	size_t i;
	if (!json_is_object(a)) {
		verr_add(v, "attributes", "valid.attr_object");
		return;
	}
	if (json_object_size(a) > CLIENT_ATTRS_MAX)
		verr_add(v, "attributes", "valid.attr_count", CLIENT_ATTRS_MAX);
	json_object_foreach(a, k, m) {
		if (!client_attr_key_valid(k))
			verr_add(&each, k, "valid.attr_key");
		else if (!json_is_null(m))
			jv_str(a, k, 0, 0, CLIENT_ATTR_VALUE_MAX, &s, &each);
	}
	json_t *errs = verr_take(&each);
	json_object_foreach(errs, k, msgs) {
		char *field = xasprintf("attributes.%s", k);
		json_array_foreach(msgs, i, m)
			verr_add(v, field, "%s", json_string_value(m));
		free(field);
	}
	json_decref(errs);
}

int client_validate(json_t *in, int partial, struct client_in *out, struct verr *v)
{
	static const char *const fields[] = {"phone", "operator_code", "tag", "timezone", "attributes", NULL};
	memset(out, 0, sizeof(*out));
	jv_only(in, fields, v);
	if (jv_str(in, "phone", !partial, 1, PHONE_INPUT_MAX, &out->phone, v) == 1) {
		if (phone_normalise(out->phone, out->phone_norm) < 0)
			verr_add(v, "phone", PHONE_REFUSED);
		out->phone = out->phone_norm[0] ? out->phone_norm : NULL;
	}
	if (jv_str(in, "operator_code", 0, 1, 64, &out->operator_code, v) == 1 &&
	    valid_operator_code(out->operator_code))
		verr_add(v, "operator_code", valid_operator_code(out->operator_code));
	out->tag_given = jv_str_or_null(in, "tag", 1, 64, &out->tag, v) == 1;
	if (jv_str(in, "timezone", 0, 1, 64, &out->timezone, v) == 1 && !tz_valid(out->timezone))
		verr_add(v, "timezone", "valid.timezone");
	if ((out->attributes = json_object_get(in, "attributes")) != NULL)
		client_attrs_check(out->attributes, v);
	if (verr_any(v))
		return -1;
	if (!partial) {
		if (out->operator_code == NULL) {
			memcpy(out->operator_default, out->phone + 1, 3);
			out->operator_code = out->operator_default;
		}
		out->tag_given = 1;
		if (out->timezone == NULL)
			out->timezone = cfg.default_timezone;
	}
	return 0;
}

int client_filter_check(struct client_filter *f, struct verr *v)
{
	if (f->tag && (*f->tag == '\0' || utf8_length(f->tag, strlen(f->tag)) < 0 ||
		       utf8_length(f->tag, strlen(f->tag)) > 64))
		verr_add(v, "tag", "valid.tag_name");
	if (f->operator_code && valid_operator_code(f->operator_code))
		verr_add(v, "operator_code", valid_operator_code(f->operator_code));
	if (f->phone_prefix && phone_prefix_normalise(f->phone_prefix, f->phone_prefix_norm) < 0)
		verr_add(v, "phone_prefix", "valid.phone_prefix");
	else if (f->phone_prefix)
		f->phone_prefix = f->phone_prefix_norm;
	if (f->timezone && !tz_valid(f->timezone))
		verr_add(v, "timezone", "valid.timezone");
	return verr_any(v) ? -1 : 0;
}

void client_filter_of(const struct res_query *q, struct client_filter *f)
{
	*f = (struct client_filter){q->filter[0], q->filter[1], q->filter[2], q->filter[3], ""};
}

/* Row i of r (columns CLIENT_COLS) as a client_row. */
static void row_of(const PGresult *r, int i, struct client_row *c)
{
	c->id = db_i64(r, i, 0);
	c->phone = db_str(r, i, 1);
	c->operator_code = db_str(r, i, 2);
	c->tag = db_null(r, i, 3) ? NULL : db_str(r, i, 3);
	c->timezone = db_str(r, i, 4);
	c->created_at = db_i64(r, i, 5);
	c->updated_at = db_i64(r, i, 6);
	c->attributes = db_str(r, i, 7);
}

/* Row 0 of r (a write's or a read's result; r NULL: a failure, e set from db) as *out. */
static enum model_rc one(struct db *db, PGresult *r, struct model_err *e, json_t **out)
{
	*out = NULL;
	if (r == NULL)
		return model_err_db(e, db);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return e->rc = MODEL_NOT_FOUND;
	}
	struct client_row c;
	struct buf times = BUF_INIT;
	row_of(r, 0, &c);
	client_time(&times, c.created_at, 0);
	client_time(&times, c.updated_at, 0);
	*out = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s%, s:s%, s:o}", "id", (json_int_t)c.id, "phone", c.phone,
			 "operator_code", c.operator_code, "tag", c.tag, "timezone", c.timezone, "created_at",
			 times.data, CLIENT_TIME_LEN, "updated_at", times.data + CLIENT_TIME_LEN, CLIENT_TIME_LEN,
			 "attributes", json_loads(c.attributes, 0, NULL));
	buf_free(&times);
	PQclear(r);
	return e->rc = MODEL_OK;
}

/* --- one client ----------------------------------------------------------------------- */

static enum model_rc get(struct db *db, const struct res_key *k, json_t **out)
{
	static const char q[] = "SELECT " CLIENT_COLS("t.name") " FROM " CLIENTS_TAGS " WHERE c.id = $1::bigint";
	const char *p[] = {k->text};
	struct model_err e = MODEL_ERR_INIT;
	return one(db, db_exec(db, q, 1, p), &e, out);
}

char *client_attrs_text(const struct client_in *in)
{
	return in->attributes ? json_dumps(in->attributes, JSON_COMPACT) : NULL;
}

/* The operator and tag are created when unknown (ON CONFLICT DO NOTHING). A tag created by
 * another transaction after this statement's snapshot is invisible to it: then no row is
 * written and the caller runs the statement once more. */
static PGresult *insert_creating(struct db *db, const char *const p[5])
{
	static const char q[] =
		"WITH op AS (INSERT INTO operators (code) VALUES ($2::text) ON CONFLICT DO NOTHING),"
		" tg AS (INSERT INTO tags (name) SELECT $3::text WHERE $3::text IS NOT NULL" TAG_MISSING("$3")
		"        ON CONFLICT (name) DO NOTHING RETURNING id),"
		" tid AS (SELECT coalesce((SELECT id FROM tg), (SELECT id FROM tags WHERE name = $3::text)) AS id)"
		" INSERT INTO clients AS c (phone, operator_code, tag_id, timezone, attributes)"
		" SELECT $1::text, $2::text, tid.id, $4::text, " ATTRS_OF("$5") " FROM tid"
		" WHERE $3::text IS NULL OR tid.id IS NOT NULL"
		" RETURNING " CLIENT_COLS("$3::text");
	PGresult *r = db_exec(db, q, 5, p);
	if (r && PQntuples(r) == 0 && p[2]) {
		PQclear(r);
		r = db_exec(db, q, 5, p);
	}
	return r;
}

/* The object a write returned in r, or its failure: a phone that is taken on the phone field,
 * with the message taken. */
static enum model_rc written(struct db *db, PGresult *r, struct model_err *e, json_t **out, const char *taken)
{
	if (r == NULL && model_err_db(e, db) == MODEL_DUPLICATE)
		return model_err_field(e, MODEL_DUPLICATE, "phone", taken);
	return one(db, r, e, out);
}

/* A client without a tag whose operator exists (the usual case) takes a plain INSERT: the
 * statement that creates operators and tags costs PostgreSQL twice the CPU time. A missing
 * operator shows as a foreign key violation, and insert_creating() then does it all. */
static enum model_rc insert(struct db *db, json_t *body, struct model_err *e, json_t **out)
{
	static const char plain[] = "INSERT INTO clients AS c (phone, operator_code, timezone, attributes)"
				    " VALUES ($1, $2, $3, " ATTRS_OF("$4") ") RETURNING " CLIENT_COLS("NULL::text");
	struct client_in in;
	*out = NULL;
	if (client_validate(body, 0, &in, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	char *attrs = client_attrs_text(&in);
	const char *a = attrs ? attrs : "{}";
	const char *p[] = {in.phone, in.operator_code, in.tag, in.timezone, a};
	PGresult *r = NULL;
	if (in.tag == NULL) {
		const char *pp[] = {in.phone, in.operator_code, in.timezone, a};
		r = db_exec(db, plain, 4, pp);
	}
	if (r == NULL && (in.tag != NULL || db_is_fk(db)))
		r = insert_creating(db, p);
	free(attrs);
	if (written(db, r, e, out, "valid.client_exists") == MODEL_OK)
		log_info_batched("client.created", LI("client_id", json_integer_value(json_object_get(*out, "id"))));
	return e->rc;
}

_Static_assert(CLIENT_ATTRS_MAX == 32, "update() counts the merged attributes against 32");
static enum model_rc update(struct db *db, const struct res_key *k, json_t *body, int partial,
			    struct model_err *e, json_t **out)
{
	static const char q[] =
		"WITH op AS (INSERT INTO operators (code) SELECT $3::text WHERE $3::text IS NOT NULL"
		"        ON CONFLICT DO NOTHING),"
		" tg AS (INSERT INTO tags (name) SELECT $5::text WHERE $5::text IS NOT NULL" TAG_MISSING("$5")
		"        ON CONFLICT (name) DO NOTHING RETURNING id),"
		" tid AS (SELECT coalesce((SELECT id FROM tg), (SELECT id FROM tags WHERE name = $5::text)) AS id)"
		" UPDATE clients AS c SET phone = coalesce($2::text, c.phone),"
		"   operator_code = coalesce($3::text, c.operator_code),"
		"   tag_id = CASE WHEN $4::boolean THEN tid.id ELSE c.tag_id END,"
		"   timezone = coalesce($6::text, c.timezone), updated_at = now(),"
		"   attributes = CASE WHEN $7::jsonb IS NULL THEN c.attributes ELSE"
		"     (SELECT CASE WHEN count(*) <= 32 THEN coalesce(jsonb_object_agg(a.key, a.value), '{}')"
		"             ELSE 'null' END"
		"      FROM jsonb_each(CASE WHEN $8::boolean THEN c.attributes || $7::jsonb ELSE $7::jsonb END) a"
		"      WHERE jsonb_typeof(a.value) <> 'null') END"
		" FROM tid WHERE c.id = $1::bigint AND ($5::text IS NULL OR tid.id IS NOT NULL)"
		" RETURNING " CLIENT_COLS("CASE WHEN $4::boolean THEN $5::text ELSE " TAG_OF_C " END");
	struct client_in in;
	*out = NULL;
	if (client_validate(body, partial, &in, &e->fields) < 0)
		return e->rc = MODEL_INVALID;
	const char *tag = in.tag_given ? in.tag : NULL;
	char *attrs = client_attrs_text(&in);
	const char *p[] = {k->text, in.phone, in.operator_code, in.tag_given ? "t" : "f", tag, in.timezone,
			   attrs ? attrs : partial ? NULL : "{}", partial ? "t" : "f"};
	PGresult *r = db_exec(db, q, 8, p);
	if (r && PQntuples(r) == 0 && tag) {
		PQclear(r);
		r = db_exec(db, q, 8, p);
	}
	free(attrs);
	/* merged attributes over the limit are set to a JSON null, which the column's CHECK refuses:
	 * the rule holds for the row as it is when the statement writes it */
	if (r == NULL && db_is_check(db))
		return model_err_field(e, MODEL_INVALID, "attributes", "valid.attrs_merged", CLIENT_ATTRS_MAX);
	if (written(db, r, e, out, "valid.client_phone_taken") == MODEL_OK)
		log_info_batched("client.updated", LI("client_id", k->id));
	return e->rc;
}

/* Deletes the clients whose ids are in ids (a JSON array) and cancels their pending messages,
 * in one statement; *n deleted, *cancelled messages cancelled. */
/* Deleted clients (a CTE d of their ids) and their pending messages cancelled: both counts. */
#define CANCEL_DELETED \
	" m AS (UPDATE messages SET status = " MSG_SQL(MSG_CANCELLED) " WHERE client_id IN (SELECT id FROM d)" \
	"       AND status = " MSG_SQL(MSG_PENDING) " RETURNING 1)" \
	" SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM m)"

/* The counts of a deletion's result r (CANCEL_DELETED's). */
static enum model_rc deleted(struct db *db, PGresult *r, int64_t *n, int64_t *cancelled)
{
	if (r == NULL)
		return model_db_rc(db);
	*n = db_i64(r, 0, 0);
	*cancelled = db_i64(r, 0, 1);
	PQclear(r);
	analyzer_note(ANALYZER_CLIENTS, *n);
	return MODEL_OK;
}

static enum model_rc delete_ids(struct db *db, const char *ids, int *n, int64_t *cancelled)
{
	static const char q[] =
		"WITH d AS (DELETE FROM clients WHERE id IN"
		"           (SELECT e::bigint FROM json_array_elements_text($1::json) e) RETURNING id)," CANCEL_DELETED;
	const char *p[] = {ids};
	int64_t count = 0;
	enum model_rc rc = deleted(db, db_exec(db, q, 1, p), &count, cancelled);
	*n = (int)count;
	return rc;
}

static enum model_rc remove_one(struct db *db, const struct res_key *k)
{
	char ids[32];
	int n;
	int64_t cancelled;
	snprintf(ids, sizeof(ids), "[%lld]", (long long)k->id);
	enum model_rc rc = delete_ids(db, ids, &n, &cancelled);
	if (rc == MODEL_OK && n)
		log_info_batched("client.deleted", LI("client_id", k->id), LI("messages_cancelled", cancelled));
	return rc == MODEL_OK && n == 0 ? MODEL_NOT_FOUND : rc;
}

/* keys: texts of positive ids (admin_res_bulk checks) */
static enum model_rc remove_many(struct db *db, json_t *keys, int *n)
{
	char *ids = json_dumps(keys, JSON_COMPACT);
	int64_t cancelled;
	enum model_rc rc = delete_ids(db, ids, n, &cancelled);
	free(ids);
	if (rc == MODEL_OK)
		log_info("client.deleted_many", LI("clients", *n), LI("messages_cancelled", cancelled));
	return rc;
}

enum model_rc client_pending(struct db *db, int64_t id, int64_t *n)
{
	static const char q[] = "SELECT count(*) FROM messages WHERE client_id = $1::bigint AND status = " MSG_SQL(MSG_PENDING);
	char s[DB_NUM_LEN];
	const char *p[] = {db_num(s, id)};
	return res_count(db, db_exec(db, q, 1, p), n);
}

/* --- the list ------------------------------------------------------------------------- */

/* One static statement per combination of filters, so that each keeps a plan that uses the
 * index of its filter. Parameters: $1 tag, $2 operator_code, $3 phone_prefix, $4 timezone
 * (NULL when absent), then for lists $5 the key after which the page starts and $6 the limit.
 * A LIMIT parameter keeps PostgreSQL from ever choosing the generic plan (it guesses 10% of
 * the rows), so each call would be planned again; the default page size has statements with
 * a constant LIMIT instead, which PostgreSQL plans once per connection.
 *
 * A filtered page is one range of its filter's index, (tag_id, id), (operator_code, id) or
 * (timezone, id), which holds the page's rows in order. Asked for "tag_id = v ORDER BY id
 * LIMIT 51", PostgreSQL may instead walk the primary key in id order and filter, betting that
 * the matches are spread evenly over the ids (the generic plan always bets so, and fresh
 * statistics that show a value is common make the custom plan bet too). A bulk import puts
 * its rows together at the end of the ids, and then a page reads the whole table before them
 * (100,000 rows read for 51: 190 req/s instead of 11,000). So a list orders by its first
 * filter's column, then id, and gives the filters as closed ranges [v, v]: with an equality
 * the planner drops the fixed column from the ORDER BY and the bet is back. Only the filter's
 * index yields that order, so the plan is its range whatever the statistics say. */
#define TAG_ID "(SELECT id FROM tags WHERE name = $1::text)"
#define F_TAG1 " AND c.tag_id >= " TAG_ID " AND c.tag_id <= " TAG_ID
#define F_TAG0 " AND $1::text IS NULL"
#define F_OP1 " AND c.operator_code >= (SELECT $2::text) AND c.operator_code <= (SELECT $2::text)"
#define F_OP0 " AND $2::text IS NULL"
#define F_PRE1 " AND c.phone >= $3::text AND c.phone < ($3::text || ':')"
#define F_PRE0 " AND $3::text IS NULL"
#define F_TZ1 " AND c.timezone >= (SELECT $4::text) AND c.timezone <= (SELECT $4::text)"
#define F_TZ0 " AND $4::text IS NULL"
#define FILTERS(t, o, p, z) F_TAG##t F_OP##o F_PRE##p F_TZ##z
/* The order of a list: by its first filter of tag, operator_code, timezone (see above), then id,
 * every column ascending (dir "") or descending (dir " DESC": a backward scan of the same index). */
#define LEAD_000(dir) ""
#define LEAD_001(dir) "c.timezone" dir ", "
#define LEAD_010(dir) "c.operator_code" dir ", "
#define LEAD_011 LEAD_010
#define LEAD_100(dir) "c.tag_id" dir ", "
#define LEAD_101 LEAD_100
#define LEAD_110 LEAD_100
#define LEAD_111 LEAD_100
#define ORDER_BY(t, o, z, dir) " ORDER BY " LEAD_##t##o##z(dir) "c.id" dir
/* A page of the ids after (cmp ">", dir "") or before (cmp "<", dir " DESC") the key $5. */
#define LIST_SQL(cmp, dir, limit, t, o, p, z) \
	"SELECT " CLIENT_COLS("t.name") " FROM " CLIENTS_TAGS " WHERE c.id " cmp " (SELECT $5::bigint)" \
	FILTERS(t, o, p, z) ORDER_BY(t, o, z, dir) " LIMIT " limit
#define LIST_ANY(t, o, p, z) LIST_SQL(">", "", "$6", t, o, p, z)
#define LIST_DEFAULT(t, o, p, z) LIST_SQL(">", "", "51", t, o, p, z)
#define LIST_DESC(t, o, p, z) LIST_SQL("<", " DESC", "$6", t, o, p, z)
#define COUNT_SQL(t, o, p, z) "SELECT count(*) FROM clients c WHERE true" FILTERS(t, o, p, z)
#define VARIANTS(M) \
	M(0, 0, 0, 0), M(0, 0, 0, 1), M(0, 0, 1, 0), M(0, 0, 1, 1), M(0, 1, 0, 0), M(0, 1, 0, 1), \
	M(0, 1, 1, 0), M(0, 1, 1, 1), M(1, 0, 0, 0), M(1, 0, 0, 1), M(1, 0, 1, 0), M(1, 0, 1, 1), \
	M(1, 1, 0, 0), M(1, 1, 0, 1), M(1, 1, 1, 0), M(1, 1, 1, 1)

_Static_assert(PAGE_DEFAULT == 50, "LIST_DEFAULT fetches PAGE_DEFAULT + 1 rows");
static const char *const list_sql[16] = {VARIANTS(LIST_ANY)};
static const char *const list_default_sql[16] = {VARIANTS(LIST_DEFAULT)};
static const char *const list_desc_sql[16] = {VARIANTS(LIST_DESC)};
static const char *const count_sql[16] = {VARIANTS(COUNT_SQL)};

/* Ordered by phone, no index holds a filter's rows in phone order (that would take indexes such
 * as (tag_id, phone), which every import would pay for), so the statement is planned per call
 * with the values ($5 the JSON key): the planner weighs walking the phone index and filtering
 * against sorting the filter's rows. */
#define ANY_FILTERS \
	" WHERE ($1::text IS NULL OR c.tag_id = (SELECT id FROM tags WHERE name = $1::text))" \
	" AND ($2::text IS NULL OR c.operator_code = $2::text)" \
	" AND ($3::text IS NULL OR (c.phone >= $3::text AND c.phone < ($3::text || ':')))" \
	" AND ($4::text IS NULL OR c.timezone = $4::text)"
#define PHONE_SQL(keycmp, order) \
	"SELECT " CLIENT_COLS("t.name") " FROM " CLIENTS_TAGS ANY_FILTERS \
	" AND ($5::json IS NULL OR " keycmp ") ORDER BY " order " LIMIT $6::int"

static const char phone_sql[] = PHONE_SQL("c.phone > $5::json->>0", "c.phone");
static const char phone_desc_sql[] = PHONE_SQL("c.phone < $5::json->>0", "c.phone DESC");

static int variant(const struct client_filter *f)
{
	return (f->tag != NULL) * 8 + (f->operator_code != NULL) * 4 + (f->phone_prefix != NULL) * 2 +
	       (f->timezone != NULL);
}

const char *client_list_sql(const char *sort, const struct client_filter *f, int limit)
{
	if (strcmp(sort, "id") == 0)
		return limit == PAGE_DEFAULT ? list_default_sql[variant(f)] : list_sql[variant(f)];
	if (strcmp(sort, "-id") == 0)
		return list_desc_sql[variant(f)];
	return strcmp(sort, "phone") == 0 ? phone_sql : phone_desc_sql;
}

/* The id of after ([id]) as text in id, the start of the order when after is NULL; -1 when
 * after is no such key. */
static int key_id(const char *after, const char *sort, char id[24])
{
	json_t *k = after ? json_loads(after, 0, NULL) : NULL, *e = json_array_get(k, 0);
	int ok = after == NULL || (json_array_size(k) == 1 && json_is_integer(e));
	if (after)
		snprintf(id, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(e));
	else
		snprintf(id, 24, "%s", sort[0] == '-' ? "9223372036854775807" : "0");
	json_decref(k);
	return ok ? 0 : -1;
}

/* The keyset key of c in a phone order or an id order (malloc'ed). */
static char *key_of(const struct client_row *c, int by_phone)
{
	return by_phone ? xasprintf("[\"%s\"]", c->phone) : xasprintf("[%lld]", (long long)c->id);
}

enum model_rc client_list(struct db *db, const struct res_query *q, const struct client_filter *f,
			  client_put put, void *arg, char **next, char **first)
{
	const char *sql = client_list_sql(q->sort, f, q->limit);
	int by_phone = sql == phone_sql || sql == phone_desc_sql;
	char lim[DB_NUM_LEN], id[24];
	*next = NULL;
	if (first)
		*first = NULL;
	if (by_phone ? !res_key_fits(q->after, "s") : key_id(q->after, q->sort, id) < 0)
		return MODEL_INVALID;
	const char *p[] = {f->tag, f->operator_code, f->phone_prefix, f->timezone,
			   by_phone ? q->after : id, db_num(lim, q->limit + 1)};
	PGresult *r = by_phone ? db_exec_once(db, sql, 6, p)
			       : db_exec(db, sql, sql == list_default_sql[variant(f)] ? 5 : 6, p);
	if (r == NULL)
		return model_db_rc(db);
	int n = PQntuples(r), shown = n > q->limit ? q->limit : n;
	struct client_row c;
	for (int i = 0; i < shown; i++) {
		row_of(r, i, &c);
		put(arg, &c);
		if (i == 0 && first)
			*first = key_of(&c, by_phone);
	}
	if (n > shown)
		*next = key_of(&c, by_phone);
	PQclear(r);
	return MODEL_OK;
}

/* The filters of q, checked into f; MODEL_INVALID with the bad ones in q->bad. */
static enum model_rc filters(const struct res_query *q, struct client_filter *f)
{
	client_filter_of(q, f);
	return client_filter_check(f, q->bad) < 0 ? MODEL_INVALID : MODEL_OK;
}

enum model_rc client_list_json(struct db *db, const struct res_query *q, struct buf *out, char **next,
			       char **first)
{
	struct client_filter f;
	enum model_rc rc = filters(q, &f);
	*next = NULL;
	if (first)
		*first = NULL;
	if (rc != MODEL_OK)
		return rc;
	buf_putc(out, '[');
	rc = client_list(db, q, &f, client_put_json, out, next, first);
	buf_putc(out, ']');
	return rc;
}

json_t *client_attr_keys(struct db *db, const struct client_filter *f)
{
	static const char q[] = "SELECT coalesce(json_agg(k ORDER BY k COLLATE \"C\"), '[]')"
				" FROM (SELECT DISTINCT jsonb_object_keys(c.attributes) AS k FROM clients c" ANY_FILTERS
				"       AND c.attributes <> '{}') s";
	const char *p[] = {f->tag, f->operator_code, f->phone_prefix, f->timezone};
	PGresult *r = db_exec_once(db, q, 4, p);
	if (r == NULL)
		return NULL;
	json_t *keys = json_loads(db_str(r, 0, 0), 0, NULL);
	PQclear(r);
	return keys;
}

enum model_rc client_count(struct db *db, const struct res_query *q, int64_t *n)
{
	struct client_filter f;
	enum model_rc rc = filters(q, &f);
	const char *p[] = {f.tag, f.operator_code, f.phone_prefix, f.timezone};
	return rc != MODEL_OK ? rc : res_count(db, db_exec(db, count_sql[variant(&f)], 4, p), n);
}

#define DELETE_SQL(t, o, p, z) \
	"WITH d AS (DELETE FROM clients c WHERE true" FILTERS(t, o, p, z) " RETURNING c.id)," CANCEL_DELETED
static const char *const delete_sql[16] = {VARIANTS(DELETE_SQL)};

/* Every client that q's filters match (one statement), their pending messages cancelled. */
static enum model_rc remove_matching(struct db *db, const struct res_query *q, int64_t *n)
{
	struct client_filter f;
	int64_t cancelled = 0;
	enum model_rc rc = filters(q, &f);
	const char *p[] = {f.tag, f.operator_code, f.phone_prefix, f.timezone};
	if (rc == MODEL_OK)
		rc = deleted(db, db_exec(db, delete_sql[variant(&f)], 4, p), n, &cancelled);
	if (rc == MODEL_OK)
		log_info("client.deleted_matching", LI("clients", *n), LI("messages_cancelled", cancelled),
			 LS("tag", f.tag), LS("operator_code", f.operator_code), LS("phone_prefix", f.phone_prefix),
			 LS("timezone", f.timezone));
	return rc;
}

const struct res_model client_model = {
	.get = get, .insert = insert, .update = update, .remove = remove_one, .remove_many = remove_many,
	.remove_matching = remove_matching,
};

