/* fakeprobe — a probe-compatible SMS provider for development, tests and benchmarks (API.md 6).
 * Serves POST /v1/send/{id} {"id","phone","text"} and records what it received; failures,
 * latency and outages are injected by options or at run time through POST /control (see usage()).
 * libmicrohttpd with an epoll thread pool; delayed and never-answered requests are suspended
 * connections (a timer thread resumes them), so latency costs no thread. Records live in one
 * array plus an open-addressing hash of ids under one short mutex. */
#include "buf.h"
#include "util.h"
#include "webhook.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX 65536
#define RULES_MAX 256
#define NEVER_S 600.0               /* a "never answered" request is dropped after this */

static void usage(FILE *f)
{
	fputs("usage: fakeprobe --listen HOST:PORT [options]\n"
	      "  --token T          require 'Authorization: Bearer T' (401 otherwise)\n"
	      "  --fail-rate R      share of requests answered 500 (0..1)\n"
	      "  --timeout-rate R   share of requests never answered\n"
	      "  --garbage-rate R   share answered 200 with a broken body\n"
	      "  --latency-ms N     answer after N ms\n"
	      "  --seed N           random seed (default 1)\n"
	      "  --threads N        HTTP threads (default 2)\n"
	      "  --dlr-url URL      0.1 s after each message answered OK, POST a delivery report to URL\n"
	      "                     (herald's /api/v1/providers/{id}/dlr) with 'Authorization: Bearer S':\n"
	      "                     {\"id\": id, \"status\": \"delivered\"|\"undelivered\", \"error\": ...};\n"
	      "                     from its own thread, at most 32 in flight, 65536 new and 65536 retries\n"
	      "                     waiting (more are dropped and counted), so answers never wait for\n"
	      "                     reports; a\n"
	      "                     report answered 409 (the sent outcome not stored yet), 5xx or not\n"
	      "                     at all is tried again every 200 ms, 25 times at most\n"
	      "  --dlr-secret S     the provider's dlr_secret (required with --dlr-url)\n"
	      "  --dlr-undelivered-rate R  share of reports that say undelivered (default 0)\n"
	      "  --webhook-secret S a webhook's secret: POST /hook checks X-Herald-Signature with it\n"
	      "Endpoints:\n"
	      "  POST /v1/send/{id}  {\"id\": int, \"phone\": int, \"text\": str} -> 200 {\"code\": 0, \"id\": id}\n"
	      "  POST /hook          a webhook receiver (API.md 9.6): 204, or 401 when --webhook-secret is\n"
	      "                      given and X-Herald-Signature is not the body's HMAC-SHA256 with it\n"
	      "  GET  /stats         {\"received\", \"unique_ids\", \"ok\", \"ok_twice\", \"duplicates\",\n"
	      "                       \"dlr_queued\", \"dlr_delivered\", \"dlr_undelivered\", \"dlr_refused\",\n"
	      "                       \"dlr_dropped\", \"webhooks\", \"webhooks_unsigned\"} (ok_twice: ids\n"
	      "                      answered 200 OK more than once; dlr_*: reports queued, answered 200\n"
	      "                      as delivered or undelivered, refused for good, dropped; webhooks:\n"
	      "                      POST /hook answered 204, webhooks_unsigned: answered 401)\n"
	      "  GET  /received      {\"results\": [{\"id\", \"phone\", \"status\", \"ts_ms\"}]} in arrival order;\n"
	      "                      status 0 = never answered; ts_ms = arrival, epoch milliseconds\n"
	      "  POST /control       JSON, every field optional:\n"
	      "                      {\"fail_rate\", \"timeout_rate\", \"garbage_rate\", \"latency_ms\",\n"
	      "                       \"down_ms\": N   answer 503 to everything for the next N ms,\n"
	      "                       \"rules\": [{\"phone\": int, \"status\": code, \"times\": n (0 = always),\n"
	      "                                  \"retry_after\": seconds}]  (replace earlier rules;\n"
	      "                       a rule answers that phone with that status, 429/503 with Retry-After)}\n"
	      "  POST /reset         forget records, counters and rules\n", f);
}

/* ---- settings (changed by /control under mu) ---- */

struct rule {
	long long phone;
	int status, times, retry_after;
};

