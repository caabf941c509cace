/* Exactly once at any provider latency (API.md 9.1): a real herald (one or two instances)
 * against a real fakeprobe whose latency is swept from 0 to 0.9 x the provider timeout, at
 * concurrency 1 to 256, and changed in the middle of a mailing; every message must reach the
 * provider once and be answered OK once. And a backlog never leaves after its client's send
 * window has closed. The full sweep, with larger mailings, is in make bench
 * (tools/bench/delivery.sh). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libpq-fe.h>
#include "engine_util.h"

TestSuite(delivery, .init = eng_db_create, .fini = proc_cleanup, .timeout = 150);

#define TIMEOUT_MS 2000      /* the provider timeout eng_herald() sets */

/* herald's count of provider requests that timed out (/metrics, every provider's), over the
 * instances given. */
static long long timeouts(const struct proc *hs, int n)
{
	static const char family[] = "\nherald_provider_requests_total{", key[] = "result=\"timeout\"} ";
	long long t = 0;
	for (int i = 0; i < n; i++) {
		char url[128];
		snprintf(url, sizeof(url), "%s/metrics", hs[i].url);
		char *text = url_text("GET", url, NULL, NULL);
		cr_assert_not_null(text);
		int seen = 0;
		for (const char *p = strstr(text, family); p; p = strstr(p + 1, family)) {
			const char *k = strstr(p, key), *eol = strchr(p + 1, '\n');
			if (k && (eol == NULL || k < eol)) {
				t += atoll(k + strlen(key));
				seen = 1;
			}
		}
		cr_assert(seen, "no herald_provider_requests_total{...%s in /metrics", key);
		free(text);
	}
	return t;
}

/* Every one of the mailing's n messages was sent, requested once and answered OK once. The
 * only exception API.md allows is an attempt whose outcome is unknown: a request that timed
 * out on herald's side (a loaded machine can push an answer at 0.9 x the timeout past it) may
 * be sent once more, after it ended. So: duplicates and double OKs at most the timeouts, and
 * no second request for an id while its first was still being answered (latency_ms). */
static void assert_exactly_once(const struct proc *fp, const struct proc *hs, int nh, long long m, int n,
				int latency_ms)
{
	long long t = timeouts(hs, nh);
	cr_assert_eq(eng_count(m, MSG_SENT), n, "%lld of %d sent", eng_count(m, MSG_SENT), n);
	cr_assert_eq(fp_stat(fp, "unique_ids"), n);
	cr_assert_leq(fp_stat(fp, "duplicates"), t, "%lld requests for messages already requested, %lld timeouts",
		      fp_stat(fp, "duplicates"), t);
	cr_assert_leq(fp_stat(fp, "ok_twice"), t, "%lld messages answered OK twice, %lld timeouts",
		      fp_stat(fp, "ok_twice"), t);
	cr_assert_lt(t, n / 10 + 1, "%lld of %d requests timed out: the machine is too slow to test this", t, n);
	json_t *a = fp_received(fp), *e;
	json_t *first = json_object();
	size_t i;
	json_array_foreach(a, i, e) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(e, "id")));
		long long ts = json_integer_value(json_object_get(e, "ts_ms"));
		json_t *prev = json_object_get(first, id);
		if (prev)
			cr_assert_geq(ts - json_integer_value(prev), latency_ms,
				      "message %s requested again %lld ms after its first request", id,
				      ts - json_integer_value(prev));
		json_object_set_new(first, id, json_integer(ts));
	}
	json_decref(first);
	json_decref(a);
}

/* n messages through `instances` heralds of concurrency conc each, the provider answering OK
 * after latency_ms. */
