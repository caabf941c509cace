/* webhook.c — the webhook sender. See webhook.h; the queue is sql/026_webhooks.sql. */
#include "webhook.h"
#include "libcurl.h"
#include "config.h"
#include "log.h"
#include "inflight.h"
#include "model_mailing.h"
#include "model_message.h"
#include "model_webhook.h"
#include "pgarr.h"
#include "util.h"
#include "worker.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define IDLE_WAIT_MS 500      /* the queue is looked at this often when it had nothing due */
#define POLL_MS 50            /* the longest wait for a transfer to move before the next turn */
#define WRITE_WAIT_MS 100     /* the longest an answer waits to be written with others */
#define LEASE_MARGIN_MS 30000 /* a claimed delivery is not claimed again before its request's
			       * timeout and this: only an instance that stopped mid-attempt
			       * leaves one to be retried */
#define RETRY_CAP_MS "3600000"   /* the longest wait between two tries, before jitter */
#define GIVE_UP_AFTER "24 hours"
#define EXPAND_ROWS_MAX "64"  /* rows of events looked at by one expansion (each one statement's) */
#define EXPAND_AHEAD 4        /* an expansion makes deliveries for this many times the slots */
/* The sender's session: its statements are planned once (a custom plan of the claim or of the
 * answers' write took 1.4 to 1.7 ms, more than the rest of a batch). */
#define SESSION_SETUP "SET application_name = 'herald-webhook'; SET plan_cache_mode = force_generic_plan"

enum { WM_DELIVERED, WM_FAILED, WM_GIVEN_UP, WM_COUNT };
static atomic_ullong counts[WM_COUNT];

static void *run(void *arg);
struct worker webhook_worker = WORKER_INIT("webhook.start_failed", run);

/* Events of t younger than parameter p in ms are held back (test events are not): p is
 * cfg.webhook_defer_ms while this instance sends messages, else 0 (held_back). */
#define OLD_ENOUGH(t, p) "(" t ".created_at <= now() - " p " * interval '1 millisecond' OR " t ".event = '" WEBHOOK_TEST_EVENT "')"

/* $1 how many, $2 the lease in ms, $3 held back (OLD_ENOUGH): due deliveries of enabled webhooks that no
 * sender holds, each attempt counted and leased before the request is made. */
static const char sql_claim[] =
    "UPDATE webhook_deliveries d SET attempts = d.attempts + 1, lease_until = now() + $2 * interval '1 millisecond'"
    "  FROM webhooks h"
    " WHERE d.id = ANY (ARRAY(SELECT id FROM webhook_deliveries w WHERE status = 'pending' AND next_at <= now()"
    "                   AND (lease_until IS NULL OR lease_until < now()) AND " OLD_ENOUGH("w", "$3")
    "                   AND webhook_id IN (SELECT id FROM webhooks WHERE enabled)"
    "                 ORDER BY next_at LIMIT $1 FOR UPDATE SKIP LOCKED))"
    "   AND h.id = d.webhook_id"
    " RETURNING d.id, d.attempts, d.event, d.object_id, api_ts(d.created_at), h.id, h.url, h.secret";

/* $1 how many events at least, $2 held back (OLD_ENOUGH): the oldest events of enabled webhooks
 * (sql/031_webhook_events.sql) that no other sender is expanding, whole rows of them until there
 * are $1, become pending deliveries (their ids the event ids), each with its event's time.
 * Returns nothing; the command status counts the deliveries made. */
static const char sql_expand[] =
    "WITH locked AS (SELECT id, cardinality(object_ids) AS n FROM webhook_events e"
    "                 WHERE webhook_id IN (SELECT id FROM webhooks WHERE enabled) AND " OLD_ENOUGH("e", "$2")
    "                 ORDER BY id LIMIT " EXPAND_ROWS_MAX " FOR UPDATE SKIP LOCKED),"
    " chosen AS (SELECT id FROM (SELECT id, sum(n) OVER (ORDER BY id) - n AS before FROM locked) c WHERE before < $1),"
    " taken AS (DELETE FROM webhook_events e WHERE e.id = ANY (ARRAY(SELECT id FROM chosen))"
    "           RETURNING e.id, e.webhook_id, e.event, e.object_ids, e.created_at)"
    "INSERT INTO webhook_deliveries (webhook_id, event, object_id, created_at)"
    " SELECT t.webhook_id, t.event, o.id, t.created_at FROM taken t CROSS JOIN LATERAL unnest(t.object_ids) AS o(id)"
    "  ORDER BY t.id, o.id";

