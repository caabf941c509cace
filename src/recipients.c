/* recipients.c — the recipient count and a sample recipient (see recipients.h). */
#include "recipients.h"
#include "model_stoplist.h"
#include "resource.h"

#include <stdio.h>
#include <string.h>

/* The clients a filter ($1 operator codes, $2 tags) reaches now, the stop list excluded. */
#define REACHED_SQL(what, tags, ops, tail) \
	"SELECT " what " FROM (SELECT $1::text[] AS filter_operator_codes, $2::text[] AS filter_tags) g" \
	RECIPIENTS_TAGS##tags STOPLIST_JOIN("c.phone") " WHERE sl.phone IS NULL" RECIPIENTS_OPS##ops tail

/* The statement of q (one per combination of filters) for the filter. */
static PGresult *reached(struct db *db, const char *const q[2][2], const char *operator_codes, const char *tags)
{
	const char *p[] = {operator_codes, tags};
	return db_exec(db, q[strcmp(tags, "{}") != 0][strcmp(operator_codes, "{}") != 0], 2, p);
}

#define COUNT_SQL(tags, ops) REACHED_SQL("count(*)", tags, ops, "")
#define SAMPLE_SQL(tags, ops) REACHED_SQL("c.phone", tags, ops, " ORDER BY c.id LIMIT 1")

enum model_rc recipients_count(struct db *db, const char *operator_codes, const char *tags, int64_t *n)
{
	static const char *const q[2][2] = {{COUNT_SQL(0, 0), COUNT_SQL(0, 1)}, {COUNT_SQL(1, 0), COUNT_SQL(1, 1)}};
	return res_count(db, reached(db, q, operator_codes, tags), n);
}

enum model_rc recipients_sample(struct db *db, const char *operator_codes, const char *tags,
				char phone[PHONE_LEN + 1])
{
	static const char *const q[2][2] = {{SAMPLE_SQL(0, 0), SAMPLE_SQL(0, 1)}, {SAMPLE_SQL(1, 0), SAMPLE_SQL(1, 1)}};
	PGresult *r = reached(db, q, operator_codes, tags);
	if (r == NULL)
		return model_db_rc(db);
	enum model_rc rc = PQntuples(r) ? MODEL_OK : MODEL_NOT_FOUND;
	if (rc == MODEL_OK)
		snprintf(phone, PHONE_LEN + 1, "%s", db_str(r, 0, 0));
	PQclear(r);
	return rc;
}
