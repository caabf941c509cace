/* cli.h — the command line of build/herald: a table of commands (each with its arguments,
 * options and usage), the parser that holds every call to it, and what the commands share.
 * Exit status: 0 done, 1 failed (the reason on stderr), 2 a usage error (and a usage line). */
#ifndef HERALD_CLI_H
#define HERALD_CLI_H
#include <jansson.h>
#include <stddef.h>
#include "db.h"
#include "model_user.h"

#define CLI_MAX_ARGS 2      /* positional arguments of a command */
#define CLI_MAX_OPTS 3      /* options of a command */
#define CLI_PASSWORD_BUF (PASSWORD_MAX + 2)

struct cli_cmd;

struct cli_args {
	const struct cli_cmd *cmd;
	const char *arg[CLI_MAX_ARGS];  /* positional arguments in order, NULL past nargs */
	int nargs;
	const char *opt[CLI_MAX_OPTS];  /* by the index in cmd->opts: the value; "" for a flag
					 * given; NULL when not given */
};

struct cli_cmd {
	const char *group;          /* "user" */
	const char *name;           /* "create"; NULL for a command of one word ("serve") */
	const char *synopsis;       /* what follows the name in the usage line */
	const char *summary;        /* one line for `herald --help` */
	const char *help;           /* more for `herald user create --help`; may be NULL */
	int min_args, max_args;
	const char *opts[CLI_MAX_OPTS]; /* "--role=" takes a value, "--password-stdin" is a flag */
	int (*run)(const struct cli_args *a);
};

/* Parses argv against the n commands of cmds. Returns -1 with *out filled when a command is
 * to run; otherwise the exit status of what it did instead: `--help` anywhere printed the
 * usage of what came before it on stdout (0); an unknown command or option, a missing or
 * surplus argument, an option given twice or without its value printed the reason and a usage
 * line on stderr (2). */
int cli_parse(const struct cli_cmd *cmds, size_t n, int argc, char **argv, struct cli_args *out);

/* "herald: CMD: msg" on stderr; for status 2, a usage error found by the command itself (a bad
 * option value), the command's usage line too. Returns status. */
int cli_report(const struct cli_args *a, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define cli_refuse(a, ...) cli_report(a, 2, __VA_ARGS__)
#define cli_fail(a, ...) cli_report(a, 1, __VA_ARGS__)

/* Opens the log, migrates (serve_prepare) and connects; exits 1 when the database is out of
 * reach. */
struct db *cli_db(void);
/* Closes db and returns status. */
int cli_done(struct db *db, int status);
/* The id of the user named name into *id: 0, or 1 when there is none or the database failed
 * (the reason printed, as cli_fail). */
int cli_find_user(const struct cli_args *a, struct db *db, const char *name, int64_t *id);

/* Reads a password from stdin into out. From a terminal: prompt on stderr, echo off, and when
 * confirm asks again and requires the same; Ctrl-C restores the echo. From anything else: one
 * line, without its line end. 0, or -1 with the reason in err. */
int cli_password(const char *prompt, int confirm, char out[CLI_PASSWORD_BUF], char *err, size_t errlen);

/* A column of cli_table: its heading and the field of the row objects it shows. */
struct cli_col {
	const char *head, *field;
};
/* Prints rows (a JSON array of objects) on stdout as a plain table: a heading line, then one
 * line per row; columns left-aligned, two spaces apart; true/false as yes/no, null as -. */
void cli_table(json_t *rows, const struct cli_col *cols, size_t ncols);

/* Every object of resource r's list (res_users, res_tokens) in its first order, with filter as
 * its first filter (NULL: none), as a JSON array (new reference), or NULL on a database error
 * (db->err). */
struct resource;
json_t *cli_rows(struct db *db, const struct resource *r, const char *filter);

/* The commands of cli_user.c and cli_token.c. */
int cli_user_create(const struct cli_args *a);
int cli_user_passwd(const struct cli_args *a);
int cli_user_list(const struct cli_args *a);
int cli_user_disable(const struct cli_args *a);
int cli_user_enable(const struct cli_args *a);
int cli_token_create(const struct cli_args *a);
int cli_token_list(const struct cli_args *a);
int cli_token_revoke(const struct cli_args *a);
/* cli_demo.c */
int cli_demo(const struct cli_args *a);

#endif
