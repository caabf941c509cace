/* Webhooks (API.md 9.6): the API's rules and ownership over the harness's herald; and, with a
 * herald of its own, a real HTTP receiver (libmicrohttpd in this process) that fails its first
 * requests and still gets every event, each signed with the secret and keeping its event id on
 * every retry; and a receiver that never answers, which does not slow a mailing. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "engine_util.h"
#include "itest.h"
#include "proc.h"
#include "util.h"

#define SECRET "s3cret-for-the-webhook-test"

/* --- the API, over the harness's herald ------------------------------------------------- */

static long long hook_new(const char *token, const char *url)
{
	struct resp *r = api(token, "POST", "/api/v1/webhooks",
			     "{\"url\":\"%s\",\"events\":[\"message.sent\",\"mailing.finished\"],\"secret\":\"" SECRET "\"}", url);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_null(strstr(r->body, SECRET), "the secret came back: %s", r->body);
	cr_assert(jstr(r->json, "url") && json_is_true(json_object_get(r->json, "enabled")));
	long long id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static void expect_field(long status, struct resp *r, const char *field)
{
	cr_assert_eq(r->status, status, "%s", r->body);
	cr_assert(jhas_error(r->json, field), "%s does not name %s", r->body, field);
	resp_free(r);
}

Test(webhooks_api, validation_and_a_secret_that_never_comes_back)
{
	expect_field(422, api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"ftp://x.example\",\"events\":[\"message.sent\"],"
			      "\"secret\":\"" SECRET "\"}"), "url");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/h\","
			      "\"events\":[\"message.sent\",\"message.sent\"],\"secret\":\"" SECRET "\"}"), "events");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/h\","
			      "\"events\":[\"message.lost\"],\"secret\":\"" SECRET "\"}"), "events");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/h\","
			      "\"events\":[],\"secret\":\"" SECRET "\"}"), "events");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/h\","
			      "\"events\":[\"message.sent\"],\"secret\":\"short\"}"), "secret");
	expect_field(422, api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/h\","
			      "\"events\":[\"message.sent\"]}"), "secret");
	api_expect(403, tok_viewer(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/h\","
		   "\"events\":[\"message.sent\"],\"secret\":\"" SECRET "\"}");

	long long id = hook_new(tok_operator(), "https://x.example/hook");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/webhooks/%lld", id);
	struct resp *r = api(tok_operator(), "PATCH", path, "{\"enabled\":false,\"secret\":\"another-secret-of-16+\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert(json_is_false(json_object_get(r->json, "enabled")));
	cr_assert_null(strstr(r->body, "secret"), "%s", r->body);
	resp_free(r);
	/* PUT keeps the secret when it is not given, and enabled takes its default */
	api_expect(200, tok_operator(), "PUT", path, "{\"url\":\"https://x.example/other\",\"events\":[\"message.expired\"]}");
	itest_sql_is("another-secret-of-16+ true", "SELECT secret || ' ' || enabled FROM webhooks WHERE id = %lld", id);
	/* the history records the changes without the secret */
	itest_sql_is("0", "SELECT count(*) FROM audit_log WHERE detail::text LIKE '%%secret%%' OR detail::text LIKE '%%" SECRET "%%'");
	itest_sql_is("t", "SELECT count(*) > 0 FROM audit_log WHERE action = 'webhook.updated'");
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	api_expect(404, tok_operator(), "GET", path, NULL);
}

Test(webhooks_api, each_user_sees_and_changes_only_their_own)
{
	long long mine = hook_new(tok_operator(), "https://x.example/operator");
	long long admins = hook_new(tok_admin(), "https://x.example/admin");
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/webhooks/%lld", mine);
	/* the admin too sees only their own through the API */
	api_expect(404, tok_admin(), "GET", path, NULL);
	api_expect(404, tok_admin(), "PATCH", path, "{\"enabled\":false}");
	api_expect(404, tok_admin(), "DELETE", path, NULL);
	api_expect(200, tok_operator(), "GET", path, NULL);
	struct resp *r = api(tok_admin(), "GET", "/api/v1/webhooks?count=true", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *results = json_object_get(r->json, "results"), *h;
	size_t i;
	json_array_foreach(results, i, h)
		cr_assert_neq(json_integer_value(json_object_get(h, "id")), mine, "another user's webhook listed");
	cr_assert_eq(jint(r->json, "count"), (long long)json_array_size(results));
	resp_free(r);
	/* the owner is the caller, whatever the body says */
	r = api(tok_operator(), "POST", "/api/v1/webhooks", "{\"url\":\"https://x.example/z\",\"events\":[\"message.sent\"],"
		"\"secret\":\"" SECRET "\",\"user_id\":1}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	itest_sql_is("t_operator", "SELECT u.username FROM webhooks h JOIN users u ON u.id = h.user_id WHERE h.id = %lld",
		     jint(r->json, "id"));
	snprintf(path, sizeof(path), "/api/v1/webhooks/%lld", jint(r->json, "id"));
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	resp_free(r);
	snprintf(path, sizeof(path), "/api/v1/webhooks/%lld", admins);
	api_expect(404, tok_operator(), "GET", path, NULL);
	api_expect(204, tok_admin(), "DELETE", path, NULL);
	snprintf(path, sizeof(path), "/api/v1/webhooks/%lld", mine);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
}

/* --- deliveries, with a herald of its own ---------------------------------------------- */

#define RECEIVED_MAX 1024

/* What the receiver got: each request's event id, signature and body, and its answer. */
struct received {
	char *id, *sig, *body;
	int code;
	double at;      /* when it came (now_real) */
};

static struct {
	pthread_mutex_t mu;
	struct received got[RECEIVED_MAX];
	int n, fail_first, delay_ms;
} rx = {.mu = PTHREAD_MUTEX_INITIALIZER};

struct upload {
	char *data;
	size_t len;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **state)
{
	struct upload *u = *state;
	if (u == NULL) {
		*state = calloc(1, sizeof(*u));
		return MHD_YES;
	}
	if (*size) {
		u->data = realloc(u->data, u->len + *size + 1);
		memcpy(u->data + u->len, data, *size);
		u->len += *size;
		u->data[u->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	if (rx.delay_ms) {   /* spread over delay_ms .. 2 x delay_ms; a thread per connection: the others go on */
		static atomic_int seq;
		usleep((useconds_t)(rx.delay_ms + atomic_fetch_add(&seq, 1) % 8 * rx.delay_ms / 7) * 1000);
	}
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Herald-Event-Id");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Herald-Signature");
	pthread_mutex_lock(&rx.mu);
	int code = rx.n < rx.fail_first ? 500 : 204;
	if (rx.n < RECEIVED_MAX)
		rx.got[rx.n++] = (struct received){strdup(id ? id : ""), strdup(sig ? sig : ""),
						  strdup(u->data ? u->data : ""), code, now_real()};
	pthread_mutex_unlock(&rx.mu);
	struct MHD_Response *resp = MHD_create_response_from_buffer(code == 500 ? 9 : 0, (void *)"try again",
								    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)code, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
	struct upload *u = *state;
	if (u)
		free(u->data);
	free(u);
}

/* The receiver on a free port; its URL into url. */
static struct MHD_Daemon *receiver_start(int fail_first, char *url, size_t len)
{
	rx.fail_first = fail_first;
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
						NULL, on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
						MHD_OPTION_END);
	cr_assert_not_null(d);
	snprintf(url, len, "http://127.0.0.1:%u/hook", MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	return d;
}

/* A mailing of n new clients (operator op) by the user called owner, started now. */
static long long owned_mailing(const char *owner, int n, const char *op)
{
	eng_clients(n, op, NULL, "UTC");
	long long mid = eng_int("INSERT INTO mailings (start_at, end_at, text, filter_operator_codes, created_by)"
				" VALUES (now(), now() + interval '1 hour', 'hi', '{%s}', (SELECT id FROM users WHERE username = '%s'))"
				" RETURNING id", op, owner);
	free(eng_sql("SELECT pg_notify('herald_mailings', '%lld')", mid));
	return mid;
}

static long long hook_sql(const char *owner, const char *url, const char *events)
{
	return eng_int("INSERT INTO webhooks (user_id, url, events, secret) SELECT id, '%s', '%s', '" SECRET "'"
		       " FROM users WHERE username = '%s' RETURNING id", url, events, owner);
}

/* A webhook of message.sent to url for the user called owner, and a mailing of n new clients
 * (operator op) that owner started: returns it once it finished (within final_s) and its n events
 * were delivered. */
static long long sent_and_delivered(const char *owner, const char *url, int n, const char *op, int final_s)
{
	free(eng_token(owner, "operator"));
	hook_sql(owner, url, "{message.sent}");
	long long mid = owned_mailing(owner, n, op);
	cr_assert(eng_wait_final(mid, final_s), "the mailing did not finish");
	cr_assert(eng_wait(20, "SELECT count(*) = %d FROM webhook_deliveries WHERE status = 'delivered'", n),
		  "not every event was delivered");
	return mid;
}

TestSuite(webhooks, .init = eng_db_create, .fini = proc_cleanup, .timeout = 90);

Test(webhooks, a_receiver_that_fails_first_gets_every_event_signed_with_a_stable_id)
{
	char url[128];
	struct MHD_Daemon *d = receiver_start(4, url, sizeof(url));
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, "HERALD_WEBHOOK_RETRY_BASE_MS=100", NULL);
	free(eng_token("hooker", "operator"));
	free(eng_token("other", "operator"));
	hook_sql("hooker", url, "{message.sent,mailing.finished}");
	hook_sql("other", url, "{message.sent,message.failed,mailing.finished}");
	long long mid = owned_mailing("hooker", 5, "916");
	cr_assert(eng_wait_final(mid, 10), "the mailing did not finish");
	/* 5 message.sent and 1 mailing.finished for hooker's webhook; none for the other user's */
	cr_assert(eng_wait(15, "SELECT count(*) = 6 FROM webhook_deliveries WHERE status = 'delivered'"),
		  "not every event was delivered");
	cr_assert_eq(eng_int("SELECT count(*) FROM webhook_deliveries"), 6);
	cr_assert_geq(eng_int("SELECT count(*) FROM webhook_deliveries WHERE attempts > 1"), 1);
	MHD_stop_daemon(d);

	int ok = 0, failed = 0, finished = 0;
	for (int i = 0; i < rx.n; i++) {
		struct received *g = &rx.got[i];
		unsigned char mac[crypto_auth_hmacsha256_BYTES];
		char want[7 + 2 * sizeof(mac) + 1] = "sha256=";
		crypto_auth_hmacsha256_state st;
		crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)g->body, strlen(g->body));
		crypto_auth_hmacsha256_final(&st, mac);
		sodium_bin2hex(want + 7, sizeof(want) - 7, mac, sizeof(mac));
		cr_assert_str_eq(g->sig, want, "request %d is not signed with the secret", i);
		json_t *b = json_loads(g->body, 0, NULL);
		cr_assert_not_null(b, "%s", g->body);
		const char *event = json_string_value(json_object_get(b, "event"));
		json_t *data = json_object_get(b, "data");
		cr_assert_not_null(json_object_get(b, "occurred_at"));
		cr_assert_str_eq(g->id, eng_sql("SELECT id FROM webhook_deliveries WHERE event = '%s' AND object_id = %lld",
						event, (long long)json_integer_value(json_object_get(data, "id"))));
		if (strcmp(event, "mailing.finished") == 0) {
			finished += g->code == 204;
			cr_assert_str_eq(json_string_value(json_object_get(data, "status")), "finished");
		} else {
			cr_assert_str_eq(event, "message.sent");
			cr_assert_eq(json_integer_value(json_object_get(data, "mailing_id")), mid);
			cr_assert_str_eq(json_string_value(json_object_get(data, "status")), "sent");
		}
		if (g->code == 500) {
			failed++;
			/* a failed event came again with the same id, and was delivered */
			int again = 0;
			for (int k = i + 1; k < rx.n; k++)
				again |= strcmp(rx.got[k].id, g->id) == 0 && rx.got[k].code == 204 && strcmp(rx.got[k].body, g->body) == 0;
			cr_assert(again, "event %s was not delivered after its failure", g->id);
		} else {
			ok++;
		}
		json_decref(b);
	}
	cr_assert_eq(failed, 4);
	cr_assert_eq(ok, 6);
	cr_assert_eq(finished, 1);
	cr_assert_eq(eng_int("SELECT count(*) FROM webhook_deliveries WHERE last_code = 204"), 6);
}

