/* The command line (API.md 1 and 9.8): build/herald run as a child process against the
 * harness's database, its exit status, stdout and stderr, what it changed in the database,
 * and what the running harness server (HERALD_TEST_URL) makes of that. */
#include "admin_web.h"
#include "itest.h"
#include "model_user.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_MAX (1 << 20)
#define WAIT_S 30            /* well over the harness's token cache (5 s) on a slow machine */

struct run {
	int status;
	char *out, *err;
};

static char *slurp(const char *path)
{
	char *s = calloc(1, OUT_MAX);
	int fd = open(path, O_RDONLY);
	cr_assert(fd >= 0, "cannot open %s", path);
	ssize_t n = read(fd, s, OUT_MAX - 1);
	cr_assert(n >= 0);
	close(fd);
	unlink(path);
	return s;
}

static void spit(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0, "cannot create %s", path);
	cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

/* Runs the program pre[0] with the arguments pre[1..] and then args (both NULL-terminated),
 * input on stdin (NULL: empty). */
static struct run run_argv(const char *input, const char *const *pre, const char *const *args)
{
	char *argv[24];
	int n = 0;
	for (; *pre; pre++)
		argv[n++] = (char *)*pre;
	for (; *args; args++) {
		cr_assert(n < 23);
		argv[n++] = (char *)*args;
	}
	argv[n] = NULL;
	char dir[] = "/tmp/herald-cli-XXXXXX", in[64], out[64], err[64];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	spit(in, input ? input : "");
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fds[3] = {open(in, O_RDONLY), open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600),
			      open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600)};
		for (int i = 0; i < 3; i++)
			dup2(fds[i], i);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	struct run r = {WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp(out), slurp(err)};
	unlink(in);
	rmdir(dir);
	return r;
}

static const char *bin(void)
{
	static char path[512];
	const char *root = getenv("HERALD_ROOT");
	snprintf(path, sizeof(path), "%s/build/herald", root && *root ? root : ".");
	return path;
}

/* build/herald with the arguments (NULL-terminated) and input on stdin. */
static struct run herald_argv(const char *input, const char *const *args)
{
	const char *pre[] = {bin(), NULL};
	return run_argv(input, pre, args);
}
#define HERALD(input, ...) herald_argv(input, (const char *const[]){__VA_ARGS__, NULL})

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* The status GET /api/v1/tags answers token with, once it is want (polled every 100 ms for up
 * to WAIT_S seconds; the last status otherwise). */
static long api_status_becomes(const char *token, long want)
{
	long st = 0;
	for (int i = 0; i < WAIT_S * 10; i++) {
		struct resp *r = api(token, "GET", "/api/v1/tags", NULL);
		st = r->status;
		resp_free(r);
		if (st == want)
			break;
		sleep_ms(100);
	}
	return st;
}

/* A new user of role (password "password-" + name) and a new token of it (malloc'ed). */
static char *user_with_token(const char *name, const char *role)
{
	char pw[64];
	snprintf(pw, sizeof(pw), "password-%s\n", name);
	struct run r = HERALD(pw, "user", "create", name, "--role", role);
	cr_assert_eq(r.status, 0, "user create: %s", r.err);
	run_free(&r);
	r = HERALD(NULL, "token", "create", name, "--name", "cli-test");
	cr_assert_eq(r.status, 0, "token create: %s", r.err);
	r.out[strcspn(r.out, "\n")] = '\0';
	free(r.err);
	return r.out;
}

static void init(void)
{
	cr_assert(sodium_init() >= 0);
}

TestSuite(cli, .init = init, .timeout = 180);

Test(cli, version_on_the_command_line_in_healthz_and_metrics)
{
	struct run v = HERALD(NULL, "--version"), w = HERALD(NULL, "version");
	cr_assert_eq(v.status, 0);
	cr_assert_str_eq(v.out, w.out);
	cr_assert(strncmp(v.out, "herald ", 7) == 0 && strlen(v.out) > 8 && strchr(v.out, '\n') == v.out + strlen(v.out) - 1,
		  "one line 'herald VERSION': %s", v.out);
	char version[80];
	snprintf(version, sizeof(version), "%.*s", (int)strlen(v.out) - 8, v.out + 7);
	cr_assert_str_neq(version, "unknown");

	struct resp *h = api(NULL, "GET", "/healthz", NULL);
	cr_assert_eq(h->status, 200);
	cr_assert_str_eq(jstr(h->json, "status"), "ok");
	cr_assert_str_eq(jstr(h->json, "version"), version, "the harness server runs this build");
	resp_free(h);

	char gauge[128];
	snprintf(gauge, sizeof(gauge), "\nherald_build_info{version=\"%s\"} 1\n", version);
	struct resp *m = api(NULL, "GET", "/metrics", NULL);
	cr_assert_eq(m->status, 200);
	cr_assert_not_null(strstr(m->body, gauge), "no %s in /metrics", gauge);
	cr_assert_not_null(strstr(m->body, "# TYPE herald_build_info gauge\n"));
	resp_free(m);
	run_free(&v);
	run_free(&w);
}

