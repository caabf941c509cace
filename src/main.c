/* main.c — the command line of build/herald. */
#include "config.h"
#include "db.h"
#include "log.h"
#include "model_smpp_account.h"
#include "model_token.h"
#include "model_user.h"
#include "report.h"
#include "serve.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: herald COMMAND\n"
    "  serve [--roles web,...]          run the roles (default: all)\n"
    "  migrate                          apply sql/ migrations\n"
    "  user create NAME --role ROLE     create a user; the password is read from stdin\n"
    "  token create USER [--name NAME]  print a new API token for USER\n"
    "  report send                      send the statistics e-mail now\n"
    "  smpp-account create SYSTEM_ID --password-stdin [--tps N] [--allow CIDR,...]\n"
    "                                   create an SMPP account; the password is read from stdin\n"
    "Configuration: conf/herald.conf (or $HERALD_CONFIG), then the environment (README).\n";

static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc - 1; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static struct db *connect_or_die(void)
{
	char err[512];
	serve_prepare();
	struct db *db = db_connect(cfg.database_url, err, sizeof(err));
	if (db == NULL)
		fatal("cannot connect to the database: %s", err);
	return db;
}

/* Reads one line (the password) from stdin, without its newline. */
static void read_line(char *out, size_t len)
{
	if (fgets(out, (int)len, stdin) == NULL)
		fatal("no password on standard input");
	if (strchr(out, '\n') == NULL && !feof(stdin))
		fatal("the password is longer than %zu bytes", len - 2);
	out[strcspn(out, "\r\n")] = '\0';
}

static int cmd_user(int argc, char **argv)
{
	char pw[PASSWORD_MAX + 2], err[256];
	if (argc < 3 || strcmp(argv[1], "create") != 0 || opt(argc, argv, "--role") == NULL) {
		fputs(usage, stderr);
		return 2;
	}
	read_line(pw, sizeof(pw));
	struct db *db = connect_or_die();
	int64_t id = user_create(db, argv[2], pw, opt(argc, argv, "--role"), err, sizeof(err));
	sodium_memzero(pw, sizeof(pw));
	db_close(db);
	if (id < 0) {
		fprintf(stderr, "herald: user create: %s\n", err);
		return 1;
	}
	fprintf(stderr, "created user %s (id %lld)\n", argv[2], (long long)id);
	return 0;
}

static int cmd_token(int argc, char **argv)
{
	char tok[TOKEN_MAX], err[256];
	if (argc < 3 || strcmp(argv[1], "create") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	const char *name = opt(argc, argv, "--name");
	struct db *db = connect_or_die();
	int64_t id = token_create(db, argv[2], name ? name : "cli", tok, err, sizeof(err));
	db_close(db);
	if (id < 0) {
		fprintf(stderr, "herald: token create: %s\n", err);
		return 1;
	}
	printf("%s\n", tok);
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	char err[512];
	if (argc != 2 || strcmp(argv[1], "send") != 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (!report_enabled(err, sizeof(err))) {
		fprintf(stderr, "herald: report send: reports are disabled: %s\n", err);
		return 1;
	}
	struct db *db = connect_or_die();
	int64_t id = report_send_now(db, err, sizeof(err));
	db_close(db);
	if (id < 0) {
		fprintf(stderr, "herald: report send: %s\n", err);
		return 1;
	}
	printf("report %lld sent to %s\n", (long long)id, cfg.report_to);
	return 0;
}

static int has_flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

static int cmd_smpp_account(int argc, char **argv)
{
	char pw[PASSWORD_MAX + 2], err[256];
	int64_t tps = SMPP_TPS_DEFAULT;
	const char *tps_s = opt(argc, argv, "--tps");
	if (argc < 3 || strcmp(argv[1], "create") != 0 || !has_flag(argc, argv, "--password-stdin")) {
		fputs(usage, stderr);
		return 2;
	}
	if (tps_s && parse_i64(tps_s, 1, SMPP_TPS_MAX, &tps) < 0) {
		fprintf(stderr, "herald: --tps is a whole number from 1 to %d\n", SMPP_TPS_MAX);
		return 2;
	}
	read_line(pw, sizeof(pw));
	struct smpp_account_in in = {argv[2], pw, (int)tps, opt(argc, argv, "--allow")};
	struct db *db = connect_or_die();
	int64_t id = smpp_account_create(db, &in, err, sizeof(err));
	sodium_memzero(pw, sizeof(pw));
	db_close(db);
	if (id < 0) {
		fprintf(stderr, "herald: smpp-account create: %s\n", err);
		return 1;
	}
	fprintf(stderr, "created SMPP account %s (id %lld, %lld msg/s)\n", argv[2], (long long)id,
		(long long)tps);
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	config_init();
	if (strcmp(argv[1], "serve") == 0)
		return serve_run(opt(argc, argv, "--roles"));
	if (strcmp(argv[1], "migrate") == 0) {
		serve_prepare();
		return 0;
	}
	if (strcmp(argv[1], "user") == 0)
		return cmd_user(argc - 1, argv + 1);
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "smpp-account") == 0)
		return cmd_smpp_account(argc - 1, argv + 1);
	fprintf(stderr, "herald: unknown command '%s'\n%s", argv[1], usage);
	return 2;
}