Test(webhooks, a_receiver_that_never_answers_does_not_slow_a_mailing)
{
	/* a socket that listens and never accepts: every request waits for its timeout */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	cr_assert(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(s, 1024) == 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", ntohs(a.sin_port));
	struct proc fp = fakeprobe_start(NULL);
	struct proc h = eng_herald(&fp, "HERALD_WEBHOOK_TIMEOUT_MS=20000", "HERALD_WEBHOOK_CONCURRENCY=4", NULL);
	char *token = eng_token("deadhook", "operator");
	long long hook = hook_sql("deadhook", url, "{message.sent}");
	long long mid = owned_mailing("deadhook", 300, "917");
	double t0 = now_real();
	cr_assert(eng_wait_final(mid, 10), "the mailing did not finish");
	cr_assert_eq(eng_count(mid, MSG_SENT), 300);
	cr_assert_lt(now_real() - t0, 5.0, "the mailing took %.1f s", now_real() - t0);
	/* its events wait: at most the concurrency in flight, none delivered */
	char metrics[160], *text;
	snprintf(metrics, sizeof(metrics), "%s/metrics", h.url);
	text = url_text("GET", metrics, NULL, NULL);
	cr_assert(text && strstr(text, "\nherald_webhook_deliveries_pending 300\n"), "%s", text ? text : "no /metrics");
	free(text);
	cr_assert_eq(eng_int("SELECT count(*) FROM webhook_deliveries WHERE status <> 'pending'"), 0);
	cr_assert_leq(eng_int("SELECT count(*) FROM webhook_deliveries WHERE attempts > 0"), 4);
	/* deleting the webhook drops what waits for it */
	char del[160];
	long st = 0;
	snprintf(del, sizeof(del), "%s/api/v1/webhooks/%lld", h.url, hook);
	free(url_text_as(token, "DELETE", del, NULL, &st));
	cr_assert_eq(st, 204);
	text = url_text("GET", metrics, NULL, NULL);
	cr_assert(text && strstr(text, "\nherald_webhook_deliveries_pending 0\n"), "%s", text ? text : "no /metrics");
	free(text);
	free(token);
	close(s);
}

Test(webhooks, two_instances_send_each_event_once)
{
	char url[128];
	struct MHD_Daemon *d = receiver_start(0, url, sizeof(url));
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, "HERALD_WEBHOOK_CONCURRENCY=8", NULL);
	eng_herald(&fp, "HERALD_WEBHOOK_CONCURRENCY=8", NULL);
	sent_and_delivered("twice", url, 400, "918", 20);
	MHD_stop_daemon(d);
	cr_assert_eq(rx.n, 400, "%d requests for 400 events", rx.n);
	for (int i = 0; i < rx.n; i++)
		for (int k = i + 1; k < rx.n; k++)
			cr_assert_str_neq(rx.got[i].id, rx.got[k].id, "event %s was sent twice", rx.got[i].id);
	cr_assert_eq(eng_int("SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1"), 0);
}