/* The answers: $1 ids, $2 the attempts claimed (the fence), $3 HTTP codes (0: none), $4 the
 * answers' first bytes or the error; $5 the first retry's delay in ms. The rows are found by
 * their primary key (= ANY): the session's generic plan joined unnest's rows to a sequential
 * scan of the whole queue, planned while the table was small and kept as it grew (8.8 ms a
 * write of 32 answers at 50,000 rows). */
#define ANSWER_OK "(u.code BETWEEN 200 AND 299)"
#define TOO_OLD "(d.created_at <= now() - interval '" GIVE_UP_AFTER "')"
static const char sql_answers[] =
    "UPDATE webhook_deliveries d SET"
    " status = CASE WHEN " ANSWER_OK " THEN 'delivered' WHEN " TOO_OLD " THEN 'failed' ELSE 'pending' END,"
    " next_at = CASE WHEN " ANSWER_OK " OR " TOO_OLD " THEN d.next_at ELSE now() + least($5::float8 * 2 ^ least(d.attempts - 1, 30),"
    "   " RETRY_CAP_MS ") * (0.75 + random() / 2) * interval '1 millisecond' END,"
    " done_at = CASE WHEN " ANSWER_OK " OR " TOO_OLD " THEN now() END, lease_until = NULL,"
    " last_code = u.code, last_answer = u.answer"
    " FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[]) AS u(id, a, code, answer)"
    " WHERE d.id = ANY ($1::bigint[]) AND d.id = u.id AND d.attempts = u.a AND d.status = 'pending'"
    " RETURNING d.status";

/* One slot of the pipeline: free (c NULL), a request in flight, or done (its answer to write). */
struct xfer {
	int done;
	CURL *c;
	struct curl_slist *hdr;
	char *body;
	char *id, *attempts;
	long code;
	char answer[WEBHOOK_ANSWER_MAX + 1];
	size_t alen;
	CURLcode rc;
};

char *webhook_body(const char *event, const char *occurred_at, json_t *data)
{
	json_t *b = json_pack("{s:s, s:s, s:o}", "event", event, "occurred_at", occurred_at, "data", data);
	char *s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	return s;
}

/* The data of claimed row i of r: its message from msgs (message_get_many's), its mailing,
 * {"id"} when the object is gone, {"webhook_id"} for a test event. New reference. */
static json_t *data_of(struct db *db, PGresult *r, int i, json_t *msgs)
{
	json_t *data = NULL;
	const char *event = db_str(r, i, 2), *object = db_null(r, i, 3) ? NULL : db_str(r, i, 3);
	if (object && strncmp(event, "message.", 8) == 0) {
		data = json_incref(json_object_get(msgs, object));
	} else if (object && mailing_get(db, atoll(object), &data) != MODEL_OK) {
		data = NULL;
	}
	if (data == NULL && object)
		data = json_pack("{s:I}", "id", (json_int_t)atoll(object));
	return data ? data : json_pack("{s:I}", "webhook_id", (json_int_t)atoll(db_str(r, i, 5)));
}

/* The messages of the claimed rows of r, in one query (message_get_many); NULL when none. */
static json_t *messages_of(struct db *db, PGresult *r)
{
	struct buf ids = BUF_INIT;
	int any = 0;
	pgarr_start(&ids);
	for (int i = 0; i < PQntuples(r); i++)
		if (!db_null(r, i, 3) && strncmp(db_str(r, i, 2), "message.", 8) == 0) {
			pgarr_text(&ids, db_str(r, i, 3));
			any = 1;
		}
	pgarr_end(&ids);
	json_t *m = NULL;
	if (any)
		message_get_many(db, ids.data, &m);
	buf_free(&ids);
	return m;
}

