/* The mailing engine end to end: the scheduler and the dispatcher of a real herald against a
 * real fakeprobe. Each test has a database of its own (proc.c), so the harness's server never
 * touches these mailings; mailings and clients are made with SQL as the API would make them. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine_util.h"
#include "proc.h"

TestSuite(engine, .init = eng_db_create, .fini = proc_cleanup, .timeout = 90);

Test(engine, starts_now_and_at_a_future_start)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	eng_clients(20, "916", NULL, "Europe/Moscow");
	long long now_m = eng_mailing(-60, 3600, "{}", "{}", "NULL", "NULL");
	long long later = eng_mailing(2, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait(3, "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = %lld"
			      " AND status = message_status('sent')), 0) = 20",
			   now_m), "the mailing that started in the past was not sent at once");
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND created_at < (SELECT start_at FROM mailings WHERE id = %lld)",
			     later, later), 0, "recipients frozen before start_at");
	cr_assert(eng_wait(5, "SELECT status = 'running' OR status = 'finished' FROM mailings WHERE id = %lld", later));
	cr_assert_eq(eng_int("SELECT (started_at >= start_at AND started_at < start_at + interval '1.2 s')::int FROM mailings WHERE id = %lld",
			     later), 1, "a future mailing did not start within 1 s of start_at");
	cr_assert(eng_wait_final(later, 3));
	cr_assert_eq(eng_count(later, MSG_SENT), 20);
	cr_assert(eng_wait(3, "SELECT count(*) = 2 FROM mailings WHERE status = 'finished'"), "mailings not finished");
	cr_assert_eq(fp_stat(&fp, "unique_ids"), 40);
	cr_assert_eq(fp_stat(&fp, "ok"), 40);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE status = message_status('sent')"
			     " AND sent_at IS NOT NULL AND attempts = 1"), 40);
}

Test(engine, filter_selects_exactly_the_matching_clients)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	const char *ops[] = {"916", "903", "925"}, *tags[] = {"vip", "new", "old", NULL};
	for (int o = 0; o < 3; o++)
		for (int t = 0; t < 4; t++)
			eng_clients(2, ops[o], tags[t], "Europe/Moscow");
	/* AND across the lists, OR within each */
	long long m = eng_mailing(-1, 3600, "{916,903}", "{vip,new}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	char *want = eng_sql("SELECT string_agg(phone, ',' ORDER BY phone) FROM clients c JOIN tags t ON t.id = c.tag_id"
			     " WHERE c.operator_code IN ('916', '903') AND t.name IN ('vip', 'new')");
	char *got = fp_phones_ok(&fp);
	cr_assert_str_eq(got, want);
	cr_assert_eq(eng_count(m, MSG_SENT), 8);
	free(got);
	free(want);

	/* operator codes only: every tag, and clients without a tag */
	char url[128];
	snprintf(url, sizeof(url), "%s/reset", fp.url);
	json_decref(url_json("POST", url, "{}", NULL));
	m = eng_mailing(-1, 3600, "{925}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	want = eng_sql("SELECT string_agg(phone, ',' ORDER BY phone) FROM clients WHERE operator_code = '925'");
	got = fp_phones_ok(&fp);
	cr_assert_str_eq(got, want);
	free(got);
	free(want);

	/* tags only */
	json_decref(url_json("POST", url, "{}", NULL));
	m = eng_mailing(-1, 3600, "{}", "{old}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	want = eng_sql("SELECT string_agg(phone, ',' ORDER BY phone) FROM clients c JOIN tags t ON t.id = c.tag_id WHERE t.name = 'old'");
	got = fp_phones_ok(&fp);
	cr_assert_str_eq(got, want);
	cr_assert_eq(eng_count(m, MSG_SENT), 6);
	free(got);
	free(want);
}

Test(engine, failures_and_garbage_are_retried_until_all_sent_once)
{
	const char *args[] = {"--fail-rate", "0.4", "--garbage-rate", "0.2", "--seed", "7", NULL};
	struct proc fp = fakeprobe_start(args);
	eng_herald(&fp, NULL);
	eng_clients(300, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 40), "not every message final");
	cr_assert_eq(eng_count(m, MSG_SENT), 300, "every message ends sent");
	cr_assert_eq(fp_stat(&fp, "ok"), 300);
	cr_assert_eq(fp_stat(&fp, "ok_twice"), 0, "an id was answered OK twice");
	cr_assert_eq(fp_stat(&fp, "unique_ids"), 300);
	long long rec = fp_stat(&fp, "received");
	cr_assert_gt(rec, 450, "failures were injected: more requests than messages");
	cr_assert_eq(eng_int("SELECT sum(attempts) FROM messages WHERE mailing_id = %lld", m), rec,
		     "every attempt reached the provider once");
	/* garbage: 200 answers that did not count as sent */
	json_t *a = fp_received(&fp), *e;
	size_t i;
	int n200 = 0;
	json_array_foreach(a, i, e) n200 += json_integer_value(json_object_get(e, "status")) == 200;
	json_decref(a);
	cr_assert_gt(n200, 300, "garbage 200 bodies were retried");
	cr_assert(eng_wait(3, "SELECT status = 'finished' FROM mailings WHERE id = %lld", m));
}