/* Delivery reports from a real fakeprobe (--dlr-url) bring message.delivered and
 * message.undelivered, each queued by its report's own statement (the event's created_at, the
 * transaction's time, is the message's reported_at). */
Test(webhooks, delivery_reports_bring_delivered_and_undelivered_events)
{
	char url[128];
	struct MHD_Daemon *d = receiver_start(0, url, sizeof(url));
	const char *args[] = {"--dlr-undelivered-rate", "0.5", "--seed", "3", NULL};
	long long pid;
	struct proc h = eng_herald(NULL, NULL);
	struct proc fp = eng_reporting_provider(&h, "webhook-dlr-secret", args, &pid);
	free(eng_token("reported", "operator"));
	hook_sql("reported", url, "{message.delivered,message.undelivered}");
	long long mid = owned_mailing("reported", 40, "919");
	cr_assert(eng_wait(30, "SELECT count(*) = 40 FROM messages WHERE mailing_id = %lld AND status IN"
			       " (message_status('delivered'), message_status('undelivered'))", mid), "not every message was reported");
	long long delivered = eng_count(mid, MSG_DELIVERED);
	cr_assert_eq(fp_stat(&fp, "dlr_delivered"), delivered);
	cr_assert(eng_wait(20, "SELECT count(*) = 40 FROM webhook_deliveries WHERE status = 'delivered'"),
		  "not every event was delivered");
	MHD_stop_daemon(d);
	cr_assert_eq(rx.n, 40);
	int nd = 0;
	for (int i = 0; i < rx.n; i++) {
		json_t *b = json_loads(rx.got[i].body, 0, NULL);
		const char *event = json_string_value(json_object_get(b, "event"));
		json_t *data = json_object_get(b, "data");
		cr_assert(event && strncmp(event, "message.", 8) == 0, "%s", rx.got[i].body);
		cr_assert_str_eq(json_string_value(json_object_get(data, "status")), event + 8, "%s", rx.got[i].body);
		cr_assert(json_is_string(json_object_get(data, "reported_at")), "%s", rx.got[i].body);
		nd += strcmp(event, "message.delivered") == 0;
		json_decref(b);
	}
	cr_assert_eq(nd, delivered);
	cr_assert_eq(eng_int("SELECT count(*) FROM webhook_deliveries w JOIN messages m ON m.id = w.object_id"
			     " WHERE w.created_at = m.reported_at AND m.provider_id = %lld", pid), 40);
}