static struct {
	pthread_mutex_t mu;
	double fail, timeout, garbage;
	int latency_ms;
	double down_until;
	struct rule rules[RULES_MAX];
	int nrules;
} set = {.mu = PTHREAD_MUTEX_INITIALIZER};

static const char *token;
static unsigned long long seed = 1;

/* ---- records ---- */

struct record {
	long long id, phone, ts_ms;
	int status;
};

struct slot {
	long long id;        /* 0 = empty (ids are positive) */
	unsigned received, ok;
};

static struct {
	pthread_mutex_t mu;
	struct record *recs;
	size_t nrecs, caprecs;
	struct slot *slots;
	size_t nslots, used;
	unsigned long long ok, ok_twice, dupes;
} rec = {.mu = PTHREAD_MUTEX_INITIALIZER};

static size_t hash(long long id)
{
	unsigned long long x = (unsigned long long)id * 0x9E3779B97F4A7C15ull;
	return (size_t)(x ^ (x >> 29));
}

static struct slot *slot_get(long long id)
{
	if (rec.used * 2 >= rec.nslots) {
		size_t n = rec.nslots ? rec.nslots * 2 : 1 << 16;
		struct slot *s = xcalloc(n, sizeof(*s));
		for (size_t i = 0; i < rec.nslots; i++) {
			if (rec.slots[i].id == 0)
				continue;
			size_t j = hash(rec.slots[i].id) & (n - 1);
			while (s[j].id)
				j = (j + 1) & (n - 1);
			s[j] = rec.slots[i];
		}
		free(rec.slots);
		rec.slots = s;
		rec.nslots = n;
	}
	size_t j = hash(id) & (rec.nslots - 1);
	while (rec.slots[j].id && rec.slots[j].id != id)
		j = (j + 1) & (rec.nslots - 1);
	if (rec.slots[j].id == 0) {
		rec.slots[j].id = id;
		rec.used++;
	}
	return &rec.slots[j];
}

static long long now_ms(void)
{
	return (long long)(now_real() * 1000.0);
}

static void dlr_push(long long id);

/* Returns the index of the new record. */
static size_t record_add(long long id, long long phone, int status, int ok)
{
	pthread_mutex_lock(&rec.mu);
	if (rec.nrecs == rec.caprecs) {
		rec.caprecs = rec.caprecs ? rec.caprecs * 2 : 4096;
		rec.recs = xrealloc(rec.recs, rec.caprecs * sizeof(*rec.recs));
	}
	size_t i = rec.nrecs++;
	rec.recs[i] = (struct record){id, phone, now_ms(), status};
	if (id > 0) {
		struct slot *s = slot_get(id);
		if (s->received++)
			rec.dupes++;
		if (ok) {
			rec.ok++;
			if (s->ok++ == 1)
				rec.ok_twice++;
		}
	}
	pthread_mutex_unlock(&rec.mu);
	if (ok && id > 0)
		dlr_push(id);
	return i;
}

/* A delayed answer decides OK only when it is sent (so a request dropped by the client still
 * counts as answered if the answer went out: the provider cannot know better either). */
static void record_answer(size_t i, int status, int ok)
{
	pthread_mutex_lock(&rec.mu);
	long long id = rec.recs[i].id;
	rec.recs[i].status = status;
	if (ok) {
		struct slot *s = slot_get(id);
		rec.ok++;
		if (s->ok++ == 1)
			rec.ok_twice++;
	}
	pthread_mutex_unlock(&rec.mu);
	if (ok)
		dlr_push(id);
}

static void record_reset(void)
{
	pthread_mutex_lock(&rec.mu);
	free(rec.recs);
	free(rec.slots);
	rec.recs = NULL;
	rec.slots = NULL;
	rec.nrecs = rec.caprecs = rec.nslots = rec.used = 0;
	rec.ok = rec.ok_twice = rec.dupes = 0;
	pthread_mutex_unlock(&rec.mu);
}

/* ---- per-thread random numbers (xorshift64*) ---- */

static double rnd(void)
{
	static __thread unsigned long long x;
	static unsigned long long counter;
	if (x == 0)
		x = (seed + __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED)) * 0x2545F4914F6CDD1Dull | 1;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* ---- delivery reports (--dlr-url): a queue and a thread that posts them on a curl multi ---- */

