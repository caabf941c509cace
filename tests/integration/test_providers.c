/* Providers as data (API.md 9.5) with real parts: a herald of the test's own against real
 * fakeprobes, its providers rows written as the API writes them. A provider that is down, or a
 * fakeprobe that answers 500 to everything, leaves every message to the other; weights hold
 * over 10,000 messages; routing by operator code is exact and follows a new row without a
 * restart; HERALD_PROVIDER_URL is the row "default"; token and dlr_secret never come back from
 * the API, the history or the log. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "engine_util.h"
#include "itest.h"

TestSuite(providers, .init = eng_db_create, .fini = proc_cleanup, .timeout = 150);

#define DOWN_URL "http://127.0.0.1:1/v1"   /* nothing listens: connection refused */

static long long provider_row(const char *name, const char *url, const char *codes, int weight)
{
	return eng_int("INSERT INTO providers (name, url, operator_codes, weight) VALUES ('%s', '%s', '%s', %d)"
		       " RETURNING id", name, url, codes, weight);
}

static const char *fp_url(const struct proc *fp)
{
	static char url[2][96];
	static int k;
	k = !k;
	snprintf(url[k], sizeof(url[k]), "%s/v1", fp->url);
	return url[k];
}

/* The mailing's messages that went to provider id. */
static long long taken_by(long long mid, long long id)
{
	return eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND provider_id = %lld", mid, id);
}

/* 300 messages with two providers of equal weight, the one at bad_url failing: every message
 * is sent once through the other; /metrics and provider_health show both. */
static void failover(const char *bad_url, const char *bad_result)
{
	struct proc fp = fakeprobe_start(NULL);
	long long bad = provider_row("bad", bad_url, "{}", 1), good = provider_row("good", fp_url(&fp), "{}", 1);
	struct proc h = eng_herald(NULL, NULL);
	eng_clients(300, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 90), "not every message final");
	cr_assert_eq(eng_count(m, MSG_SENT), 300);
	cr_assert_eq(fp_stat(&fp, "unique_ids"), 300);
	cr_assert_eq(fp_stat(&fp, "duplicates"), 0);
	cr_assert_eq(taken_by(m, good), 300);
	cr_assert_eq(taken_by(m, bad), 0);
	char url[128], want[128];
	snprintf(url, sizeof(url), "%s/metrics", h.url);
	char *text = url_text("GET", url, NULL, NULL);
	snprintf(want, sizeof(want), "herald_provider_requests_total{provider=\"bad\",result=\"%s\"}", bad_result);
	cr_assert_not_null(strstr(text, want), "%s", text);
	cr_assert_not_null(strstr(text, "herald_provider_requests_total{provider=\"good\",result=\"ok\"} 300"), "%s", text);
	cr_assert_not_null(strstr(text, "herald_provider_circuit{provider=\"bad\"}"), "%s", text);
	free(text);
	/* the dashboard's rows: this instance's view of both providers */
	cr_assert(eng_wait(12, "SELECT count(*) = 2 AND sum(requests) FILTER (WHERE provider_id = %lld) = 300"
			       " FROM provider_health", good), "provider_health does not show both providers");
}

Test(providers, a_provider_that_is_down_leaves_every_message_to_the_other)
{
	failover(DOWN_URL, "transient");
}

Test(providers, a_provider_that_answers_500_leaves_every_message_to_the_other)
{
	const char *args[] = {"--fail-rate", "1", NULL};
	struct proc bad = fakeprobe_start(args);
	failover(fp_url(&bad), "transient");
	cr_assert_gt(fp_stat(&bad, "received"), 0, "the failing provider was never asked");
}

Test(providers, weights_hold_over_10000_messages)
{
	struct proc a = fakeprobe_start(NULL), b = fakeprobe_start(NULL);
	long long ia = provider_row("light", fp_url(&a), "{}", 1), ib = provider_row("heavy", fp_url(&b), "{}", 3);
	eng_herald(NULL, "HERALD_PROVIDER_CONCURRENCY=64", NULL);
	eng_clients(10000, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 120), "not every message final");
	cr_assert_eq(eng_count(m, MSG_SENT), 10000);
	long long na = taken_by(m, ia), nb = taken_by(m, ib);
	cr_assert_eq(na + nb, 10000);
	cr_assert(na >= 2500 - 125 && na <= 2500 + 125, "weight 1 of 4 took %lld of 10000", na);
	cr_assert(nb >= 7500 - 375 && nb <= 7500 + 375, "weight 3 of 4 took %lld of 10000", nb);
	cr_assert_eq(fp_stat(&a, "unique_ids"), na);
	cr_assert_eq(fp_stat(&b, "unique_ids"), nb);
}

