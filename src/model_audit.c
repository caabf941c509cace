/* model_audit.c — the change history (audit_log, written by audit.c) read as a list. */
#include "model_audit.h"
#include "util.h"

#define AUDIT_JSON \
	"json_build_object('id', id, 'at', api_ts(at), 'username', username, 'action', action, 'object', object," \
	" 'detail', coalesce(detail::text, ''))::text"
#define AUDIT_FROM \
	"(SELECT * FROM audit_log WHERE ($4::text IS NULL OR action = $4) AND ($5::text IS NULL OR object = $5)) a"
#define AUDIT_MATCH "(strpos(lower(object), lower($2)) > 0 OR strpos(lower(username), lower($2)) > 0)"

enum model_rc audit_page(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out)
{
	static const struct res_order orders[] = {
		{"newest", RES_LIST_SQL(AUDIT_JSON, AUDIT_FROM, AUDIT_MATCH, "id < ($1::json->>0)::bigint", "id", "id DESC"), "i"},
		{"-newest", RES_LIST_SQL(AUDIT_JSON, AUDIT_FROM, AUDIT_MATCH, "id > ($1::json->>0)::bigint", "id", "id"), "i"},
	};
	(void)ctx;
	return res_list_filtered(db, orders, ARRAY_LEN(orders), q, 2, out);
}
