/* Unit tests of the config file grammar and environment overrides. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

static const char *write_conf(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/herald-conf-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

Test(config, directives_comments_and_env_values)
{
	char err[512] = "";
	setenv("HERALD_T_DB", "host=/x dbname=y", 1);
	unsetenv("HERALD_T_UNSET");
	config_defaults();
	const char *p = write_conf("# a comment\n\nlisten 0.0.0.0:9000\n  provider_concurrency   8  \n"
				   "database $HERALD_T_DB\nprovider_url $HERALD_T_UNSET\n");
	cr_assert_eq(config_load(p, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.listen, "0.0.0.0:9000");
	cr_assert_eq(cfg.provider_concurrency, 8);
	cr_assert_str_eq(cfg.database_url, "host=/x dbname=y");
	cr_assert_str_eq(cfg.provider_url, "");
	cr_assert_eq(cfg.retry_base_ms, 1000);
	remove(p);
}

Test(config, errors_name_file_and_line)
{
	char err[512] = "";
	config_defaults();
	const char *p = write_conf("listen 1.2.3.4:1\nbogus 1\n");
	cr_assert_eq(config_load(p, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, ":2: unknown directive 'bogus'"), "%s", err);
	remove(p);
	p = write_conf("provider_timeout_ms ten\n");
	cr_assert_eq(config_load(p, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, ":1: provider_timeout_ms"), "%s", err);
	remove(p);
	p = write_conf("report_time 25:00\n");
	cr_assert_eq(config_load(p, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, "report_time"), "%s", err);
	remove(p);
	cr_assert_eq(config_load("/nonexistent/herald.conf", 0, err, sizeof(err)), 0);
	cr_assert_eq(config_load("/nonexistent/herald.conf", 1, err, sizeof(err)), -1);
}

Test(config, environment_overrides)
{
	char err[512] = "";
	config_defaults();
	setenv("HERALD_LISTEN", "127.0.0.1:1234", 1);
	setenv("HERALD_RETRY_MAX_MS", "5000", 1);
	cr_assert_eq(config_env(err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.listen, "127.0.0.1:1234");
	cr_assert_eq(cfg.retry_max_ms, 5000);
	setenv("HERALD_PROVIDER_CONCURRENCY", "-1", 1);
	cr_assert_eq(config_env(err, sizeof(err)), -1);
	cr_assert(strstr(err, "HERALD_PROVIDER_CONCURRENCY"), "%s", err);
	unsetenv("HERALD_PROVIDER_CONCURRENCY");
	unsetenv("HERALD_LISTEN");
	unsetenv("HERALD_RETRY_MAX_MS");
}

/* A configuration file's text and the error it gets (NULL: accepted). */
struct conf_case {
	const char *text, *error;
};

static void check_cases(const struct conf_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char err[512] = "";
		config_defaults();
		const char *p = write_conf(cases[i].text);
		int rc = config_load(p, 1, err, sizeof(err));
		remove(p);
		if (cases[i].error == NULL) {
			cr_assert_eq(rc, 0, "case %zu: %s", i, err);
		} else {
			cr_assert_eq(rc, -1, "case %zu accepted", i);
			cr_assert(strstr(err, cases[i].error), "case %zu: %s", i, err);
		}
	}
}

/* OpenID Connect: the issuer, client id and secret come together; the issuer is https (http
 * only to a loopback address). */
Test(config, oidc_settings_checked_together)
{
	static const struct conf_case cases[] = {
		{"oidc_issuer https://id.example.com\noidc_client_id herald\noidc_client_secret s\n", NULL},
		{"oidc_issuer http://127.0.0.1:9000\noidc_client_id herald\noidc_client_secret s\n", NULL},
		{"oidc_issuer https://id.example.com\noidc_client_id herald\n", "set together"},
		{"oidc_client_secret s\n", "set together"},
		{"oidc_issuer http://id.example.com\noidc_client_id herald\noidc_client_secret s\n", "not an https URL"},
		{"oidc_issuer https://id.example.com\noidc_client_id h\noidc_client_secret s\noidc_redirect_uri /cb\n",
		 "oidc_redirect_uri"},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
	config_defaults();
}

/* The e-mail's language is one the catalogue has; the public URL is where admins reach herald,
 * written so that "/admin/..." can follow it. */
Test(config, language_and_public_url)
{
	static const struct conf_case cases[] = {
		{"language en\npublic_url https://herald.example.com\n", NULL},
		{"public_url http://10.0.0.5:8080\n", NULL},
		{"language de\n", "language: 'de' is not one of ru, en"},
		{"public_url herald.example.com\n", "public_url"},
		{"public_url https://herald.example.com/\n", "trailing slash"},
		{"public_url https://herald.example.com/?a=1\n", "public_url"},
	};
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
	config_defaults();
	cr_expect_str_eq(cfg.language, "ru");
	cr_expect_str_eq(cfg.public_url, "");
}
