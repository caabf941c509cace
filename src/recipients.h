/* recipients.h — who a mailing's filter reaches: the SQL that the scheduler's freeze and the
 * recipient count (POST /api/v1/mailings/recipients) share, so both select the same clients.
 * One statement for each combination of filters, so that a tag's recipients are read from
 * clients_tag (through the tags named) and an operator's from clients_operator, and only a
 * mailing to everybody scans the table. With the filters written as
 * "cardinality(g.filter_tags) = 0 OR t.name = ANY (g.filter_tags)" one plan served every mailing,
 * and it was that scan: a 50-recipient tag read all the clients. Both need a FROM item g with
 * the columns filter_tags and filter_operator_codes; RECIPIENTS_TAGS* follow it, RECIPIENTS_OPS*
 * follow a WHERE condition. */
#ifndef HERALD_RECIPIENTS_H
#define HERALD_RECIPIENTS_H
#include "outcome.h"
#include "phone.h"

#define RECIPIENTS_TAGS0 " CROSS JOIN clients c"
#define RECIPIENTS_TAGS1 " JOIN tags t ON t.name = ANY (g.filter_tags) JOIN clients c ON c.tag_id = t.id"
#define RECIPIENTS_OPS0 ""
#define RECIPIENTS_OPS1 " AND c.operator_code = ANY (g.filter_operator_codes)"

/* How many clients a mailing with the filter (text[] literals, "{}" for none) would reach now,
 * the stop list excluded, into *n. */
enum model_rc recipients_count(struct db *db, const char *operator_codes, const char *tags, int64_t *n);
/* The phone of the first of them (by id) into phone; MODEL_NOT_FOUND when there is none. */
enum model_rc recipients_sample(struct db *db, const char *operator_codes, const char *tags,
				char phone[PHONE_LEN + 1]);

#endif
