/* Compatibility with the systems herald replaces: their paths with a trailing slash
 * ("/api/v1/clients/") get a 308 to the canonical path, keeping the query string, so that a
 * client following it sends the same method and body again. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "itest.h"

Test(compat, list_with_slash_redirects_with_the_query)
{
	struct resp *r = api(tok_viewer(), "GET", "/api/v1/clients/?limit=2&tag=a%20b&flag", NULL);
	cr_assert_eq(r->status, 308, "%s", r->body);
	cr_assert_str_eq(r->location, "/api/v1/clients?limit=2&tag=a%20b&flag");
	resp_free(r);

	r = api(tok_viewer(), "GET", "/api/v1/clients?limit=2", NULL);   /* where it leads */
	cr_assert_eq(r->status, 200, "%s", r->body);
	resp_free(r);
}

Test(compat, post_with_slash_creates_nothing_until_followed)
{
	char phone[12], count[128];
	uniq_phone(phone);
	snprintf(count, sizeof(count), "SELECT count(*) FROM clients WHERE phone = '%s'", phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients/", "{\"phone\":\"%s\"}", phone);
	cr_assert_eq(r->status, 308, "%s", r->body);
	cr_assert_str_eq(r->location, "/api/v1/clients");
	resp_free(r);
	char *n = itest_sql("%s", count);
	cr_assert_str_eq(n, "0");
	free(n);

	r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\"}", phone);
	cr_assert_eq(r->status, 201, "%s", r->body);
	resp_free(r);
	n = itest_sql("%s", count);
	cr_assert_str_eq(n, "1");
	free(n);
}

Test(compat, item_with_slash_redirects_even_unauthenticated)
{
	struct resp *r = api(NULL, "DELETE", "/api/v1/clients/12345/", NULL);
	cr_assert_eq(r->status, 308, "%s", r->body);
	cr_assert_str_eq(r->location, "/api/v1/clients/12345");
	resp_free(r);
	r = api(NULL, "DELETE", "/api/v1/clients/12345", NULL);    /* the route checks the token */
	cr_assert_eq(r->status, 401, "%s", r->body);
	resp_free(r);
}

Test(compat, paths_without_a_canonical_route_stay_404)
{
	const char *paths[] = {"/api/v1/nosuch/", "/api/v1/clients//", "/api/v1//", "/nosuch/"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct resp *r = api(tok_viewer(), "GET", paths[i], NULL);
		cr_assert_eq(r->status, 404, "%s: %ld", paths[i], r->status);
		cr_assert_str_eq(r->content_type, "application/problem+json");
		resp_free(r);
	}
}

Test(compat, routes_that_end_in_a_slash_are_served)
{
	struct resp *r = api(NULL, "GET", "/docs/", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	resp_free(r);
}
