/* audit.c — change history. */
#include "audit.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>

void audit(struct db *db, const struct http_req *req, const char *action, const char *object,
	   json_t *detail)
{
	static const char q[] = "INSERT INTO audit_log (user_id, username, action, object, detail)"
				" VALUES (nullif($1, '0')::bigint, $2, $3, $4, $5::jsonb)";
	char uid[24];
	snprintf(uid, sizeof(uid), "%lld", (long long)req->user.id);
	char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	const char *p[] = {uid, req->user.username, action, object ? object : "", d};
	if (db_run(db, q, 5, p) < 0)
		log_warn("audit.failed", LS("action", action), LS("request_id", req->request_id));
	free(d);
}

PGresult *audit_list(struct db *db, const char *after_json, const char *action, const char *object,
		     const char *q, int limit)
{
	static const char sql[] =
	    "SELECT json_build_object('id', id, 'at', api_ts(at), 'username', username, 'action', action,"
	    " 'object', object, 'detail', coalesce(detail::text, ''))::text, json_build_array(id)::text"
	    " FROM audit_log WHERE ($1::json IS NULL OR id < ($1::json->>0)::bigint)"
	    "   AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR object = $3)"
	    "   AND ($5::text IS NULL OR strpos(lower(object), lower($5)) > 0 OR strpos(lower(username), lower($5)) > 0)"
	    " ORDER BY id DESC LIMIT $4";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {after_json, action, object, lim, q};
	return db_exec(db, sql, 5, p);
}
