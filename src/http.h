/* http.h — the web role: libmicrohttpd in epoll thread-pool mode, the request object handlers
 * see, and response helpers. Handlers are synchronous and run on a pool thread; they use that
 * thread's database connection (db_thread()). */
#ifndef HERALD_HTTP_H
#define HERALD_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>
#include "buf.h"
#include "net.h"
#include "outcome.h"
#include "pool.h"
#include "user.h"

enum http_method {
	HTTP_GET = 1, HTTP_POST = 2, HTTP_PUT = 4, HTTP_PATCH = 8, HTTP_DELETE = 16, HTTP_HEAD = 32,
	HTTP_OPTIONS = 64
};

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 12
#define HTTP_BODY_LIMIT (1024 * 1024)
#define HTTP_BULK_LIMIT (16 * 1024 * 1024)
#define HTTP_PREAUTH_LIMIT (64 * 1024)     /* a refused request's body up to this is read and dropped */

struct route;

/* A streamed body: fills buf with up to max bytes and returns how many, or
 * MHD_CONTENT_READER_END_OF_STREAM / MHD_CONTENT_READER_END_WITH_ERROR. */
typedef ssize_t (*http_reader)(void *cls, uint64_t pos, char *buf, size_t max);

struct http_req {
	struct MHD_Connection *conn;
	const struct route *route;
	enum http_method method;
	const char *method_name;
	struct pool pool;                       /* released when the request completes */
	const char *path;                       /* owned by MHD, valid for the request */
	char *path_copy;                        /* params point into it (in pool) */
	const char *params[HTTP_MAX_PARAMS];    /* {name} captures of the route, in order */
	int nparams;
	struct buf body;
	size_t body_limit;
	int body_too_large;
	char request_id[65];
	char peer[NET_ADDR_LEN];                /* the address the connection comes from */
	char client[NET_ADDR_LEN];              /* the client's: peer, or from X-Forwarded-For of a
						 * trusted proxy (cfg.trusted) */
	int tls;                                /* 1 when a trusted proxy says X-Forwarded-Proto: https */
	struct user user;                       /* id 0 when not signed in */
	double t_start;
	int early_status;                       /* decided before the body: 404/405 or refused by
						 * the gate (body dropped), 413 */
	int allow;                              /* methods of the path, for 405 */
	int responded;                          /* the response is queued */
	int audited;                            /* a change was recorded in the history (audit.h) */
	/* response */
	int status;
	const char *content_type;
	struct buf out;
	const void *static_body;                /* when set, sent instead of out (not copied) */
	size_t static_len;
	const char *hdr_name[HTTP_MAX_HEADERS], *hdr_value[HTTP_MAX_HEADERS];   /* in pool */
	int nheaders;
	void *session;                          /* the admin's session, when AUTH_SESSION */
	const char *lang;                       /* the admin page's language (admin_lang), or NULL */
	/* renders an error as a page (set by the admin for its pages); NULL: problem+json */
	void (*error_page)(struct http_req *req, int status, const char *message);
	http_reader reader;                     /* a streamed body (http_stream), or NULL */
	void *reader_cls;
	void (*reader_free)(void *cls);
};

/* Starts the daemon on cfg.listen; 0 or -1 (logged). */
int http_start(void);
/* Splits "host:port" or "[v6]:port" and resolves it numerically (also used by the SMPP
 * listener); 0 or -1. */
struct sockaddr_storage;
int http_parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len);
/* Stops accepting, waits for requests in flight, frees the daemon. */
void http_stop(void);

/* Request helpers. Query values are owned by MHD; NULL when absent. */
const char *http_query(struct http_req *req, const char *name);
const char *http_header_in(struct http_req *req, const char *name);
const char *http_cookie(struct http_req *req, const char *name);

/* Response helpers. Each replaces any earlier body. */
void http_header(struct http_req *req, const char *name, const char *value);
void http_text(struct http_req *req, int status, const char *ctype, const char *body, size_t len);
/* Sends a JSON text as-is. */
void http_json_text(struct http_req *req, int status, const char *json, size_t len);
/* Dumps v (the reference is stolen) as the body. */
void http_json(struct http_req *req, int status, json_t *v);
/* RFC 9457 problem+json; errors (stolen, may be NULL) is {"field": ["message", ...]}. */
void http_problem(struct http_req *req, int status, const char *detail, json_t *errors);
/* Answers outcome rc (outcome.h's table): as problem+json, or as req->error_page when set.
 * detail NULL uses the table's message; errors (stolen, may be NULL) are by field. */
void http_fail(struct http_req *req, enum model_rc rc, const char *detail, json_t *errors);
/* http_fail for the last failure of db. */
void http_db_fail(struct http_req *req, const struct db *db);
void http_redirect(struct http_req *req, int status, const char *location);
/* Answers status with a body that reader produces piece by piece after the handler returned,
 * on the same thread (so it may use db_thread()); free_cls(cls) runs when the response is done.
 * Any later response helper replaces it. */
void http_stream(struct http_req *req, int status, const char *ctype, http_reader reader, void *cls,
		 void (*free_cls)(void *cls));
/* 204 with no body. */
void http_no_content(struct http_req *req);

/* Parses the request body as a JSON value after checking Content-Type; on failure it has
 * already answered 415 or 400 and returns NULL. The value lives in the request's pool. */
json_t *http_body_json(struct http_req *req);

/* Name of a method bit ("GET"), and the Allow header text for a mask. */
const char *http_method_name(int method);
void http_allow_header(int mask, char *out, size_t outlen);

#endif
