/* provider_probe.c — the probe-compatible HTTP provider (API.md section 5) on its loop's libcurl
 * multi: up to `concurrency` POSTs in flight over keep-alive connections, one easy handle per
 * slot, each request's timeout cut at the message's expires_at. Outcomes:
 *   200 + JSON body {"code": 0, ...}                         sent
 *   5xx, 429 (Retry-After seconds), timeout, connection error,
 *   200 with any other body, other non-4xx statuses            transient
 *   other 4xx                                                  permanent, error = status + body excerpt */
#include "provider_impl.h"
#include "buf.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX 4096          /* response bytes kept (the rest is read and dropped) */

struct slot {
	struct provider *owner;    /* first: the loop finds the provider through CURLINFO_PRIVATE */
	CURL *easy;
	struct provider_msg *msg;  /* NULL when the slot is free */
	struct buf req, resp;
	char url[1024];
	int retry_after_s;
	double t0;
};

struct probe_provider {
	struct provider base;
	CURLM *multi;                  /* the loop's */
	char *url;                     /* base URL: requests go to {url}/send/{id} */
	struct metrics_provider *mp;
	struct curl_slist *headers;
	struct slot *slots;
	int *free_slots, nfree, cap;
	struct provider_msg **ready;   /* finished without a transfer (expired before sending) */
	int nready;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;
	if (s->resp.len < BODY_MAX)
		buf_append(&s->resp, p, len < BODY_MAX - s->resp.len ? len : BODY_MAX - s->resp.len);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct slot *s = arg;
	size_t len = size * n;
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		char tmp[32];
		size_t k = len - 12 < sizeof(tmp) - 1 ? len - 12 : sizeof(tmp) - 1;
		memcpy(tmp, p + 12, k);
		tmp[k] = '\0';
		char *v = tmp + strspn(tmp, " \t");
		v[strcspn(v, " \t\r\n")] = '\0';
		int64_t secs;
		if (parse_i64(v, 0, 86400, &secs) == 0)
			s->retry_after_s = (int)secs;
	}
	return len;
}

static struct provider *pp_open(struct provider_loop *l, const struct provider_conf *c, int concurrency)
{
	struct probe_provider *pp = xcalloc(1, sizeof(*pp));
	pp->cap = concurrency;
	pp->multi = l->multi;
	pp->url = xstrdup(c->url);
	pp->mp = metrics_provider_of(c->name);
	pp->headers = curl_slist_append(NULL, "Content-Type: application/json");
	pp->headers = curl_slist_append(pp->headers, "Expect:");
	if (c->token && *c->token) {
		char *auth = xasprintf("Authorization: Bearer %s", c->token);
		pp->headers = curl_slist_append(pp->headers, auth);
		free(auth);
	}
	pp->slots = xcalloc((size_t)concurrency, sizeof(*pp->slots));
	pp->free_slots = xcalloc((size_t)concurrency, sizeof(int));
	pp->ready = xcalloc((size_t)concurrency, sizeof(*pp->ready));
	for (int i = 0; i < concurrency; i++) {
		struct slot *s = &pp->slots[i];
		s->owner = &pp->base;
		s->easy = curl_easy_init();
		if (s->easy == NULL)
			fatal("curl_easy_init failed");
		curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, pp->headers);
		curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
		curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
		curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
		curl_easy_setopt(s->easy, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg.provider_timeout_ms);
		pp->free_slots[pp->nfree++] = i;
	}
	log_info("provider.opened", LS("provider", c->name), LS("kind", "probe"), LS("url", c->url),
		 LI("concurrency", concurrency), LI("timeout_ms", cfg.provider_timeout_ms));
	return &pp->base;
}

static void pp_close(struct provider *p)
{
	struct probe_provider *pp = (struct probe_provider *)p;
	for (int i = 0; i < pp->cap; i++) {
		struct slot *s = &pp->slots[i];
		if (s->msg)
			curl_multi_remove_handle(pp->multi, s->easy);
		curl_easy_cleanup(s->easy);
		buf_free(&s->req);
		buf_free(&s->resp);
	}
	curl_slist_free_all(pp->headers);
	free(pp->url);
	free(pp->slots);
	free(pp->free_slots);
	free(pp->ready);
	free(pp);
}

static int pp_room(const struct provider *p)
{
	const struct probe_provider *pp = (const struct probe_provider *)p;
	return pp->nfree - pp->nready;
}

static int pp_inflight(const struct provider *p)
{
	const struct probe_provider *pp = (const struct probe_provider *)p;
	return pp->cap - pp->nfree + pp->nready;
}

