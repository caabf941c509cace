/* serve.c — the role table and the process lifecycle. */
#include "serve.h"
#include "analyzer.h"
#include "assets.h"
#include "config.h"
#include "csrf.h"
#include "dispatch.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "log.h"
#include "migrate.h"
#include "model_provider.h"
#include "reporter.h"
#include "import_job.h"
#include "scheduler.h"
#include "i18n.h"
#include "tmpl.h"
#include "smpp.h"
#include "tz.h"
#include "util.h"
#include "webhook.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct role_def {
	const char *name;
	int (*start)(void);
	void (*stop)(void);
	struct worker *worker;   /* a role that is one background thread: started and stopped as one */
};

/* Started in this order, stopped in the reverse one. */
static const struct role_def role_table[] = {
	{"web", http_start, http_stop, NULL},
	{"scheduler", scheduler_start, scheduler_stop, NULL},
	{"dispatch", dispatch_start, dispatch_stop, NULL},
	{"report", NULL, NULL, &reporter_worker},
	{"smpp", smpp_start, smpp_stop, NULL},
	{"import", NULL, NULL, &import_worker},
	{"webhook", NULL, NULL, &webhook_worker},
};

static int role_start(const struct role_def *r)
{
	return r->worker ? worker_start(r->worker) : r->start();
}

static void role_stop(const struct role_def *r)
{
	if (r->worker)
		worker_stop(r->worker);
	else
		r->stop();
}

static int role_wanted(const char *roles, const char *name)
{
	if (roles == NULL || strcmp(roles, "all") == 0)
		return 1;
	return list_text_has(roles, name);
}

static int roles_valid(const char *roles)
{
	if (roles == NULL || strcmp(roles, "all") == 0)
		return 1;
	struct list_walk w = {roles};
	const char *role;
	size_t len;
	while (list_next(&w, &role, &len)) {
		int known = 0;
		for (size_t i = 0; i < ARRAY_LEN(role_table); i++)
			if (strlen(role_table[i].name) == len && strncmp(role, role_table[i].name, len) == 0)
				known = 1;
		if (!known)
			return 0;
	}
	return 1;
}

static void drop_privileges(void)
{
	if (getuid() != 0 || *cfg.run_as == '\0')
		return;
	struct passwd *pw = getpwnam(cfg.run_as);
	if (pw == NULL)
		fatal("run_as: no user '%s'", cfg.run_as);
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		fatal("run_as %s: %s", cfg.run_as, strerror(errno));
	log_info("serve.dropped_privileges", LS("user", cfg.run_as));
}

void serve_prepare(int providers)
{
	char err[512];
	if (log_open(cfg.log_dir) < 0)
		fprintf(stderr, "herald: cannot open %s/herald.log; logging to stderr only\n", cfg.log_dir);
	log_set_level(strcmp(cfg.log_level, "debug") == 0 ? LOG_DEBUG :
		      strcmp(cfg.log_level, "warn") == 0 ? LOG_WARN :
		      strcmp(cfg.log_level, "error") == 0 ? LOG_ERROR : LOG_INFO);
	db_set_conninfo(cfg.database_url);
	struct db *db = db_connect(cfg.database_url, err, sizeof(err));
	if (db == NULL)
		fatal("cannot connect to the database: %s", err);
	char *dir = xasprintf("%s/sql", cfg.root);
	if (migrate_run(db, dir) < 0)
		fatal("migrations failed (see the log)");
	if (providers && provider_default_sync(db) < 0)
		fatal("cannot write the provider 'default' of HERALD_PROVIDER_URL (see the log)");
	free(dir);
	if (tz_load(db) < 0)
		fatal("cannot load time zone names: %s", db->err);
	if (!tz_valid(cfg.default_timezone))
		fatal("default_timezone: '%s' is not a time zone PostgreSQL knows", cfg.default_timezone);
	if (csrf_init(db) < 0)
		fatal("cannot load or create the CSRF key: %s", db->err);
	dir = xasprintf("%s/templates", cfg.root);
	if (tmpl_load_dir(tmpl_app(), dir, err, sizeof(err)) < 0)
		fatal("templates: %s", err);
	free(dir);
	dir = xasprintf("%s/locale", cfg.root);
	if (i18n_load(dir, err, sizeof(err)) < 0)
		fatal("language catalogue: %s", err);
	free(dir);
	db_close(db);
}

int serve_run(const char *roles)
{
	if (!roles_valid(roles))
		fatal("--roles: '%s' names an unknown role", roles);
	serve_prepare(1);
	char *assets_dir = xasprintf("%s/assets", cfg.root);
	if (role_wanted(roles, "web") && assets_load(assets_dir) < 0)
		fatal("cannot read %s (see the log)", assets_dir);
	free(assets_dir);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* every thread started below inherits it */
	signal(SIGPIPE, SIG_IGN);

	/* Not a role: every role's large writes need it, and it is idle without them. */
	if (worker_start(&analyzer_worker) < 0)
		fatal("cannot start the analyzer thread");
	int started[ARRAY_LEN(role_table)] = {0}, rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(role_table); i++) {
		if (!role_wanted(roles, role_table[i].name))
			continue;
		const struct role_def *r = &role_table[i];
		if (role_start(r) < 0) {
			log_error("serve.role_failed", LS("role", r->name));
			rc = 1;
			break;
		}
		started[i] = 1;
	}
	if (rc == 0) {
		drop_privileges();
		log_info("serve.started", LS("roles", roles ? roles : "all"), LI("pid", getpid()));
		int sig = 0;
		sigwait(&set, &sig);
		log_info("serve.stopping", LI("signal", sig));
	}
	for (size_t i = ARRAY_LEN(role_table); i-- > 0;)
		if (started[i])
			role_stop(&role_table[i]);
	worker_stop(&analyzer_worker);
	log_info("serve.stopped", LI("status", rc));
	return rc;
}
