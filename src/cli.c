/* cli.c — parsing the command line against the table of commands, usage texts. */
#include "cli.h"
#include "config.h"
#include "serve.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 64     /* "smpp-account create" */
#define SUMMARY_COL 36      /* where the summaries of a command list start */

static const char footer[] =
    "Every command takes --help. Configuration: conf/herald.conf (or $HERALD_CONFIG), then the\n"
    "environment (docs/configuration.md).\n";

/* "user create", "serve" */
static const char *full_name(const struct cli_cmd *c, char out[NAME_MAX_LEN])
{
	snprintf(out, NAME_MAX_LEN, "%s%s%s", c->group, c->name ? " " : "", c->name ? c->name : "");
	return out;
}

static void usage_line(FILE *f, const struct cli_cmd *c)
{
	char name[NAME_MAX_LEN];
	fprintf(f, "usage: herald %s%s%s\n", full_name(c, name), c->synopsis[0] ? " " : "", c->synopsis);
}

/* The commands of group (NULL: all), one per line with their summaries. */
static void list(FILE *f, const struct cli_cmd *cmds, size_t n, const char *group)
{
	for (size_t i = 0; i < n; i++) {
		const struct cli_cmd *c = &cmds[i];
		char name[NAME_MAX_LEN], left[256];
		if (group && strcmp(c->group, group) != 0)
			continue;
		int w = snprintf(left, sizeof(left), "%s%s%s", full_name(c, name), c->synopsis[0] ? " " : "",
				 c->synopsis);
		if (w < SUMMARY_COL - 3)
			fprintf(f, "  %-*s %s\n", SUMMARY_COL - 3, left, c->summary);
		else
			fprintf(f, "  %s\n  %-*s %s\n", left, SUMMARY_COL - 3, "", c->summary);
	}
}

static void overview(FILE *f, const struct cli_cmd *cmds, size_t n)
{
	fputs("usage: herald COMMAND [ARGUMENTS] [OPTIONS]\n\nCommands:\n", f);
	list(f, cmds, n, NULL);
	fputc('\n', f);
	fputs(footer, f);
}

static void group_usage(FILE *f, const struct cli_cmd *cmds, size_t n, const char *group)
{
	fprintf(f, "usage: herald %s COMMAND [ARGUMENTS] [OPTIONS]\n\nCommands:\n", group);
	list(f, cmds, n, group);
}

static int is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

int cli_report(const struct cli_args *a, int status, const char *fmt, ...)
{
	char name[NAME_MAX_LEN];
	va_list ap;
	fprintf(stderr, "herald: %s: ", full_name(a->cmd, name));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (status == 2)
		usage_line(stderr, a->cmd);
	return status;
}

/* The index of option s ("--role", "--role=x") in c->opts, or -1; *inline_value is what
 * follows "=" (NULL when nothing does). */
static int find_opt(const struct cli_cmd *c, const char *s, const char **inline_value)
{
	for (int k = 0; k < CLI_MAX_OPTS && c->opts[k]; k++) {
		const char *o = c->opts[k];
		size_t len = strcspn(o, "=");
		int takes_value = o[len] == '=';
		if (strncmp(s, o, len) != 0 || (s[len] != '\0' && !(takes_value && s[len] == '=')))
			continue;
		*inline_value = s[len] == '=' ? s + len + 1 : NULL;
		return k;
	}
	return -1;
}

/* The arguments and options after the command's name. */
static int parse_rest(const struct cli_cmd *c, int argc, char **argv, struct cli_args *out)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (is_help(argv[i])) {
			usage_line(stdout, c);
			printf("\n%s\n", c->help ? c->help : c->summary);
			return 0;
		}
	int only_args = 0;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i], *value;
		if (!only_args && strcmp(s, "--") == 0) {
			only_args = 1;
		} else if (!only_args && s[0] == '-' && s[1] != '\0') {
			int k = find_opt(c, s, &value);
			size_t len = strcspn(s, "=");
			if (k < 0)
				return cli_refuse(out, "unknown option '%.*s'", (int)len, s);
			if (out->opt[k])
				return cli_refuse(out, "option %.*s is given twice", (int)len, s);
			if (strchr(c->opts[k], '=') == NULL)
				value = "";
			else if (value == NULL && (value = i + 1 < argc ? argv[++i] : NULL) == NULL)
				return cli_refuse(out, "option %s needs a value", s);
			out->opt[k] = value;
		} else if (out->nargs < c->max_args) {
			out->arg[out->nargs++] = s;
		} else {
			return cli_refuse(out, "unexpected argument '%s'", s);
		}
	}
	if (out->nargs < c->min_args)
		return cli_refuse(out, "missing argument");
	return -1;
}

int cli_parse(const struct cli_cmd *cmds, size_t n, int argc, char **argv, struct cli_args *out)
{
	memset(out, 0, sizeof(*out));
	if (argc < 2 || is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		overview(argc < 2 ? stderr : stdout, cmds, n);
		return argc < 2 ? 2 : 0;
	}
	const char *group = strcmp(argv[1], "--version") == 0 ? "version" : argv[1];
	const struct cli_cmd *c = NULL;
	for (size_t i = 0; i < n && c == NULL; i++)
		if (strcmp(cmds[i].group, group) == 0)
			c = &cmds[i];
	if (c == NULL) {
		fprintf(stderr, "herald: unknown command '%s'\nusage: herald COMMAND [ARGUMENTS] [OPTIONS]"
				" (herald --help lists the commands)\n", argv[1]);
		return 2;
	}
	int at = 2;
	if (c->name) {
		if (argc < 3 || is_help(argv[2])) {
			group_usage(argc < 3 ? stderr : stdout, cmds, n, group);
			return argc < 3 ? 2 : 0;
		}
		c = NULL;
		for (size_t i = 0; i < n && c == NULL; i++)
			if (strcmp(cmds[i].group, group) == 0 && strcmp(cmds[i].name, argv[2]) == 0)
				c = &cmds[i];
		if (c == NULL) {
			fprintf(stderr, "herald: unknown command '%s %s'\n", group, argv[2]);
			fprintf(stderr, "usage: herald %s COMMAND [ARGUMENTS] [OPTIONS] (herald %s --help lists them)\n",
				group, group);
			return 2;
		}
		at = 3;
	}
	out->cmd = c;
	return parse_rest(c, argc - at, argv + at, out);
}

struct db *cli_db(void)
{
	char err[512];
	serve_prepare(0);
	struct db *db = db_connect(cfg.database_url, err, sizeof(err));
	if (db == NULL)
		fatal("cannot connect to the database: %s", err);
	return db;
}

int cli_done(struct db *db, int status)
{
	db_close(db);
	return status;
}

int cli_find_user(const struct cli_args *a, struct db *db, const char *name, int64_t *id)
{
	*id = user_find(db, name);
	if (*id > 0)
		return 0;
	return *id == 0 ? cli_fail(a, "no user named '%s'", name) : cli_fail(a, "%s", db->err);
}
