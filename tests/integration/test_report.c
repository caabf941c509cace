/* The daily statistics e-mail end to end: a real SMTP sink (tests/smtp_sink.py, aiosmtpd),
 * `herald report send` and `herald serve --roles report` as child processes, the messages
 * parsed by Python's email module, the numbers compared with the database. */
#include "engine_util.h"
#include "i18n.h"
#include "itest.h"
#include "config.h"
#include "db.h"
#include "metrics.h"
#include "report.h"
#include "resource.h"
#include "tmpl.h"
#include "util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *root(void)
{
	const char *r = getenv("HERALD_ROOT");
	return r && *r ? r : ".";
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Starts argv with the environment changed by env ("K=V" sets, "K" unsets), stdout and stderr
 * into out. Returns the pid. */
static pid_t spawn(char *const *argv, const char *const *env, const char *out)
{
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		for (; env && *env; env++) {
			if (strchr(*env, '='))
				putenv((char *)*env);
			else
				unsetenv(*env);
		}
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int finish(pid_t pid)
{
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	char *s = calloc(1, 1 << 20);
	fread(s, 1, (1 << 20) - 1, f);
	fclose(f);
	return s;
}

struct sink {
	pid_t pid;
	int port;
	char dir[64];
};

/* Temporary folders of a test (sink mail, logs), removed when the test passed. */
static void tmpdir(char *out, size_t len, const char *what)
{
	snprintf(out, len, "/tmp/herald-%s.XXXXXX", what);
	cr_assert_not_null(mkdtemp(out));
}

static void rmtree(const char *dir)
{
	char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};
	if (dir[0] && strncmp(dir, "/tmp/herald-", 12) == 0)
		finish(spawn(argv, NULL, "/dev/null"));
}

/* Starts the sink on port (0: a free one) and waits until it listens. */
static void sink_start(struct sink *s, int port)
{
	char portfile[128], portarg[16], log[128], script[512];
	if (s->dir[0] == '\0')
		tmpdir(s->dir, sizeof(s->dir), "sink");
	snprintf(portfile, sizeof(portfile), "%s/port", s->dir);
	snprintf(log, sizeof(log), "%s/sink.log", s->dir);
	snprintf(portarg, sizeof(portarg), "%d", port);
	unlink(portfile);
	snprintf(script, sizeof(script), "%s/tests/smtp_sink.py", root());
	char *argv[] = {"/usr/bin/python3", script, "serve", s->dir, "--port", portarg, "--port-file", portfile, NULL};
	s->pid = spawn(argv, NULL, log);
	for (int i = 0; i < 100 && access(portfile, F_OK) != 0; i++)
		sleep_ms(50);
	char *p = slurp(portfile);
	s->port = atoi(p);
	free(p);
	cr_assert_gt(s->port, 0);
}

static void sink_stop(struct sink *s)
{
	kill(s->pid, SIGTERM);
	finish(s->pid);
}

static int count_mails(const struct sink *s)
{
	DIR *d = opendir(s->dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		n += len > 4 && strcmp(e->d_name + len - 4, ".eml") == 0;
	}
	if (d)
		closedir(d);
	return n;
}

static int wait_mails(const struct sink *s, int want, int seconds)
{
	for (int i = 0; i < seconds * 10 && count_mails(s) < want; i++)
		sleep_ms(100);
	return count_mails(s);
}

/* The message n (1-based) parsed by smtp_sink.py inspect. */
static json_t *inspect(const struct sink *s, int n)
{
	char eml[128], out[128], script[512];
	snprintf(eml, sizeof(eml), "%s/%d.eml", s->dir, n);
	snprintf(out, sizeof(out), "%s/%d.inspect", s->dir, n);
	snprintf(script, sizeof(script), "%s/tests/smtp_sink.py", root());
	char *argv[] = {"/usr/bin/python3", script, "inspect", eml, NULL};
	cr_assert_eq(finish(spawn(argv, NULL, out)), 0, "inspect failed: %s", slurp(out));
	json_t *j = json_load_file(out, 0, NULL);
	cr_assert_not_null(j, "inspect output is not JSON");
	return j;
}

static const char *part_body(json_t *mail, int i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(mail, "parts"), (size_t)i), "body"));
}

