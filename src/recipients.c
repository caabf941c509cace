/* recipients.c — the recipient count (see recipients.h). */
#include "recipients.h"
#include "model_stoplist.h"

#include <string.h>

#define COUNT_SQL(tags, ops) \
	"SELECT count(*) FROM (SELECT $1::text[] AS filter_operator_codes, $2::text[] AS filter_tags) g" \
	RECIPIENTS_TAGS##tags STOPLIST_JOIN("c.phone") " WHERE sl.phone IS NULL" RECIPIENTS_OPS##ops

PGresult *recipients_count(struct db *db, const char *operator_codes, const char *tags)
{
	static const char *const q[2][2] = {{COUNT_SQL(0, 0), COUNT_SQL(0, 1)}, {COUNT_SQL(1, 0), COUNT_SQL(1, 1)}};
	const char *p[] = {operator_codes, tags};
	return db_exec(db, q[strcmp(tags, "{}") != 0][strcmp(operator_codes, "{}") != 0], 2, p);
}
