/* herald at the edge: sign-in throttling by address and by (address, user name), forwarded
 * headers believed only from trusted proxies, Secure cookies and HSTS, /metrics closed to
 * strangers, bodies refused before they are read when the request is not authenticated, and
 * the request log (each line written, in order, none lost at exit) and the request ids it
 * carries (each request's own).
 * Clients at different addresses are real: the requests leave from other loopback addresses
 * (127.0.0.x). Each test runs a herald of its own database (proc.c). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include "engine_util.h"
#include "proc.h"

TestSuite(edge, .init = eng_db_create, .fini = proc_cleanup, .timeout = 120);

struct answer {
	long status;
	char cookie[256], hsts[128], retry_after[16], request_id[80];
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t len = size * n;
	static const struct { const char *name; size_t off, cap; } want[] = {
		{"Set-Cookie:", offsetof(struct answer, cookie), sizeof(((struct answer *)0)->cookie)},
		{"Strict-Transport-Security:", offsetof(struct answer, hsts), sizeof(((struct answer *)0)->hsts)},
		{"Retry-After:", offsetof(struct answer, retry_after), sizeof(((struct answer *)0)->retry_after)},
		{"X-Request-Id:", offsetof(struct answer, request_id), sizeof(((struct answer *)0)->request_id)},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t k = strlen(want[i].name);
		if (len > k && strncasecmp(p, want[i].name, k) == 0) {
			size_t v = len - k;
			while (v > 0 && (p[k + v - 1] == '\r' || p[k + v - 1] == '\n'))
				v--;
			snprintf((char *)a + want[i].off, want[i].cap, "%.*s", (int)(v > 0 ? v - 1 : 0), p + k + 1);
		}
	}
	return len;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* A curl handle for method url from source address src (NULL: any) with extra headers
 * ("Name: value", NULL-terminated, may be NULL) and a form body (may be NULL). */
static CURL *request(const char *method, const char *url, const char *src, const char *const *headers,
		     const char *form, struct answer *a, struct curl_slist **hl)
{
	CURL *c = curl_easy_init();
	*hl = NULL;
	for (; headers && *headers; headers++)
		*hl = curl_slist_append(*hl, *headers);
	memset(a, 0, sizeof(*a));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (src)
		curl_easy_setopt(c, CURLOPT_INTERFACE, src);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hl);
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	return c;
}

static struct answer call(const char *method, const char *url, const char *src, const char *const *headers,
			  const char *form)
{
	struct answer a;
	struct curl_slist *hl;
	CURL *c = request(method, url, src, headers, form, &a, &hl);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK, "%s %s from %s", method, url, src ? src : "any");
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return a;
}

static struct answer login(const struct proc *h, const char *src, const char *const *headers, const char *user,
			   const char *pw)
{
	char url[128], form[200];
	snprintf(url, sizeof(url), "%s/admin/login", h->url);
	snprintf(form, sizeof(form), "username=%s&password=%s", user, pw);
	return call("POST", url, src, headers, form);
}

Test(edge, failures_from_one_address_do_not_keep_the_owner_out)
{
	free(eng_token("owner", "admin"));
	struct proc h = herald_start(NULL, NULL);
	int refused = 0;
	for (int i = 0; i < 12; i++) {
		long st = login(&h, "127.0.0.2", NULL, "owner", "guessed-wrong").status;
		cr_assert(st == 401 || st == 429, "status %ld", st);
		refused += st == 429;
	}
	cr_expect_geq(refused, 7, "only %d of 12 bad attempts were throttled", refused);
	/* the guesser's address is throttled even with the right password ... */
	struct answer a = login(&h, "127.0.0.2", NULL, "owner", "password-owner");
	cr_expect_eq(a.status, 429);
	cr_expect_gt(atoi(a.retry_after), 0, "Retry-After '%s'", a.retry_after);
	/* ... the owner elsewhere is not */
	cr_expect_eq(login(&h, "127.0.0.3", NULL, "owner", "password-owner").status, 303);
}

