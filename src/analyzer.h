/* analyzer.h — fresh planner statistics after large writes, off the request path. A writer that
 * changed many rows of a table in one statement (bulk upsert, CSV import, bulk delete, the start of
 * a mailing) tells analyzer_note() how many; a thread of `herald serve` with its own connection
 * runs ANALYZE on that table once the changes noted since its last ANALYZE are large (at least
 * ANALYZER_ROWS rows, or a tenth of the table) and no new note came for ANALYZER_SETTLE_MS, so a
 * burst of writes costs one ANALYZE per table. Autovacuum still handles the small changes. */
#ifndef HERALD_ANALYZER_H
#define HERALD_ANALYZER_H
#include "worker.h"

#define ANALYZER_ROWS 1000        /* changed rows that always earn an ANALYZE */
#define ANALYZER_SETTLE_MS 300    /* quiet time that ends a burst */
#define ANALYZER_WAIT_MAX_MS 3000 /* a burst that never pauses is analyzed after this */

enum analyzer_table { ANALYZER_CLIENTS, ANALYZER_MESSAGES, ANALYZER_NTABLES };

/* Adds rows changed (committed) in table t. Never blocks on the database; safe from any thread,
 * and harmless when the analyzer is not running (nothing is analyzed). */
void analyzer_note(enum analyzer_table t, long long rows);

/* The thread (worker_start; its connection opens at the first large change). worker_stop lets
 * an ANALYZE in progress finish first. */
extern struct worker analyzer_worker;

#endif
