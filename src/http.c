/* http.c — libmicrohttpd glue: request lifecycle, routing (with the 308 for a trailing
 * slash), authentication, responses, security headers and the access log. */
#include "http.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "route.h"
#include "util.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_QUERY_NAMES 32

static struct MHD_Daemon *daemon_;

static const struct {
	const char *name;
	enum http_method m;
} methods[] = {
	{"GET", HTTP_GET}, {"POST", HTTP_POST}, {"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH},
	{"DELETE", HTTP_DELETE}, {"HEAD", HTTP_HEAD}, {"OPTIONS", HTTP_OPTIONS},
};

const char *http_method_name(int m)
{
	for (size_t i = 0; i < ARRAY_LEN(methods); i++)
		if ((int)methods[i].m == m)
			return methods[i].name;
	return "?";
}

void http_allow_header(int mask, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(methods); i++)
		if (mask & methods[i].m)
			n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", n ? ", " : "",
					      methods[i].name);
}

const char *http_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header_in(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

void http_header(struct http_req *req, const char *name, const char *value)
{
	if (req->nheaders == HTTP_MAX_HEADERS)
		fatal("more than %d response headers", HTTP_MAX_HEADERS);
	req->hdr_name[req->nheaders] = pool_strdup(&req->pool, name);
	req->hdr_value[req->nheaders] = pool_strdup(&req->pool, value);
	req->nheaders++;
}

/* Drops a stream set earlier. */
static void drop_stream(struct http_req *req)
{
	if (req->reader && req->reader_free)
		req->reader_free(req->reader_cls);
	req->reader = NULL;
	req->reader_cls = NULL;
}

void http_stream(struct http_req *req, int status, const char *ctype, http_reader reader, void *cls,
		 void (*free_cls)(void *cls))
{
	http_text(req, status, ctype, "", 0);
	req->reader = reader;
	req->reader_cls = cls;
	req->reader_free = free_cls;
}

void http_text(struct http_req *req, int status, const char *ctype, const char *body, size_t len)
{
	drop_stream(req);
	req->status = status;
	req->content_type = ctype;
	req->static_body = NULL;
	buf_reset(&req->out);
	buf_append(&req->out, body, len);
}

void http_json_text(struct http_req *req, int status, const char *json, size_t len)
{
	http_text(req, status, "application/json", json, len);
}

void http_json(struct http_req *req, int status, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	http_json_text(req, status, s, strlen(s));
	free(s);
}

void http_problem(struct http_req *req, int status, const char *detail, json_t *errors)
{
	char type[64];
	snprintf(type, sizeof(type), "/docs/problems#%s", outcome_slug(status));
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title",
			      MHD_get_reason_phrase_for((unsigned)status), "status", status, "detail",
			      detail ? detail : MHD_get_reason_phrase_for((unsigned)status));
	if (errors)
		json_object_set_new(p, "errors", errors);
	char *s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	http_text(req, status, "application/problem+json", s, strlen(s));
	free(s);
}

void http_fail(struct http_req *req, enum model_rc rc, const char *detail, json_t *errors)
{
	const struct outcome *o = outcome_of(rc);
	if (req->error_page) {
		json_decref(errors);
		req->error_page(req, o->status, detail ? detail : o->admin);
	} else {
		http_problem(req, o->status, detail ? detail : o->api, errors);
	}
}

void http_db_fail(struct http_req *req, const struct db *db)
{
	http_fail(req, model_db_rc(db), NULL, NULL);
}

void http_redirect(struct http_req *req, int status, const char *location)
{
	http_header(req, "Location", location);
	http_text(req, status, "text/plain; charset=utf-8", "", 0);
}

void http_no_content(struct http_req *req)
{
	http_text(req, 204, NULL, "", 0);
}