void webhook_sign(const char *secret, const char *body, size_t len, char out[WEBHOOK_SIGNATURE_LEN])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, WEBHOOK_SIGNATURE_LEN - 7, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

/* Keeps the answer's first bytes, printable ASCII (the rest as '?'), so that any answer is
 * valid text for the database. */
static size_t on_answer(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	for (size_t i = 0; i < size * n && x->alen < WEBHOOK_ANSWER_MAX; i++)
		x->answer[x->alen++] = p[i] >= ' ' && p[i] <= '~' ? p[i] : '?';
	x->answer[x->alen] = '\0';
	return size * n;
}

/* Prepares the request of claimed row i of r, whose data is data (stolen), into x. */
static void prepare(PGresult *r, int i, json_t *data, struct xfer *x)
{
	char sig[WEBHOOK_SIGNATURE_LEN];
	x->id = xstrdup(db_str(r, i, 0));
	x->attempts = xstrdup(db_str(r, i, 1));
	x->body = webhook_body(db_str(r, i, 2), db_str(r, i, 4), data);
	webhook_sign(db_str(r, i, 7), x->body, strlen(x->body), sig);
	x->hdr = curl_slist_append(NULL, "Content-Type: application/json");
	char *h[] = {xasprintf("X-Herald-Event: %s", db_str(r, i, 2)), xasprintf("X-Herald-Event-Id: %s", x->id),
		     xasprintf("X-Herald-Signature: %s", sig)};
	for (size_t k = 0; k < ARRAY_LEN(h); k++) {
		x->hdr = curl_slist_append(x->hdr, h[k]);
		free(h[k]);
	}
	x->c = curl_easy_init();
	if (x->c == NULL)
		fatal("curl_easy_init failed");
	curl_easy_setopt(x->c, CURLOPT_URL, db_str(r, i, 6));
	curl_easy_setopt(x->c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->c, CURLOPT_TIMEOUT_MS, (long)cfg.webhook_timeout_ms);
	curl_easy_setopt(x->c, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg.webhook_timeout_ms);
	curl_easy_setopt(x->c, CURLOPT_USERAGENT, "herald");
	curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, x->hdr);
	curl_easy_setopt(x->c, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->c, CURLOPT_POSTFIELDSIZE, (long)strlen(x->body));
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(x->c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
}

/* The pipeline: cfg.webhook_concurrency slots of one curl multi handle (keep-alive), filled by
 * claims while they run, so that a slow receiver holds its own slots and not the others'. */
struct sender {
	CURLM *m;
	struct xfer *slots;
	int n, busy, done;
	double claim_after;     /* no claim before (monotonic): the queue had nothing more due */
	double first_done;      /* when the oldest answer not yet written came */
};

static void release(struct sender *s, struct xfer *x)
{
	curl_multi_remove_handle(s->m, x->c);
	curl_easy_cleanup(x->c);
	curl_slist_free_all(x->hdr);
	free(x->body);
	free(x->id);
	free(x->attempts);
	s->busy--;
	s->done -= x->done;
	memset(x, 0, sizeof(*x));
}

/* Sending comes first: while this instance sends messages (inflight_sending), events wait up to
 * cfg.webhook_defer_ms: the age in ms of the youngest event delivered now, in text. Delivering
 * them beside sending, on the same cores, slowed sending by a quarter (docs/performance.md). */
static const char *held_back(char out[DB_NUM_LEN])
{
	return db_num(out, inflight_sending() ? cfg.webhook_defer_ms : 0);
}