Test(engine, permanent_4xx_fails_with_the_reason)
{
	const char *args[] = {"--token", "s3cret", NULL};
	struct proc fp = fakeprobe_start(args);
	eng_herald(&fp, "HERALD_PROVIDER_TOKEN=s3cret", NULL);
	eng_clients(10, "916", NULL, "Europe/Moscow");
	fp_control(&fp, "{\"rules\":[{\"phone\":79160000001,\"status\":400},{\"phone\":79160000002,\"status\":403}]}");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	cr_assert_eq(eng_count(m, MSG_SENT), 8);
	cr_assert_eq(eng_count(m, MSG_FAILED), 2);
	char *err = eng_sql("SELECT last_error FROM messages WHERE phone = '79160000001' AND mailing_id = %lld", m);
	cr_assert(err && strstr(err, "HTTP 400"), "last_error: %s", err ? err : "(null)");
	free(err);
	err = eng_sql("SELECT last_error FROM messages WHERE phone = '79160000002' AND mailing_id = %lld", m);
	cr_assert(err && strstr(err, "HTTP 403") && strstr(err, "rule"), "last_error: %s", err ? err : "(null)");
	free(err);
	cr_assert_eq(eng_int("SELECT max(attempts) FROM messages"
			     " WHERE status = message_status('failed')"), 1, "a permanent failure is not retried");
	cr_assert_eq(fp_stat(&fp, "received"), 10);
}

Test(engine, wrong_token_is_a_permanent_failure)
{
	const char *args[] = {"--token", "right", NULL};
	struct proc fp = fakeprobe_start(args);
	eng_herald(&fp, "HERALD_PROVIDER_TOKEN=wrong", NULL);
	eng_clients(3, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	cr_assert_eq(eng_count(m, MSG_FAILED), 3);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE last_error LIKE '%%HTTP 401%%'"), 3);
}

Test(engine, too_many_requests_honours_retry_after)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	eng_clients(3, "916", NULL, "Europe/Moscow");
	fp_control(&fp, "{\"rules\":[{\"phone\":79160000002,\"status\":429,\"times\":1,\"retry_after\":2}]}");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 8));
	cr_assert_eq(eng_count(m, MSG_SENT), 3);
	long long ts[8];
	int n = fp_arrivals(&fp, "79160000002", ts, 8);
	cr_assert_eq(n, 2, "429 then one retry, got %d requests", n);
	cr_assert_geq(ts[1] - ts[0], 1950, "retried after %lld ms, Retry-After was 2 s", ts[1] - ts[0]);
	cr_assert_lt(ts[1] - ts[0], 3500);
}

Test(engine, provider_down_for_a_while_then_back)
{
	struct proc fp = fakeprobe_start(NULL);
	struct proc h = eng_herald(&fp, NULL);
	eng_clients(100, "916", NULL, "Europe/Moscow");
	fp_control(&fp, "{\"down_ms\":2500}");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 20));
	cr_assert_eq(eng_count(m, MSG_SENT), 100);
	cr_assert_eq(fp_stat(&fp, "ok_twice"), 0);
	long long down = 0;
	json_t *a = fp_received(&fp), *e;
	size_t i;
	json_array_foreach(a, i, e) down += json_integer_value(json_object_get(e, "status")) == 503;
	json_decref(a);
	cr_assert_gt(down, 0);
	/* the circuit breaker keeps a dead provider from being hammered: without it 100 messages
	 * retried every <= 400 ms for 2.5 s would make far more requests */
	cr_assert_lt(down, 250, "%lld requests while the provider was down", down);
	char path[600];
	snprintf(path, sizeof(path), "%s", h.log);
	cr_assert(file_has(path, "\"event\":\"provider.circuit\",\"state\":\"open\""), "circuit never opened (%s)", path);
	cr_assert(file_has(path, "\"event\":\"provider.circuit\",\"state\":\"closed\""), "circuit never closed again");
}