json_t *http_body_json(struct http_req *req)
{
	const char *ct = http_header_in(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen("application/json");
	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0 || (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
		http_problem(req, 415, "the body must be application/json", NULL);
		return NULL;
	}
	json_error_t e;
	json_t *v = json_loadb(req->body.data ? req->body.data : "", req->body.len,
			       JSON_REJECT_DUPLICATES, &e);
	if (v == NULL) {
		char detail[300];
		snprintf(detail, sizeof(detail), "the body is not valid JSON: %s (line %d, column %d)",
			 e.text, e.line, e.column);
		http_problem(req, 400, detail, NULL);
	}
	return pool_json(&req->pool, v);
}

/* --- authentication ------------------------------------------------------------------- */

static int auth_token(struct http_req *req)
{
	const char *h = http_header_in(req, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0') {
		http_header(req, "WWW-Authenticate", "Bearer realm=\"herald\"");
		http_problem(req, 401, "an API token is required: Authorization: Bearer <token>", NULL);
		return -1;
	}
	enum model_rc rc = token_gate(h + 7, &req->user);
	if (rc != MODEL_OK && rc != MODEL_NOT_FOUND) {
		http_fail(req, rc, NULL, NULL);
		return -1;
	}
	if (rc == MODEL_NOT_FOUND) {
		http_header(req, "WWW-Authenticate", "Bearer realm=\"herald\", error=\"invalid_token\"");
		http_problem(req, 401, "the API token is not valid", NULL);
		return -1;
	}
	return 0;
}

/* --- request lifecycle ---------------------------------------------------------------- */

struct qnames {
	const char *names[MAX_QUERY_NAMES + 1];
	int n, overflow;
};

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct qnames *q = cls;
	if (q->n == MAX_QUERY_NAMES) {
		q->overflow = 1;
		return MHD_NO;
	}
	q->names[q->n++] = key;
	return MHD_YES;
}

/* Answers status before a route let the request in: under the session routes' prefix their
 * error page (the admin's, in the browser's language), else problem+json with detail. */
static void refuse_early(struct http_req *req, int status, const char *detail)
{
	size_t n = strlen(session_gate.prefix);
	if (strncmp(req->path, session_gate.prefix, n) == 0)
		session_gate.error_page(req, status, outcome_admin(status));
	else
		http_problem(req, status, detail, NULL);
}

/* Everything decided before the body is read: the query whitelist, authentication and the
 * role. 0 to go on, -1 when the answer is ready. */
static int gate(struct http_req *req)
{
	const struct route *r = req->route;
	struct qnames q = {.n = 0};
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_query, &q);
	q.names[q.n] = NULL;
	const char *bad = route_check_query(r, q.names);
	if (q.overflow || bad) {
		char detail[200];
		snprintf(detail, sizeof(detail), "unknown query parameter '%.100s'", q.overflow ? "(too many)" : bad);
		refuse_early(req, 400, detail);
		return -1;
	}
	if (r->auth == AUTH_TOKEN) {
		if (auth_token(req) < 0)
			return -1;
		if (req->user.role < r->role) {
			http_problem(req, 403, "your role may not do this", NULL);
			return -1;
		}
	} else if (r->auth == AUTH_SESSION && session_gate.before_body(req) < 0) {
		return -1;
	}
	return 0;
}

/* Whether req's answer says it changed something, which the history must then have: every write
 * records itself (resource.c, audit_route, audit_outcome). A token-authenticated write of an
 * operator or admin answered 2xx (a viewer's POST is a question: POST /mailings/recipients),
 * or an admin form's POST answered with its redirect after success (303). */
static int changed(const struct http_req *req)
{
	const struct route *r = req->route;
	if (r->auth == AUTH_TOKEN)
		return r->role >= ROLE_OPERATOR && (req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)) &&
		       req->status >= 200 && req->status < 300;
	return r->auth == AUTH_SESSION && req->method == HTTP_POST && req->status == 303;
}

/* Runs the handler once the body is in. */
static void dispatch(struct http_req *req)
{
	const struct route *r = req->route;
	if (r->auth == AUTH_SESSION && session_gate.with_body(req) < 0)
		return;
	r->handler(req);
	if (req->status == 0)
		http_problem(req, 500, "the handler gave no answer", NULL);
	else if (!req->audited && changed(req))
		log_error("audit.missing", LS("path", r->pattern), LS("method", req->method_name),
			  LS("request_id", req->request_id));
}

static void add_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
				"frame-ancestors 'none'; form-action 'self'; base-uri 'self'");
}