/* The environment of a herald child: the sink, the recipients, UTC, a log folder. */
static void herald_env(const char **env, char *smtp, size_t len, const struct sink *s, const char *logdir)
{
	snprintf(smtp, len, "HERALD_SMTP_URL=smtp://127.0.0.1:%d", s->port);
	static char logenv[160];
	snprintf(logenv, sizeof(logenv), "HERALD_LOG_DIR=%s", logdir);
	const char *e[] = {smtp, "HERALD_REPORT_TO=ops@herald.test, boss@herald.test",
			   "HERALD_REPORT_FROM=reports@herald.test", "HERALD_DEFAULT_TIMEZONE=UTC",
			   "HERALD_REPORT_TIME=00:00", "HERALD_RETRY_BASE_MS=300", "HERALD_LANGUAGE=en", logenv, NULL};
	memcpy(env, e, sizeof(e));
}

static char *herald_path(void)
{
	static char p[512];
	snprintf(p, sizeof(p), "%s/build/herald", root());
	return p;
}

/* A finished mailing started an hour ago with sent sent and failed failed messages (changed by
 * UPDATE as the dispatcher does, so the counters and failure reasons follow). Returns its id. */
static long long make_mailing(int sent, int failed, const char *reason)
{
	char *id = itest_sql(
	    "INSERT INTO mailings (start_at, end_at, text, status, started_at, finished_at)"
	    " VALUES (now() - interval '1 hour', now() + interval '1 hour', 'report test <b>', 'finished',"
	    " now() - interval '1 hour', now()) RETURNING id");
	/* due tomorrow: the harness's dispatcher must not send them before the UPDATEs below */
	free(itest_sql("INSERT INTO messages (mailing_id, client_id, phone, due_at, expires_at)"
		       " SELECT %s, g, '79990000000', now() + interval '1 day', now() + interval '2 days'"
		       " FROM generate_series(1, %d) g", id, sent + failed));
	free(itest_sql("UPDATE messages SET status = message_status('sent'), sent_at = now()"
		       " WHERE mailing_id = %s AND client_id <= %d", id, sent));
	free(itest_sql("UPDATE messages SET status = message_status('failed'), last_error = '%s'"
		       " WHERE mailing_id = %s AND client_id > %d", reason, id, sent));
	long long v = atoll(id);
	free(id);
	return v;
}

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

