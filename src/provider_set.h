/* provider_set.h — the providers of this process's dispatcher: the enabled rows of providers
 * (sql/025_providers.sql), or the log provider when HERALD_PROVIDER_URL is unset and no row is
 * enabled; reloaded within a second of a change (a short poll of the table), and each
 * provider's state shared by the dispatch workers: its circuit breaker, its rate bucket and
 * its counts, written to provider_health every few seconds for the dashboard. */
#ifndef HERALD_PROVIDER_SET_H
#define HERALD_PROVIDER_SET_H
#include "breaker.h"
#include "bucket.h"
#include "db.h"
#include "provider.h"

#include <stdatomic.h>

/* A provider's state in this process, by id; kept until provider_set_free(). */
struct provider_state {
	int64_t id;
	char name[72];
	struct breaker br;
	struct bucket bk;
	atomic_llong requests, failures;   /* since the process started */
	struct provider_state *next;
};

/* Reads the rows; -1 (logged) when the database failed. */
int provider_set_load(struct db *db);
/* Reads the rows again when they changed; checks at most once a second (any thread). */
void provider_set_refresh(struct db *db);
/* Changes with every reload that changed the providers. */
unsigned provider_set_generation(void);
/* A copy of the providers (*n of them, ordered by id) and its generation; free it with
 * provider_confs_free(). */
struct provider_conf *provider_set_copy(int *n, unsigned *gen);
void provider_confs_free(struct provider_conf *c, int n);
/* Frees the strings of one. */
void provider_conf_clear(struct provider_conf *c);
/* The state of provider c (its rate applied). */
struct provider_state *provider_set_state(const struct provider_conf *c);
/* 1 when c takes messages of operator code op. */
int provider_takes(const struct provider_conf *c, const char *op);
/* Writes this process's provider states to provider_health at most every few seconds (any
 * thread); a row older than PROVIDER_HEALTH_LIVE is a stopped instance's. */
#define PROVIDER_HEALTH_LIVE "30 seconds"
void provider_set_report(struct db *db);
void provider_set_free(void);

#endif