static enum MHD_Result respond(struct http_req *req)
{
	struct MHD_Response *resp;
	if (req->responded)
		return MHD_YES;
	req->responded = 1;
	if (req->reader) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, req->reader, req->reader_cls,
							 req->reader_free);
		req->reader = NULL;   /* MHD frees it now */
	} else if (req->static_body)
		resp = MHD_create_response_from_buffer(req->static_len, (void *)req->static_body,
						       MHD_RESPMEM_PERSISTENT);
	else {
		size_t len = req->out.len;
		resp = MHD_create_response_from_buffer(len, buf_steal(&req->out), MHD_RESPMEM_MUST_FREE);
	}
	if (req->content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
	MHD_add_response_header(resp, "X-Request-Id", req->request_id);
	add_security_headers(resp);
	if (req->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
	for (int i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->hdr_name[i], req->hdr_value[i]);
	enum MHD_Result rc = MHD_queue_response(req->conn, (unsigned)req->status, resp);
	MHD_destroy_response(resp);
	double seconds = now_mono() - req->t_start;
	metrics_http(req->route ? (int)(req->route - routes) : -1, req->method, req->status, seconds);
	if (req->route == NULL || req->route->auth != AUTH_PUBLIC || req->status >= 400)
		log_info_batched("http.request", LS("request_id", req->request_id), LS("method", req->method_name),
			 LS("path", req->path), LI("status", req->status), LI("user_id", req->user.id),
			 LD("ms", seconds * 1000.0));
	return rc;
}

static void set_request_id(struct http_req *req)
{
	const char *h = http_header_in(req, "X-Request-Id");
	if (h && strlen(h) <= 64 && strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(h) && *h) {
		snprintf(req->request_id, sizeof(req->request_id), "%s", h);
		return;
	}
	random_hex_pooled(req->request_id, 8);
}

#define XFF_MAX 32

/* The client address and scheme: the peer's, unless the peer is a trusted proxy; then the
 * X-Forwarded-For entries are read from the right (the nearest hop first), skipping trusted
 * proxies, and the first other address is the client. X-Forwarded-Proto counts only from a
 * trusted proxy. */
static void set_client(struct http_req *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	net_addr_text(ci ? ci->client_addr : NULL, req->peer);
	snprintf(req->client, sizeof(req->client), "%s", req->peer);
	if (!net_list_has(&cfg.trusted, req->peer))
		return;
	const char *proto = http_header_in(req, "X-Forwarded-Proto");
	req->tls = proto && strcasecmp(proto, "https") == 0;
	const char *xff = http_header_in(req, "X-Forwarded-For");
	if (xff == NULL || strlen(xff) > XFF_MAX * NET_ADDR_LEN)
		return;
	char copy[XFF_MAX * NET_ADDR_LEN + 1], *hop[XFF_MAX], *save = NULL;
	int n = 0;
	snprintf(copy, sizeof(copy), "%s", xff);
	for (char *t = strtok_r(copy, ", \t", &save); t && n < XFF_MAX; t = strtok_r(NULL, ", \t", &save))
		hop[n++] = t;
	for (int i = n - 1; i >= 0; i--) {
		if (net_addr_norm(hop[i], req->client) < 0)
			return;     /* not an address: nothing further left is believed */
		if (!net_list_has(&cfg.trusted, req->client))
			return;
	}
}

static enum MHD_Result append_query(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct buf *b = cls;
	buf_putc(b, strchr(b->data, '?') ? '&' : '?');
	buf_urlencode(b, key);
	if (value) {
		buf_putc(b, '=');
		buf_urlencode(b, value);
	}
	return MHD_YES;
}

/* A path with one trailing slash that has no route while the path without it has one
 * ("/api/v1/clients/", as the systems herald replaces call it): answers 308 to the canonical
 * path with the same query string, so that the method and the body are sent again unchanged,
 * and returns 1. 0 (nothing answered) for any other path. */
static int redirect_slash(struct http_req *req)
{
	size_t len = strlen(req->path);
	if (len < 2 || req->path[len - 1] != '/' || req->path[len - 2] == '/')
		return 0;
	char *canon = xstrndup(req->path, len - 1);
	const struct route *r;
	const char *params[HTTP_MAX_PARAMS];
	int nparams, allow;
	int found = route_match(routes, routes_len, req->method, canon, &r, params, &nparams, &allow) != ROUTE_NOT_FOUND;
	free(canon);
	if (!found)
		return 0;
	struct buf loc = BUF_INIT;
	for (const char *seg = req->path + 1; seg < req->path + len - 1;) {   /* each segment, encoded */
		size_t n = strcspn(seg, "/");
		char *part = xstrndup(seg, n);
		buf_putc(&loc, '/');
		buf_urlencode(&loc, part);
		free(part);
		seg += n + 1;
	}
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, append_query, &loc);
	http_redirect(req, 308, loc.data);
	buf_free(&loc);
	return 1;
}

/* Routes the request and decides what can be decided before the body: 1 when the answer is
 * to go out now, without reading the body; 0 to read the body (into req->body, or only to
 * drop it when req->early_status is set). */