Test(report, send_delivers_one_parseable_mail_with_the_database_numbers)
{
	struct sink s = {0};
	char smtp[64], logdir[64], out[128], reason[64], line[512], want[256];
	const char *env[16];
	uniq_name("itest-refused-", reason, sizeof(reason));
	long long mid = make_mailing(4, 3, reason);
	sink_start(&s, 0);
	tmpdir(logdir, sizeof(logdir), "logs");
	herald_env(env, smtp, sizeof(smtp), &s, logdir);
	snprintf(out, sizeof(out), "%s/send.out", logdir);
	char *totals = itest_sql("SELECT 'Messages: total ' || sum(n) || string_agg(', ' || message_status_name(s::smallint)"
				 " || ' ' || n, '' ORDER BY s) FROM (SELECT s, coalesce(sum(n), 0) AS n"
				 " FROM generate_series(0, cardinality(message_status_names()) - 1) s"
				 " LEFT JOIN message_counts c ON c.status = s GROUP BY s) t");
	char *argv[] = {herald_path(), "report", "send", NULL};
	int rc = finish(spawn(argv, env, out));
	cr_assert_eq(rc, 0, "herald report send: %d\n%s", rc, slurp(out));
	cr_assert_eq(wait_mails(&s, 1, 5), 1);
	sink_stop(&s);

	json_t *m = inspect(&s, 1);
	char *day = itest_sql("SELECT (now() AT TIME ZONE 'UTC')::date::text");
	snprintf(want, sizeof(want), "herald \xe2\x80\x94 statistics for %s", day);
	cr_expect_str_eq(jstr(m, "subject"), want);
	cr_expect(has(jstr(m, "raw_subject"), "=?UTF-8?B?"), "%s", jstr(m, "raw_subject"));
	cr_expect_str_eq(jstr(m, "content_type"), "multipart/alternative");
	cr_expect_str_eq(jstr(m, "mime_version"), "1.0");
	cr_expect_str_eq(jstr(m, "from"), "reports@herald.test");
	cr_expect(json_is_true(json_object_get(m, "date_ok")));
	cr_expect(json_is_true(json_object_get(m, "message_id_ok")), "%s", jstr(m, "message_id"));
	cr_expect_eq(json_array_size(json_object_get(m, "defects")), 0);
	json_t *to = json_object_get(m, "to");
	cr_assert_eq(json_array_size(to), 2);
	cr_expect_str_eq(json_string_value(json_array_get(to, 1)), "boss@herald.test");
	json_t *parts = json_object_get(m, "parts");
	cr_assert_eq(json_array_size(parts), 2);
	cr_expect_str_eq(jstr(json_array_get(parts, 0), "content_type"), "text/plain");
	cr_expect_str_eq(jstr(json_array_get(parts, 0), "charset"), "utf-8");
	cr_expect_str_eq(jstr(json_array_get(parts, 1), "content_type"), "text/html");

	const char *text = part_body(m, 0), *html = part_body(m, 1);
	snprintf(line, sizeof(line), "#%lld mailing finished, started ", mid);
	cr_expect(has(text, line), "no line for mailing %lld in:\n%s", mid, text);
	cr_expect(has(strstr(text, line), ": total 7, sent 4, failed 3, pending 0, expired 0, cancelled 0, delivered 0, undelivered 0;"
				     " sent in the period 4, failed in the period 3\n      report test <b>\n"), "%s", text);
	snprintf(line, sizeof(line), "  3 x %s\n", reason);
	cr_expect(has(text, line), "failure reason '%s' missing:\n%s", reason, text);
	cr_expect(has(text, totals), "running totals differ from the database (%s):\n%s", totals, text);
	snprintf(line, sizeof(line), "<tr id=\"mailing-%lld\"><td>%lld</td><td>finished</td>", mid, mid);
	cr_expect(has(html, line), "%s", html);
	cr_expect(has(html, "<td>report test &lt;b&gt;</td><td align=\"right\">7</td>"), "HTML escapes the text");
	snprintf(line, sizeof(line), "<li>3 &times; <code>%s</code></li>", reason);
	cr_expect(has(html, line));

	char *row = itest_sql("SELECT kind || ' ' || status || ' ' || attempts || ' ' || recipients FROM reports"
			      " WHERE message_id = '%s'", jstr(m, "message_id"));
	cr_expect_str_eq(row, "manual sent 1 ops@herald.test, boss@herald.test");
	free(row);
	free(day);
	free(totals);
	json_decref(m);
	rmtree(s.dir);
	rmtree(logdir);
}

/* `herald report send` against the shared database through a new sink: the mail, parsed (the
 * sink's and the log's folders are removed). */
static json_t *send_shared(void)
{
	struct sink s = {0};
	char smtp[64], logdir[64], out[128];
	const char *env[16];
	sink_start(&s, 0);
	tmpdir(logdir, sizeof(logdir), "logs");
	herald_env(env, smtp, sizeof(smtp), &s, logdir);
	snprintf(out, sizeof(out), "%s/send.out", logdir);
	char *argv[] = {herald_path(), "report", "send", NULL};
	cr_assert_eq(finish(spawn(argv, env, out)), 0, "%s", slurp(out));
	cr_assert_eq(wait_mails(&s, 1, 5), 1);
	sink_stop(&s);
	json_t *m = inspect(&s, 1);
	rmtree(s.dir);
	rmtree(logdir);
	return m;
}

/* More mailings were active than the e-mail lists: the newest are the ones shown, newest
 * first, and the rest are counted. */
Test(report, lists_the_newest_mailings_and_counts_the_others)
{
	char line[128];
	char *last = itest_sql("WITH i AS (INSERT INTO mailings (start_at, end_at, text, status, started_at, finished_at)"
			       " SELECT now() - interval '1 hour', now() + interval '1 hour', 'many ' || g, 'finished',"
			       " now() - interval '1 hour', now() FROM generate_series(1, 101) g RETURNING id) SELECT max(id) FROM i");
	json_t *m = send_shared();
	const char *text = part_body(m, 0), *list = strstr(text, "Mailings active in the period");
	snprintf(line, sizeof(line), "\n  #%s ", last);
	const char *newest = strstr(list, line), *first = strstr(list, "\n  #");
	cr_expect(newest != NULL && newest == first, "mailing %s is not listed first:\n%s", last, list);
	cr_expect(has(list, "  More mailings, not listed: "), "the others are not counted:\n%s", list);
	free(last);
	json_decref(m);
}