Test(engine, nothing_is_sent_after_end_at)
{
	const char *args[] = {"--latency-ms", "150", "--fail-rate", "0.5", NULL};
	struct proc fp = fakeprobe_start(args);
	eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=4", "HERALD_DISPATCH_WORKERS=1", NULL);
	eng_clients(300, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 2, "{}", "{}", "NULL", "NULL");
	long long end_ms = eng_int("SELECT (extract(epoch FROM end_at) * 1000)::bigint FROM mailings WHERE id = %lld", m);
	cr_assert(eng_wait(6, "SELECT status = 'finished' FROM mailings WHERE id = %lld", m), "not finished at end_at");
	cr_assert(eng_wait_final(m, 3));
	usleep(500000);
	json_t *a = fp_received(&fp), *e;
	size_t i;
	long long late = 0, n = 0;
	json_array_foreach(a, i, e) {
		n++;
		late += json_integer_value(json_object_get(e, "ts_ms")) >= end_ms;
	}
	json_decref(a);
	cr_assert_gt(n, 0);
	cr_assert_eq(late, 0, "%lld requests arrived after end_at", late);
	cr_assert_gt(eng_count(m, MSG_SENT), 0);
	cr_assert_gt(eng_count(m, MSG_EXPIRED), 0, "what was not sent by end_at is expired");
	cr_assert_eq(eng_count(m, MSG_SENT) + eng_count(m, MSG_EXPIRED), 300);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE status = message_status('sent')"
			     " AND sent_at >= (SELECT end_at FROM mailings WHERE id = %lld)", m), 0);
}

Test(engine, send_window_follows_each_client_time_zone)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	/* zones without daylight saving time, so the test holds on any date: Abidjan is UTC+0 all
	 * year (London is only in winter), Tokyo +9, Bogota -5, Kolkata +5:30 */
	const char *zones[] = {"UTC", "Africa/Abidjan", "Asia/Tokyo", "America/Bogota", "Asia/Kolkata"};
	for (int z = 0; z < 5; z++)
		eng_clients(3, "916", NULL, zones[z]);
	/* a window around the current UTC time of day: open in UTC and Abidjan, closed in Tokyo,
	 * Bogota and Kolkata */
	char *ws = eng_sql("SELECT to_char(now() AT TIME ZONE 'UTC' - interval '40 min', 'HH24:MI')");
	char *we = eng_sql("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '40 min', 'HH24:MI')");
	char qs[16], qe[16];
	snprintf(qs, sizeof(qs), "'%s'", ws);
	snprintf(qe, sizeof(qe), "'%s'", we);
	long long m = eng_mailing(-1, 3 * 86400, "{}", "{}", qs, qe);
	cr_assert(eng_wait(5, "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = %lld"
			      " AND status = message_status('sent')), 0) = 6", m));
	usleep(300000);
	cr_assert_eq(eng_count(m, MSG_SENT), 6);
	cr_assert_eq(eng_count(m, MSG_PENDING), 9);
	char *sent = eng_sql("SELECT string_agg(DISTINCT c.timezone, ',' ORDER BY c.timezone) FROM messages m JOIN clients c ON c.id = m.client_id"
			     " WHERE m.mailing_id = %lld AND m.status = message_status('sent')", m);
	cr_assert_str_eq(sent, "Africa/Abidjan,UTC");
	/* the others wait for the next opening of the window in their own zone */
	cr_assert_eq(eng_int("SELECT count(*) FROM messages m JOIN clients c ON c.id = m.client_id"
			     " WHERE m.mailing_id = %lld AND m.status = message_status('pending')"
			     " AND abs(extract(epoch FROM m.due_at - ("
			     "   SELECT min(x) FROM (SELECT ((now() AT TIME ZONE c.timezone)::date + d + '%s'::time) AT TIME ZONE c.timezone AS x"
			     "     FROM generate_series(0, 1) d) s WHERE x > now()))) < 2", m, ws), 9,
		     "due_at is not the window opening in the client's zone");

	/* the same window turned around wraps midnight: now open everywhere but UTC and Abidjan */
	long long w2 = eng_mailing(-1, 3 * 86400, "{}", "{}", qe, qs);
	cr_assert(eng_wait(5, "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = %lld"
			      " AND status = message_status('sent')), 0) = 9", w2));
	usleep(300000);
	cr_assert_eq(eng_count(w2, MSG_PENDING), 6);
	free(sent);
	sent = eng_sql("SELECT string_agg(DISTINCT c.timezone, ',' ORDER BY c.timezone) FROM messages m JOIN clients c ON c.id = m.client_id"
		       " WHERE m.mailing_id = %lld AND m.status = message_status('pending')", w2);
	cr_assert_str_eq(sent, "Africa/Abidjan,UTC");
	free(sent);
	free(ws);
	free(we);
}

