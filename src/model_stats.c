/* model_stats.c — statistics. */
#include "model_stats.h"
#include "util.h"

/* A mailing's row of counts, as jsonb, for a mailings row aliased m. */
#define STATS_ROW \
	"(json_build_object('mailing_id', m.id, 'status', m.status, 'start_at', api_ts(m.start_at)," \
	" 'end_at', api_ts(m.end_at))::jsonb || mailing_stats_json(m.id)::jsonb)"

enum model_rc stats_overview(struct db *db, json_t **out)
{
	static const char q[] =
		"SELECT json_build_object('mailings', mailing_totals_json(),"
		" 'messages', message_totals_json())::text";
	return res_row(db, db_exec(db, q, 0, NULL), out);
}

enum model_rc stats_mailings(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out)
{
	static const struct res_order orders[] = {
		{"id", RES_LIST_SQL(STATS_ROW "::text", "(SELECT * FROM mailings WHERE $4::text IS NULL OR status = $4) m",
				    "true", "m.id > ($1::json->>0)::bigint", "m.id", "m.id"), "i"},
	};
	(void)ctx;
	return res_list_filtered(db, orders, ARRAY_LEN(orders), q, 1, out);
}

enum model_rc stats_mailing(struct db *db, int64_t id, json_t **out)
{
	static const char q[] =
		"SELECT (" STATS_ROW " || jsonb_build_object('timeline', coalesce((SELECT jsonb_agg("
		"  jsonb_build_object('minute', api_ts(x.minute), 'sent', x.sent, 'failed', x.failed)"
		"  ORDER BY x.minute) FROM message_minutes x WHERE x.mailing_id = m.id), '[]'::jsonb)))::text, m.id"
		" FROM mailings m WHERE m.id = $1";
	return res_row(db, db_exec_id(db, q, id), out);
}