Test(report, sql_and_c_agree_on_the_latency_buckets)
{
	char *bounds = itest_sql("SELECT provider_hist_bounds_ms()::text");
	char c_bounds[512] = "{";
	for (int i = 0; i < METRICS_HIST_LEN - 1; i++)
		snprintf(c_bounds + strlen(c_bounds), sizeof(c_bounds) - strlen(c_bounds), "%s%d", i ? "," : "",
			 metrics_hist_bounds_ms[i]);
	strcat(c_bounds, "}");
	cr_expect_str_eq(bounds, c_bounds, "sql/006 and src/metrics.c disagree on the bucket bounds");
	free(bounds);
}

static pid_t start_role(const struct sink *s, const char *logdir, const char *name)
{
	char smtp[64];
	const char *env[16];
	herald_env(env, smtp, sizeof(smtp), s, logdir);
	char out[128];
	snprintf(out, sizeof(out), "%s/%s.out", logdir, name);
	char *argv[] = {herald_path(), "serve", "--roles", "report", NULL};
	return spawn(argv, env, out);
}

static void stop_role(pid_t pid)
{
	kill(pid, SIGTERM);
	cr_expect_eq(finish(pid), 0, "herald serve did not exit 0 on SIGTERM");
}

Test(report, two_instances_send_the_daily_report_once)
{
	struct sink s = {0};
	char logdir[64];
	free(itest_sql("DELETE FROM reports WHERE kind = 'daily'"));
	sink_start(&s, 0);
	tmpdir(logdir, sizeof(logdir), "logs");
	pid_t a = start_role(&s, logdir, "a"), b = start_role(&s, logdir, "b");
	int n = wait_mails(&s, 1, 10);
	sleep_ms(3000);   /* a second mail would come within the next checks */
	n = count_mails(&s);
	stop_role(a);
	stop_role(b);
	sink_stop(&s);
	cr_expect_eq(n, 1, "%d daily mails from two instances", n);
	char *row = itest_sql("SELECT status || ' ' || attempts || ' ' || (day = (now() AT TIME ZONE 'UTC')::date)"
			      " FROM reports WHERE kind = 'daily'");
	cr_expect_str_eq(row, "sent 1 true");
	free(row);

	/* restarted: today's report is sent already, nothing more goes out */
	a = start_role(&s, logdir, "c");
	sink_start(&s, s.port);
	sleep_ms(3000);
	stop_role(a);
	sink_stop(&s);
	cr_expect_eq(count_mails(&s), 1, "a restart sent the daily report again");
	rmtree(s.dir);
	rmtree(logdir);
}

Test(report, daily_report_is_retried_until_the_sink_is_up)
{
	struct sink s = {0};
	char logdir[64];
	free(itest_sql("DELETE FROM reports WHERE kind = 'daily'"));
	sink_start(&s, 0);   /* to get a free port and a folder; the sink goes down at once */
	sink_stop(&s);
	tmpdir(logdir, sizeof(logdir), "logs");
	pid_t a = start_role(&s, logdir, "retry");
	char *status = NULL;
	for (int i = 0; i < 100; i++, sleep_ms(100)) {
		free(status);
		status = itest_sql("SELECT status FROM reports WHERE kind = 'daily'");
		if (status && strcmp(status, "failed") == 0)
			break;
	}
	cr_expect_str_eq(status, "failed", "the first attempt did not fail and get recorded");
	sink_start(&s, s.port);
	int n = wait_mails(&s, 1, 15);
	sleep_ms(2500);
	n = count_mails(&s);
	stop_role(a);
	sink_stop(&s);
	cr_expect_eq(n, 1, "%d mails after the sink came up", n);
	char *row = itest_sql("SELECT status || ' ' || (attempts >= 2) || ' ' || (last_error LIKE '%%onnect%%')"
			      " FROM reports WHERE kind = 'daily'");
	cr_expect_str_eq(row, "sent true true");
	free(row);
	free(status);
	rmtree(s.dir);
	rmtree(logdir);
}

