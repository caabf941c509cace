/* tz.h — the IANA time zone names PostgreSQL knows, loaded once at start so that validating a
 * client's timezone costs a binary search, not a query. */
#ifndef HERALD_TZ_H
#define HERALD_TZ_H
#include "db.h"

/* Loads pg_timezone_names; 0 or -1. Call once before the web role starts. */
int tz_load(struct db *db);
/* True when name is a zone PostgreSQL accepts (case-sensitive, as stored). */
int tz_valid(const char *name);

#endif