Test(edge, one_address_trying_many_names_is_throttled)
{
	free(eng_token("someone", "viewer"));
	struct proc h = herald_start(NULL, NULL);
	int refused = 0;
	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), "nobody%d", i);
		refused += login(&h, "127.0.0.4", NULL, name, "guessed-wrong").status == 429;
	}
	cr_expect_geq(refused, 10, "only %d of 40 attempts were throttled", refused);
	cr_expect_eq(login(&h, "127.0.0.4", NULL, "someone", "password-someone").status, 429);
	cr_expect_eq(login(&h, "127.0.0.5", NULL, "someone", "password-someone").status, 303);
}

Test(edge, parallel_attempts_cannot_pass_the_limit)
{
	free(eng_token("victim", "viewer"));
	struct proc h = herald_start(NULL, (const char *const[]){"HERALD_HTTP_THREADS=8", NULL});
	enum { N = 24 };
	char url[128];
	snprintf(url, sizeof(url), "%s/admin/login", h.url);
	CURLM *m = curl_multi_init();
	CURL *c[N];
	struct answer a[N];
	struct curl_slist *hl[N];
	for (int i = 0; i < N; i++) {
		c[i] = request("POST", url, "127.0.0.6", NULL, "username=victim&password=guessed-wrong", &a[i], &hl[i]);
		curl_multi_add_handle(m, c[i]);
	}
	url_multi_finish(m);
	int checked = 0;
	for (int i = 0; i < N; i++) {
		long st = 0;
		curl_easy_getinfo(c[i], CURLINFO_RESPONSE_CODE, &st);
		checked += st == 401;
		cr_expect(st == 401 || st == 429, "status %ld", st);
		curl_multi_remove_handle(m, c[i]);
		curl_easy_cleanup(c[i]);
		curl_slist_free_all(hl[i]);
	}
	curl_multi_cleanup(m);
	cr_expect_leq(checked, 5, "%d of %d parallel attempts had their password checked (limit 5)", checked, N);
}

Test(edge, forwarded_headers_count_only_from_trusted_proxies)
{
	free(eng_token("fwd", "viewer"));
	struct proc h = herald_start(NULL, (const char *const[]){"HERALD_TRUSTED_PROXIES=127.0.0.1/32, ::1", NULL});
	/* a trusted proxy names the clients: failures of one do not touch another */
	const char *const from_a[] = {"X-Forwarded-For: 203.0.113.50, 198.51.100.7", NULL};
	const char *const from_b[] = {"X-Forwarded-For: 198.51.100.8", NULL};
	for (int i = 0; i < 7; i++)
		login(&h, "127.0.0.1", from_a, "fwd", "guessed-wrong");
	cr_expect_eq(login(&h, "127.0.0.1", from_a, "fwd", "password-fwd").status, 429);
	cr_expect_eq(login(&h, "127.0.0.1", from_b, "fwd", "password-fwd").status, 303);
	/* the nearest untrusted hop is the client: 198.51.100.7 above, not what it claimed */
	cr_expect(eng_int("SELECT count(*) FROM login_throttle WHERE key = 'a:198.51.100.7'") == 1);
	cr_expect(eng_int("SELECT count(*) FROM login_throttle WHERE key LIKE '%%203.0.113.50%%'") == 0);
	/* an untrusted peer's forwarded headers are ignored: its own address counts */
	const char *const spoof[] = {"X-Forwarded-For: 198.51.100.9", "X-Forwarded-Proto: https", NULL};
	struct answer a = login(&h, "127.0.0.7", spoof, "fwd", "password-fwd");
	cr_expect_eq(a.status, 303);
	cr_expect(strncmp(a.cookie, "herald_session=", 15) == 0, "%s", a.cookie);
	cr_expect_str_empty(a.hsts);
	cr_expect(eng_int("SELECT count(*) FROM login_throttle WHERE key LIKE '%%198.51.100.9%%'") == 0);
	/* behind a trusted TLS proxy: the __Host- cookie and HSTS */
	const char *const tls[] = {"X-Forwarded-For: 198.51.100.10", "X-Forwarded-Proto: https", NULL};
	a = login(&h, "127.0.0.1", tls, "fwd", "password-fwd");
	cr_expect_eq(a.status, 303);
	cr_expect(strncmp(a.cookie, "__Host-herald_session=", 22) == 0 && strstr(a.cookie, "; Secure"), "%s", a.cookie);
	cr_expect(strstr(a.hsts, "max-age=") != NULL, "HSTS '%s'", a.hsts);
}