Test(report, disabled_without_smtp_url_or_recipients)
{
	struct sink s = {0};
	char logdir[64], out[128];
	sink_start(&s, 0);
	tmpdir(logdir, sizeof(logdir), "logs");
	snprintf(out, sizeof(out), "%s/send.out", logdir);
	const char *env[] = {"HERALD_SMTP_URL", "HERALD_REPORT_TO=ops@herald.test", NULL};
	char *argv[] = {herald_path(), "report", "send", NULL};
	cr_expect_neq(finish(spawn(argv, env, out)), 0);
	char *msg = slurp(out);
	cr_expect(has(msg, "reports are disabled: HERALD_SMTP_URL is not set"), "%s", msg);
	free(msg);

	free(itest_sql("DELETE FROM reports WHERE kind = 'daily'"));
	char smtp[64], logenv[128];
	snprintf(smtp, sizeof(smtp), "HERALD_SMTP_URL=smtp://127.0.0.1:%d", s.port);
	snprintf(logenv, sizeof(logenv), "HERALD_LOG_DIR=%s", logdir);
	const char *env2[] = {smtp, "HERALD_REPORT_TO", "HERALD_REPORT_TIME=00:00", "HERALD_DEFAULT_TIMEZONE=UTC",
			      logenv, NULL};
	snprintf(out, sizeof(out), "%s/serve.out", logdir);
	char *argv2[] = {herald_path(), "serve", "--roles", "report", NULL};
	pid_t pid = spawn(argv2, env2, out);
	sleep_ms(2500);
	stop_role(pid);
	sink_stop(&s);
	cr_expect_eq(count_mails(&s), 0);
	msg = slurp(out);
	cr_expect(has(msg, "\"event\":\"report.disabled\",\"reason\":\"HERALD_REPORT_TO is not set\""), "%s", msg);
	free(msg);
	char *rows = itest_sql("SELECT count(*) FROM reports WHERE kind = 'daily'");
	cr_expect_str_eq(rows, "0");
	free(rows);
	rmtree(s.dir);
	rmtree(logdir);
}

Test(report, model_functions_for_the_admin_page)
{
	char err[256], mid[64], *json = NULL;
	struct report_mail m;
	struct db *db = db_connect(getenv("DATABASE_URL"), err, sizeof(err));
	cr_assert_not_null(db, "%s", err);
	config_defaults();
	free(cfg.root);
	cfg.root = strdup(root());
	char *tdir = xasprintf("%s/templates", cfg.root);
	cr_assert_eq(tmpl_load_dir(tmpl_app(), tdir, err, sizeof(err)), 0, "%s", err);
	free(tdir);
	tdir = xasprintf("%s/locale", cfg.root);
	cr_assert_eq(i18n_load(tdir, err, sizeof(err)), 0, "%s", err);
	free(tdir);
	/* in Russian unless HERALD_LANGUAGE says otherwise */
	cr_assert_eq(report_preview(db, cfg.language, &m, err, sizeof(err)), 0, "%s", err);
	cr_expect(has(m.subject, "herald \xe2\x80\x94 статистика за "), "%s", m.subject);
	cr_expect(has(m.text, "Итоги за всё время"));
	cr_expect(has(m.html, "<html lang=\"ru\">"));
	cr_expect(has(m.html, "<h2 style=\"font-size: 16px\">Итоги за всё время</h2>"));
	report_mail_free(&m);

	cr_expect_eq(report_send_now(db, err, sizeof(err)), -1, "no SMTP URL: nothing can be sent");
	cr_expect(has(err, "HERALD_SMTP_URL is not set"), "%s", err);

	uniq_name("<itest-", mid, sizeof(mid));
	strcat(mid, "@herald.test>");
	char *id = itest_sql("INSERT INTO reports (kind, day, status, attempts, message_id, recipients, subject,"
			     " body_text, body_html, sent_at) VALUES ('manual', '2026-01-02', 'sent', 1, '%s',"
			     " 'a@herald.test', 'S', 'T', '<p>H</p>', now()) RETURNING id", mid);
	char key[40];
	snprintf(key, sizeof(key), "[%s]", id);
	struct res_query rq = {"newest", NULL, NULL, 1000, {NULL}, NULL, NULL, NULL};
	struct res_page page;
	cr_assert_eq(report_page(db, &rq, NULL, &page), MODEL_OK);
	char *hist = json_dumps(page.objs, 0);
	cr_expect(has(hist, mid) && !has(hist, "<p>H</p>"), "history lists it without bodies");
	free(hist);
	json_decref(page.objs);
	res_page_keys_free(&page);
	rq.after = key;
	cr_assert_eq(report_page(db, &rq, NULL, &page), MODEL_OK);
	hist = json_dumps(page.objs, 0);
	cr_expect(!has(hist, mid), "a page after it leaves it out");
	free(hist);
	json_decref(page.objs);
	res_page_keys_free(&page);
	cr_expect_eq(report_get_json(db, atoll(id), &json), 1);
	json_t *j = json_loads(json, 0, NULL);
	free(json);
	cr_expect_str_eq(jstr(j, "message_id"), mid);
	cr_expect_str_eq(jstr(j, "day"), "2026-01-02");
	cr_expect_str_eq(jstr(j, "body_html"), "<p>H</p>");
	cr_expect_str_eq(jstr(j, "status"), "sent");
	cr_expect_eq(report_get_json(db, -1, &json), 0);
	free(itest_sql("DELETE FROM reports WHERE id = %s", id));
	json_decref(j);
	free(id);
	db_close(db);
}