/* Claims what the free slots take and starts their requests: the number claimed, or -1. */
static int claim(struct db *db, struct sender *s)
{
	char lim[DB_NUM_LEN], lease[DB_NUM_LEN], defer[DB_NUM_LEN];
	const char *p[] = {db_num(lim, s->n - s->busy),
			   db_num(lease, cfg.webhook_timeout_ms + LEASE_MARGIN_MS), held_back(defer)};
	PGresult *r = db_exec(db, sql_claim, 3, p);
	if (r == NULL)
		return -1;
	int n = PQntuples(r), k = 0;
	json_t *msgs = messages_of(db, r);
	for (int i = 0; i < n; i++) {
		while (s->slots[k].c)
			k++;
		prepare(r, i, data_of(db, r, i, msgs), &s->slots[k]);
		curl_multi_add_handle(s->m, s->slots[k].c);
		s->busy++;
	}
	json_decref(msgs);
	PQclear(r);
	return n;
}

/* Makes deliveries of waiting events, at least want of them when there are: how many, or -1. */
static int expand(struct db *db, int want)
{
	char n[DB_NUM_LEN], defer[DB_NUM_LEN];
	const char *p[] = {db_num(n, want), held_back(defer)};
	PGresult *r = db_exec(db, sql_expand, 2, p);
	int made = r ? atoi(PQcmdTuples(r)) : -1;
	PQclear(r);
	return made;
}

/* Marks the transfers that ended with their answers. */
static void collect(struct sender *s)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(s->m, &left)) != NULL) {
		struct xfer *x;
		if (msg->msg != CURLMSG_DONE || curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x) != CURLE_OK)
			continue;
		x->rc = msg->data.result;
		curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &x->code);
		if (x->rc != CURLE_OK) {
			x->code = 0;
			snprintf(x->answer, sizeof(x->answer), "%s", curl_easy_strerror(x->rc));
		}
		if (s->done++ == 0)
			s->first_done = now_mono();
		x->done = 1;
	}
}

/* Moves the transfers on; with wait, waits up to POLL_MS for one of them to move (or, when none
 * runs, as long: the answers are waiting for the database). */
static void pump(struct sender *s, int wait)
{
	int running;
	curl_multi_perform(s->m, &running);
	collect(s);
	if (!wait)
		return;
	if (s->busy > s->done) {
		curl_multi_poll(s->m, NULL, 0, POLL_MS, NULL);
		curl_multi_perform(s->m, &running);
		collect(s);
	} else {
		usleep(POLL_MS * 1000);
	}
}

/* db->wait of the sender's session (arg: the sender): while one of its statements waits for
 * PostgreSQL, the transfers move on, so that a statement stalled past the webhook timeout does
 * not make the requests in flight time out and be sent again. Their ends stay in curl's queue
 * until the next collect(), so the answers being written are not mixed with new ones. */
static void wait_moving(void *arg, int fd)
{
	struct sender *s = arg;
	struct curl_waitfd w = {fd, CURL_WAIT_POLLIN, 0};
	int running;
	curl_multi_poll(s->m, &w, 1, POLL_MS, NULL);
	curl_multi_perform(s->m, &running);
}

/* Writes the answers of the done slots back (counting them) and frees the slots. */
static void write_answers(struct db *db, struct sender *s)
{
	struct pgarr_cols a;
	char base[DB_NUM_LEN];
	pgarr_cols_start(&a, 4);
	for (int i = 0; i < s->n; i++)
		if (s->slots[i].done) {
			pgarr_text(&a.col[0], s->slots[i].id);
			pgarr_text(&a.col[1], s->slots[i].attempts);
			pgarr_int(&a.col[2], s->slots[i].code);
			pgarr_text(&a.col[3], s->slots[i].answer);
		}
	pgarr_cols_end(&a);
	const char *p[] = {a.param[0], a.param[1], a.param[2], a.param[3],
			   db_num(base, cfg.webhook_retry_base_ms)};
	PGresult *r = db_exec(db, sql_answers, 5, p);
	unsigned long long c[WM_COUNT] = {0};
	for (int i = 0; r && i < PQntuples(r); i++)
		c[strcmp(db_str(r, i, 0), "delivered") == 0 ? WM_DELIVERED : strcmp(db_str(r, i, 0), "failed") == 0 ? WM_GIVEN_UP : WM_FAILED]++;
	for (int k = 0; k < WM_COUNT; k++)
		atomic_fetch_add_explicit(&counts[k], c[k], memory_order_relaxed);
	if (r == NULL)
		log_error("webhook.write_failed", LS("error", db->err));   /* the leases run out: tried again */
	else if (c[WM_FAILED] || c[WM_GIVEN_UP])
		log_warn("webhook.attempts", LI("delivered", c[WM_DELIVERED]), LI("failed", c[WM_FAILED]),
			 LI("given_up", c[WM_GIVEN_UP]));
	PQclear(r);
	for (int i = 0; i < s->n; i++)
		if (s->slots[i].done)
			release(s, &s->slots[i]);
	pgarr_cols_free(&a);
}

