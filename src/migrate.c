/* migrate.c — schema migrations. */
#include "migrate.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK "7300001"
#define MIGRATE_MAX_BYTES (4 * 1024 * 1024)

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *s = xmalloc(MIGRATE_MAX_BYTES + 1);
	size_t n = fread(s, 1, MIGRATE_MAX_BYTES + 1, f);
	fclose(f);
	if (n > MIGRATE_MAX_BYTES) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

static int apply(struct db *db, const char *dir, const char *name)
{
	static const char q_done[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
	static const char q_record[] = "INSERT INTO schema_migrations (version) VALUES ($1)";
	const char *p[] = {name};
	long done = db_rows(db, q_done, 1, p);
	if (done != 0)
		return done < 0 ? -1 : 0;
	char *path = xasprintf("%s/%s", dir, name);
	char *sql = read_file(path);
	if (sql == NULL) {
		log_error("migrate.read_failed", LS("file", path));
		free(path);
		return -1;
	}
	int rc = -1;
	if (db_begin(db) == 0) {
		if (db_simple(db, sql) == 0 && db_run(db, q_record, 1, p) == 0 && db_commit(db) == 0)
			rc = 1;
		else
			db_rollback(db);
	}
	if (rc == 1)
		log_info("migrate.applied", LS("file", path));
	else
		log_error("migrate.failed", LS("file", path), LS("error", db->err));
	free(sql);
	free(path);
	return rc;
}

int migrate_run(struct db *db, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		log_error("migrate.no_dir", LS("dir", dir));
		return -1;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".sql") == 0 && e->d_name[0] >= '0' &&
		    e->d_name[0] <= '9') {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);

	int applied = 0;
	if (db_simple(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")") < 0 ||
	    db_simple(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			  " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())") < 0) {
		applied = -1;
	}
	for (size_t i = 0; i < n && applied >= 0; i++) {
		int rc = apply(db, dir, names[i]);
		applied = rc < 0 ? -1 : applied + rc;
	}
	db_simple(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return applied;
}
