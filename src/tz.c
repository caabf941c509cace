/* tz.c — time zone names. */
#include "tz.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static char **names;
static size_t nnames;

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tz_load(struct db *db)
{
	static const char q[] = "SELECT name FROM pg_timezone_names WHERE name NOT LIKE 'posix/%' ORDER BY name";
	PGresult *r = db_exec(db, q, 0, NULL);
	if (r == NULL)
		return -1;
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	nnames = (size_t)PQntuples(r);
	names = xcalloc(nnames, sizeof(*names));
	for (size_t i = 0; i < nnames; i++)
		names[i] = xstrdup(db_str(r, (int)i, 0));
	PQclear(r);
	qsort(names, nnames, sizeof(*names), cmp);
	log_debug("tz.loaded", LI("zones", nnames));
	return 0;
}

int tz_valid(const char *name)
{
	return nnames > 0 && bsearch(&name, names, nnames, sizeof(*names), cmp) != NULL;
}