/* One turn: claims for the free slots (a quarter of them at least, unless none is busy; when too
 * few deliveries are due, after making some of the events that wait), moves
 * the transfers on, and writes the answers when a quarter of the slots has one, when nothing
 * else runs, or when the oldest waited WRITE_WAIT_MS. Returns 1 while it has work in hand or
 * more may be due. */
static int turn(struct db *db, struct sender *s)
{
	double now = now_mono();
	if (db && now >= s->claim_after && (s->n - s->busy) * 4 >= s->n) {
		int free_slots = s->n - s->busy, n = claim(db, s);
		if (n >= 0 && n < free_slots && expand(db, s->n * EXPAND_AHEAD) > 0) {
			int more = claim(db, s);
			n = more < 0 ? more : n + more;
		}
		if (n < free_slots)
			s->claim_after = now + IDLE_WAIT_MS / 1000.0;
	}
	pump(s, s->busy > s->done || db == NULL);
	if (db && s->done && (s->done * 4 >= s->n || s->done == s->busy || now_mono() - s->first_done >= WRITE_WAIT_MS / 1000.0))
		write_answers(db, s);
	return s->busy > 0 || now_mono() >= s->claim_after;
}

static void *run(void *arg)
{
	(void)arg;
	struct sender s = {.n = cfg.webhook_concurrency};
	libcurl_init();
	if ((s.m = curl_multi_init()) == NULL)
		fatal("curl_multi_init failed");
	s.slots = xcalloc((size_t)s.n, sizeof(*s.slots));
	struct db *session = NULL;
	while (!worker_stopping(&webhook_worker)) {
		struct db *db = db_thread();
		if (db && db != session)
			session = db_session(db, SESSION_SETUP) == 0 ? db : NULL;
		if (db) {
			db->wait = wait_moving;
			db->wait_arg = &s;
		}
		if (turn(db == session ? db : NULL, &s))
			continue;
		worker_idle(&webhook_worker, IDLE_WAIT_MS);
		s.claim_after = 0;
	}
	for (int i = 0; i < s.n; i++)   /* requests cut short: their leases run out, they are tried again */
		if (s.slots[i].c)
			release(&s, &s.slots[i]);
	free(s.slots);
	curl_multi_cleanup(s.m);
	db_thread_close();
	return NULL;
}

void webhook_metrics(struct buf *out, struct db *db)
{
	buf_printf(out, "# HELP herald_webhook_attempts_total Webhook deliveries attempted (this instance): delivered (2xx),"
			" failed (retried later) or given_up (24 hours of failures).\n"
			"# TYPE herald_webhook_attempts_total counter\n"
			"herald_webhook_attempts_total{result=\"delivered\"} %llu\n"
			"herald_webhook_attempts_total{result=\"failed\"} %llu\n"
			"herald_webhook_attempts_total{result=\"given_up\"} %llu\n",
		   (unsigned long long)atomic_load(&counts[WM_DELIVERED]), (unsigned long long)atomic_load(&counts[WM_FAILED]),
		   (unsigned long long)atomic_load(&counts[WM_GIVEN_UP]));
	PGresult *r = db ? db_exec(db, "SELECT webhook_waiting(NULL)", 0, NULL) : NULL;
	if (r)
		buf_printf(out, "# HELP herald_webhook_deliveries_pending Webhook events waiting to be delivered (all instances).\n"
				"# TYPE herald_webhook_deliveries_pending gauge\nherald_webhook_deliveries_pending %s\n",
			   db_str(r, 0, 0));
	PQclear(r);
}