static void sweep(int latency_ms, int conc, int instances, int n)
{
	char lat[16], c[64], workers[64];
	snprintf(lat, sizeof(lat), "%d", latency_ms);
	snprintf(c, sizeof(c), "HERALD_PROVIDER_CONCURRENCY=%d", conc);
	snprintf(workers, sizeof(workers), "HERALD_DISPATCH_WORKERS=%d", conc < 2 ? 1 : 2);
	const char *args[] = {"--latency-ms", lat, NULL};
	struct proc fp = fakeprobe_start(args), hs[2];
	for (int i = 0; i < instances; i++)
		hs[i] = eng_herald(&fp, c, workers, NULL);
	eng_clients(n, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	double need = 20 + 3.0 * n * (latency_ms + 20) / 1000.0 / (conc * instances);
	cr_assert(eng_wait_final(m, need), "not every message final within %.0f s", need);
	assert_exactly_once(&fp, hs, instances, m, n, latency_ms);
}

Test(delivery, no_latency_concurrency_256)
{
	sweep(0, 256, 1, 4000);
}

Test(delivery, latency_500ms_concurrency_32_two_instances)
{
	sweep(500, 32, 2, 1500);
}

Test(delivery, latency_0_9_of_the_timeout_concurrency_64)
{
	sweep(TIMEOUT_MS * 9 / 10, 64, 1, 1000);
}

Test(delivery, latency_0_9_of_the_timeout_concurrency_256_two_instances)
{
	sweep(TIMEOUT_MS * 9 / 10, 256, 2, 2000);
}

Test(delivery, concurrency_1)
{
	sweep(200, 1, 1, 40);
}

/* The provider is fast, then slow (0.75 x the timeout) for a while, then fast again: what was
 * claimed while it was fast must not wait past its lease and be sent twice. */
Test(delivery, provider_slows_down_and_speeds_up_mid_mailing)
{
	struct proc fp = fakeprobe_start(NULL);
	struct proc h = eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=32", NULL);
	eng_clients(3000, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	for (int i = 0; i < 300 && fp_stat(&fp, "received") < 1000; i++)
		usleep(20000);
	cr_assert_lt(fp_stat(&fp, "received"), 3000, "the mailing ended before the provider slowed down");
	fp_control(&fp, "{\"latency_ms\": 1500}");
	long long slow_from = fp_stat(&fp, "received");
	for (int i = 0; i < 600 && fp_stat(&fp, "received") < slow_from + 400; i++)
		usleep(50000);
	fp_control(&fp, "{\"latency_ms\": 0}");
	cr_assert(eng_wait_final(m, 60));
	assert_exactly_once(&fp, &h, 1, m, 3000, 0);
}

/* A backlog meets the end of the send window: what has not started by then waits for the next
 * opening, and no request starts after the window closed. */
Test(delivery, backlog_stops_when_the_send_window_closes)
{
	const char *args[] = {"--latency-ms", "400", NULL};
	struct proc fp = fakeprobe_start(args);
	eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=8", NULL);
	eng_clients(300, "916", NULL, "UTC");
	/* the window [close - 1 h, close) in UTC, closing 4-5 s from now */
	char *close = eng_sql("SELECT to_char(date_trunc('second', now() AT TIME ZONE 'UTC') + interval '5 s', 'HH24:MI:SS')");
	char *open = eng_sql("SELECT to_char(date_trunc('second', now() AT TIME ZONE 'UTC') + interval '5 s' - interval '1 hour', 'HH24:MI:SS')");
	long long close_ms = eng_int("SELECT (extract(epoch FROM date_trunc('second', now()) + interval '5 s') * 1000)::bigint");
	char ws[16], we[16];
	snprintf(ws, sizeof(ws), "'%s'", open);
	snprintf(we, sizeof(we), "'%s'", close);
	long long m = eng_mailing(-1, 30 * 3600, "{}", "{}", ws, we);
	free(close);
	free(open);
	while (eng_int("SELECT (extract(epoch FROM now()) * 1000)::bigint") < close_ms + 3000)
		usleep(100000);
	long long sent = eng_count(m, MSG_SENT);
	cr_assert_gt(sent, 0, "nothing was sent while the window was open");
	cr_assert_lt(sent, 300, "everything was sent before the window closed: nothing was tested");
	cr_assert(eng_wait(5, "SELECT count(*) = 0 FROM messages WHERE mailing_id = %lld AND status = message_status('sending')", m));
	json_t *a = fp_received(&fp), *e;
	size_t i;
	json_array_foreach(a, i, e) {
		long long ts = json_integer_value(json_object_get(e, "ts_ms"));
		cr_assert_lt(ts, close_ms, "a request arrived %lld ms after the window closed", ts - close_ms);
	}
	json_decref(a);
	cr_assert_eq(eng_count(m, MSG_PENDING), 300 - eng_count(m, MSG_SENT), "messages not sent are not pending");
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND status = message_status('pending')"
			     " AND due_at < now() + interval '20 hours'", m), 0,
		     "a pending message is not due at the next opening");
	cr_assert_eq(fp_stat(&fp, "duplicates"), 0);
}

