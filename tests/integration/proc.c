/* proc.c — engine test helpers (see proc.h). */
#include "proc.h"
#include "itest.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 16

static char dbname[64], conninfo[1024];
static PGconn *conn;
static pid_t procs[MAX_PROCS];
static int nprocs;

static const char *root(void)
{
	const char *r = getenv("HERALD_ROOT");
	return r && *r ? r : ".";
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *vsql(const char *fmt, va_list ap)
{
	char *sql;
	cr_assert(vasprintf(&sql, fmt, ap) >= 0);
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);
	cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
	char *out = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	free(sql);
	return out;
}

char *eng_sql(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vsql(fmt, ap);
	va_end(ap);
	return s;
}

long long eng_int(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vsql(fmt, ap);
	va_end(ap);
	long long v = s ? strtoll(s, NULL, 10) : 0;
	free(s);
	return v;
}

int eng_wait(double s, const char *fmt, ...)
{
	double end = now_s() + s;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		char *v = vsql(fmt, ap);
		va_end(ap);
		int ok = v && strcmp(v, "0") != 0 && strcmp(v, "f") != 0;
		free(v);
		if (ok)
			return 1;
		if (now_s() > end)
			return 0;
		usleep(100000);
	}
}

static pid_t spawn(char *const argv[], char *const envp[], const char *log)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	cr_assert(nprocs < MAX_PROCS);
	procs[nprocs++] = pid;
	return pid;
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	cr_assert(bind(s, (struct sockaddr *)&a, len) == 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static const char *log_dir(void)
{
	const char *d = getenv("HERALD_LOG_DIR");
	return d && *d ? d : "/tmp";
}

void eng_db_create(void)
{
	const char *base = getenv("DATABASE_URL");
	cr_assert(base && *base, "DATABASE_URL is not set: run the tests through tests/run.sh");
	unsigned r;
	getentropy(&r, sizeof(r));
	snprintf(dbname, sizeof(dbname), "engine_%d_%08x", getpid(), r);
	PGconn *c = PQconnectdb(base);
	cr_assert(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", dbname);
	PGresult *res = PQexec(c, sql);
	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
	snprintf(conninfo, sizeof(conninfo), "%s dbname=%s", base, dbname);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "DATABASE_URL='%s' HERALD_LOG_DIR=%s/%s %s/build/herald migrate >/dev/null 2>&1",
		 conninfo, log_dir(), dbname, root());
	cr_assert(system(cmd) == 0, "migrate failed: %s", cmd);
	conn = PQconnectdb(conninfo);
	cr_assert(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	PQclear(PQexec(conn, "SET TIME ZONE 'UTC'"));
}

char *eng_token(const char *name, const char *role)
{
	char *cmd;
	cr_assert(asprintf(&cmd, "echo password-%s | DATABASE_URL='%s' HERALD_LOG_DIR=%s/%s %s/build/herald user create %s --role %s"
		 " >/dev/null 2>&1 && DATABASE_URL='%s' HERALD_LOG_DIR=%s/%s %s/build/herald token create %s 2>/dev/null",
		 name, conninfo, log_dir(), dbname, root(), name, role, conninfo, log_dir(), dbname, root(), name) > 0);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	char tok[256] = "";
	char *got = fgets(tok, sizeof(tok), f);
	cr_assert(pclose(f) == 0 && got != NULL, "could not make a token: %s", cmd);
	free(cmd);
	tok[strcspn(tok, "\n")] = '\0';
	return strdup(tok);
}

int eng_cli(const char *env, const char *args, char **out)
{
	char *cmd;
	cr_assert(asprintf(&cmd, "DATABASE_URL='%s' HERALD_LOG_DIR=%s/%s %s %s/build/herald %s 2>>%s/%s-cli.err",
			   conninfo, log_dir(), dbname, env, root(), args, log_dir(), dbname) > 0);
	FILE *f = popen(cmd, "r");
	cr_assert_not_null(f);
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);
	for (size_t n; (n = fread(s + len, 1, cap - len - 1, f)) > 0;)
		if ((len += n) == cap - 1)
			s = realloc(s, cap *= 2);
	s[len] = '\0';
	int st = pclose(f);
	free(cmd);
	*out = s;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct proc fakeprobe_start(const char *const *args)
{
	struct proc p = {0};
	p.port = free_port();
	snprintf(p.url, sizeof(p.url), "http://127.0.0.1:%d", p.port);
	snprintf(p.log, sizeof(p.log), "%s/%s-fakeprobe-%d.out", log_dir(), dbname[0] ? dbname : "engine", p.port);
	char bin[512], listen[64];
	snprintf(bin, sizeof(bin), "%s/build/fakeprobe", root());
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", p.port);
	char *argv[32] = {bin, "--listen", listen};
	int n = 3;
	for (; args && *args && n < 31; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	char *envp[] = {NULL};
	p.pid = spawn(argv, envp, p.log);
	char url[128];
	snprintf(url, sizeof(url), "%s/stats", p.url);
	for (int i = 0; i < 100; i++) {
		long st = 0;
		json_decref(url_json("GET", url, NULL, &st));
		if (st == 200)
			return p;
		usleep(50000);
	}
	cr_assert_fail("fakeprobe did not start (log %s)", p.log);
	return p;
}

struct proc herald_start(const struct proc *fp, const char *const *env)
{
	struct proc p = {0};
	p.port = free_port();
	snprintf(p.url, sizeof(p.url), "http://127.0.0.1:%d", p.port);
	snprintf(p.log, sizeof(p.log), "%s/%s/herald-%d.out", log_dir(), dbname, p.port);
	char *envp[64];
	int n = 0;
	envp[n++] = strdup("PATH=/usr/bin:/bin");
	cr_assert(asprintf(&envp[n++], "DATABASE_URL=%s", conninfo) > 0);
	cr_assert(asprintf(&envp[n++], "HERALD_ROOT=%s", root()) > 0);
	cr_assert(asprintf(&envp[n++], "HERALD_LISTEN=127.0.0.1:%d", p.port) > 0);
	cr_assert(asprintf(&envp[n++], "HERALD_LOG_DIR=%s/%s/log-%d", log_dir(), dbname, p.port) > 0);
	if (fp)
		cr_assert(asprintf(&envp[n++], "HERALD_PROVIDER_URL=%s/v1", fp->url) > 0);
	for (; env && *env && n < 63; env++)
		envp[n++] = strdup(*env);
	envp[n] = NULL;
	char bin[512];
	snprintf(bin, sizeof(bin), "%s/build/herald", root());
	char *argv[] = {bin, "serve", NULL};
	char dir[600];
	snprintf(dir, sizeof(dir), "%s/%s", log_dir(), dbname);
	mkdir(dir, 0755);
	p.pid = spawn(argv, envp, p.log);
	for (int i = 0; i < n; i++)
		free(envp[i]);
	char url[128];
	snprintf(url, sizeof(url), "%s/healthz", p.url);
	for (int i = 0; i < 200; i++) {
		long st = 0;
		json_decref(url_json("GET", url, NULL, &st));
		if (st == 200)
			return p;
		usleep(50000);
	}
	cr_assert_fail("herald did not start (log %s)", p.log);
	return p;
}

int proc_stop(struct proc *p, int sig, double wait_s)
{
	if (p->pid <= 0)
		return -1;
	kill(p->pid, sig);
	double end = now_s() + wait_s;
	int status = 0, rc = -1;
	for (;;) {
		pid_t w = waitpid(p->pid, &status, WNOHANG);
		if (w == p->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		if (now_s() > end) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			break;
		}
		usleep(20000);
	}
	for (int i = 0; i < nprocs; i++)
		if (procs[i] == p->pid)
			procs[i] = 0;
	p->pid = 0;
	return rc;
}

void proc_cleanup(void)
{
	for (int i = 0; i < nprocs; i++)
		if (procs[i] > 0) {
			kill(procs[i], SIGKILL);
			waitpid(procs[i], NULL, 0);
		}
	nprocs = 0;
	if (conn)
		PQfinish(conn);
	conn = NULL;
	if (dbname[0]) {
		PGconn *c = PQconnectdb(getenv("DATABASE_URL"));
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
		PQclear(PQexec(c, sql));
		PQfinish(c);
		dbname[0] = '\0';
	}
}

char *url_text(const char *method, const char *url, const char *body, long *status)
{
	return url_text_as(NULL, method, url, body, status);
}

char *url_text_as(const char *token, const char *method, const char *url, const char *body, long *status)
{
	struct itest_sink s = {NULL, 0};
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (token) {
		char auth[512];
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, itest_sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	long st = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	if (status)
		*status = st;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return s.data;
}

json_t *url_json(const char *method, const char *url, const char *body, long *status)
{
	char *text = url_text(method, url, body, status);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j;
}

void url_multi_finish(void *multi)
{
	int running = 1;
	while (running) {
		curl_multi_perform(multi, &running);
		if (running)
			curl_multi_poll(multi, NULL, 0, 100, NULL);
	}
}

long long fp_stat(const struct proc *fp, const char *field)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/stats", fp->url);
	json_t *j = url_json("GET", url, NULL, NULL);
	cr_assert_not_null(j, "fakeprobe /stats did not answer");
	long long v = json_integer_value(json_object_get(j, field));
	json_decref(j);
	return v;
}