#define DLR_BACKLOG 65536       /* reports waiting; more are dropped (counted) */
#define DLR_INFLIGHT 32
#define DLR_DELAY_S 0.1         /* a report leaves this long after its answer, as herald stores
				 * the sent outcome a moment after the answer */
#define DLR_RETRY_S 0.2
#define DLR_TRIES 25

struct dlr_item {
	long long id;
	double due;
	int tries, undelivered;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const char *url, *secret;
	double undelivered;
	struct ring {                     /* due times grow along each ring: new reports, retries */
		struct dlr_item q[DLR_BACKLOG];
		size_t head, n;
	} fresh, retry;
	unsigned long long queued, delivered, undelivered_ok, refused, dropped;
} dlr = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Queues it (under dlr.mu); 0, or -1 when the backlog is full. */
static int dlr_queue(struct ring *g, struct dlr_item it)
{
	if (g->n == DLR_BACKLOG)
		return -1;
	g->q[(g->head + g->n++) % DLR_BACKLOG] = it;
	pthread_cond_signal(&dlr.cv);
	return 0;
}

/* The ring whose first report is due by now, or NULL. */
static struct ring *dlr_due(double now)
{
	if (dlr.fresh.n > 0 && dlr.fresh.q[dlr.fresh.head].due <= now)
		return &dlr.fresh;
	if (dlr.retry.n > 0 && dlr.retry.q[dlr.retry.head].due <= now)
		return &dlr.retry;
	return NULL;
}

static void dlr_push(long long id)
{
	if (dlr.url == NULL)
		return;
	struct dlr_item it = {id, now_real() + DLR_DELAY_S, 0, rnd() < dlr.undelivered};
	pthread_mutex_lock(&dlr.mu);
	if (dlr_queue(&dlr.fresh, it) < 0)
		dlr.dropped++;
	else
		dlr.queued++;
	pthread_mutex_unlock(&dlr.mu);
}

struct dlr_xfer {
	CURL *c;
	struct curl_slist *hdr;
	struct dlr_item it;
	char body[128];
};

static size_t dlr_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void dlr_start(CURLM *m, struct dlr_xfer *x, struct curl_slist *hdr)
{
	snprintf(x->body, sizeof(x->body), x->it.undelivered
		 ? "{\"id\":%lld,\"status\":\"undelivered\",\"error\":\"fakeprobe: undelivered\"}"
		 : "{\"id\":%lld,\"status\":\"delivered\"}", x->it.id);
	x->c = curl_easy_init();
	curl_easy_setopt(x->c, CURLOPT_URL, dlr.url);
	curl_easy_setopt(x->c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(x->c, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, dlr_discard);
	curl_easy_setopt(x->c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(x->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
	curl_multi_add_handle(m, x->c);
}

/* An answer: 200 counted; 409 (herald has not stored the sent outcome yet), 5xx or none tried
 * again later, up to DLR_TRIES; anything else refused for good. */
static void dlr_done(CURLM *m, struct dlr_xfer *x, CURLcode rc)
{
	long code = 0;
	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(m, x->c);
	curl_easy_cleanup(x->c);
	x->c = NULL;
	pthread_mutex_lock(&dlr.mu);
	if (rc == CURLE_OK && code == 200) {
		if (x->it.undelivered)
			dlr.undelivered_ok++;
		else
			dlr.delivered++;
	} else if ((rc != CURLE_OK || code == 409 || code >= 500) && ++x->it.tries < DLR_TRIES) {
		x->it.due = now_real() + DLR_RETRY_S;
		if (dlr_queue(&dlr.retry, x->it) < 0)
			dlr.dropped++;
	} else {
		dlr.refused++;
	}
	pthread_mutex_unlock(&dlr.mu);
}

static void *dlr_main(void *arg)
{
	(void)arg;
	static struct dlr_xfer xs[DLR_INFLIGHT];
	char auth[600];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", dlr.secret);
	struct curl_slist *hdr = curl_slist_append(curl_slist_append(NULL, "Content-Type: application/json"), auth);
	CURLM *m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)DLR_INFLIGHT);   /* keep-alive for every slot */
	int running = 0;
	for (;;) {
		pthread_mutex_lock(&dlr.mu);
		if (running == 0 && dlr_due(now_real()) == NULL) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&dlr.cv, &dlr.mu, &ts);
		}
		double now = now_real();
		struct ring *g;
		for (int i = 0; i < DLR_INFLIGHT && (g = dlr_due(now)) != NULL; i++) {
			if (xs[i].c != NULL)
				continue;
			xs[i].it = g->q[g->head];
			g->head = (g->head + 1) % DLR_BACKLOG;
			g->n--;
			dlr_start(m, &xs[i], hdr);
		}
		pthread_mutex_unlock(&dlr.mu);
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct dlr_xfer *x;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			dlr_done(m, x, msg->data.result);
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 20, NULL);
	}
	return NULL;
}