Test(cli, every_command_has_help_on_stdout)
{
	static const char *const cmds[][2] = {
	    {"serve", NULL},       {"migrate", NULL},  {"user", "create"}, {"user", "passwd"},
	    {"user", "list"},      {"user", "disable"}, {"user", "enable"}, {"token", "create"},
	    {"token", "list"},     {"token", "revoke"}, {"report", "send"}, {"smpp-account", "create"},
	    {"version", NULL}};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char usage[64];
		snprintf(usage, sizeof(usage), "usage: herald %s%s%s", cmds[i][0], cmds[i][1] ? " " : "",
			 cmds[i][1] ? cmds[i][1] : "");
		struct run r = cmds[i][1] ? HERALD(NULL, cmds[i][0], cmds[i][1], "--help")
					  : HERALD(NULL, cmds[i][0], "--help");
		cr_expect_eq(r.status, 0, "%s --help: %d", usage, r.status);
		cr_expect(strncmp(r.out, usage, strlen(usage)) == 0, "%s --help printed: %s", usage, r.out);
		cr_expect_str_empty(r.err, "%s --help: stderr %s", usage, r.err);
		run_free(&r);
	}
	struct run all = HERALD(NULL, "--help");
	cr_assert_eq(all.status, 0);
	cr_assert_str_empty(all.err);
	static const char *const listed[] = {"serve", "migrate", "user create", "user passwd", "user list",
					     "user disable", "user enable", "token create", "token list",
					     "token revoke", "report send", "smpp-account create", "version"};
	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		cr_expect_not_null(strstr(all.out, listed[i]), "herald --help does not list %s", listed[i]);
	run_free(&all);
	struct run group = HERALD(NULL, "token", "--help");
	cr_assert_eq(group.status, 0);
	cr_assert_not_null(strstr(group.out, "token revoke ID"));
	run_free(&group);
}

/* Exit 2, nothing on stdout, the reason and a usage line on stderr. */
static void expect_refused(struct run r, const char *reason)
{
	cr_expect_eq(r.status, 2, "exit %d (stderr: %s)", r.status, r.err);
	cr_expect_str_empty(r.out);
	cr_expect_not_null(strstr(r.err, reason), "'%s' not in: %s", reason, r.err);
	cr_expect_not_null(strstr(r.err, "usage: herald"), "no usage line in: %s", r.err);
	run_free(&r);
}

Test(cli, unknown_commands_and_options_are_refused_with_2)
{
	expect_refused(herald_argv(NULL, (const char *const[]){NULL}), "usage: herald COMMAND");
	expect_refused(HERALD(NULL, "frobnicate"), "unknown command 'frobnicate'");
	expect_refused(HERALD(NULL, "user", "frobnicate"), "unknown command 'user frobnicate'");
	expect_refused(HERALD(NULL, "user"), "usage: herald user COMMAND");
	expect_refused(HERALD(NULL, "serve", "--bogus"), "unknown option '--bogus'");
	expect_refused(HERALD(NULL, "migrate", "--dry-run"), "unknown option '--dry-run'");
	expect_refused(HERALD(NULL, "user", "list", "-x"), "unknown option '-x'");
	expect_refused(HERALD(NULL, "token", "create", "t_admin", "--nmae=x"), "unknown option '--nmae'");
	expect_refused(HERALD(NULL, "--version", "--short"), "unknown option '--short'");
	expect_refused(HERALD("password-x\n", "user", "create", "x_cli"), "--role is required");
	expect_refused(HERALD("password-x\n", "user", "create", "x_cli", "--role"), "--role needs a value");
	expect_refused(HERALD("password-x\n", "user", "create", "x_cli", "--role", "boss"), "admin, operator or viewer");
	expect_refused(HERALD(NULL, "user", "passwd"), "missing argument");
	expect_refused(HERALD(NULL, "user", "disable", "a", "b"), "unexpected argument 'b'");
	expect_refused(HERALD(NULL, "token", "revoke", "12x"), "whole number");
	expect_refused(HERALD(NULL, "token", "create", "t_admin", "--name", "a", "--name", "b"), "given twice");
	expect_refused(HERALD("pw\n", "smpp-account", "create", "x_cli"), "--password-stdin is required");
	expect_refused(HERALD("password-x\n", "smpp-account", "create", "x_cli", "--password-stdin", "--tps", "0"),
		       "--tps is a whole number");
	cr_assert_str_eq(itest_sql("SELECT count(*) FROM users WHERE username = 'x_cli'"), "0");
}

