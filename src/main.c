/* main.c — the command line of build/herald: the table of commands (parsed by cli.c) and the
 * commands that are not about users or tokens. */
#include "cli.h"
#include "config.h"
#include "db.h"
#include "model_smpp_account.h"
#include "report.h"
#include "serve.h"
#include "util.h"
#include "version.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int cmd_version(const struct cli_args *a)
{
	printf("herald %s\n", herald_version());
	return 0;
}

static int cmd_serve(const struct cli_args *a)
{
	return serve_run(a->opt[0]);
}

static int cmd_migrate(const struct cli_args *a)
{
	serve_prepare(1);
	return 0;
}

static int cmd_report_send(const struct cli_args *a)
{
	char err[512];
	if (!report_enabled(err, sizeof(err)))
		return cli_fail(a, "reports are disabled: %s", err);
	struct db *db = cli_db();
	int64_t id = report_send_now(db, err, sizeof(err));
	if (id < 0)
		return cli_done(db, cli_fail(a, "%s", err));
	printf("report %lld sent to %s\n", (long long)id, cfg.report_to);
	return cli_done(db, 0);
}

static int cmd_smpp_account_create(const struct cli_args *a)
{
	char pw[CLI_PASSWORD_BUF], err[256];
	int64_t tps = SMPP_TPS_DEFAULT;
	if (a->opt[0] == NULL)
		return cli_refuse(a, "--password-stdin is required (the password is read from stdin)");
	if (a->opt[1] && parse_i64(a->opt[1], 1, SMPP_TPS_MAX, &tps) < 0)
		return cli_refuse(a, "--tps is a whole number from 1 to %d", SMPP_TPS_MAX);
	if (cli_password("Password: ", 1, pw, err, sizeof(err)) < 0)
		return cli_fail(a, "%s", err);
	struct smpp_account_in in = {a->arg[0], pw, (int)tps, a->opt[2]};
	struct db *db = cli_db();
	struct model_err e = MODEL_ERR_INIT;
	int64_t id = smpp_account_create(db, &in, &e);
	sodium_memzero(pw, sizeof(pw));
	if (id < 0)
		return cli_done(db, cli_fail(a, "%s", model_err_text(&e, err, sizeof(err))));
	fprintf(stderr, "created SMPP account %s (id %lld, %lld msg/s)\n", a->arg[0], (long long)id,
		(long long)tps);
	return cli_done(db, 0);
}

static const struct cli_cmd commands[] = {
	{"serve", NULL, "[--roles web,scheduler,dispatch,report,smpp,import,webhook]", "run the roles (default: all)",
	 "Runs the roles named by --roles (comma-separated; default: all of them) until SIGTERM or\n"
	 "SIGINT. Applies the sql/ migrations first.",
	 0, 0, {"--roles="}, cmd_serve},
	{"migrate", NULL, "", "apply the sql/ migrations not yet applied",
	 "Applies the sql/ migrations not yet applied (serve does it too) and exits.",
	 0, 0, {NULL}, cmd_migrate},
	{"user", "create", "NAME --role admin|operator|viewer", "create a user",
	 "Creates user NAME with the role. The password (8 to 1024 characters) is read from stdin:\n"
	 "from a terminal it is asked twice without echo, otherwise it is one line.",
	 1, 1, {"--role="}, cli_user_create},
	{"user", "passwd", "NAME", "set a user's password",
	 "Sets a new password for user NAME, read as by user create, and ends their admin sessions.",
	 1, 1, {NULL}, cli_user_passwd},
	{"user", "list", "", "list the users",
	 "Prints every user: name, role, active, created, last login (times in UTC).",
	 0, 0, {NULL}, cli_user_list},
	{"user", "disable", "NAME", "stop a user signing in and using API tokens",
	 "Disables user NAME: their admin sessions end at once and their API tokens stop working\n"
	 "within token_cache_s (5 s by default). The last active admin cannot be disabled.",
	 1, 1, {NULL}, cli_user_disable},
	{"user", "enable", "NAME", "let a disabled user in again",
	 "Enables user NAME again; their API tokens that were not revoked work again.",
	 1, 1, {NULL}, cli_user_enable},
	{"token", "create", "USER [--name NAME]", "print a new API token for USER",
	 "Creates an API token for active user USER (named NAME, default \"cli\") and prints it on\n"
	 "stdout, one line. It is shown only now; only its hash is stored.",
	 1, 1, {"--name="}, cli_token_create},
	{"token", "list", "[USER]", "list the API tokens (of USER)",
	 "Prints the API tokens of USER (default: of every user), newest first: id, user, name,\n"
	 "prefix, created, last used, revoked (times in UTC).",
	 0, 1, {NULL}, cli_token_list},
	{"token", "revoke", "ID", "revoke an API token",
	 "Revokes the API token with id ID (see token list); it stops working within token_cache_s\n"
	 "(5 s by default).",
	 1, 1, {NULL}, cli_token_revoke},
	{"report", "send", "", "send the statistics e-mail now",
	 "Builds the statistics e-mail for the last 24 hours and sends it now; exit status 0 when the\n"
	 "SMTP server accepted it.",
	 0, 0, {NULL}, cmd_report_send},
	{"smpp-account", "create", "SYSTEM_ID --password-stdin [--tps N] [--allow CIDR,...]",
	 "create an SMPP account",
	 "Creates SMPP account SYSTEM_ID sending at most N messages a second (default 100), binding\n"
	 "only from the networks of --allow (default: any). The password is read from stdin: from a\n"
	 "terminal it is asked twice without echo, otherwise it is one line.",
	 1, 1, {"--password-stdin", "--tps=", "--allow="}, cmd_smpp_account_create},
	{"demo", NULL, "", "add demo data and a mailing that starts now",
	 "Adds Russia's mobile operators (DEF codes 900-999 and names), the tags vip, loyal, new\n"
	 "and b2b, and 10,000 clients spread over them and 12 time zones (a second run adds no\n"
	 "clients). Then adds a mailing to every client with those tags, starting now, and prints\n"
	 "its id. The phone numbers look real, so demo refuses to run unless the provider is the\n"
	 "log provider or on this machine (fakeprobe). `make demo` does all of this and serves.",
	 0, 0, {NULL}, cli_demo},
	{"version", NULL, "", "print the version (also --version)",
	 "Prints \"herald VERSION\" and exits.", 0, 0, {NULL}, cmd_version},
};

int main(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(commands, ARRAY_LEN(commands), argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (sodium_init() < 0)
		fatal("libsodium failed to initialise");
	config_init();
	return a.cmd->run(&a);
}