/* Sending comes first: while the instance sends (a slow provider keeps requests in flight for
 * seconds), its events wait until they are HERALD_WEBHOOK_DEFER_MS old, so some arrive while the
 * mailing still sends and none sooner than that after it happened; the rest follow. */
Test(webhooks, while_a_mailing_sends_its_events_wait_their_deferral)
{
	char url[128];
	struct MHD_Daemon *d = receiver_start(0, url, sizeof(url));
	const char *slow[] = {"--latency-ms", "1000", NULL};
	struct proc fp = fakeprobe_start(slow);
	eng_herald(&fp, "HERALD_PROVIDER_CONCURRENCY=4", "HERALD_WEBHOOK_DEFER_MS=2000", NULL);
	long long mid = sent_and_delivered("deferred", url, 24, "920", 30);
	MHD_stop_daemon(d);
	double last_sent = atof(eng_sql("SELECT extract(epoch FROM max(sent_at)) FROM messages WHERE mailing_id = %lld", mid));
	int during = 0;
	cr_assert_eq(rx.n, 24);
	for (int i = 0; i < rx.n; i++) {
		double at = atof(eng_sql("SELECT extract(epoch FROM created_at) FROM webhook_deliveries WHERE id = %s", rx.got[i].id));
		if (rx.got[i].at < last_sent) {
			during++;
			cr_assert_geq(rx.got[i].at - at, 2.0, "event %s came %.2f s after it happened, while the mailing sent",
				      rx.got[i].id, rx.got[i].at - at);
		}
	}
	cr_assert_gt(during, 0, "no event came while the mailing sent (it sent until %.1f)", last_sent);
}

