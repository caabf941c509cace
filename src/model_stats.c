/* model_stats.c — statistics. */
#include "model_stats.h"

#include <stdio.h>

/* A mailing's row of counts, as jsonb, for a mailings row aliased m. */
#define STATS_ROW \
	"(json_build_object('mailing_id', m.id, 'status', m.status, 'start_at', api_ts(m.start_at)," \
	" 'end_at', api_ts(m.end_at))::jsonb || mailing_stats_json(m.id)::jsonb)"

PGresult *stats_overview(struct db *db)
{
	static const char q[] =
		"SELECT json_build_object('mailings', mailing_totals_json(),"
		" 'messages', message_totals_json())::text";
	return db_exec(db, q, 0, NULL);
}

PGresult *stats_mailings(struct db *db, const struct page *pg, const char *status)
{
	static const char q[] = "SELECT " STATS_ROW "::text, m.id FROM mailings m WHERE m.id > $1::bigint"
				" AND ($3::text IS NULL OR m.status = $3) ORDER BY m.id LIMIT $2";
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", pg->limit + 1);
	const char *p[] = {pg->after, lim, status};
	return db_exec(db, q, 3, p);
}

PGresult *stats_mailing(struct db *db, int64_t id)
{
	static const char q[] =
		"SELECT (" STATS_ROW " || jsonb_build_object('timeline', coalesce((SELECT jsonb_agg("
		"  jsonb_build_object('minute', api_ts(x.minute), 'sent', x.sent, 'failed', x.failed)"
		"  ORDER BY x.minute) FROM message_minutes x WHERE x.mailing_id = m.id), '[]'::jsonb)))::text, m.id"
		" FROM mailings m WHERE m.id = $1";
	return db_exec_id(db, q, id);
}