static int begin(struct http_req *req)
{
	char allow[128];
	req->body_limit = HTTP_BODY_LIMIT;
	req->path_copy = pool_strdup(&req->pool, req->path);
	switch (route_match(routes, routes_len, req->method, req->path_copy, &req->route, req->params,
			    &req->nparams, &req->allow)) {
	case ROUTE_NOT_FOUND:
		if (!redirect_slash(req))
			refuse_early(req, 404, "no such resource");
		req->early_status = req->status;
		return 0;
	case ROUTE_BAD_METHOD:
		http_allow_header(req->allow, allow, sizeof(allow));
		http_header(req, "Allow", allow);
		refuse_early(req, 405, "method not allowed here");
		req->early_status = 405;
		return 0;
	case ROUTE_FOUND:
		break;
	}
	if (req->route->body_limit)
		req->body_limit = req->route->body_limit;
	const char *cl = http_header_in(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t n = -1;
	if (cl && parse_i64(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > req->body_limit) {
		char detail[100];
		snprintf(detail, sizeof(detail), "the body is larger than %zu bytes", req->body_limit);
		refuse_early(req, 413, detail);
		req->early_status = 413;
		return 1;
	}
	if (gate(req) < 0) {
		/* refused before the body: a small one is read and dropped (a clean answer on a
		 * kept-alive connection), a larger one or one of unknown length is not read */
		req->early_status = req->status;
		return cl == NULL || n > HTTP_PREAUTH_LIMIT;
	}
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct http_req *req = *con_cls;
	if (req == NULL) {
		req = xcalloc(1, sizeof(*req));
		*con_cls = req;
		req->conn = conn;
		req->path = url;
		req->method_name = method;
		req->t_start = now_mono();
		for (size_t i = 0; i < ARRAY_LEN(methods); i++)
			if (strcmp(methods[i].name, method) == 0)
				req->method = methods[i].m;
		set_request_id(req);
		set_client(req);
		if (req->method == 0) {
			http_problem(req, 501, "unknown method", NULL);
			return respond(req);
		}
		if (begin(req))
			return respond(req);   /* refused before a byte of the body is read */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (req->early_status) {
			/* 404/405 or refused (a small body): the answer is ready, the body is read
			 * and dropped so that the client (or a proxy) sees a clean response, up to
			 * the bulk limit */
			req->body.len += *upload_size;
			*upload_size = 0;
			return req->body.len > HTTP_BULK_LIMIT ? respond(req) : MHD_YES;
		}
		if (!req->body_too_large) {
			if (req->body.len + *upload_size > req->body_limit)
				req->body_too_large = 1;
			else
				buf_append(&req->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->early_status)
		return respond(req);
	if (req->body_too_large) {
		char detail[100];
		snprintf(detail, sizeof(detail), "the body is larger than %zu bytes", req->body_limit);
		refuse_early(req, 413, detail);
		return respond(req);
	}
	dispatch(req);
	return respond(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_req *req = *con_cls;
	if (req == NULL)
		return;
	drop_stream(req);
	buf_free(&req->body);
	buf_free(&req->out);
	pool_release(&req->pool);
	free(req);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warn("http.mhd", LS("message", msg));
}

/* Splits "host:port" or "[v6]:port"; resolves numerically into *ss. */
int http_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *port;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof(host))
			return -1;
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		port = close + 2;
	} else {
		const char *colon = strrchr(spec, ':');
		if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
			return -1;
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		port = colon + 1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | AI_PASSIVE}, *ai;
	if (getaddrinfo(*host ? host : NULL, port, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int http_start(void)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (http_parse_listen(cfg.listen, &ss, &sslen) < 0) {
		log_error("http.bad_listen", LS("listen", cfg.listen));
		return -1;
	}
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_USE_ITC;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_ = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
				   MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				   MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg.http_threads,
				   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg.http_timeout_s,
				   MHD_OPTION_CONNECTION_LIMIT, 4096u,
				   MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
				   MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				   MHD_OPTION_END);
	if (daemon_ == NULL) {
		log_error("http.start_failed", LS("listen", cfg.listen));
		return -1;
	}
	log_info("http.listening", LS("listen", cfg.listen), LI("threads", cfg.http_threads));
	return 0;
}

void http_stop(void)
{
	if (daemon_ == NULL)
		return;
	MHD_quiesce_daemon(daemon_);
	MHD_stop_daemon(daemon_);
	daemon_ = NULL;
}