Test(cli, user_create_list_and_passwd_from_a_pipe)
{
	char name[32], line[96];
	uniq_name("cli_", name, sizeof(name));
	snprintf(line, sizeof(line), "first-password\n");
	struct run r = HERALD(line, "user", "create", name, "--role=viewer");
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);

	r = HERALD(NULL, "user", "list");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strncmp(r.out, "NAME ", 5) == 0 && strstr(r.out, "LAST LOGIN\n"), "heading: %s", r.out);
	char *row = strstr(r.out, name);
	cr_assert_not_null(row, "%s not listed: %s", name, r.out);
	row[strcspn(row, "\n")] = '\0';
	cr_assert(strstr(row, " viewer ") && strstr(row, " yes ") && row[strlen(row) - 1] == '-',
		  "row: '%s' (role, active, never signed in)", row);
	run_free(&r);

	r = HERALD("second-password\n", "user", "passwd", name);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	char *hash = itest_sql("SELECT password_hash FROM users WHERE username = '%s'", name);
	cr_assert_eq(user_password_verify(hash, "second-password"), 0, "the new password is the one piped");
	cr_assert_neq(user_password_verify(hash, "first-password"), 0);
	free(hash);

	r = HERALD("short\n", "user", "passwd", name);
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "8 to 1024"), "%s", r.err);
	run_free(&r);
	r = HERALD("another-password\n", "user", "passwd", "no_such_user_cli");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "no user named 'no_such_user_cli'"), "%s", r.err);
	run_free(&r);
	r = HERALD("", "user", "passwd", name);
	cr_assert_eq(r.status, 1, "an empty stdin is no password");
	run_free(&r);
}

Test(cli, disable_ends_sessions_and_tokens_enable_lets_them_in_again)
{
	char name[32];
	uniq_name("cli_", name, sizeof(name));
	char *tok = user_with_token(name, "operator"), pw[64];
	snprintf(pw, sizeof(pw), "password-%s", name);
	char *cookie = web_login(name, pw, NULL);
	long signed_out = web_status("GET", "/admin/", NULL, NULL);
	cr_assert_eq(web_status("GET", "/admin/", cookie, NULL), 200);
	cr_assert_eq(api_status_becomes(tok, 200), 200);

	struct run r = HERALD(NULL, "user", "disable", name);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	cr_assert_str_eq(itest_sql("SELECT is_active::text FROM users WHERE username = '%s'", name), "false");
	cr_assert_str_eq(itest_sql("SELECT count(*) FROM admin_sessions s JOIN users u ON u.id = s.user_id"
				   " WHERE u.username = '%s'", name), "0");
	cr_assert_eq(web_status("GET", "/admin/", cookie, NULL), signed_out, "the admin session has ended");
	cr_assert_eq(api_status_becomes(tok, 401), 401, "a disabled user's token is refused once its check expires");

	r = HERALD(NULL, "user", "list");
	char *row = strstr(r.out, name);
	cr_assert_not_null(row);
	row[strcspn(row, "\n")] = '\0';
	cr_assert_not_null(strstr(row, " no "), "row: %s", row);
	run_free(&r);

	r = HERALD(NULL, "user", "enable", name);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	cr_assert_eq(api_status_becomes(tok, 200), 200, "enabled again, the token works again");
	cr_assert_eq(web_status("GET", "/admin/", cookie, NULL), signed_out, "the ended session stays ended");
	free(cookie);
	r = HERALD(NULL, "user", "disable", "no_such_user_cli");
	cr_assert_eq(r.status, 1);
	run_free(&r);
	free(tok);
}

