/* model_stats.h — statistics from the counters (message_counts, message_minutes) that the
 * triggers on messages keep; the messages table itself is never counted here. */
#ifndef HERALD_MODEL_STATS_H
#define HERALD_MODEL_STATS_H
#include "resource.h"

/* {"mailings": {...by status}, "messages": {...by status}} in *out. */
enum model_rc stats_overview(struct db *db, json_t **out);
/* Per-mailing counts as a list (a res_list_fn; ctx unused): by mailing id ("id"), keyed by
 * [id]; q->filter[0] a mailing status (NULL: every mailing). Count them with mailing_count(). */
enum model_rc stats_mailings(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out);
/* One mailing's counts with its per-minute "timeline" in *out; MODEL_NOT_FOUND when there is no
 * such mailing. */
enum model_rc stats_mailing(struct db *db, int64_t id, json_t **out);

#endif