/* ---- the timer that resumes suspended connections ---- */

struct req {
	struct buf body;
	int too_big, suspended;
	int status, retry_after, ok;
	const char *answer;        /* static text */
	char answer_buf[96];
	size_t rec_index;
	double due;
	struct MHD_Connection *conn;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct req **heap;
	size_t n, cap;
} tmr = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0};

static void heap_push(struct req *r)
{
	if (tmr.n == tmr.cap) {
		tmr.cap = tmr.cap ? tmr.cap * 2 : 1024;
		tmr.heap = xrealloc(tmr.heap, tmr.cap * sizeof(*tmr.heap));
	}
	size_t i = tmr.n++;
	while (i > 0 && tmr.heap[(i - 1) / 2]->due > r->due) {
		tmr.heap[i] = tmr.heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	tmr.heap[i] = r;
}

static struct req *heap_pop(void)
{
	struct req *top = tmr.heap[0], *last = tmr.heap[--tmr.n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= tmr.n)
			break;
		if (c + 1 < tmr.n && tmr.heap[c + 1]->due < tmr.heap[c]->due)
			c++;
		if (tmr.heap[c]->due >= last->due)
			break;
		tmr.heap[i] = tmr.heap[c];
		i = c;
	}
	if (tmr.n)
		tmr.heap[i] = last;
	return top;
}

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&tmr.mu);
	for (;;) {
		if (tmr.n == 0) {
			pthread_cond_wait(&tmr.cv, &tmr.mu);
			continue;
		}
		double now = now_real();
		if (tmr.heap[0]->due > now) {
			double d = tmr.heap[0]->due;
			struct timespec ts = {(time_t)d, (long)((d - (time_t)d) * 1e9)};
			pthread_cond_timedwait(&tmr.cv, &tmr.mu, &ts);
			continue;
		}
		struct req *r = heap_pop();
		pthread_mutex_unlock(&tmr.mu);
		MHD_resume_connection(r->conn);
		pthread_mutex_lock(&tmr.mu);
	}
	return NULL;
}

static void suspend_until(struct req *r, struct MHD_Connection *conn, double due)
{
	r->conn = conn;
	r->due = due;
	r->suspended = 1;
	MHD_suspend_connection(conn);
	pthread_mutex_lock(&tmr.mu);
	heap_push(r);
	pthread_cond_signal(&tmr.cv);
	pthread_mutex_unlock(&tmr.mu);
}

/* ---- HTTP ---- */

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode, int retry_after)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, mode);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (retry_after >= 0) {
		char v[16];
		snprintf(v, sizeof(v), "%d", retry_after);
		MHD_add_response_header(resp, "Retry-After", v);
	}
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, int status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return reply(c, status, s, strlen(s), MHD_RESPMEM_MUST_FREE, -1);
}

/* POST /hook: the webhook receiver's counts (atomic: no lock on the receiving path). */
static const char *hook_secret;
static atomic_ullong hooks_ok, hooks_unsigned;

static enum MHD_Result do_hook(struct MHD_Connection *c, struct req *r)
{
	if (hook_secret) {
		const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Herald-Signature");
		char want[WEBHOOK_SIGNATURE_LEN];
		webhook_sign(hook_secret, r->body.data ? r->body.data : "", r->body.len, want);
		if (r->too_big || sig == NULL || strcmp(sig, want) != 0) {
			atomic_fetch_add(&hooks_unsigned, 1);
			return reply(c, 401, "", 0, MHD_RESPMEM_PERSISTENT, -1);
		}
	}
	atomic_fetch_add(&hooks_ok, 1);
	return reply(c, 204, "", 0, MHD_RESPMEM_PERSISTENT, -1);
}