Test(report, credentials_go_only_over_tls_and_never_into_logs)
{
	struct sink s = {0};
	char smtp[128], logdir[64], out[128];
	const char *env[16];
	sink_start(&s, 0);   /* plain SMTP, no STARTTLS */
	tmpdir(logdir, sizeof(logdir), "logs");
	herald_env(env, smtp, sizeof(smtp), &s, logdir);
	snprintf(smtp, sizeof(smtp), "HERALD_SMTP_URL=smtp://mailer:pw-s3cret-42@127.0.0.1:%d", s.port);
	snprintf(out, sizeof(out), "%s/send.out", logdir);
	char *argv[] = {herald_path(), "report", "send", NULL};
	cr_expect_neq(finish(spawn(argv, env, out)), 0, "a password was sent over plain SMTP");
	cr_expect_eq(count_mails(&s), 0);
	char *msg = slurp(out);
	cr_expect(!has(msg, "pw-s3cret-42"), "%s", msg);
	free(msg);
	char *err = itest_sql("SELECT coalesce(string_agg(last_error, ' '), '') FROM reports WHERE last_error LIKE '%%s3cret%%'");
	cr_expect_str_empty(err);
	free(err);
	/* a trusted local relay: the explicit opt-out */
	int n = 0;
	while (env[n])
		n++;
	env[n] = "HERALD_SMTP_REQUIRE_TLS=off";
	env[n + 1] = NULL;
	cr_expect_eq(finish(spawn(argv, env, out)), 0);
	cr_expect_eq(wait_mails(&s, 1, 5), 1);
	sink_stop(&s);
	msg = slurp(out);
	cr_expect(!has(msg, "pw-s3cret-42"), "%s", msg);
	free(msg);
	rmtree(s.dir);
	rmtree(logdir);
}

/* ---- the day's figures, in a database of their own (nothing else writes into it) ---- */
TestSuite(report_day, .init = eng_db_create, .fini = proc_cleanup, .timeout = 90);

/* `herald report send` against the suite's database, in English, through a new sink; extra:
 * more shell words of environment. The mail, parsed. */
static json_t *send_day(struct sink *s, const char *extra)
{
	char env[512], *out;
	sink_start(s, 0);
	snprintf(env, sizeof(env), "HERALD_SMTP_URL=smtp://127.0.0.1:%d HERALD_REPORT_TO=ops@herald.test"
		 " HERALD_REPORT_FROM=reports@herald.test HERALD_DEFAULT_TIMEZONE=UTC HERALD_LANGUAGE=en %s",
		 s->port, extra);
	int rc = eng_cli(env, "report send", &out);
	cr_assert_eq(rc, 0, "herald report send: %d %s", rc, out);
	free(out);
	cr_assert_eq(wait_mails(s, 1, 5), 1);
	sink_stop(s);
	return inspect(s, 1);
}

/* A day with 90 sent and 10 failed an hour ago, a day before with 60 sent, and 700 sent and 70
 * failed four days ago (the week before: 760 sent and 70 failed, 108.6 and 10 a day), provider
 * latency about 1250 ms today and 250 ms the day before: every headline figure and change, the
 * chart, the failures and the links. */
