/* config.c — the directive table and its parsers. */
#include "config.h"
#include "i18n.h"
#include "oidc.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct config cfg;

enum ctype { C_STR, C_INT };

struct directive {
	const char *name;      /* in the config file */
	const char *env;       /* environment override, or NULL */
	enum ctype type;
	size_t off;
	const char *def;       /* default, as text */
	int min, max;          /* for C_INT */
};

#define S(f) C_STR, offsetof(struct config, f)
#define I(f) C_INT, offsetof(struct config, f)

static const struct directive directives[] = {
	{"database", "DATABASE_URL", S(database_url), "", 0, 0},
	{"listen", "HERALD_LISTEN", S(listen), "127.0.0.1:8080", 0, 0},
	{"provider_url", "HERALD_PROVIDER_URL", S(provider_url), "", 0, 0},
	{"provider_token", "HERALD_PROVIDER_TOKEN", S(provider_token), "", 0, 0},
	{"provider_timeout_ms", "HERALD_PROVIDER_TIMEOUT_MS", I(provider_timeout_ms), "10000", 1, 3600000},
	{"provider_concurrency", "HERALD_PROVIDER_CONCURRENCY", I(provider_concurrency), "64", 1, 4096},
	{"provider_rate", "HERALD_PROVIDER_RATE", I(provider_rate), "0", 0, 10000000},
	{"retry_base_ms", "HERALD_RETRY_BASE_MS", I(retry_base_ms), "1000", 1, 86400000},
	{"retry_max_ms", "HERALD_RETRY_MAX_MS", I(retry_max_ms), "300000", 1, 86400000},
	{"dispatch_workers", "HERALD_DISPATCH_WORKERS", I(dispatch_workers), "2", 1, 32},
	{"dispatch_batch", "HERALD_DISPATCH_BATCH", I(dispatch_batch), "500", 1, 10000},
	{"webhook_timeout_ms", "HERALD_WEBHOOK_TIMEOUT_MS", I(webhook_timeout_ms), "10000", 100, 60000},
	{"webhook_concurrency", "HERALD_WEBHOOK_CONCURRENCY", I(webhook_concurrency), "64", 1, 1024},
	{"webhook_retry_base_ms", "HERALD_WEBHOOK_RETRY_BASE_MS", I(webhook_retry_base_ms), "10000", 1, 3600000},
	{"webhook_defer_ms", "HERALD_WEBHOOK_DEFER_MS", I(webhook_defer_ms), "30000", 0, 3600000},
	{"default_timezone", "HERALD_DEFAULT_TIMEZONE", S(default_timezone), "Europe/Moscow", 0, 0},
	{"smtp_url", "HERALD_SMTP_URL", S(smtp_url), "", 0, 0},
	{"report_to", "HERALD_REPORT_TO", S(report_to), "", 0, 0},
	{"report_from", "HERALD_REPORT_FROM", S(report_from), "herald@localhost", 0, 0},
	{"report_time", "HERALD_REPORT_TIME", S(report_time), "08:00", 0, 0},
	{"language", "HERALD_LANGUAGE", S(language), "ru", 0, 0},
	{"public_url", "HERALD_PUBLIC_URL", S(public_url), "", 0, 0},
	{"smpp_listen", "HERALD_SMPP_LISTEN", S(smpp_listen), "", 0, 0},
	{"smpp_max_connections", "HERALD_SMPP_MAX_CONNECTIONS", I(smpp_max_connections), "4096", 1, 4096},
	{"smpp_max_connections_per_ip", "HERALD_SMPP_MAX_CONNECTIONS_PER_IP", I(smpp_max_connections_per_ip), "64", 1, 4096},
	{"smpp_bind_timeout_s", "HERALD_SMPP_BIND_TIMEOUT_S", I(smpp_bind_timeout_s), "10", 1, 3600},
	{"smpp_send_timeout_s", "HERALD_SMPP_SEND_TIMEOUT_S", I(smpp_send_timeout_s), "30", 1, 3600},
	{"smpp_enquire_link_s", "HERALD_SMPP_ENQUIRE_LINK_S", I(smpp_enquire_link_s), "30", 1, 3600},
	{"log_dir", "HERALD_LOG_DIR", S(log_dir), "logs", 0, 0},
	{"log_level", "HERALD_LOG_LEVEL", S(log_level), "info", 0, 0},
	{"http_threads", "HERALD_HTTP_THREADS", I(http_threads), "4", 1, 256},
	{"http_timeout_s", "HERALD_HTTP_TIMEOUT_S", I(http_timeout_s), "30", 1, 3600},
	{"run_as", "HERALD_RUN_AS", S(run_as), "", 0, 0},
	{"root", "HERALD_ROOT", S(root), ".", 0, 0},
	{"token_cache_s", "HERALD_TOKEN_CACHE_S", I(token_cache_s), "5", 0, 3600},
	{"trusted_proxies", "HERALD_TRUSTED_PROXIES", S(trusted_proxies), "", 0, 0},
	{"metrics_allow", "HERALD_METRICS_ALLOW", S(metrics_allow), "127.0.0.0/8, ::1", 0, 0},
	{"metrics_token", "HERALD_METRICS_TOKEN", S(metrics_token), "", 0, 0},
	{"cookie_secure", "HERALD_COOKIE_SECURE", S(cookie_secure), "on", 0, 0},
	{"smtp_require_tls", "HERALD_SMTP_REQUIRE_TLS", S(smtp_require_tls), "on", 0, 0},
	{"oidc_issuer", "HERALD_OIDC_ISSUER", S(oidc_issuer), "", 0, 0},
	{"oidc_client_id", "HERALD_OIDC_CLIENT_ID", S(oidc_client_id), "", 0, 0},
	{"oidc_client_secret", "HERALD_OIDC_CLIENT_SECRET", S(oidc_client_secret), "", 0, 0},
	{"oidc_role_claim", "HERALD_OIDC_ROLE_CLAIM", S(oidc_role_claim), "role", 0, 0},
	{"oidc_redirect_uri", "HERALD_OIDC_REDIRECT_URI", S(oidc_redirect_uri), "", 0, 0},
	{"oidc_name", "HERALD_OIDC_NAME", S(oidc_name), "single sign-on", 0, 0},
};

