/* provider_set.c — the dispatcher's providers and their shared states (see provider_set.h). */
#include "provider_set.h"
#include "config.h"
#include "list.h"
#include "log.h"
#include "metrics.h"
#include "pgarr.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFRESH_EVERY_S 1.0
#define REPORT_EVERY_S 5.0

/* Changes when a row is added, changed (updated_at) or deleted. */
static const char sql_sig[] = "SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM providers";
static const char sql_rows[] =
    "SELECT id, name, kind, url, coalesce(token, ''), array_to_string(operator_codes, ','), weight, rate,"
    " concurrency FROM providers WHERE enabled ORDER BY id";
/* $1 the instance, $2.. its providers' ids, states, requests, failures; rows of providers it no
 * longer has, and of instances silent for a day, go. */
static const char sql_report[] =
    "WITH d AS (DELETE FROM provider_health WHERE (instance = $1 AND provider_id <> ALL ($2::bigint[]))"
    "            OR updated_at < now() - interval '1 day')"
    " INSERT INTO provider_health AS h (instance, provider_id, state, requests, failures)"
    " SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::bigint[])"
    " ON CONFLICT (instance, provider_id) DO UPDATE SET state = excluded.state, requests = excluded.requests,"
    " failures = excluded.failures, updated_at = now()";

static struct {
	pthread_mutex_t mu;
	struct provider_conf *confs;
	int n;
	unsigned gen;
	char sig[128];
	double last_check, last_report;
	struct provider_state *states;
} set = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, "", -1e9, -1e9, NULL};

void provider_conf_clear(struct provider_conf *c)
{
	free(c->url);
	free(c->token);
	free(c->codes);
	c->url = c->token = NULL;
	c->codes = NULL;
}

void provider_confs_free(struct provider_conf *c, int n)
{
	for (int i = 0; i < n; i++)
		provider_conf_clear(&c[i]);
	free(c);
}

static void conf_copy(struct provider_conf *to, const struct provider_conf *from)
{
	*to = *from;
	to->url = xstrdup(from->url);
	to->token = xstrdup(from->token);
	to->codes = from->ncodes ? xcalloc((size_t)from->ncodes, sizeof(*to->codes)) : NULL;
	if (from->ncodes)
		memcpy(to->codes, from->codes, (size_t)from->ncodes * sizeof(*to->codes));
}

/* The codes "916,917" ("": none) into c. */
static void codes_parse(struct provider_conf *c, const char *text)
{
	struct list_walk all = {*text ? text : NULL}, w = all;
	const char *item;
	size_t len, n = 0;
	while (list_next(&all, &item, &len))
		n++;
	c->codes = n ? xcalloc(n, sizeof(*c->codes)) : NULL;
	c->ncodes = 0;
	while (list_next(&w, &item, &len))
		snprintf(c->codes[c->ncodes++], sizeof(*c->codes), "%.*s", (int)len, item);
}

/* The log provider: nothing configured. */
static void log_conf(struct provider_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "log");
	snprintf(c->kind, sizeof(c->kind), "log");
	c->url = xstrdup("");
	c->token = xstrdup("");
	c->weight = 1;
	c->rate = cfg.provider_rate;
	c->concurrency = cfg.provider_concurrency;
}

static int read_rows(struct db *db, const char *sig)
{
	PGresult *r = db_exec(db, sql_rows, 0, NULL);
	if (r == NULL)
		return -1;
	int n = PQntuples(r), k = n ? n : *cfg.provider_url ? 0 : 1;
	struct provider_conf *c = xcalloc((size_t)(k ? k : 1), sizeof(*c));
	for (int i = 0; i < n; i++) {
		c[i].id = db_i64(r, i, 0);
		snprintf(c[i].name, sizeof(c[i].name), "%s", db_str(r, i, 1));
		snprintf(c[i].kind, sizeof(c[i].kind), "%s", db_str(r, i, 2));
		c[i].url = xstrdup(db_str(r, i, 3));
		c[i].token = xstrdup(db_str(r, i, 4));
		codes_parse(&c[i], db_str(r, i, 5));
		c[i].weight = (int)db_i64(r, i, 6);
		c[i].rate = (int)db_i64(r, i, 7);
		c[i].concurrency = (int)db_i64(r, i, 8);
	}
	PQclear(r);
	if (n == 0 && k == 1)
		log_conf(&c[0]);
	pthread_mutex_lock(&set.mu);
	struct provider_conf *old = set.confs;
	int nold = set.n;
	set.confs = c;
	set.n = k;
	set.gen++;
	snprintf(set.sig, sizeof(set.sig), "%s", sig);
	pthread_mutex_unlock(&set.mu);
	provider_confs_free(old, nold);
	if (k == 0)
		log_warn("dispatch.no_provider", LS("reason", "no provider is enabled: messages wait"));
	for (int i = 0; i < k; i++)
		log_info("dispatch.provider", LI("provider_id", c[i].id), LS("name", c[i].name), LS("kind", c[i].kind),
			 LI("weight", c[i].weight), LI("rate", c[i].rate), LI("concurrency", c[i].concurrency),
			 LI("operator_codes", c[i].ncodes));
	return 0;
}