Test(edge, session_cookie_is_secure_unless_plain_loopback_is_chosen)
{
	free(eng_token("cookie", "viewer"));
	struct proc h = herald_start(NULL, NULL);
	struct answer a = login(&h, NULL, NULL, "cookie", "password-cookie");
	cr_assert_eq(a.status, 303);
	cr_expect(strstr(a.cookie, "; Secure") && strstr(a.cookie, "; HttpOnly"), "plain HTTP: %s", a.cookie);
	proc_stop(&h, SIGTERM, 10);
	h = herald_start(NULL, (const char *const[]){"HERALD_COOKIE_SECURE=off", NULL});
	a = login(&h, NULL, NULL, "cookie", "password-cookie");
	cr_assert_eq(a.status, 303);
	cr_expect_null(strstr(a.cookie, "Secure"), "cookie_secure off: %s", a.cookie);
}

Test(edge, metrics_need_an_allowed_address_or_the_token)
{
	struct proc h = herald_start(NULL, (const char *const[]){"HERALD_TRUSTED_PROXIES=127.0.0.1",
		"HERALD_METRICS_ALLOW=127.0.0.1/32", "HERALD_METRICS_TOKEN=scrape-secret-1", NULL});
	char url[128];
	snprintf(url, sizeof(url), "%s/metrics", h.url);
	cr_expect_eq(call("GET", url, "127.0.0.1", NULL, NULL).status, 200);
	/* through a proxy, from outside */
	const char *const outside[] = {"X-Forwarded-For: 203.0.113.9", NULL};
	cr_expect_eq(call("GET", url, "127.0.0.1", outside, NULL).status, 403);
	cr_expect_eq(call("GET", url, "127.0.0.8", NULL, NULL).status, 403);
	const char *const bad[] = {"Authorization: Bearer scrape-secret-2", NULL};
	cr_expect_eq(call("GET", url, "127.0.0.8", bad, NULL).status, 403);
	const char *const good[] = {"Authorization: Bearer scrape-secret-1", "X-Forwarded-For: 203.0.113.9", NULL};
	cr_expect_eq(call("GET", url, "127.0.0.8", good, NULL).status, 200);
	cr_expect_eq(call("GET", url, "127.0.0.1", good, NULL).status, 200);
}

/* Sends the head of a request with a body of body_len bytes but not the body itself, and
 * reads the status line (0 when none came within wait_ms, i.e. the server waits for the body). */
static int head_only(const struct proc *h, const char *method, const char *path, const char *extra, long body_len,
		     int wait_ms)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	char req[1024];
	int n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s"
			 "Content-Length: %ld\r\n\r\n[", method, path, extra, body_len);
	cr_assert(write(s, req, (size_t)n) == n);
	struct pollfd p = {s, POLLIN, 0};
	char buf[64] = "";
	int status = 0;
	if (poll(&p, 1, wait_ms) == 1 && read(s, buf, sizeof(buf) - 1) > 12)
		status = atoi(buf + 9);
	close(s);
	return status;
}

Test(edge, unauthenticated_bodies_are_refused_before_they_are_read)
{
	char *tok = eng_token("bulk", "operator");
	struct proc h = herald_start(NULL, NULL);
	long big = 10L * 1024 * 1024;
	cr_expect_eq(head_only(&h, "POST", "/api/v1/clients/bulk", "", big, 20000), 401);
	cr_expect_eq(head_only(&h, "POST", "/api/v1/clients/bulk", "Authorization: Bearer nope\r\n", big, 20000), 401);
	cr_expect_eq(head_only(&h, "POST", "/admin/clients/import", "", big, 20000), 303);
	/* a viewer may not, an operator's body is read */
	char auth[300];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s\r\n", tok);
	cr_expect_eq(head_only(&h, "POST", "/api/v1/clients/bulk", auth, big, 1000), 0, "the operator's body was not waited for");
	/* a small refused body is still read and dropped: the connection stays usable */
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/clients", h.url);
	cr_expect_eq(call("POST", url, NULL, NULL, "{\"phone\":\"79160000000\"}").status, 401);
	free(tok);
}

