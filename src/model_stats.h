/* model_stats.h — statistics from the counters (message_counts, message_minutes) that the
 * triggers on messages keep; the messages table itself is never counted here. */
#ifndef HERALD_MODEL_STATS_H
#define HERALD_MODEL_STATS_H
#include "db.h"
#include "page.h"
#include "valid.h"

/* Row 0 column 0: {"mailings": {...by status}, "messages": {...by status}}. NULL on error. */
PGresult *stats_overview(struct db *db);
/* A page of per-mailing counts ordered by mailing id (column 0 JSON, column 1 id); status
 * NULL for every mailing. Count the page's total with mailing_count(). */
PGresult *stats_mailings(struct db *db, const struct page *pg, const char *status);
/* One mailing's counts with its per-minute "timeline"; no rows when there is no such mailing. */
PGresult *stats_mailing(struct db *db, int64_t id);

#endif