Test(providers, routing_by_operator_code_is_exact_and_follows_a_new_provider)
{
	struct proc a = fakeprobe_start(NULL), b = fakeprobe_start(NULL), c = fakeprobe_start(NULL);
	long long ia = provider_row("mts", fp_url(&a), "{916}", 1), ib = provider_row("beeline", fp_url(&b), "{917}", 5);
	eng_herald(NULL, NULL);
	eng_clients(100, "916", NULL, "Europe/Moscow");
	eng_clients(100, "917", NULL, "Europe/Moscow");
	eng_clients(20, "918", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait(60, "SELECT count(*) = 200 FROM messages WHERE mailing_id = %lld AND status = %d", m, MSG_SENT));
	cr_assert_eq(eng_int("SELECT count(*) FROM messages g JOIN clients c ON c.id = g.client_id WHERE g.mailing_id = %lld"
			     " AND c.operator_code = '916' AND g.provider_id = %lld", m, ia), 100);
	cr_assert_eq(eng_int("SELECT count(*) FROM messages g JOIN clients c ON c.id = g.client_id WHERE g.mailing_id = %lld"
			     " AND c.operator_code = '917' AND g.provider_id = %lld", m, ib), 100);
	char *ok = fp_phones_ok(&a);
	for (char *p = ok; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ','))
		cr_assert_eq(strncmp(p, "7916", 4), 0, "mts was sent %.11s", p);
	free(ok);
	cr_assert_eq(fp_stat(&a, "unique_ids"), 100);
	cr_assert_eq(fp_stat(&b, "unique_ids"), 100);
	/* no provider takes 918: its messages wait, none failed */
	cr_assert_eq(eng_int("SELECT count(*) FROM messages WHERE mailing_id = %lld AND status IN (%d, %d)", m, MSG_PENDING,
			     MSG_SENDING), 20);
	cr_assert_eq(eng_count(m, MSG_FAILED), 0);
	/* a provider for any operator, added while herald runs, takes them */
	long long ic = provider_row("any", fp_url(&c), "{}", 1);
	cr_assert(eng_wait_final(m, 60), "the waiting messages were not sent after a provider for them came");
	cr_assert_eq(eng_int("SELECT count(*) FROM messages g JOIN clients c ON c.id = g.client_id WHERE g.mailing_id = %lld"
			     " AND c.operator_code = '918' AND g.provider_id = %lld AND g.status = %d", m, ic, MSG_SENT), 20);
	cr_assert_eq(fp_stat(&c, "unique_ids"), 20);
}

Test(providers, a_provider_disabled_mid_mailing_finishes_what_it_has_in_flight)
{
	const char *slow[] = {"--latency-ms", "300", NULL};
	struct proc a = fakeprobe_start(slow), b = fakeprobe_start(slow);
	long long ia = provider_row("first", fp_url(&a), "{}", 1), ib = provider_row("second", fp_url(&b), "{}", 1);
	free(eng_sql("UPDATE providers SET concurrency = 16"));
	eng_herald(NULL, NULL);
	eng_clients(400, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait(20, "SELECT count(*) >= 40 FROM messages WHERE mailing_id = %lld AND provider_id = %lld", m, ia));
	free(eng_sql("UPDATE providers SET enabled = false, updated_at = now() WHERE id = %lld", ia));
	cr_assert(eng_wait_final(m, 60), "not every message final");
	cr_assert_eq(eng_count(m, MSG_SENT), 400);
	/* every request the first one took was answered and written, none sent twice */
	cr_assert_eq(fp_stat(&a, "unique_ids") + fp_stat(&b, "unique_ids"), 400);
	cr_assert_eq(fp_stat(&a, "duplicates") + fp_stat(&b, "duplicates"), 0);
	cr_assert_eq(taken_by(m, ia), fp_stat(&a, "ok"));
	cr_assert_eq(taken_by(m, ib), fp_stat(&b, "ok"));
	cr_assert_gt(taken_by(m, ib), 200, "the second one took %lld of 400 after the first was disabled", taken_by(m, ib));
	long long got = fp_stat(&a, "received");
	usleep(1500000);
	cr_assert_eq(fp_stat(&a, "received"), got, "a disabled provider is still sent messages");
}