Test(report_day, headline_changes_chart_failures_and_links)
{
	struct sink s = {0};
	char line[256];
	long long m = eng_int("INSERT INTO mailings (start_at, end_at, text, status, started_at, finished_at)"
			      " VALUES (now() - interval '2 hours', now(), 'day one', 'finished', now() - interval '2 hours', now())"
			      " RETURNING id");
	free(eng_sql("INSERT INTO message_minutes (mailing_id, minute, sent, failed) VALUES"
		     " (%lld, date_trunc('minute', now()) - interval '1 hour', 90, 10),"
		     " (%lld, date_trunc('minute', now()) - interval '26 hours', 60, 0),"
		     " (%lld, date_trunc('minute', now()) - interval '4 days', 700, 70)", m, m, m));
	free(eng_sql("INSERT INTO failure_reasons (minute, reason, n) VALUES"
		     " (date_trunc('minute', now()) - interval '1 hour', 'HTTP 400: bad number', 10)"));
	/* buckets 19 (1000, 1500] ms and 15 (200, 300] ms */
	free(eng_sql("INSERT INTO provider_minutes (minute, instance, requests, failures, hist) VALUES"
		     " (date_trunc('minute', now()) - interval '1 hour', 'a', 100, 10,"
		     "  array_fill(0::bigint, ARRAY[18]) || 100::bigint || array_fill(0::bigint, ARRAY[10])),"
		     " (date_trunc('minute', now()) - interval '26 hours', 'a', 60, 0,"
		     "  array_fill(0::bigint, ARRAY[14]) || 60::bigint || array_fill(0::bigint, ARRAY[14]))"));
	json_t *mail = send_day(&s, "HERALD_PUBLIC_URL=https://herald.example.com");
	const char *text = part_body(mail, 0), *html = part_body(mail, 1);
	static const char *const want[] = {
	    "  Messages sent: 90 (\xe2\x86\x91 +50.0 %; \xe2\x86\x93 -17.1 %)\n",
	    "  Messages failed: 10 (\xe2\x80\x94; \xe2\x86\x92 +0.0 %)\n",
	    "  Success rate: 90.0 % (\xe2\x86\x93 -10.0 %; \xe2\x86\x93 -1.7 %)\n",
	    "  Provider latency, median: 1250 ms (\xe2\x86\x91 +400.0 %; \xe2\x86\x91 +400.0 %)\n",
	    "  Provider latency, 95th percentile: 1475 ms (\xe2\x86\x91 +400.0 %; \xe2\x86\x91 +400.0 %)\n",
	    "  Provider requests: 100, failed: 10\n",
	    "  10 x HTTP 400: bad number\n",
	    "Open the dashboard: https://herald.example.com/admin/\n"};
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		cr_expect(has(text, want[i]), "no '%s' in:\n%s", want[i], text);
	snprintf(line, sizeof(line), "  #%lld day one: failed 10, sent 90 https://herald.example.com/admin/mailings/%lld\n", m, m);
	cr_expect(has(text, line), "no '%s' in:\n%s", line, text);
	cr_expect(has(text, " 90 / 10 ########################################\n"), "the busiest hour has the longest bar:\n%s", text);
	cr_expect(has(html, "<tr id=\"headline-sent\" style=\"border-top: 1px solid #ddd\"><th align=\"left\">Messages sent</th>"
			    "<td align=\"right\" style=\"font-size: 18px\"><b class=\"value\">90</b></td>"
			    "<td align=\"right\" class=\"vs-prev tone-good\"><span style=\"color: #2e7d32\">\xe2\x86\x91 +50.0 %</span></td>"),
		  "%s", html);
	cr_expect(has(html, "class=\"vs-week tone-bad\"><span style=\"color: #c62828\">\xe2\x86\x93 -17.1 %</span>"), "%s", html);
	cr_expect(has(html, "<td width=\"288\" height=\"12\" bgcolor=\"#2e7d32\""), "sent bar: 90 of 100 of 320 px:\n%s", html);
	snprintf(line, sizeof(line), "<a href=\"https://herald.example.com/admin/mailings/%lld\">%lld</a>", m, m);
	cr_expect(has(html, line), "%s", html);
	cr_expect(has(html, "<a href=\"https://herald.example.com/admin/\">"), "%s", html);
	json_decref(mail);
	rmtree(s.dir);
}

Test(report_day, no_links_without_a_public_url)
{
	struct sink s = {0};
	long long m = eng_int("INSERT INTO mailings (start_at, end_at, text, status, started_at, finished_at)"
			      " VALUES (now() - interval '2 hours', now(), 'linkless', 'finished', now() - interval '2 hours', now())"
			      " RETURNING id");
	free(eng_sql("INSERT INTO message_minutes (mailing_id, minute, sent, failed) VALUES"
		     " (%lld, date_trunc('minute', now()), 3, 1)", m));
	json_t *mail = send_day(&s, "");
	cr_expect(!has(part_body(mail, 1), "href="), "%s", part_body(mail, 1));
	cr_expect(!has(part_body(mail, 0), "http"), "%s", part_body(mail, 0));
	json_decref(mail);
	rmtree(s.dir);
}