Test(engine, window_opening_after_end_at_expires)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	eng_clients(2, "916", NULL, "UTC");
	char *ws = eng_sql("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '2 hours', 'HH24:MI')");
	char *we = eng_sql("SELECT to_char(now() AT TIME ZONE 'UTC' + interval '3 hours', 'HH24:MI')");
	char qs[16], qe[16];
	snprintf(qs, sizeof(qs), "'%s'", ws);
	snprintf(qe, sizeof(qe), "'%s'", we);
	long long m = eng_mailing(-1, 2, "{}", "{}", qs, qe);
	cr_assert(eng_wait(3, "SELECT count(*) = 2 FROM messages WHERE mailing_id = %lld AND due_at = expires_at", m),
		  "due_at is least(opening, end_at)");
	cr_assert(eng_wait(5, "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = %lld"
			      " AND status = message_status('expired')), 0) = 2", m));
	cr_assert_eq(fp_stat(&fp, "received"), 0);
	free(ws);
	free(we);
}

Test(engine, cancel_stops_sending)
{
	const char *args[] = {"--latency-ms", "100", NULL};
	struct proc fp = fakeprobe_start(args);
	eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=2", "HERALD_DISPATCH_WORKERS=1", NULL);
	eng_clients(200, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	for (int i = 0; i < 100 && fp_stat(&fp, "received") < 10; i++)
		usleep(50000);
	/* what POST /mailings/{id}/cancel does */
	free(eng_sql("UPDATE mailings SET status = 'cancelled', updated_at = now() WHERE id = %lld", m));
	free(eng_sql("UPDATE messages SET status = message_status('cancelled')"
		     " WHERE mailing_id = %lld AND status = message_status('pending')", m));
	usleep(500000);
	long long r1 = fp_stat(&fp, "received");
	usleep(1000000);
	long long r2 = fp_stat(&fp, "received");
	cr_assert_leq(r2 - r1, 2, "still sending after cancel: %lld more", r2 - r1);
	cr_assert_lt(r2, 60);
	cr_assert(eng_wait_final(m, 3));
	cr_assert_eq(eng_count(m, MSG_CANCELLED) + eng_count(m, MSG_SENT), 200);
	cr_assert_gt(eng_count(m, MSG_CANCELLED), 100);
	cr_assert_eq(eng_int("SELECT (status = 'cancelled')::int FROM mailings WHERE id = %lld", m), 1);
}

Test(engine, retry_failed_sends_again)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, NULL);
	eng_clients(3, "916", NULL, "Europe/Moscow");
	fp_control(&fp, "{\"rules\":[{\"phone\":79160000003,\"status\":422,\"times\":1}]}");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	cr_assert_eq(eng_count(m, MSG_FAILED), 1);
	cr_assert(eng_wait(3, "SELECT status = 'finished' FROM mailings WHERE id = %lld", m));
	/* what POST /mailings/{id}/retry-failed does */
	free(eng_sql("UPDATE mailings SET status = 'running', finished_at = NULL WHERE id = %lld", m));
	free(eng_sql("WITH u AS (UPDATE messages SET status = message_status('pending'), due_at = now()"
		     " WHERE mailing_id = %lld AND status = message_status('failed') RETURNING id)"
		     " INSERT INTO message_queue (message_id, due_at) SELECT id, now() FROM u", m));
	free(eng_sql("NOTIFY herald_messages"));
	cr_assert(eng_wait(3, "SELECT coalesce((SELECT n FROM message_counts WHERE mailing_id = %lld"
			      " AND status = message_status('sent')), 0) = 3", m));
	cr_assert_eq(eng_int("SELECT attempts FROM messages WHERE phone = '79160000003' AND mailing_id = %lld", m), 2);
	long long ts[4];
	cr_assert_eq(fp_arrivals(&fp, "79160000003", ts, 4), 2);
	cr_assert(eng_wait(3, "SELECT status = 'finished' FROM mailings WHERE id = %lld", m));
}