static enum MHD_Result do_stats(struct MHD_Connection *c)
{
	pthread_mutex_lock(&rec.mu);
	json_t *j = json_pack("{sIsIsIsIsI}", "received", (json_int_t)rec.nrecs, "unique_ids", (json_int_t)rec.used,
			      "ok", (json_int_t)rec.ok, "ok_twice", (json_int_t)rec.ok_twice,
			      "duplicates", (json_int_t)rec.dupes);
	pthread_mutex_unlock(&rec.mu);
	pthread_mutex_lock(&dlr.mu);
	json_t *d = json_pack("{sIsIsIsIsI}", "dlr_queued", (json_int_t)dlr.queued, "dlr_delivered", (json_int_t)dlr.delivered,
			      "dlr_undelivered", (json_int_t)dlr.undelivered_ok, "dlr_refused", (json_int_t)dlr.refused,
			      "dlr_dropped", (json_int_t)dlr.dropped);
	pthread_mutex_unlock(&dlr.mu);
	json_object_update(j, d);
	json_decref(d);
	json_object_set_new(j, "webhooks", json_integer((json_int_t)atomic_load(&hooks_ok)));
	json_object_set_new(j, "webhooks_unsigned", json_integer((json_int_t)atomic_load(&hooks_unsigned)));
	return reply_json(c, 200, j);
}

static enum MHD_Result do_received(struct MHD_Connection *c)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"results\":[");
	pthread_mutex_lock(&rec.mu);
	for (size_t i = 0; i < rec.nrecs; i++)
		buf_printf(&b, "%s{\"id\":%lld,\"phone\":%lld,\"status\":%d,\"ts_ms\":%lld}", i ? "," : "",
			   rec.recs[i].id, rec.recs[i].phone, rec.recs[i].status, rec.recs[i].ts_ms);
	pthread_mutex_unlock(&rec.mu);
	buf_puts(&b, "]}");
	size_t len = b.len;
	return reply(c, 200, buf_steal(&b), len, MHD_RESPMEM_MUST_FREE, -1);
}

static int rate_ok(json_t *v, double *out)
{
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
		return 0;
	*out = json_number_value(v);
	return 1;
}

static enum MHD_Result do_control(struct MHD_Connection *c, struct req *r)
{
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return reply_json(c, 400, json_pack("{ss}", "error", "body must be a JSON object"));
	}
	const char *key;
	json_t *v;
	pthread_mutex_lock(&set.mu);
	const char *bad = NULL;
	json_object_foreach(j, key, v) {
		if (strcmp(key, "fail_rate") == 0) {
			if (!rate_ok(v, &set.fail)) bad = key;
		} else if (strcmp(key, "timeout_rate") == 0) {
			if (!rate_ok(v, &set.timeout)) bad = key;
		} else if (strcmp(key, "garbage_rate") == 0) {
			if (!rate_ok(v, &set.garbage)) bad = key;
		} else if (strcmp(key, "latency_ms") == 0 && json_is_integer(v) && json_integer_value(v) >= 0) {
			set.latency_ms = (int)json_integer_value(v);
		} else if (strcmp(key, "down_ms") == 0 && json_is_integer(v) && json_integer_value(v) >= 0) {
			set.down_until = now_real() + json_integer_value(v) / 1000.0;
		} else if (strcmp(key, "rules") == 0 && json_is_array(v) && json_array_size(v) <= RULES_MAX) {
			size_t i;
			json_t *e;
			set.nrules = 0;
			json_array_foreach(v, i, e) {
				json_int_t phone = 0, status = 0, times = 0, ra = -1;
				if (json_unpack(e, "{sI,sI,s?I,s?I}", "phone", &phone, "status", &status, "times", &times,
						"retry_after", &ra) < 0 || status < 100 || status > 599) {
					bad = key;
					break;
				}
				set.rules[set.nrules++] = (struct rule){phone, (int)status, (int)times, (int)ra};
			}
		} else {
			bad = key;
		}
		if (bad)
			break;
	}
	pthread_mutex_unlock(&set.mu);
	json_decref(j);
	if (bad)
		return reply_json(c, 400, json_pack("{ss}", "error", bad));
	return reply_json(c, 200, json_pack("{sb}", "ok", 1));
}