/* The sender's statements wait on PostgreSQL for twice the webhook timeout (its queue's table
 * locked, as a migration would) while the receiver takes 0.6 to 1.2 s over each of 8 events in
 * flight: their answers still count, and no event is sent twice. */
Test(webhooks, a_database_stall_longer_than_the_timeout_sends_no_event_twice)
{
	char url[128];
	rx.delay_ms = 600;
	struct MHD_Daemon *d = receiver_start(0, url, sizeof(url));
	struct proc fp = fakeprobe_start(NULL);
	eng_herald(&fp, "HERALD_WEBHOOK_CONCURRENCY=8", "HERALD_WEBHOOK_TIMEOUT_MS=2000", "HERALD_WEBHOOK_DEFER_MS=0", NULL);
	free(eng_token("stalled", "operator"));
	hook_sql("stalled", url, "{message.sent}");
	long long mid = owned_mailing("stalled", 40, "919");
	cr_assert(eng_wait_final(mid, 20), "the mailing did not finish");
	for (int i = 0; i < 300 && eng_int("SELECT count(*) FROM webhook_deliveries WHERE attempts > 0") < 8; i++)
		usleep(10000);
	free(eng_sql("DO $$ BEGIN LOCK TABLE webhook_deliveries IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(4); END $$"));
	cr_assert(eng_wait(30, "SELECT count(*) = 40 FROM webhook_deliveries WHERE status = 'delivered'"),
		  "not every event was delivered");
	MHD_stop_daemon(d);
	rx.delay_ms = 0;
	cr_assert_eq(eng_int("SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1"), 0,
		     "%lld events were tried more than once: their answers came within 1.2 s, but herald did not read them while"
		     " it waited for PostgreSQL", eng_int("SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1"));
	cr_assert_eq(rx.n, 40, "%d requests for 40 events", rx.n);
}