/* Every database session is dropped in the middle of a mailing, as in a database restart:
 * the workers come back on new sessions, outcomes whose write was lost are written again, and
 * nothing is sent twice. */
Test(delivery, database_sessions_dropped_mid_mailing)
{
	const char *args[] = {"--latency-ms", "50", NULL};
	struct proc fp = fakeprobe_start(args);
	struct proc h = eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=32", NULL);
	eng_clients(3000, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	for (int i = 0; i < 300 && fp_stat(&fp, "received") < 500; i++)
		usleep(20000);
	cr_assert_lt(fp_stat(&fp, "received"), 3000, "the mailing ended before the sessions were dropped");
	cr_assert_gt(eng_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
			     " WHERE datname = current_database() AND pid <> pg_backend_pid()"), 0);
	cr_assert(eng_wait_final(m, 60), "not every message final after the sessions were dropped");
	assert_exactly_once(&fp, &h, 1, m, 3000, 50);
}

/* The database stalls for twice the provider timeout while a mailing of 200 has 16 requests of
 * 1 s in flight (one worker), in the way stall() makes it: the answers still count, no request
 * times out on herald's side, and nothing is sent twice. */
static void stall_mid_mailing(void (*stall)(void), const char *what)
{
	const char *args[] = {"--latency-ms", "1000", NULL};
	struct proc fp = fakeprobe_start(args);
	struct proc h = eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=16", "HERALD_DISPATCH_WORKERS=1", NULL);
	eng_clients(200, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	for (int i = 0; i < 300 && fp_stat(&fp, "received") < 32; i++)
		usleep(20000);
	cr_assert_lt(fp_stat(&fp, "received"), 160, "the mailing ended before %s", what);
	stall();
	cr_assert(eng_wait_final(m, 60), "not every message final after %s", what);
	cr_assert_eq(timeouts(&h, 1), 0, "%lld requests timed out: the provider answered in 1 s, but herald did not"
		     " read the answers while %s", timeouts(&h, 1), what);
	assert_exactly_once(&fp, &h, 1, m, 200, 1000);
}

/* One of the dispatcher's statements waits behind a lock (a migration's; an I/O stall would do
 * the same). */
static void lock_providers(void)
{
	free(eng_sql("DO $$ BEGIN LOCK TABLE providers IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(%.1f); END $$",
		     2 * TIMEOUT_MS / 1000.0));
}

Test(delivery, database_stall_longer_than_the_timeout_mid_mailing)
{
	stall_mid_mailing(lock_providers, "a statement waited for PostgreSQL");
}

/* Lets sessions into database db or not (from another database: the test's own session stays). */
static void allow_connections(const char *db, int allow)
{
	PGconn *c = PQconnectdb(getenv("DATABASE_URL"));
	cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
	char sql[160];
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s ALLOW_CONNECTIONS %s", db, allow ? "true" : "false");
	PGresult *r = PQexec(c, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

/* The database drops herald's sessions and refuses new ones (a restart, a failover). */
static void refuse_sessions(void)
{
	char *db = eng_sql("SELECT current_database()");
	allow_connections(db, 0);
	cr_assert_gt(eng_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
			     " WHERE datname = current_database() AND pid <> pg_backend_pid()"), 0);
	usleep(2 * TIMEOUT_MS * 1000);
	allow_connections(db, 1);
	free(db);
}

Test(delivery, database_unreachable_longer_than_the_timeout_mid_mailing)
{
	stall_mid_mailing(refuse_sessions, "the database was away");
}