/* Decides the answer to a send request whose body is valid. */
static void decide(struct req *r, long long phone, long long id, int *delay_ms, int *never)
{
	pthread_mutex_lock(&set.mu);
	double now = now_real();
	*delay_ms = set.latency_ms;
	*never = 0;
	r->retry_after = -1;
	r->ok = 0;
	if (now < set.down_until) {
		r->status = 503;
		r->answer = "{\"code\":503,\"error\":\"down\"}";
		pthread_mutex_unlock(&set.mu);
		return;
	}
	for (int i = 0; i < set.nrules; i++) {
		struct rule *ru = &set.rules[i];
		if (ru->phone != phone || ru->times < 0)
			continue;
		r->status = ru->status;
		r->retry_after = ru->retry_after;
		r->answer = "{\"code\":1,\"error\":\"rule\"}";
		if (ru->times > 0 && --ru->times == 0)
			ru->times = -1;       /* used up */
		pthread_mutex_unlock(&set.mu);
		return;
	}
	double x = rnd();
	if (x < set.timeout) {
		*never = 1;
		r->status = 0;
	} else if ((x -= set.timeout) < set.fail) {
		r->status = 500;
		r->answer = "{\"code\":500,\"error\":\"internal\"}";
	} else if ((x -= set.fail) < set.garbage) {
		r->status = 200;
		r->answer = "{\"code\": 0, \"message\": \"OK";
	} else {
		r->status = 200;
		r->ok = 1;
		snprintf(r->answer_buf, sizeof(r->answer_buf), "{\"code\":0,\"id\":%lld,\"message\":\"OK\"}", id);
		r->answer = r->answer_buf;
	}
	pthread_mutex_unlock(&set.mu);
}

static enum MHD_Result do_send(struct MHD_Connection *c, struct req *r, const char *idtext)
{
	int64_t id;
	if (parse_i64(idtext, 1, INT64_MAX, &id) < 0) {
		record_add(0, 0, 404, 0);
		return reply_json(c, 404, json_pack("{ss}", "error", "no such path"));
	}
	if (token) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
		if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, token) != 0) {
			record_add(id, 0, 401, 0);
			return reply_json(c, 401, json_pack("{siss}", "code", 401, "error", "bad token"));
		}
	}
	json_t *j = r->too_big ? NULL : json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	json_t *jid = json_object_get(j, "id"), *jphone = json_object_get(j, "phone"), *jtext = json_object_get(j, "text");
	if (!json_is_integer(jid) || json_integer_value(jid) != id || !json_is_integer(jphone) || !json_is_string(jtext)) {
		json_decref(j);
		record_add(id, 0, 400, 0);
		return reply_json(c, 400, json_pack("{siss}", "code", 400, "error",
						    "body must be {\"id\": <the id of the path>, \"phone\": int, \"text\": str}"));
	}
	long long phone = json_integer_value(jphone);
	json_decref(j);
	int delay_ms, never;
	decide(r, phone, id, &delay_ms, &never);
	if (never || delay_ms > 0) {
		r->rec_index = record_add(id, phone, never ? 0 : -1, 0);
		suspend_until(r, c, now_real() + (never ? NEVER_S : delay_ms / 1000.0));
		return MHD_YES;
	}
	record_add(id, phone, r->status, r->ok);
	return reply(c, r->status, r->answer, strlen(r->answer), MHD_RESPMEM_MUST_COPY, r->retry_after);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *data_size, void **con_cls)
{
	(void)cls;
	(void)version;
	struct req *r = *con_cls;
	if (r == NULL) {
		*con_cls = xcalloc(1, sizeof(struct req));
		return MHD_YES;
	}
	if (*data_size > 0) {
		if (r->body.len + *data_size > BODY_MAX)
			r->too_big = 1;
		else
			buf_append(&r->body, data, *data_size);
		*data_size = 0;
		return MHD_YES;
	}
	if (r->suspended) {              /* resumed by the timer */
		if (r->status == 0) {
			record_answer(r->rec_index, 504, 0);
			return reply(c, 504, "{}", 2, MHD_RESPMEM_PERSISTENT, -1);
		}
		record_answer(r->rec_index, r->status, r->ok);
		return reply(c, r->status, r->answer, strlen(r->answer), MHD_RESPMEM_MUST_COPY, r->retry_after);
	}
	int post = strcmp(method, "POST") == 0;
	if (post && strncmp(url, "/v1/send/", 9) == 0)
		return do_send(c, r, url + 9);
	if (post && strcmp(url, "/hook") == 0)
		return do_hook(c, r);
	if (!post && strcmp(url, "/stats") == 0)
		return do_stats(c);
	if (!post && strcmp(url, "/received") == 0)
		return do_received(c);
	if (post && strcmp(url, "/control") == 0)
		return do_control(c, r);
	if (post && strcmp(url, "/reset") == 0) {
		record_reset();
		pthread_mutex_lock(&set.mu);
		set.nrules = 0;
		set.down_until = 0;
		pthread_mutex_unlock(&set.mu);
		pthread_mutex_lock(&dlr.mu);
		dlr.queued = dlr.delivered = dlr.undelivered_ok = dlr.refused = dlr.dropped = 0;
		pthread_mutex_unlock(&dlr.mu);
		atomic_store(&hooks_ok, 0);
		atomic_store(&hooks_unsigned, 0);
		return reply_json(c, 200, json_pack("{sb}", "ok", 1));
	}
	return reply_json(c, 404, json_pack("{ss}", "error", "no such path"));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	(void)cls;
	(void)c;
	(void)t;
	struct req *r = *con_cls;
	if (r) {
		buf_free(&r->body);
		free(r);
		*con_cls = NULL;
	}
}