Test(engine, kill_9_then_restart_sends_everything_once_more_at_most_in_flight, .timeout = 120)
{
	const char *args[] = {"--latency-ms", "2", NULL};
	struct proc fp = fakeprobe_start(args);
	struct proc h = eng_herald(&fp, "HERALD_PROVIDER_TIMEOUT_MS=1000", NULL);
	eng_clients(20000, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	for (int i = 0; i < 400 && fp_stat(&fp, "received") < 3000; i++)
		usleep(50000);
	cr_assert_geq(fp_stat(&fp, "received"), 3000);
	proc_stop(&h, SIGKILL, 5);
	long long sending = eng_count(m, MSG_SENDING);
	cr_assert_lt(fp_stat(&fp, "received"), 20000, "the mailing ended before the kill; nothing was tested");
	eng_herald(&fp, "HERALD_PROVIDER_TIMEOUT_MS=1000", NULL);
	cr_assert(eng_wait_final(m, 60), "not every message final after the restart");
	cr_assert_eq(eng_count(m, MSG_SENT), 20000);
	cr_assert_eq(fp_stat(&fp, "unique_ids"), 20000);
	long long dup = fp_stat(&fp, "duplicates");
	cr_assert_leq(dup, sending, "%lld duplicates, %lld messages were in flight", dup, sending);
	cr_assert_leq(fp_stat(&fp, "ok_twice"), sending);
}

Test(engine, two_instances_share_the_work_without_double_sends)
{
	struct proc fp = fakeprobe_start(NULL);
	struct proc h1 = eng_herald(&fp, NULL), h2 = eng_herald(&fp, NULL);
	eng_clients(6000, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 30));
	cr_assert_eq(eng_count(m, MSG_SENT), 6000);
	cr_assert_eq(fp_stat(&fp, "duplicates"), 0);
	cr_assert_eq(fp_stat(&fp, "ok_twice"), 0);
	cr_assert_eq(fp_stat(&fp, "unique_ids"), 6000);
	struct proc *hs[] = {&h1, &h2};
	for (int i = 0; i < 2; i++) {
		char url[128];
		snprintf(url, sizeof(url), "%s/metrics", hs[i]->url);
		char *text = url_text("GET", url, NULL, NULL);
		cr_assert_not_null(text);
		char *p = strstr(text, "herald_dispatch_outcomes_total{outcome=\"sent\"} ");
		cr_assert_not_null(p);
		long long sent = atoll(p + strlen("herald_dispatch_outcomes_total{outcome=\"sent\"} "));
		cr_assert_gt(sent, 0, "instance %d sent nothing", i + 1);
		free(text);
	}
	cr_assert(eng_wait(3, "SELECT status = 'finished' FROM mailings WHERE id = %lld", m));
}

Test(engine, sigterm_finishes_or_releases_in_flight_and_exits_0)
{
	const char *args[] = {"--latency-ms", "300", NULL};
	struct proc fp = fakeprobe_start(args);
	struct proc h = eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=16", NULL);
	eng_clients(2000, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	for (int i = 0; i < 100 && fp_stat(&fp, "received") < 40; i++)
		usleep(50000);
	cr_assert_eq(proc_stop(&h, SIGTERM, 10), 0, "herald did not exit 0 on SIGTERM");
	cr_assert_eq(eng_count(m, MSG_SENDING), 0, "messages left in 'sending' after a graceful stop");
	long long sent = eng_count(m, MSG_SENT);
	cr_assert_gt(sent, 0);
	cr_assert_eq(sent + eng_count(m, MSG_PENDING), 2000);
	cr_assert_eq(fp_stat(&fp, "ok"), sent, "an answered request was not written back");
}

Test(engine, log_provider_counts_messages_as_sent)
{
	struct proc h = eng_herald(NULL, NULL);
	eng_clients(5, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 5));
	cr_assert_eq(eng_count(m, MSG_SENT), 5);
	cr_assert(file_has(h.log, "\"event\":\"provider.log_message\""));
}

Test(engine, rate_limit_spaces_the_requests)
{
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, "HERALD_PROVIDER_RATE=20", NULL);
	eng_clients(40, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 10));
	cr_assert_eq(eng_count(m, MSG_SENT), 40);
	json_t *a = fp_received(&fp), *e;
	size_t i;
	long long first = 0, last = 0;
	json_array_foreach(a, i, e) {
		long long ts = json_integer_value(json_object_get(e, "ts_ms"));
		if (i == 0)
			first = ts;
		last = ts;
	}
	json_decref(a);
	/* 40 requests at 20/s with a burst of one: at least ~1.9 s from the first to the last */
	cr_assert_geq(last - first, 1800, "40 requests in %lld ms at 20 per second", last - first);
}
