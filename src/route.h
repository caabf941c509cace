/* route.h — the route table: one row per (methods, path pattern), declaring the handler, how
 * the caller is authenticated, the least role, the query parameters accepted and the body
 * limit. Behaviour is data: read routes.c top to bottom to see the whole surface. */
#ifndef HERALD_ROUTE_H
#define HERALD_ROUTE_H
#include "http.h"

struct resource;

enum auth_kind { AUTH_PUBLIC, AUTH_TOKEN, AUTH_SESSION };

typedef void (*http_handler)(struct http_req *req);

struct route {
	int methods;            /* HTTP_* bits this row handles */
	const char *pattern;    /* "/api/v1/clients/{id}"; a final "*" matches any rest */
	http_handler handler;
	enum auth_kind auth;
	enum role role;         /* least role that may call it */
	const char *query;      /* accepted query parameters "a,b,c"; NULL accepts any */
	size_t body_limit;      /* 0 means HTTP_BODY_LIMIT */
	const char *action;     /* the history's name for a write of this row that is not a
				 * resource's, which its handler records (audit_route,
				 * audit_outcome); else NULL */
	const struct resource *res;   /* the resource the handler serves (resource.h): a generic
				       * handler's, or one whose handler records its writes itself
				       * (res_record), as every resource's writes are recorded */
};

/* How AUTH_SESSION routes are let in (routes.c names the admin's gate): before the body is
 * read, and with it. Each returns 0 to go on, or -1 when it has answered. Under prefix, what
 * is answered before a route lets a request in (no such page, a method or query the page does
 * not take, a body too large) is error_page's, with a sentence from the language catalogue. */
struct session_gate {
	const char *prefix;
	int (*before_body)(struct http_req *req);
	int (*with_body)(struct http_req *req);
	void (*error_page)(struct http_req *req, int status, const char *message);
};

extern const struct session_gate session_gate;

/* How AUTH_TOKEN routes are let in (routes.c names the API tokens' check): the bearer token's
 * user into *user; MODEL_NOT_FOUND when the token is not valid, else the database's failure. */
extern enum model_rc (*const token_gate)(const char *token, struct user *user);

/* The most rows routes[] may have (checked when routes.c compiles): per-route figures
 * (metrics_http.c) are kept in arrays of this size. */
#define ROUTES_MAX 160

extern const struct route routes[];
extern const size_t routes_len;

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Finds the row for method and path in table. On ROUTE_FOUND sets *out and copies up to
 * HTTP_MAX_PARAMS captures into params (pointers into path_buf, a writable copy of path
 * that the caller owns). On ROUTE_BAD_METHOD sets *allow to the methods the path has. */
enum route_result route_match(const struct route *table, size_t n, int method, char *path_buf,
			      const struct route **out, const char **params, int *nparams, int *allow);

/* Returns NULL when every name in query_names is in the accepted list, else the first name
 * that is not. query_names is a NULL-terminated array. */
const char *route_check_query(const struct route *r, const char *const *query_names);

#endif