Test(edge, provider_credentials_never_reach_the_log)
{
	struct proc fp = fakeprobe_start(NULL);
	char url[160];
	snprintf(url, sizeof(url), "HERALD_PROVIDER_URL=http://probe:pw-s3cret-43@127.0.0.1:%d/v1", fp.port);
	struct proc h = herald_start(NULL, (const char *const[]){url, NULL});
	proc_stop(&h, SIGTERM, 10);
	FILE *f = fopen(h.log, "r");
	cr_assert_not_null(f, "%s", h.log);
	char line[4096];
	int lines = 0, leaks = 0, opened = 0;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		leaks += strstr(line, "pw-s3cret-43") != NULL;
		opened += strstr(line, "provider.opened") != NULL && strstr(line, "http://***@127.0.0.1") != NULL;
	}
	fclose(f);
	cr_expect_gt(lines, 0);
	cr_expect_eq(leaks, 0, "%d log lines carry the provider password (%s)", leaks, h.log);
	cr_expect_gt(opened, 0, "provider.opened does not name the provider without its credentials");
}

/* A request that brings no X-Request-Id gets one of herald's: 16 hex digits, never the same
 * twice (herald takes them from a per-thread pool of random bytes, 64 ids a fill: 300 requests
 * take more than four fills in all, whichever HTTP threads serve them); one it brings is kept. */
Test(edge, every_request_gets_an_id_of_its_own)
{
	struct proc h = herald_start(NULL, NULL);
	char url[128], seen[300][17];
	snprintf(url, sizeof(url), "%s/healthz", h.url);
	for (int i = 0; i < 300; i++) {
		struct answer a = call("GET", url, NULL, NULL, NULL);
		cr_assert_eq(strlen(a.request_id), 16, "request %d: X-Request-Id \"%s\"", i, a.request_id);
		cr_assert_eq(strspn(a.request_id, "0123456789abcdef"), 16, "request %d: X-Request-Id \"%s\"", i, a.request_id);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(seen[j], a.request_id, "requests %d and %d got the same id %s", j, i, a.request_id);
		memcpy(seen[i], a.request_id, 17);
	}
	struct answer a = call("GET", url, NULL, (const char *const[]){"X-Request-Id: edge-mine.1", NULL}, NULL);
	cr_expect_str_eq(a.request_id, "edge-mine.1");
}

/* A refused GET whose request id is id: its line in the request log carries it. */
static void refused_get(const struct proc *h, const char *id)
{
	char url[128], hdr[96];
	snprintf(url, sizeof(url), "%s/api/v1/clients", h->url);
	snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", id);
	cr_assert_eq(call("GET", url, NULL, (const char *const[]){hdr, NULL}, NULL).status, 401);
}

/* The request log's lines are written together (log_info_batched), yet each one shows up on its
 * own when nothing else happens, before any line logged after it, and none is lost at exit. */
Test(edge, the_request_log_keeps_every_line_in_order)
{
	struct proc h = herald_start(NULL, NULL);
	char id[64], needle[96];
	refused_get(&h, "edge-log-alone");
	long at = 0;
	for (int i = 0; i < 100 && (at = file_has(h.log, "\"request_id\":\"edge-log-alone\"")) == 0; i++)
		usleep(50000);
	cr_assert_gt(at, 0, "a request's line did not reach the log while herald was idle (%s)", h.log);

	refused_get(&h, "edge-log-before");
	cr_assert_eq(login(&h, NULL, NULL, "nobody-edge-log", "wrong-password").status, 401);
	long before = file_has(h.log, "\"request_id\":\"edge-log-before\""), failed = file_has(h.log, "nobody-edge-log");
	cr_assert_gt(failed, 0, "login.failed is written as it happens (%s)", h.log);
	cr_assert(before > 0 && before < failed, "the request's line (%ld) comes before the event logged after it (%ld)",
		  before, failed);

	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "edge-log-%03d", i);
		refused_get(&h, id);
	}
	cr_assert_eq(proc_stop(&h, SIGTERM, 20), 0);
	long last = 0;
	for (int i = 0; i < 300; i++) {
		snprintf(needle, sizeof(needle), "\"request_id\":\"edge-log-%03d\"", i);
		at = file_has(h.log, needle);
		cr_assert_gt(at, last, "request %d's line is missing or out of order after the exit (%s)", i, h.log);
		last = at;
	}
}