/* A real mailing through a real herald and fakeprobe (4 of 20 phones refused), the report sent
 * the instant its last message is final: its sends and the provider requests behind them are
 * in the same figures (they are written in one transaction). */
Test(report_day, built_the_instant_a_mailing_ends_it_agrees_with_itself)
{
	struct sink s = {0};
	char line[160];
	struct proc fp = fakeprobe_start(NULL);
	fp_control(&fp, "{\"rules\":[{\"phone\":79160000001,\"status\":400},{\"phone\":79160000002,\"status\":400},"
			"{\"phone\":79160000003,\"status\":400},{\"phone\":79160000004,\"status\":400}]}");
	eng_clients(20, "916", NULL, "UTC");
	struct proc h = eng_herald(&fp, NULL);
	long long mid = eng_mailing(0, 120, "{}", "{}", NULL, NULL);
	cr_assert(eng_wait_final(mid, 40), "the mailing did not end");
	json_t *mail = send_day(&s, "");
	const char *text = part_body(mail, 0);
	cr_expect(has(text, "  Messages sent: 16 ("), "%s", text);
	cr_expect(has(text, "  Messages failed: 4 ("), "%s", text);
	cr_expect(has(text, "  Provider requests: 20, failed: 4\n"), "%s", text);
	cr_expect(!has(text, "No provider requests"), "%s", text);
	snprintf(line, sizeof(line), "sent in the period 16, failed in the period 4\n");
	cr_expect(has(text, line), "%s", text);
	json_decref(mail);
	rmtree(s.dir);
	proc_stop(&h, SIGTERM, 10);
}

/* Issue 17: each recipient reads the report in the language of the user with that address
 * (HERALD_LANGUAGE=en here); the others in HERALD_LANGUAGE: one message per language. */
Test(report, each_recipient_gets_the_language_of_their_user)
{
	struct sink s = {0};
	char smtp[64], logdir[64], out[128], user[32];
	const char *env[16];
	uniq_name("boss", user, sizeof(user));
	free(itest_sql("UPDATE users SET email = NULL WHERE lower(email) = 'boss@herald.test'"));
	free(itest_sql("INSERT INTO users (username, password_hash, role, email, language)"
		       " VALUES ('%s', 'x', 'viewer', 'Boss@Herald.test', 'ru')", user));
	sink_start(&s, 0);
	tmpdir(logdir, sizeof(logdir), "logs");
	herald_env(env, smtp, sizeof(smtp), &s, logdir);
	snprintf(out, sizeof(out), "%s/send.out", logdir);
	char *argv[] = {herald_path(), "report", "send", NULL};
	int rc = finish(spawn(argv, env, out));
	free(itest_sql("UPDATE users SET email = NULL, is_active = false WHERE username = '%s'", user));
	cr_assert_eq(rc, 0, "herald report send: %d\n%s", rc, slurp(out));
	cr_assert_eq(wait_mails(&s, 2, 5), 2);
	sink_stop(&s);
	char *day = itest_sql("SELECT (now() AT TIME ZONE 'UTC')::date::text"), en[128], ru[128];
	snprintf(en, sizeof(en), "herald \xe2\x80\x94 statistics for %s", day);
	snprintf(ru, sizeof(ru), "herald \xe2\x80\x94 статистика за %s", day);
	for (int i = 1; i <= 2; i++) {
		json_t *m = inspect(&s, i), *to = json_object_get(m, "to");
		cr_assert_eq(json_array_size(to), 1, "one recipient a message");
		const char *addr = json_string_value(json_array_get(to, 0));
		cr_expect_str_eq(jstr(m, "subject"), strcmp(addr, "boss@herald.test") == 0 ? ru : en, "to %s", addr);
		cr_expect(json_is_true(json_object_get(m, "message_id_ok")));
		json_decref(m);
	}
	char *kept = itest_sql("SELECT subject FROM reports ORDER BY id DESC LIMIT 1");
	cr_expect_str_eq(kept, en, "the history keeps HERALD_LANGUAGE's message");
	free(kept);
	free(day);
}