static int set_value(const struct directive *d, const char *val, char *err, size_t errlen)
{
	char *field = (char *)&cfg + d->off;
	if (d->type == C_STR) {
		char **p = (char **)field;
		free(*p);
		*p = xstrdup(val);
		return 0;
	}
	int64_t v;
	if (parse_i64(val, d->min, d->max, &v) < 0) {
		snprintf(err, errlen, "%s: '%s' is not a whole number from %d to %d", d->name, val,
			 d->min, d->max);
		return -1;
	}
	*(int *)field = (int)v;
	return 0;
}

/* 0 when s is "on" or "off"; -1 with err naming the directive otherwise. */
static int check_switch(const char *name, const char *s, char *err, size_t errlen)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "off") == 0)
		return 0;
	snprintf(err, errlen, "%s: '%s' is not on or off", name, s);
	return -1;
}

/* The host part of a listen address "host:port" / "[v6]:port" is a loopback address. */
static int listen_is_loopback(const char *listen)
{
	char host[64];
	const char *end = listen[0] == '[' ? strchr(listen, ']') : strrchr(listen, ':');
	const char *start = listen[0] == '[' ? listen + 1 : listen;
	if (end == NULL || (size_t)(end - start) >= sizeof(host))
		return 0;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	return strcmp(host, "localhost") == 0 || net_is_loopback(host);
}

