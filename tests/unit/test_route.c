/* Unit tests of route matching and query whitelists. */
#include <criterion/criterion.h>
#include <string.h>
#include "route.h"

static void h(struct http_req *req) { (void)req; }

static const struct route table[] = {
	{HTTP_GET, "/a", h, AUTH_PUBLIC, ROLE_NONE, "x,y", 0, NULL, NULL},
	{HTTP_GET | HTTP_POST, "/api/v1/things", h, AUTH_TOKEN, ROLE_VIEWER, NULL, 0, NULL, NULL},
	{HTTP_GET, "/api/v1/things/{id}", h, AUTH_TOKEN, ROLE_VIEWER, NULL, 0, NULL, NULL},
	{HTTP_DELETE, "/api/v1/things/{id}", h, AUTH_TOKEN, ROLE_VIEWER, NULL, 0, NULL, NULL},
	{HTTP_POST, "/api/v1/things/{id}/sub/{sub}", h, AUTH_TOKEN, ROLE_VIEWER, NULL, 0, NULL, NULL},
	{HTTP_GET, "/assets/*", h, AUTH_PUBLIC, ROLE_NONE, NULL, 0, NULL, NULL},
};

static enum route_result m(int method, const char *path, const struct route **r, const char **p,
			   int *np, int *allow, char *buf)
{
	strcpy(buf, path);
	return route_match(table, sizeof(table) / sizeof(table[0]), method, buf, r, p, np, allow);
}

Test(route, exact_and_params)
{
	const struct route *r;
	const char *p[HTTP_MAX_PARAMS];
	int np, allow;
	char buf[256];
	cr_assert_eq(m(HTTP_GET, "/a", &r, p, &np, &allow, buf), ROUTE_FOUND);
	cr_assert_eq(r, &table[0]);
	cr_assert_eq(m(HTTP_GET, "/api/v1/things/42", &r, p, &np, &allow, buf), ROUTE_FOUND);
	cr_assert_eq(np, 1);
	cr_assert_str_eq(p[0], "42");
	cr_assert_eq(m(HTTP_DELETE, "/api/v1/things/42", &r, p, &np, &allow, buf), ROUTE_FOUND);
	cr_assert_eq(r, &table[3]);
	cr_assert_eq(m(HTTP_POST, "/api/v1/things/7/sub/x9", &r, p, &np, &allow, buf), ROUTE_FOUND);
	cr_assert_eq(np, 2);
	cr_assert_str_eq(p[0], "7");
	cr_assert_str_eq(p[1], "x9");
	cr_assert_eq(m(HTTP_HEAD, "/a", &r, p, &np, &allow, buf), ROUTE_FOUND);
	cr_assert_eq(m(HTTP_GET, "/assets/css/site.css", &r, p, &np, &allow, buf), ROUTE_FOUND);
	cr_assert_eq(r, &table[5]);
}

Test(route, not_found_and_405)
{
	const struct route *r;
	const char *p[HTTP_MAX_PARAMS];
	int np, allow;
	char buf[256];
	cr_assert_eq(m(HTTP_GET, "/b", &r, p, &np, &allow, buf), ROUTE_NOT_FOUND);
	cr_assert_eq(m(HTTP_GET, "/a/", &r, p, &np, &allow, buf), ROUTE_NOT_FOUND);
	cr_assert_eq(m(HTTP_GET, "/api/v1/things/", &r, p, &np, &allow, buf), ROUTE_NOT_FOUND);
	cr_assert_eq(m(HTTP_GET, "/api/v1/things/1/2", &r, p, &np, &allow, buf), ROUTE_NOT_FOUND);
	cr_assert_eq(m(HTTP_PUT, "/api/v1/things/1", &r, p, &np, &allow, buf), ROUTE_BAD_METHOD);
	cr_assert_eq(allow, HTTP_GET | HTTP_DELETE | HTTP_HEAD);
}

Test(route, query_whitelist)
{
	const char *ok[] = {"x", "y", NULL}, *bad[] = {"x", "z", NULL};
	cr_assert_null(route_check_query(&table[0], ok));
	cr_assert_str_eq(route_check_query(&table[0], bad), "z");
	cr_assert_null(route_check_query(&table[1], bad));
}

/* The patterns of the real table label herald_http_request_seconds as they are (metrics_http.c):
 * nothing a Prometheus label value would need escaped, and not the "unmatched" label. */
Test(route, patterns_are_plain_label_values)
{
	for (size_t i = 0; i < routes_len; i++) {
		const char *p = routes[i].pattern;
		cr_expect(p[0] == '/' && strlen(p) < 200, "%s", p);
		cr_expect_eq(strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/{}*._-"), strlen(p),
			     "%s", p);
	}
}
