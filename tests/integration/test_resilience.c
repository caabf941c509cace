/* The service across a database that drops every connection (as in a restart, or an admin's
 * pg_terminate_backend): once PostgreSQL answers again, no request fails. A herald of the
 * test's own database (proc.c), so terminating its backends touches nothing else. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "proc.h"

TestSuite(resilience, .init = eng_db_create, .fini = proc_cleanup, .timeout = 120);

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Sends n GET requests of url at once, each on a new connection (so they spread over the
 * server's threads); returns how many answered other than 200 and names one of them. */
static int get_many(const char *url, const char *token, int n, char *bad, size_t badlen)
{
	CURLM *m = curl_multi_init();
	CURL *h[128];
	char auth[300];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	struct curl_slist *hdr = curl_slist_append(NULL, auth);
	cr_assert(n <= 128);
	for (int i = 0; i < n; i++) {
		h[i] = curl_easy_init();
		curl_easy_setopt(h[i], CURLOPT_URL, url);
		curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(h[i], CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h[i], CURLOPT_TIMEOUT, 30L);
		curl_multi_add_handle(m, h[i]);
	}
	url_multi_finish(m);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		long st = 0;
		curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &st);
		if (st != 200 && failed++ == 0)
			snprintf(bad, badlen, "status %ld", st);
		curl_multi_remove_handle(m, h[i]);
		curl_easy_cleanup(h[i]);
	}
	curl_slist_free_all(hdr);
	curl_multi_cleanup(m);
	return failed;
}

/* Terminates every backend of the database but the test's own and waits until they are gone. */
static void terminate_all(void)
{
	char *pids = eng_sql("SELECT coalesce(string_agg(pid::text, ','), '0') FROM pg_stat_activity"
			     " WHERE datname = current_database() AND pid <> pg_backend_pid()");
	free(eng_sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid IN (%s)", pids));
	cr_assert(eng_wait(20, "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid IN (%s)", pids),
		  "the backends did not end");
	free(pids);
}

struct load {
	const char *url, *token;
	atomic_int stop, phase, late_failures, late_requests;
	char bad[64];
};

/* Requests in a loop; counts those sent after phase became 1 (the database answers again). */
static void *load_main(void *arg)
{
	struct load *l = arg;
	while (!atomic_load(&l->stop)) {
		int after = atomic_load(&l->phase);
		char bad[64];
		int f = get_many(l->url, l->token, 4, bad, sizeof(bad));
		if (after) {
			atomic_fetch_add(&l->late_requests, 4);
			if (f && atomic_fetch_add(&l->late_failures, f) == 0)
				snprintf(l->bad, sizeof(l->bad), "%s", bad);
		}
	}
	return NULL;
}

Test(resilience, no_request_fails_after_every_backend_was_terminated)
{
	char *tok = eng_token("reader", "viewer");
	struct proc h = herald_start(NULL, (const char *const[]){"HERALD_HTTP_THREADS=4", NULL});
	char url[128], bad[64];
	snprintf(url, sizeof(url), "%s/api/v1/clients?limit=5", h.url);
	/* every HTTP thread opens its connection */
	for (int i = 0; i < 50 && eng_int("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
					  " AND application_name = 'herald'") < 5; i++)
		cr_assert_eq(get_many(url, tok, 16, bad, sizeof(bad)), 0, "%s", bad);
	cr_assert_geq(eng_int("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
			      " AND application_name = 'herald'"), 5, "the HTTP threads did not all connect");

	/* idle connections: the first requests after the terminations must not see them */
	terminate_all();
	int f = get_many(url, tok, 32, bad, sizeof(bad));
	cr_assert_eq(f, 0, "%d of 32 requests failed after the database was back (%s)", f, bad);

	/* under load: requests keep coming while every backend is terminated */
	struct load l = {.url = url, .token = tok};
	pthread_t t;
	pthread_create(&t, NULL, load_main, &l);
	usleep(300000);
	terminate_all();
	atomic_store(&l.phase, 1);
	while (atomic_load(&l.late_requests) < 200)
		usleep(10000);
	atomic_store(&l.stop, 1);
	pthread_join(t, NULL);
	cr_assert_eq(atomic_load(&l.late_failures), 0, "%d of %d requests sent after the database was back failed (%s)",
		     atomic_load(&l.late_failures), atomic_load(&l.late_requests), l.bad);
	/* the health check and the background roles are back too */
	long st = 0;
	free(url_text("GET", (snprintf(url, sizeof(url), "%s/healthz", h.url), url), NULL, &st));
	cr_assert_eq(st, 200);
	cr_assert(eng_wait(10, "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()"
			       " AND application_name = 'herald-scheduler'"), "the scheduler did not reconnect");
	free(tok);
}
