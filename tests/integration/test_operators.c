/* Operators over /api/v1, and the conventions every resource shares (auth, roles, errors). */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "itest.h"

Test(operators, create_get_update_delete)
{
	char code[4], path[64];
	uniq_code(code);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"%s\",\"name\":\"MTS\"}", code);
	cr_assert_eq(r->status, 201, "%s", r->body);
	snprintf(path, sizeof(path), "/api/v1/operators/%s", code);
	cr_assert_str_eq(r->location, path);
	cr_assert_str_eq(jstr(r->json, "code"), code);
	cr_assert_str_eq(jstr(r->json, "name"), "MTS");
	resp_free(r);

	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200);
	cr_assert_str_eq(jstr(r->json, "name"), "MTS");
	resp_free(r);

	r = api(tok_operator(), "PATCH", path, "{\"name\":\"Beeline\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), "Beeline");
	resp_free(r);

	r = api(tok_operator(), "PUT", path, "{}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), "");
	resp_free(r);

	api_expect(204, tok_operator(), "DELETE", path, NULL);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 404);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	resp_free(r);
}

Test(operators, validation_names_every_bad_field)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"91\",\"name\":%d,\"x\":1}", 5);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	cr_assert_eq(jint(r->json, "status"), 422);
	cr_assert(jhas_error(r->json, "code") && jhas_error(r->json, "name") && jhas_error(r->json, "x"), "%s", r->body);
	resp_free(r);

	char big[200];
	memset(big, 'a', 101);
	big[101] = '\0';
	api_expect(422, tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"123\",\"name\":\"%s\"}", big);
}

Test(operators, duplicate_is_409)
{
	char code[4];
	uniq_code(code);
	api_expect(201, tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"%s\"}", code);
	api_expect(409, tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"%s\"}", code);
}

/* The SQLSTATE of sql run as is ("" when it succeeds). */
static char *sql_state(const char *sql)
{
	PGresult *r = PQexec(itest_db(), sql);
	const char *st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	char *out = strdup(st ? st : "");
	PQclear(r);
	return out;
}

/* An operator that clients name stays (409) until they are gone, and no client names an
 * operator or tag that does not exist. */
Test(operators, in_use_is_kept_and_unknown_is_refused)
{
	char code[4], other[4], phone[12], path[64], sql[256];
	uniq_code(code);
	api_expect(201, tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"%s\"}", code);
	code_phone(code, 1234567, phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\"}", phone);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	resp_free(r);
	snprintf(path, sizeof(path), "/api/v1/operators/%s", code);
	api_expect(409, tok_operator(), "DELETE", path, NULL);
	uniq_code(other);   /* a code no operator has: the update can fail only for the clients */
	snprintf(sql, sizeof(sql), "UPDATE operators SET code = '%s' WHERE code = '%s'", other, code);
	char *st = sql_state(sql);
	cr_expect_str_eq(st, "23503", "a code that clients name does not change");
	free(st);
	api_expect(200, tok_viewer(), "GET", path, NULL);

	snprintf(sql, sizeof(sql), "UPDATE clients SET operator_code = 'x%s' WHERE id = %lld", code, id);
	st = sql_state(sql);
	cr_expect_str_eq(st, "23503", "no client names an operator that does not exist");
	free(st);
	snprintf(sql, sizeof(sql), "UPDATE clients SET tag_id = -1 WHERE id = %lld", id);
	st = sql_state(sql);
	cr_expect_str_eq(st, "23503", "no client names a tag that does not exist");
	free(st);

	snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	snprintf(path, sizeof(path), "/api/v1/operators/%s", code);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
}

Test(conventions, auth_roles_and_errors)
{
	struct resp *r = api(NULL, "GET", "/api/v1/operators", NULL);
	cr_assert_eq(r->status, 401);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	resp_free(r);
	api_expect(401, "hrd_not-a-real-token-at-all", "GET", "/api/v1/operators", NULL);
	api_expect(403, tok_viewer(), "POST", "/api/v1/operators", "{\"code\":\"999\"}");
	r = api(tok_operator(), "DELETE", "/api/v1/operators", NULL);
	cr_assert_eq(r->status, 405);
	cr_assert_not_null(r->allow);
	cr_assert(strstr(r->allow, "GET") && strstr(r->allow, "POST"), "Allow: %s", r->allow);
	resp_free(r);
	api_expect(404, tok_operator(), "GET", "/api/v1/nothing-here", NULL);
	/* a body sent to a path that does not exist is read and dropped: a clean answer */
	r = api(tok_operator(), "POST", "/api/v1/nothing-here", "{\"pad\":\"%0200000d\"}", 0);
	cr_assert_eq(r->status, 404);
	cr_assert_eq(jint(r->json, "status"), 404);
	resp_free(r);
	r = api(tok_operator(), "PATCH", "/api/v1/operators", "{\"pad\":\"%0200000d\"}", 0);
	cr_assert_eq(r->status, 405);
	cr_assert_eq(jint(r->json, "status"), 405);
	resp_free(r);
	r = api_raw(tok_operator(), "POST", "/api/v1/operators", "text/plain", "{}", 2);
	cr_assert_eq(r->status, 415, "%s", r->body);
	resp_free(r);
	r = api_raw(tok_operator(), "POST", "/api/v1/operators", "application/json", "{\"code\":", 8);
	cr_assert_eq(r->status, 400, "%s", r->body);
	resp_free(r);
	r = api_raw(tok_operator(), "POST", "/api/v1/operators", "application/json", "[1]", 3);
	cr_assert_eq(r->status, 400, "%s", r->body);
	resp_free(r);
	api_expect(400, tok_viewer(), "GET", "/api/v1/operators?limit=0", NULL);
	api_expect(400, tok_viewer(), "GET", "/api/v1/operators?bogus=1", NULL);
	api_expect(400, tok_viewer(), "GET", "/api/v1/operators?cursor=%%%%%%", NULL);

	size_t n = 1024 * 1024 + 10;
	char *huge = malloc(n);
	memset(huge, ' ', n);
	huge[0] = '{';
	huge[n - 1] = '}';
	r = api_raw(tok_operator(), "POST", "/api/v1/operators", "application/json", huge, n);
	cr_assert_eq(r->status, 413, "%s", r->body);
	resp_free(r);
	free(huge);
}

Test(operators, pagination_visits_every_row_once)
{
	char code[4];
	for (int i = 0; i < 7; i++) {
		uniq_code(code);
		resp_free(api(tok_operator(), "POST", "/api/v1/operators", "{\"code\":\"%s\"}", code));
	}
	char *total = itest_sql("SELECT count(*) FROM operators");
	long expect = atol(total);
	free(total);
	struct itest_walk w = {"/api/v1/operators?limit=3", 3, "code", NULL, NULL, NULL};
	cr_assert_geq(itest_walk(&w), expect);
}