Test(cli, token_list_and_revoke)
{
	char name[32];
	uniq_name("cli_", name, sizeof(name));
	char *tok = user_with_token(name, "viewer");
	char *id = itest_sql("SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = '%s'", name);
	cr_assert_eq(api_status_becomes(tok, 200), 200);

	struct run r = HERALD(NULL, "token", "list", name);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(strncmp(r.out, "ID ", 3) == 0 && strstr(r.out, " REVOKED\n"), "heading: %s", r.out);
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "%.12s", tok);
	cr_assert_not_null(strstr(r.out, prefix), "the token's prefix %s is listed: %s", prefix, r.out);
	cr_assert_not_null(strstr(r.out, "cli-test"));
	cr_assert_null(strstr(r.out, tok), "never the token itself");
	cr_assert_null(strstr(r.out, "t_admin"), "only USER's tokens");
	run_free(&r);
	r = HERALD(NULL, "token", "list");
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, prefix) && strstr(r.out, "t_admin"), "every user's tokens: %s", r.out);
	run_free(&r);

	r = HERALD(NULL, "token", "revoke", id);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
	cr_assert_str_eq(itest_sql("SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = %s", id), "t");
	cr_assert_eq(api_status_becomes(tok, 401), 401, "a revoked token is refused once its check expires");
	r = HERALD(NULL, "token", "list", name);
	char *row = strstr(r.out, prefix);
	cr_assert_not_null(row);
	row[strcspn(row, "\n")] = '\0';
	cr_assert_neq(row[strlen(row) - 1], '-', "REVOKED shows the time: %s", row);
	run_free(&r);

	r = HERALD(NULL, "token", "revoke", id);
	cr_assert_eq(r.status, 1, "revoked already");
	run_free(&r);
	r = HERALD(NULL, "token", "list", "no_such_user_cli");
	cr_assert_eq(r.status, 1);
	cr_assert_not_null(strstr(r.err, "no user named"));
	run_free(&r);
	free(id);
	free(tok);
}

/* A terminal on stdin (a pty from Python): prompts, no echo, asked twice. */
static const char pty_driver[] =
    "import os, pty, sys\n"
    "pid, fd = pty.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[3], sys.argv[3:])\n"
    "out = b''\n"
    "for answer in sys.argv[1:3]:\n"
    "    while not out.rstrip().endswith(b':'):\n"
    "        out += os.read(fd, 1024)\n"
    "    os.write(fd, answer.encode() + b'\\n')\n"
    "    out += b'|'\n"
    "while True:\n"
    "    try:\n"
    "        d = os.read(fd, 1024)\n"
    "    except OSError:\n"
    "        break\n"
    "    if not d:\n"
    "        break\n"
    "    out += d\n"
    "sys.stdout.write(out.decode())\n"
    "sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n";

/* args (NULL-terminated) run by build/herald on a pty, answering first and second to its
 * prompts; stdout holds what the terminal showed, each answer as "|". */
static struct run on_terminal(const char *first, const char *second, const char *const *args)
{
	const char *pre[] = {"/usr/bin/python3", "-c", pty_driver, first, second, bin(), NULL};
	return run_argv(NULL, pre, args);
}
#define TERMINAL(first, second, ...) on_terminal(first, second, (const char *const[]){__VA_ARGS__, NULL})

Test(cli, password_from_a_terminal_is_hidden_and_confirmed)
{
	if (access("/usr/bin/python3", X_OK) != 0)
		cr_skip_test("no /usr/bin/python3 for a pty");
	char name[32];
	uniq_name("cli_", name, sizeof(name));
	struct run r = TERMINAL("tty-secret-1", "tty-secret-1", "user", "create", name, "--role", "viewer");
	cr_assert_eq(r.status, 0, "%s %s", r.out, r.err);
	cr_assert(strncmp(r.out, "Password: |", 11) == 0 && strstr(r.out, "Again: |"), "prompts: %s", r.out);
	cr_assert_null(strstr(r.out, "tty-secret"), "the password was echoed: %s", r.out);
	run_free(&r);
	char *hash = itest_sql("SELECT password_hash FROM users WHERE username = '%s'", name);
	cr_assert_eq(user_password_verify(hash, "tty-secret-1"), 0);
	free(hash);

	r = TERMINAL("tty-secret-2", "tty-secret-3", "user", "passwd", name);
	cr_assert_eq(r.status, 1, "two different passwords: %s", r.out);
	cr_assert_not_null(strstr(r.out, "the two passwords differ"), "%s", r.out);
	run_free(&r);
	hash = itest_sql("SELECT password_hash FROM users WHERE username = '%s'", name);
	cr_assert_eq(user_password_verify(hash, "tty-secret-1"), 0, "unchanged");
	free(hash);
}