static int check(char *err, size_t errlen)
{
	char msg[200];
	if (net_list_parse(cfg.trusted_proxies, &cfg.trusted, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "trusted_proxies: %s", msg);
		return -1;
	}
	if (net_list_parse(cfg.metrics_allow, &cfg.metrics_nets, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "metrics_allow: %s", msg);
		return -1;
	}
	if (check_switch("cookie_secure", cfg.cookie_secure, err, errlen) < 0 ||
	    check_switch("smtp_require_tls", cfg.smtp_require_tls, err, errlen) < 0)
		return -1;
	if (strcmp(cfg.cookie_secure, "off") == 0 && !listen_is_loopback(cfg.listen)) {
		snprintf(err, errlen, "cookie_secure: off is only for plain HTTP on a loopback address, and listen is '%s'",
			 cfg.listen);
		return -1;
	}
	if (parse_hhmm(cfg.report_time) < 0) {
		snprintf(err, errlen, "report_time: '%s' is not HH:MM", cfg.report_time);
		return -1;
	}
	if (!i18n_known(cfg.language)) {
		snprintf(err, errlen, "language: '%s' is not one of %s", cfg.language, I18N_LANGUAGES);
		return -1;
	}
	size_t ulen = strlen(cfg.public_url);
	if (ulen && ((strncmp(cfg.public_url, "https://", 8) && strncmp(cfg.public_url, "http://", 7)) ||
		     cfg.public_url[ulen - 1] == '/' || strpbrk(cfg.public_url, " \"<>?#"))) {
		snprintf(err, errlen, "public_url: '%s' is not an http(s) URL without a trailing slash, query or fragment",
			 cfg.public_url);
		return -1;
	}
	if (oidc_config_check(msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	if (cfg.retry_base_ms > cfg.retry_max_ms) {
		snprintf(err, errlen, "retry_base_ms (%d) is greater than retry_max_ms (%d)",
			 cfg.retry_base_ms, cfg.retry_max_ms);
		return -1;
	}
	if (strcmp(cfg.log_level, "debug") && strcmp(cfg.log_level, "info") &&
	    strcmp(cfg.log_level, "warn") && strcmp(cfg.log_level, "error")) {
		snprintf(err, errlen, "log_level: '%s' is not debug, info, warn or error", cfg.log_level);
		return -1;
	}
	return 0;
}

void config_defaults(void)
{
	char err[256];
	for (size_t i = 0; i < ARRAY_LEN(directives); i++)
		if (set_value(&directives[i], directives[i].def, err, sizeof(err)) < 0)
			fatal("config default: %s", err);
}

static const struct directive *find(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(directives); i++)
		if (strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int config_load(const char *path, int required, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096], msg[512];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
			rc = -1;
			break;
		}
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *val = s + strcspn(s, " \t");
		if (*val != '\0')
			*val++ = '\0';
		val = trim(val);
		const struct directive *d = find(s);
		if (d == NULL) {
			snprintf(err, errlen, "%s:%d: unknown directive '%s'", path, lineno, s);
			rc = -1;
			break;
		}
		if (*val == '\0') {
			snprintf(err, errlen, "%s:%d: directive '%s' needs a value", path, lineno, s);
			rc = -1;
			break;
		}
		if (val[0] == '$') {
			val = getenv(val + 1);
			if (val == NULL)
				continue;
		}
		if (set_value(d, val, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	fclose(f);
	if (rc == 0 && check(msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		rc = -1;
	}
	return rc;
}

int config_env(char *err, size_t errlen)
{
	char msg[512];
	for (size_t i = 0; i < ARRAY_LEN(directives); i++) {
		const char *v = directives[i].env ? getenv(directives[i].env) : NULL;
		if (v == NULL)
			continue;
		if (set_value(&directives[i], v, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "environment %s: %s", directives[i].env, msg);
			return -1;
		}
	}
	if (check(msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "environment: %s", msg);
		return -1;
	}
	return 0;
}

void config_init(void)
{
	char err[1024];
	const char *path = getenv("HERALD_CONFIG");
	config_defaults();
	if (config_load(path ? path : "conf/herald.conf", path != NULL, err, sizeof(err)) < 0 ||
	    config_env(err, sizeof(err)) < 0)
		fatal("%s", err);
	if (*cfg.database_url == '\0') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			fatal("getcwd: %s", strerror(errno));
		free(cfg.database_url);
		cfg.database_url = xasprintf("host=%s/var/pg dbname=herald user=herald", cwd);
	}
}