static double arg_rate(const char *name, const char *v)
{
	char *end;
	double d = strtod(v, &end);
	if (*end || d < 0 || d > 1)
		fatal("%s: '%s' is not a number from 0 to 1", name, v);
	return d;
}

static long arg_int(const char *name, const char *v, long max)
{
	int64_t n;
	if (parse_i64(v, 0, max, &n) < 0)
		fatal("%s: '%s' is not a whole number from 0 to %ld", name, v, max);
	return (long)n;
}

int main(int argc, char **argv)
{
	const char *listen = NULL;
	unsigned threads = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (v == NULL) {
			usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(a, "--listen") == 0) listen = v;
		else if (strcmp(a, "--token") == 0) token = v;
		else if (strcmp(a, "--fail-rate") == 0) set.fail = arg_rate(a, v);
		else if (strcmp(a, "--timeout-rate") == 0) set.timeout = arg_rate(a, v);
		else if (strcmp(a, "--garbage-rate") == 0) set.garbage = arg_rate(a, v);
		else if (strcmp(a, "--latency-ms") == 0) set.latency_ms = (int)arg_int(a, v, 3600000);
		else if (strcmp(a, "--seed") == 0) seed = (unsigned long long)arg_int(a, v, INT64_MAX);
		else if (strcmp(a, "--threads") == 0) threads = (unsigned)arg_int(a, v, 64);
		else if (strcmp(a, "--dlr-url") == 0) dlr.url = v;
		else if (strcmp(a, "--dlr-secret") == 0) dlr.secret = v;
		else if (strcmp(a, "--dlr-undelivered-rate") == 0) dlr.undelivered = arg_rate(a, v);
		else if (strcmp(a, "--webhook-secret") == 0) hook_secret = v;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (listen == NULL || strchr(listen, ':') == NULL || (dlr.url == NULL) != (dlr.secret == NULL) ||
	    (dlr.secret && strlen(dlr.secret) > 500)) {
		usage(stderr);
		return 2;
	}
	char host[256];
	const char *colon = strrchr(listen, ':');
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	long port = arg_int("--listen port", colon + 1, 65535);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		fatal("--listen: '%s' is not an IPv4 address", host);

	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_t t;
	if (pthread_create(&t, NULL, timer_main, NULL) != 0)
		fatal("pthread_create: %s", strerror(errno));
	if (dlr.url && (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || pthread_create(&t, NULL, dlr_main, NULL) != 0))
		fatal("cannot start the delivery reports' thread");
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, 8192u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 700u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (d == NULL)
		fatal("cannot listen on %s", listen);
	fprintf(stderr, "fakeprobe listening on %s\n", listen);
	int sig;
	sigwait(&sigs, &sig);
	pthread_mutex_lock(&rec.mu);
	fprintf(stderr, "fakeprobe: received %zu, unique %zu, ok %llu, ok twice %llu\n", rec.nrecs, rec.used, rec.ok,
		rec.ok_twice);
	pthread_mutex_unlock(&rec.mu);
	_exit(0);   /* suspended connections may remain: no orderly MHD_stop_daemon needed for a test tool */
}