/* The table's signature into sig; -1 when it could not be read. */
static int read_sig(struct db *db, char *sig, size_t len)
{
	PGresult *r = db_exec(db, sql_sig, 0, NULL);
	if (r == NULL)
		return -1;
	snprintf(sig, len, "%s", db_str(r, 0, 0));
	PQclear(r);
	return 0;
}

int provider_set_load(struct db *db)
{
	char sig[128];
	if (read_sig(db, sig, sizeof(sig)) < 0 || read_rows(db, sig) < 0) {
		log_error("dispatch.providers_unreadable", LS("error", db->err));
		return -1;
	}
	return 0;
}

/* 1 when the caller is the one thread that does a periodic job now (last: its time). */
static int due(double *last, double every)
{
	double now = now_mono();
	pthread_mutex_lock(&set.mu);
	int go = now - *last >= every;
	if (go)
		*last = now;
	pthread_mutex_unlock(&set.mu);
	return go;
}

void provider_set_refresh(struct db *db)
{
	char sig[128], cur[128];
	if (!due(&set.last_check, REFRESH_EVERY_S) || read_sig(db, sig, sizeof(sig)) < 0)
		return;
	pthread_mutex_lock(&set.mu);
	snprintf(cur, sizeof(cur), "%s", set.sig);
	pthread_mutex_unlock(&set.mu);
	if (strcmp(sig, cur) != 0)
		read_rows(db, sig);
}

unsigned provider_set_generation(void)
{
	pthread_mutex_lock(&set.mu);
	unsigned g = set.gen;
	pthread_mutex_unlock(&set.mu);
	return g;
}

struct provider_conf *provider_set_copy(int *n, unsigned *gen)
{
	pthread_mutex_lock(&set.mu);
	struct provider_conf *c = xcalloc((size_t)(set.n ? set.n : 1), sizeof(*c));
	for (int i = 0; i < set.n; i++)
		conf_copy(&c[i], &set.confs[i]);
	*n = set.n;
	*gen = set.gen;
	pthread_mutex_unlock(&set.mu);
	return c;
}

struct provider_state *provider_set_state(const struct provider_conf *c)
{
	pthread_mutex_lock(&set.mu);
	struct provider_state *s = set.states;
	while (s && s->id != c->id)
		s = s->next;
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->id = c->id;
		snprintf(s->name, sizeof(s->name), "%s", c->name);
		breaker_init(&s->br, s->name);
		bucket_init(&s->bk, c->rate);
		s->next = set.states;
		set.states = s;
	}
	atomic_store(&s->bk.rate, c->rate);
	pthread_mutex_unlock(&set.mu);
	return s;
}

int provider_takes(const struct provider_conf *c, const char *op)
{
	if (c->ncodes == PROVIDER_CODES_ANY)
		return 1;
	for (int i = 0; i < c->ncodes; i++)
		if (strcmp(c->codes[i], op) == 0)
			return 1;
	return 0;
}

void provider_set_report(struct db *db)
{
	if (!due(&set.last_report, REPORT_EVERY_S))
		return;
	struct pgarr_cols a;
	pgarr_cols_start(&a, 4);
	pthread_mutex_lock(&set.mu);
	for (int i = 0; i < set.n; i++) {
		struct provider_state *s = set.states;
		while (s && s->id != set.confs[i].id)
			s = s->next;
		if (s == NULL || s->id == 0)   /* the log provider has no row */
			continue;
		pgarr_int(&a.col[0], s->id);
		pgarr_text(&a.col[1], breaker_state_name(breaker_state(&s->br)));
		pgarr_int(&a.col[2], atomic_load(&s->requests));
		pgarr_int(&a.col[3], atomic_load(&s->failures));
	}
	pthread_mutex_unlock(&set.mu);
	pgarr_cols_end(&a);
	const char *p[] = {metrics_instance(), a.param[0], a.param[1], a.param[2], a.param[3]};
	db_run(db, sql_report, 5, p);
	pgarr_cols_free(&a);
}

void provider_set_free(void)
{
	pthread_mutex_lock(&set.mu);
	provider_confs_free(set.confs, set.n);
	set.confs = NULL;
	set.n = 0;
	set.sig[0] = '\0';
	set.last_check = set.last_report = -1e9;
	while (set.states) {
		struct provider_state *s = set.states;
		set.states = s->next;
		breaker_destroy(&s->br);
		bucket_destroy(&s->bk);
		free(s);
	}
	pthread_mutex_unlock(&set.mu);
}
