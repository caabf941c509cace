/* admin_time.c — times on admin pages in the user's time zone (the session's zone, loaded with
 * it). The server is multi-threaded and glibc converts only in the process's one zone (TZ), so
 * PostgreSQL converts: a page's times are collected as it is built and converted with one query
 * before it renders; a typed time is read with one query. The API keeps RFC 3339 in UTC. */
#include "admin_time.h"
#include "admin_text.h"
#include "config.h"
#include "db.h"
#include "session.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND_SHOWN "s"
#define KIND_INPUT "i"
#define KIND_OFFSET "o"        /* the zone's offset at an API time */
#define KIND_WALL_OFFSET "w"   /* the zone's offset at a wall time in it */

/* 1 when t is an API time, "YYYY-MM-DDTHH:MM:SSZ". */
static int api_time(const char *t)
{
	return t && strlen(t) == 20 && t[19] == 'Z' && rfc3339_valid(t) == 0;
}

/* initial (stolen) to be replaced by the kind of conversion of t when the page renders. */
static json_t *later(struct http_req *req, const char *t, const char *kind, json_t *initial)
{
	struct session *s = req->session;
	if (s == NULL)
		return initial;
	if (s->times == NULL)
		s->times = json_array();
	json_array_append_new(s->times, json_pack("[O, s, s]", initial, t, kind));
	return initial;
}

json_t *admin_time(struct http_req *req, const char *t)
{
	if (t == NULL)
		return json_string("—");
	if (!api_time(t))
		return json_string(t);
	return later(req, t, KIND_SHOWN, json_sprintf("%.10s %.5s UTC", t, t + 11));
}

json_t *admin_time_input(struct http_req *req, const char *t)
{
	if (t == NULL)
		return json_string("");
	if (!api_time(t))
		return json_string(t);
	return later(req, t, KIND_INPUT, json_stringn(t, 16));
}

json_t *admin_time_offset(struct http_req *req, json_t *value)
{
	struct session *s = req->session;
	const char *v = json_string_value(value);
	char full[32];
	size_t i, n = v ? strlen(v) : 0;
	json_t *it;
	if (s == NULL)
		return NULL;
	json_array_foreach(s->times, i, it)
		if (json_array_get(it, 0) == value)
			return later(req, json_string_value(json_array_get(it, 1)), KIND_OFFSET, json_string(s->zone_offset));
	snprintf(full, sizeof(full), "%s%s", v ? v : "", n == 16 ? ":00Z" : "Z");
	if ((n == 16 || n == 19) && v[10] == 'T' && rfc3339_valid(full) == 0)
		return later(req, v, KIND_WALL_OFFSET, json_string(s->zone_offset));
	return json_string(s->zone_offset);
}

int admin_times_resolve(struct http_req *req)
{
	static const char q[] =
	    "SELECT CASE e.v->>2 WHEN '" KIND_INPUT "'"
	    "  THEN to_char(l, 'YYYY-MM-DD\"T\"HH24:MI') || CASE WHEN to_char(l, 'SS') = '00' THEN '' ELSE to_char(l, ':SS') END"
	    "  WHEN '" KIND_SHOWN "' THEN to_char(l, 'YYYY-MM-DD HH24:MI ') || utc_offset_text(t, $1)"
	    "  ELSE utc_offset_text(t, $1) END"
	    " FROM json_array_elements($2::json) WITH ORDINALITY e(v, n),"
	    "   LATERAL (SELECT CASE WHEN e.v->>2 = '" KIND_WALL_OFFSET "' THEN (e.v->>1)::timestamp AT TIME ZONE $1"
	    "                   ELSE (e.v->>1)::timestamptz END AS t) a,"
	    "   LATERAL (SELECT a.t AT TIME ZONE $1 AS l) b"
	    " ORDER BY e.n";
	struct session *s = req->session;
	if (s == NULL || json_array_size(s->times) == 0)
		return 0;
	json_t *times = s->times, *it;
	s->times = NULL;
	char *arg = json_dumps(times, JSON_COMPACT);
	const char *p[] = {s->zone, arg};
	struct db *db = db_thread();
	PGresult *r = db ? db_exec(db, q, 2, p) : NULL;
	free(arg);
	size_t i;
	int ok = r != NULL && (size_t)PQntuples(r) == json_array_size(times);
	if (ok)
		json_array_foreach(times, i, it)
			json_string_set(json_array_get(it, 0), db_str(r, (int)i, 0));
	PQclear(r);
	json_decref(times);
	return ok ? 0 : -1;
}

int admin_time_read(struct http_req *req, const char *local, char out[ADMIN_TIME_LEN], const char **why)
{
	static const char q[] =
	    "SELECT api_ts(u), to_char(u AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') = to_char($1::timestamp, 'YYYY-MM-DD HH24:MI:SS')"
	    " FROM (SELECT $1::timestamp AT TIME ZONE $2 AS u) s";
	struct session *s = req->session;
	char full[32];
	size_t n = strlen(local);
	*why = NULL;
	snprintf(full, sizeof(full), "%s%s", local, n == 16 ? ":00Z" : "Z");
	if ((n != 16 && n != 19) || local[10] != 'T' || rfc3339_valid(full) < 0 || s == NULL)
		return 1;
	struct db *db = db_thread();
	const char *p[] = {local, s->zone};
	PGresult *r = db ? db_exec(db, q, 2, p) : NULL;
	if (r == NULL)
		return -2;
	if (db_str(r, 0, 1)[0] != 't')
		*why = admin_format(req, "admin.time.skipped", local, local + 11, s->zone);
	else
		snprintf(out, ADMIN_TIME_LEN, "%s", db_str(r, 0, 0));
	PQclear(r);
	return *why ? -1 : 0;
}

const char *admin_zone(struct http_req *req)
{
	struct session *s = req->session;
	return s ? s->zone : cfg.default_timezone;
}

const char *admin_time_label(struct http_req *req, const char *label)
{
	struct session *s = req->session;
	if (s == NULL)
		return label;
	if (strcmp(s->zone, "UTC") == 0)   /* its offset is its name */
		return pool_printf(&req->pool, "%s (UTC)", label);
	return pool_printf(&req->pool, "%s (%s, %s)", label, s->zone, s->zone_offset);
}
