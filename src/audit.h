/* audit.h — the admin's change history (audit_log): who did what to which object, when. */
#ifndef HERALD_AUDIT_H
#define HERALD_AUDIT_H
#include <jansson.h>
#include "buf.h"
#include "db.h"

struct http_req;

/* Records action ("<object kind>.<verb>", e.g. "operator.created"; the history's filter offers
 * those the route table names and its resources' writes: admin_history.c) by the request's
 * user on object ("operator 916"; may be "") with detail (borrowed, may be NULL). A failure is logged, never fatal to the change. */
void audit(struct db *db, struct http_req *req, const char *action, const char *object,
	   json_t *detail);

/* The history's figure for /metrics: herald_audit_rows_total{result}. */
void audit_metrics(struct buf *out);

/* audit under the action the request's route row names (routes.c): the admin's writes that
 * are no resource's (sign-in, reports, imports) are named there as the API's are. */
void audit_route(struct db *db, struct http_req *req, const char *object, json_t *detail);

/* The detail of a change: {"before": {...}, "after": {...}} holding only the fields whose
 * values differ (id, created_at and updated_at left out); before (creation) or after
 * (deletion) may be NULL, and its side is then left out. Both borrowed; new reference. */
json_t *audit_changes(json_t *before, json_t *after);

/* audit_route for a write whose outcome is the object after (borrowed): the detail is
 * audit_changes' "after" of it, each array replaced by its length (a bulk call: one entry with
 * its counts). The API's writes that are no resource's record themselves this way. */
void audit_outcome(struct db *db, struct http_req *req, const char *object, json_t *after);

#endif
