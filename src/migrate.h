/* migrate.h — applies dir/NNN_name.sql in name order, each in its own transaction, once. */
#ifndef HERALD_MIGRATE_H
#define HERALD_MIGRATE_H
#include "db.h"

/* Applies the migrations of dir not yet recorded in schema_migrations. Concurrent callers
 * (several instances starting) wait for each other on an advisory lock. Returns the number
 * applied, or -1 with a message logged. */
int migrate_run(struct db *db, const char *dir);

#endif