Test(providers, herald_provider_url_is_the_provider_named_default)
{
	struct proc fp = fakeprobe_start(NULL);
	struct proc h = eng_herald(&fp, NULL);
	/* a command run without the server's environment leaves the provider as it is */
	free(eng_token("cli", "viewer"));
	char *url = eng_sql("SELECT url FROM providers WHERE name = 'default' AND enabled");
	cr_assert_not_null(url, "no enabled provider 'default'");
	cr_assert_str_eq(url, fp_url(&fp));
	free(url);
	eng_clients(10, "916", NULL, "Europe/Moscow");
	long long m = eng_mailing(-1, 3600, "{}", "{}", "NULL", "NULL");
	cr_assert(eng_wait_final(m, 30));
	cr_assert_eq(taken_by(m, eng_int("SELECT id FROM providers WHERE name = 'default'")), 10);
	cr_assert_eq(proc_stop(&h, SIGTERM, 20), 0);
	/* started without it, the row stays for the history but takes nothing */
	eng_herald(NULL, NULL);
	cr_assert_eq(eng_int("SELECT count(*) FROM providers WHERE name = 'default' AND NOT enabled"), 1);
}

/* method path on herald h with token and a JSON body (NULL: none): the body, *status. */
static char *call(const struct proc *h, const char *token, const char *method, const char *path, const char *body,
		  long *status)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", h->url, path);
	char *text = url_text_as(token, method, url, body, status);
	return text ? text : strdup("");
}

/* Asserts the status of a call and that its answer holds no secret; frees it. */
static void expect(long want, const struct proc *h, const char *token, const char *method, const char *path,
		   const char *body, const char *has)
{
	long st = 0;
	char *text = call(h, token, method, path, body, &st);
	cr_assert_eq(st, want, "%s %s: %ld %s", method, path, st, text);
	cr_assert_null(strstr(text, "SECRET"), "%s %s answered a secret: %s", method, path, text);
	if (has)
		cr_assert_not_null(strstr(text, has), "%s %s: %s has no %s", method, path, text, has);
	free(text);
}

Test(providers, admins_only_and_secrets_are_write_only)
{
	char *admin = eng_token("padmin", "admin"), *op = eng_token("poperator", "operator");
	struct proc h = eng_herald(NULL, NULL);
	long st = 0;
	char *text = call(&h, admin, "POST", "/api/v1/providers",
			  "{\"name\":\"p1\",\"url\":\"http://127.0.0.1:9/v1\",\"token\":\"tok-SECRET-1\","
			  "\"dlr_secret\":\"dlr-SECRET-2\",\"operator_codes\":[\"916\"],\"weight\":2,\"enabled\":false}", &st);
	cr_assert_eq(st, 201, "%s", text);
	cr_assert_null(strstr(text, "SECRET"), "%s", text);
	json_t *obj = json_loads(text, 0, NULL);
	cr_assert(json_is_true(json_object_get(obj, "token_set")) && json_is_true(json_object_get(obj, "dlr_secret_set")), "%s", text);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/providers/%lld", (long long)json_integer_value(json_object_get(obj, "id")));
	json_decref(obj);
	free(text);

	expect(200, &h, admin, "GET", path, NULL, "\"token_set\":true");
	expect(200, &h, admin, "GET", "/api/v1/providers", NULL, "\"p1\"");
	expect(200, &h, admin, "PATCH", path, "{\"token\":\"tok-SECRET-3\",\"weight\":5}", "\"weight\":5");
	expect(200, &h, admin, "PATCH", path, "{\"dlr_secret\":null}", "\"dlr_secret_set\":false");
	expect(403, &h, op, "GET", "/api/v1/providers", NULL, NULL);
	expect(403, &h, op, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x/v1\"}", NULL);
	expect(409, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p1\",\"url\":\"http://x/v1\"}", "name");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"ftp://x/v1\"}", "url");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x\",\"weight\":0}", "weight");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x\",\"operator_codes\":[\"91\"]}",
	       "operator_codes");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x\",\"kind\":\"smtp\"}", "kind");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x\",\"kind\":\"smpp\"}", "url");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x\",\"token\":\"a b\"}", "token");
	expect(422, &h, admin, "POST", "/api/v1/providers", "{\"name\":\"p2\",\"url\":\"http://x\",\"rate\":-1}", "rate");
	expect(204, &h, admin, "DELETE", path, NULL, NULL);

	/* the secrets went to the table, and nowhere else */
	cr_assert_eq(eng_int("SELECT count(*) FROM audit_log WHERE object LIKE 'provider %%'"), 4);
	cr_assert_eq(eng_int("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%%SECRET%%'"), 0);
	cr_assert_eq(proc_stop(&h, SIGTERM, 20), 0);
	cr_assert(file_has(h.log, "provider.updated"), "the log %s has no provider.updated", h.log);
	cr_assert(!file_has(h.log, "SECRET"), "the log %s holds a secret", h.log);
	free(admin);
	free(op);
}
