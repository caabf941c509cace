/* model_audit.h — the change history as a list (model_audit.c); audit.h records it. */
#ifndef HERALD_MODEL_AUDIT_H
#define HERALD_MODEL_AUDIT_H
#include "resource.h"

/* The history as a list (a res_list_fn: resource.h; ctx unused): objects {id, at, username,
 * action, object, detail} by q->sort "newest" (the mirror "-newest", oldest first, reads pages
 * backwards), keyed by [id]; each may be NULL: q->filter[0] the action, q->filter[1] the
 * object (exact, "operator 916"), q->q text contained in the object or the user's name. */
enum model_rc audit_page(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out);

#endif