static void pp_submit(struct provider *p, struct provider_msg *m)
{
	struct probe_provider *pp = (struct probe_provider *)p;
	long left_ms = (long)((m->expires_at - now_real() - PROVIDER_SEND_GUARD_S) * 1000.0);
	if (left_ms <= 0 || !is_digits(m->phone, strlen(m->phone))) {
		snprintf(m->error, sizeof(m->error), "%s", left_ms <= 0 ? "expires_at reached before sending" :
			 "phone is not digits");
		m->outcome = left_ms <= 0 ? PO_TRANSIENT : PO_PERMANENT;
		pp->ready[pp->nready++] = m;
		return;
	}
	struct slot *s = &pp->slots[pp->free_slots[--pp->nfree]];
	s->msg = m;
	s->retry_after_s = -1;
	buf_reset(&s->resp);
	buf_reset(&s->req);
	buf_printf(&s->req, "{\"id\":%lld,\"phone\":%s,\"text\":", (long long)m->id, m->phone);
	buf_json_str(&s->req, m->text);
	buf_putc(&s->req, '}');
	snprintf(s->url, sizeof(s->url), "%s/send/%lld", pp->url, (long long)m->id);
	long tmo = left_ms < cfg.provider_timeout_ms ? left_ms : cfg.provider_timeout_ms;
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->req.data);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)s->req.len);
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, tmo);
	s->t0 = now_mono();
	curl_multi_add_handle(pp->multi, s->easy);
}

/* Copies up to 160 bytes of body into out as printable text. */
static void excerpt(const struct buf *b, char *out, size_t outlen)
{
	size_t k = 0;
	for (size_t i = 0; i < b->len && k + 1 < outlen && i < 160; i++) {
		unsigned char c = (unsigned char)b->data[i];
		out[k++] = c >= 32 && c < 127 ? (char)c : ' ';
	}
	out[k] = '\0';
}

static int body_is_ok(const struct buf *b)
{
	if (b->len == 0)
		return 0;
	json_t *j = json_loadb(b->data, b->len, 0, NULL);
	json_t *code = json_is_object(j) ? json_object_get(j, "code") : NULL;
	int ok = json_is_integer(code) && json_integer_value(code) == 0;
	json_decref(j);
	return ok;
}

static void classify(struct probe_provider *pp, struct slot *s, CURLcode rc)
{
	struct provider_msg *m = s->msg;
	char ex[200];
	long status = 0;
	m->latency = now_mono() - s->t0;
	if (rc != CURLE_OK) {
		m->outcome = PO_TRANSIENT;
		m->timeout = rc == CURLE_OPERATION_TIMEDOUT;
		snprintf(m->error, sizeof(m->error), "%s: %s", m->timeout ? "timeout" : "connection error",
			 curl_easy_strerror(rc));
		metrics_provider(pp->mp, m->timeout ? MR_TIMEOUT : MR_TRANSIENT, m->latency);
		return;
	}
	curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
	m->http_status = (int)status;
	excerpt(&s->resp, ex, sizeof(ex));
	if (status == 200 && body_is_ok(&s->resp)) {
		m->outcome = PO_SENT;
		metrics_provider(pp->mp, MR_OK, m->latency);
		return;
	}
	if (status >= 400 && status < 500 && status != 429) {
		m->outcome = PO_PERMANENT;
		snprintf(m->error, sizeof(m->error), "provider refused it: HTTP %ld: %s", status, ex);
		metrics_provider(pp->mp, MR_PERMANENT, m->latency);
		return;
	}
	m->outcome = PO_TRANSIENT;
	if (status == 429 && s->retry_after_s >= 0)
		m->retry_after_ms = s->retry_after_s * 1000;
	if (status == 200)
		snprintf(m->error, sizeof(m->error), "HTTP 200 without {\"code\": 0}: %s", ex);
	else
		snprintf(m->error, sizeof(m->error), "HTTP %ld: %s", status, ex);
	metrics_provider(pp->mp, MR_TRANSIENT, m->latency);
}

static int pp_ready(struct provider *p, struct provider_msg **done, int max)
{
	struct probe_provider *pp = (struct probe_provider *)p;
	int k = 0;
	while (k < max && pp->nready > 0)
		done[k++] = pp->ready[--pp->nready];
	return k;
}

static struct provider_msg *pp_finished(struct provider *p, CURL *easy, CURLcode rc)
{
	struct probe_provider *pp = (struct probe_provider *)p;
	struct slot *s;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&s);
	classify(pp, s, rc);
	struct provider_msg *m = s->msg;
	s->msg = NULL;
	pp->free_slots[pp->nfree++] = (int)(s - pp->slots);
	return m;
}

const struct provider_ops provider_probe_ops = {
	"probe", pp_open, pp_close, pp_room, pp_inflight, pp_submit, pp_ready, pp_finished, NULL,
};
