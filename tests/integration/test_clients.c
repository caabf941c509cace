/* Clients over /api/v1: CRUD and defaults, validation, filters, pagination, roles, bulk
 * upserts, and the pending messages of a deleted client. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "itest.h"
#include "proc.h"

/* POSTs a client from the JSON object text body; returns its id. */
static long long make_client(const char *body)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "%s", body);
	cr_assert_eq(r->status, 201, "%s -> %s", body, r->body);
	long long id = jint(r->json, "id");
	resp_free(r);
	return id;
}

struct ids {
	long long *ids;
	int n, max;
};

static void keep_id(json_t *row, void *arg)
{
	struct ids *k = arg;
	cr_assert_lt(k->n, k->max, "more rows than expected");
	k->ids[k->n++] = jint(row, "id");
}

/* Walks every page of path (which has its query started) and collects every id in order into
 * ids; fails on a page over limit or ids out of order. Returns how many ids it stored. */
static int collect(const char *path, int limit, long long *ids, int max)
{
	char url[512];
	struct ids k = {ids, 0, max};
	snprintf(url, sizeof(url), "%s&limit=%d", path, limit);
	struct itest_walk w = {url, (size_t)limit, "id", NULL, keep_id, &k};
	itest_walk(&w);
	return k.n;
}

/* The stored row of phone is operator_code, tag, timezone. */
static void assert_stored(const char *phone, const char *code, const char *tag, const char *zone)
{
	char *v = itest_sql("SELECT c.operator_code || ':' || coalesce(t.name, '-') || ':' || c.timezone"
			    " FROM clients c LEFT JOIN tags t ON t.id = c.tag_id WHERE c.phone = '%s'", phone);
	char want[160];
	snprintf(want, sizeof(want), "%s:%s:%s", code, tag, zone);
	cr_assert_not_null(v, "%s was not stored", phone);
	cr_assert_str_eq(v, want, "%s", phone);
	free(v);
}

static void assert_same_ids(const long long *got, int n, const long long *want, int m)
{
	cr_assert_eq(n, m, "got %d rows, want %d", n, m);
	for (int i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "row %d: id %lld, want %lld", i, got[i], want[i]);
}

Test(clients, create_defaults_get_update_delete)
{
	char phone[12], phone2[12], path[64], tag[32];
	uniq_phone(phone);
	uniq_phone(phone2);
	uniq_name("c", tag, sizeof(tag));
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\"}", phone);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
	cr_assert_str_eq(r->location, path);
	cr_assert_str_eq(jstr(r->json, "phone"), phone);
	char op[4] = {phone[1], phone[2], phone[3], 0};
	cr_assert_str_eq(jstr(r->json, "operator_code"), op);
	cr_assert(json_is_null(json_object_get(r->json, "tag")), "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "timezone"), "Europe/Moscow");
	cr_assert_not_null(jstr(r->json, "created_at"));
	cr_assert_not_null(jstr(r->json, "updated_at"));
	resp_free(r);

	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "phone"), phone);
	resp_free(r);

	r = api(tok_operator(), "PATCH", path, "{\"tag\":\"%s\",\"timezone\":\"Asia/Yekaterinburg\"}", tag);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "tag"), tag);
	cr_assert_str_eq(jstr(r->json, "timezone"), "Asia/Yekaterinburg");
	cr_assert_str_eq(jstr(r->json, "phone"), phone);
	cr_assert_str_eq(jstr(r->json, "operator_code"), op);
	resp_free(r);
	r = api(tok_operator(), "PATCH", path, "{\"phone\":\"%s\"}", phone2);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "phone"), phone2);
	cr_assert_str_eq(jstr(r->json, "tag"), tag, "PATCH keeps what it is not given");
	resp_free(r);

	/* PUT replaces: what is not given takes its default. */
	r = api(tok_operator(), "PUT", path, "{\"phone\":\"%s\"}", phone);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert(json_is_null(json_object_get(r->json, "tag")), "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "timezone"), "Europe/Moscow");
	cr_assert_str_eq(jstr(r->json, "operator_code"), op);
	resp_free(r);
	r = api(tok_operator(), "PUT", path, "{\"operator_code\":\"916\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phone"));
	resp_free(r);

	api_expect(204, tok_operator(), "DELETE", path, NULL);
	api_expect(404, tok_viewer(), "GET", path, NULL);
	api_expect(404, tok_operator(), "DELETE", path, NULL);
	api_expect(404, tok_operator(), "PATCH", path, "{\"timezone\":\"UTC\"}");
	api_expect(404, tok_viewer(), "GET", "/api/v1/clients/0", NULL);
	api_expect(404, tok_viewer(), "GET", "/api/v1/clients/x1", NULL);
}

Test(clients, unknown_operator_and_tag_are_created)
{
	char phone[12], code[4], tag[32], body[160];
	uniq_phone(phone);
	uniq_code(code);
	uniq_name("new", tag, sizeof(tag));
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"operator_code\":\"%s\",\"tag\":\"%s\"}", phone, code, tag);
	make_client(body);
	char *name = itest_sql("SELECT '[' || name || ']' FROM operators WHERE code = '%s'", code);
	cr_assert_not_null(name, "operator %s was not created", code);
	cr_assert_str_eq(name, "[]");
	free(name);
	char *n = itest_sql("SELECT clients FROM tags WHERE name = '%s'", tag);
	cr_assert_not_null(n, "tag %s was not created", tag);
	cr_assert_str_eq(n, "1");
	free(n);

	/* Without a tag (the plain INSERT first, then the statement that creates operators). */
	uniq_phone(phone);
	uniq_code(code);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"operator_code\":\"%s\"}", phone, code);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "%s", body);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "operator_code"), code);
	cr_assert(json_is_null(json_object_get(r->json, "tag")), "%s", r->body);
	resp_free(r);
	name = itest_sql("SELECT '[' || name || ']' FROM operators WHERE code = '%s'", code);
	cr_assert_not_null(name, "operator %s was not created", code);
	cr_assert_str_eq(name, "[]");
	free(name);
}

Test(clients, times_are_those_of_the_database)
{
	char phone[12], body[64], path[64];
	uniq_phone(phone);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", phone);
	long long id = make_client(body);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
	/* A leap day, the epoch's eve and a fraction that must be cut, not rounded. */
	const char *set[][2] = {{"2024-02-29 23:59:59.9+00", "2024-02-29T23:59:59Z"},
				{"1969-12-31 23:59:59+00", "1969-12-31T23:59:59Z"},
				{"2100-03-01 00:00:00+03", "2100-02-28T21:00:00Z"}};
	for (int i = 0; i < 3; i++) {
		free(itest_sql("UPDATE clients SET created_at = '%s' WHERE id = %lld", set[i][0], id));
		char *want = itest_sql("SELECT api_ts(created_at) FROM clients WHERE id = %lld", id);
		cr_assert_str_eq(want, set[i][1]);
		struct resp *r = api(tok_viewer(), "GET", path, NULL);
		cr_assert_str_eq(jstr(r->json, "created_at"), want, "%s", r->body);
		resp_free(r);
		free(want);
	}
}

Test(clients, validation_names_every_bad_field)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients",
			     "{\"operator_code\":\"91\",\"tag\":\"\",\"timezone\":\"Mars/Base\",\"x\":1}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	const char *bad[] = {"phone", "operator_code", "tag", "timezone", "x"};
	for (size_t i = 0; i < 5; i++)
		cr_assert(jhas_error(r->json, bad[i]), "%s not named: %s", bad[i], r->body);
	resp_free(r);

	const char *phones[] = {"\"7916123456\"", "\"791612345678\"", "\"+89161234567\"", "\"7916123456a\"",
				"79161234567", "null", "\"\""};
	for (size_t i = 0; i < sizeof(phones) / sizeof(*phones); i++) {
		r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":%s}", phones[i]);
		cr_assert_eq(r->status, 422, "phone %s: %s", phones[i], r->body);
		cr_assert(jhas_error(r->json, "phone"), "%s", r->body);
		resp_free(r);
	}
	char phone[12], big[80];
	uniq_phone(phone);
	memset(big, 'g', 65);
	big[65] = '\0';
	const char *others[][2] = {{"operator_code", "\"9160\""}, {"operator_code", "\"a16\""},
				   {"operator_code", "916"}, {"tag", "5"}, {"timezone", "\"europe/moscow\""},
				   {"timezone", "null"}, {"timezone", "\"\""}};
	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\",\"%s\":%s}", phone,
			others[i][0], others[i][1]);
		cr_assert_eq(r->status, 422, "%s %s: %s", others[i][0], others[i][1], r->body);
		cr_assert(jhas_error(r->json, others[i][0]), "%s", r->body);
		cr_assert(!jhas_error(r->json, "phone"), "%s", r->body);
		resp_free(r);
	}
	r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\",\"tag\":\"%s\"}", phone, big);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "tag"));
	resp_free(r);

	char body[64], path[64];
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", phone);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", make_client(body));
	r = api(tok_operator(), "PATCH", path, "{\"phone\":\"123\",\"timezone\":\"Nowhere\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "phone") && jhas_error(r->json, "timezone"), "%s", r->body);
	resp_free(r);
}

Test(clients, duplicate_phone_is_409)
{
	char p1[12], p2[12], body[64], path[64];
	uniq_phone(p1);
	uniq_phone(p2);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", p1);
	make_client(body);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "%s", body);
	cr_assert_eq(r->status, 409, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	resp_free(r);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", p2);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", make_client(body));
	api_expect(409, tok_operator(), "PATCH", path, "{\"phone\":\"%s\"}", p1);
}

Test(clients, viewer_reads_but_may_not_write)
{
	char phone[12], body[64], path[64];
	uniq_phone(phone);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", phone);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", make_client(body));
	api_expect(200, tok_viewer(), "GET", path, NULL);
	api_expect(200, tok_viewer(), "GET", "/api/v1/clients?limit=1", NULL);
	const char *writes[][2] = {{"POST", "/api/v1/clients"}, {"POST", "/api/v1/clients/bulk"},
				   {"PATCH", path}, {"PUT", path}, {"DELETE", path}};
	for (size_t i = 0; i < 5; i++) {
		api_expect(403, tok_viewer(), writes[i][0], writes[i][1], i == 1 ? "[]" : "{}");
	}
	api_expect(401, NULL, "GET", path, NULL);
	api_expect(200, tok_viewer(), "GET", path, NULL);
}

Test(clients, pagination_of_a_filtered_set_visits_every_row_once)
{
	char tag[32], phone[12], body[128], path[128];
	long long want[25], got[30];
	uniq_name("page", tag, sizeof(tag));
	for (int i = 0; i < 25; i++) {
		uniq_phone(phone);
		snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"tag\":\"%s\"}", phone, tag);
		want[i] = make_client(body);
	}
	snprintf(path, sizeof(path), "/api/v1/clients?tag=%s", tag);
	assert_same_ids(got, collect(path, 7, got, 30), want, 25);
	assert_same_ids(got, collect(path, 25, got, 30), want, 25);
	snprintf(path, sizeof(path), "/api/v1/clients?tag=%s&count=true&limit=7", tag);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "count"), 25);
	cr_assert_eq(json_array_size(json_object_get(r->json, "results")), 7);
	cr_assert_not_null(jstr(r->json, "next_cursor"));
	resp_free(r);
}

Test(clients, filters_return_exactly_the_matching_clients)
{
	char tag[32], code[4], phone[12], body[200], path[200], zone[64], prefix[10];
	long long got[20];
	uniq_name("flt", tag, sizeof(tag));
	uniq_code(code);
	/* no "+" (Etc/GMT+1): the query strings below carry the zone as it is, where "+" is a space */
	char *z = itest_sql("SELECT name FROM pg_timezone_names WHERE name LIKE '%%/%%' AND name NOT LIKE 'posix/%%'"
			    " AND name NOT LIKE '%%+%%'"
			    " AND name NOT IN (SELECT timezone FROM clients) ORDER BY random() LIMIT 1");
	cr_assert_not_null(z);
	snprintf(zone, sizeof(zone), "%s", z);
	free(z);
	uniq_phone(phone);
	memcpy(prefix, phone, 9);   /* 7 + 8 random digits: 100 numbers no other test hits */
	prefix[9] = '\0';

	/* a: tag only; b: tag + code; c: code + zone; d: prefix + zone; e: prefix only. */
	long long a, b, c, d, e;
	snprintf(body, sizeof(body), "{\"phone\":\"%s01\",\"tag\":\"%s\"}", prefix, tag);
	a = make_client(body);
	uniq_phone(phone);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"tag\":\"%s\",\"operator_code\":\"%s\"}", phone, tag, code);
	b = make_client(body);
	uniq_phone(phone);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"operator_code\":\"%s\",\"timezone\":\"%s\"}", phone, code, zone);
	c = make_client(body);
	snprintf(body, sizeof(body), "{\"phone\":\"%s02\",\"timezone\":\"%s\"}", prefix, zone);
	d = make_client(body);
	snprintf(body, sizeof(body), "{\"phone\":\"%s03\"}", prefix);
	e = make_client(body);

	struct {
		const char *query;
		const char *arg1, *arg2;
		long long want[5];
		int n;
	} cases[] = {
		{"tag=%s", tag, NULL, {a, b}, 2},
		{"operator_code=%s", code, NULL, {b, c}, 2},
		{"timezone=%s", zone, NULL, {c, d}, 2},
		{"phone_prefix=%s", prefix, NULL, {a, d, e}, 3},
		{"tag=%s&operator_code=%s", tag, code, {b}, 1},
		{"phone_prefix=%s&timezone=%s", prefix, zone, {d}, 1},
		{"tag=%s&timezone=%s", tag, zone, {0}, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int len = snprintf(path, sizeof(path), "/api/v1/clients?");
		snprintf(path + len, sizeof(path) - (size_t)len, cases[i].query, cases[i].arg1, cases[i].arg2);
		assert_same_ids(got, collect(path, 2, got, 20), cases[i].want, cases[i].n);
	}
	snprintf(path, sizeof(path), "/api/v1/clients?phone_prefix=%s0&count=true", prefix);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "count"), 3);
	resp_free(r);
}

Test(clients, bad_filters_are_400)
{
	const char *bad[][2] = {{"operator_code=91", "operator_code"}, {"operator_code=abc", "operator_code"},
				{"phone_prefix=9", "phone_prefix"}, {"phone_prefix=7a", "phone_prefix"},
				{"phone_prefix=791612345678", "phone_prefix"}, {"timezone=Mars/Base", "timezone"},
				{"tag=", "tag"}, {"limit=1001", NULL}, {"cursor=abc", NULL}, {"count=maybe", NULL},
				{"name=x", NULL}};
	char path[128];
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(path, sizeof(path), "/api/v1/clients?%s", bad[i][0]);
		struct resp *r = api(tok_viewer(), "GET", path, NULL);
		cr_assert_eq(r->status, 400, "%s: %s", bad[i][0], r->body);
		cr_assert_str_eq(r->content_type, "application/problem+json");
		if (bad[i][1])
			cr_assert(jhas_error(r->json, bad[i][1]), "%s: %s", bad[i][0], r->body);
		resp_free(r);
	}
}

Test(clients, bulk_upserts_valid_items_and_reports_the_others)
{
	char tag[32], tag2[32], p[4][12], body[1024];
	uniq_name("bulk", tag, sizeof(tag));
	uniq_name("bulk", tag2, sizeof(tag2));
	for (int i = 0; i < 4; i++)
		uniq_phone(p[i]);
	snprintf(body, sizeof(body),
		 "[{\"phone\":\"%s\",\"tag\":\"%s\"},"                /* 0 new */
		 "{\"phone\":\"123\",\"timezone\":\"Nowhere\"},"      /* 1 bad phone, timezone */
		 "7,"                                                 /* 2 not an object */
		 "{\"phone\":\"%s\",\"tag\":\"%s\",\"operator_code\":\"999\",\"timezone\":\"Asia/Omsk\"}," /* 3 new */
		 "{\"phone\":\"%s\",\"operator_code\":\"12\"},"       /* 4 bad operator_code */
		 "{\"phone\":\"%s\",\"tag\":\"%s\"},"                 /* 5 new, overridden by 6 */
		 "{\"phone\":\"%s\",\"tag\":\"%s\"}]",                /* 6 the last of its phone wins */
		 p[0], tag, p[1], tag, p[2], p[3], tag, p[3], tag2);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "%s", body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "created"), 3, "%s", r->body);
	cr_assert_eq(jint(r->json, "updated"), 0, "%s", r->body);
	json_t *errs = json_object_get(r->json, "errors");
	cr_assert_eq(json_array_size(errs), 3, "%s", r->body);
	long long idx[] = {1, 2, 4};
	for (int i = 0; i < 3; i++)
		cr_assert_eq(jint(json_array_get(errs, i), "index"), idx[i], "%s", r->body);
	json_t *e1 = json_array_get(errs, 0);
	cr_assert(jhas_error(e1, "phone") && jhas_error(e1, "timezone"), "%s", r->body);
	cr_assert(jhas_error(json_array_get(errs, 2), "operator_code"), "%s", r->body);
	cr_assert(!jhas_error(json_array_get(errs, 2), "phone"), "%s", r->body);
	resp_free(r);

	char op0[4] = {p[0][1], p[0][2], p[0][3], 0}, op3[4] = {p[3][1], p[3][2], p[3][3], 0};
	assert_stored(p[0], op0, tag, "Europe/Moscow");
	assert_stored(p[1], "999", tag, "Asia/Omsk");
	assert_stored(p[3], op3, tag2, "Europe/Moscow");
	char *none = itest_sql("SELECT id FROM clients WHERE phone = '%s'", p[2]);
	cr_assert_null(none, "an invalid item was stored");
	char *n = itest_sql("SELECT clients FROM tags WHERE name = '%s'", tag);
	cr_assert_str_eq(n, "2");
	free(n);

	/* The same array again: nothing new, the three phones updated. */
	r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "%s", body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "created"), 0, "%s", r->body);
	cr_assert_eq(jint(r->json, "updated"), 3, "%s", r->body);
	cr_assert_eq(json_array_size(json_object_get(r->json, "errors")), 3);
	resp_free(r);
	n = itest_sql("SELECT clients FROM tags WHERE name = '%s'", tag);
	cr_assert_str_eq(n, "2");
	free(n);

	/* Replacing as PUT does: a phone given again without a tag loses it. */
	r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\":\"%s\"},{\"phone\":\"%s\"}]", p[0], p[2]);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "created"), 1, "%s", r->body);
	cr_assert_eq(jint(r->json, "updated"), 1, "%s", r->body);
	resp_free(r);
	n = itest_sql("SELECT clients FROM tags WHERE name = '%s'", tag);
	cr_assert_str_eq(n, "1");
	free(n);
}

Test(clients, bulk_limits_and_shape)
{
	api_expect(400, tok_operator(), "POST", "/api/v1/clients/bulk", "{\"phone\":\"79160000000\"}");
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "[]");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "created"), 0);
	cr_assert_eq(jint(r->json, "updated"), 0);
	resp_free(r);

	size_t n = 100001, len = 2 + n * 3;
	char *body = malloc(len + 1), *w = body;
	*w++ = '[';
	for (size_t i = 0; i < n; i++) {
		memcpy(w, "{},", 3);
		w += 3;
	}
	w[-1] = ']';
	*w = '\0';
	r = api_raw(tok_operator(), "POST", "/api/v1/clients/bulk", "application/json", body, strlen(body));
	cr_assert_eq(r->status, 422, "%.300s", r->body);
	cr_assert(jhas_error(r->json, "items"), "%.300s", r->body);
	resp_free(r);
	free(body);

	size_t big = 16 * 1024 * 1024 + 10;
	body = malloc(big);
	memset(body, ' ', big);
	body[0] = '[';
	body[big - 1] = ']';
	/* as curl and browsers send a large body: herald refuses it before it is sent (without
	 * Expect, the answer can be lost to the reset of a connection closed while the body comes) */
	body[big - 1] = '\0';
	r = api_hdr(tok_operator(), "POST", "/api/v1/clients/bulk", "Expect: 100-continue", "%s]", body);
	cr_assert_eq(r->status, 413, "%.300s", r->body);
	resp_free(r);
	free(body);
}

Test(clients, bulk_of_100000_items)
{
	/* 100,000 phones of an operator code this test takes (code_phone's range): no random test
	 * phone (uniq_phone's) falls among them, and no other test's block */
	char code[4], phone[12], *body = malloc(100000 * 64 + 2), *w = body, tag[32];
	uniq_code(code);
	free(itest_sql("INSERT INTO operators (code) VALUES ('%s') RETURNING 1", code));
	uniq_name("big", tag, sizeof(tag));
	*w++ = '[';
	for (int i = 0; i < 100000; i++) {
		code_phone(code, i, phone);
		w += sprintf(w, "%s{\"phone\":\"%s\",\"tag\":\"%s\"}", i ? "," : "", phone, tag);
	}
	*w++ = ']';
	*w = '\0';
	struct resp *r = api_raw(tok_operator(), "POST", "/api/v1/clients/bulk", "application/json", body, strlen(body));
	cr_assert_eq(r->status, 200, "%.300s", r->body);
	cr_assert_eq(jint(r->json, "created"), 100000, "%s", r->body);
	resp_free(r);
	free(body);
	char *n = itest_sql("SELECT clients FROM tags WHERE name = '%s'", tag);
	cr_assert_str_eq(n, "100000");
	free(n);
}

Test(clients, delete_cancels_pending_messages)
{
	char phone[12], body[64];
	uniq_phone(phone);
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", phone);
	long long id = make_client(body);
	free(itest_sql("INSERT INTO messages (mailing_id, client_id, phone, text, status, due_at, expires_at)"
		       " VALUES (NULL, %lld, '%s', 'a', message_status('pending'), now(), now() + interval '1 day'),"
		       "        (NULL, %lld, '%s', 'b', message_status('pending'), now(), now() + interval '1 day'),"
		       "        (NULL, %lld, '%s', 'c', message_status('sent'), now(), now() + interval '1 day')",
		       id, phone, id, phone, id, phone));
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	char *s = itest_sql("SELECT string_agg(text || ':' || message_status_name(status), ',' ORDER BY text)"
			    " FROM messages WHERE client_id = %lld", id);
	cr_assert_str_eq(s, "a:cancelled,b:cancelled,c:sent");
	free(s);
	s = itest_sql("SELECT count(*) FROM clients WHERE id = %lld", id);
	cr_assert_str_eq(s, "0");
	free(s);
}

Test(clients, bulk_keeps_tag_names_exactly)
{
	char p1[12], p2[12], u[16], tag[64];
	uniq_phone(p1);
	uniq_phone(p2);
	uniq_name("", u, sizeof(u));
	/* Characters that mean something in a PostgreSQL array literal. */
	snprintf(tag, sizeof(tag), "a \\\"q\\\" \\\\ b,{c} NULL %s", u);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients/bulk",
			     "[{\"phone\":\"%s\",\"tag\":\"%s\"},{\"phone\":\"%s\",\"tag\":\"NULL%s\"}]", p1, tag, p2, u);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "created"), 2, "%s", r->body);
	resp_free(r);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/clients?phone_prefix=%s", p1);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	char want[64];
	snprintf(want, sizeof(want), "a \"q\" \\ b,{c} NULL %s", u);
	cr_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "results"), 0), "tag"), want, "%s", r->body);
	resp_free(r);
	snprintf(path, sizeof(path), "/api/v1/clients?phone_prefix=%s", p2);
	r = api(tok_viewer(), "GET", path, NULL);
	snprintf(want, sizeof(want), "NULL%s", u);
	cr_assert_str_eq(jstr(json_array_get(json_object_get(r->json, "results"), 0), "tag"), want, "%s", r->body);
	resp_free(r);
}

/* An API change of a client is in the history as the admin's are: the fields before and after. */
Test(clients, api_changes_record_before_and_after)
{
	char phone[12], path[64];
	uniq_phone(phone);
	char body[40];
	snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", phone);
	long long id = make_client(body);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
	api_expect(200, tok_operator(), "PATCH", path, "{\"timezone\":\"Asia/Tokyo\"}");
	api_expect(204, tok_operator(), "DELETE", path, NULL);
	char *v = itest_sql("SELECT string_agg(action || ' ' || coalesce(detail->'before'->>'timezone', '-') || '>'"
			    " || coalesce(detail->'after'->>'timezone', '-'), ',' ORDER BY id)"
			    " FROM audit_log WHERE object = 'client %lld'", id);
	cr_expect_str_eq(v, "client.created ->Europe/Moscow,client.updated Europe/Moscow>Asia/Tokyo,"
			    "client.deleted Asia/Tokyo>-");
	free(v);
}

/* The harness herald's herald_audit_rows_total{result="stored"}. */
static long long audit_rows_stored(void)
{
	struct resp *m = api(NULL, "GET", "/metrics", NULL);
	cr_assert_eq(m->status, 200, "%s", m->body);
	long long n = itest_metric(m->body, "herald_audit_rows_total{result=\"stored\"}");
	resp_free(m);
	return n;
}

/* Writes that arrive together are each in the history once, with their own values: none lost,
 * doubled or given another write's values. */
Test(clients, concurrent_writes_are_each_recorded_once)
{
	enum { N = 64 };
	char tag[32], body[N][96];
	uniq_name("batch", tag, sizeof(tag));
	long long stored = audit_rows_stored();
	CURLM *m = curl_multi_init();
	CURL *c[N];
	struct curl_slist *h[N];
	struct itest_sink out[N];
	for (int i = 0; i < N; i++) {
		char phone[12];
		uniq_phone(phone);
		int len = snprintf(body[i], sizeof(body[i]), "{\"phone\":\"%s\",\"tag\":\"%s\"}", phone, tag);
		out[i] = (struct itest_sink){NULL, 0};
		c[i] = itest_handle(tok_operator(), "POST", "/api/v1/clients", NULL, "application/json", body[i], (size_t)len,
				    &out[i], &h[i]);
		curl_multi_add_handle(m, c[i]);
	}
	url_multi_finish(m);
	for (int i = 0; i < N; i++) {
		long st = 0;
		curl_easy_getinfo(c[i], CURLINFO_RESPONSE_CODE, &st);
		cr_expect_eq(st, 201, "request %d: %ld %s", i, st, out[i].data);
		curl_multi_remove_handle(m, c[i]);
		curl_easy_cleanup(c[i]);
		curl_slist_free_all(h[i]);
		free(out[i].data);
	}
	curl_multi_cleanup(m);
	char *v = itest_sql("SELECT count(*) || ' ' || count(DISTINCT a.object) || ' ' || count(*) FILTER"
			    " (WHERE a.detail->'after'->>'phone' = c.phone AND a.user_id IS NOT NULL)"
			    " FROM clients c JOIN audit_log a ON a.object = 'client ' || c.id AND a.action = 'client.created'"
			    " WHERE c.tag_id = (SELECT id FROM tags WHERE name = '%s')", tag);
	cr_expect_str_eq(v, "64 64 64", "audit rows, objects, rows with the client's phone and user");
	free(v);
	cr_expect_geq(audit_rows_stored() - stored, N, "herald_audit_rows_total{result=\"stored\"} grew by less than %d", N);
}

/* The attributes of the client at path, as the API shows them, compact. */
static char *attrs_of(const char *path)
{
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	char *s = json_dumps(json_object_get(r->json, "attributes"), JSON_COMPACT | JSON_SORT_KEYS);
	resp_free(r);
	return s;
}

static void assert_attrs(const char *path, const char *want)
{
	char *got = attrs_of(path);
	cr_assert_str_eq(got, want, "%s", path);
	free(got);
}

Test(clients, attributes_are_set_merged_and_removed)
{
	char phone[12], path[64];
	uniq_phone(phone);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients",
			     "{\"phone\":\"%s\",\"attributes\":{\"first_name\":\"Иван\",\"city\":\"Омск\",\"empty\":\"\",\"gone\":null}}",
			     phone);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "attributes.first_name"), "Иван", "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "attributes.empty"), "", "%s", r->body);
	cr_assert_null(json_object_get(json_object_get(r->json, "attributes"), "gone"), "%s", r->body);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", jint(r->json, "id"));
	resp_free(r);
	assert_attrs(path, "{\"city\":\"Омск\",\"empty\":\"\",\"first_name\":\"Иван\"}");

	/* PATCH merges: a new key is added, a given one replaced, null removes one, the rest stay. */
	r = api(tok_operator(), "PATCH", path, "{\"attributes\":{\"city\":\"Томск\",\"empty\":null,\"plan\":\"gold\"}}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "attributes.plan"), "gold", "%s", r->body);
	resp_free(r);
	assert_attrs(path, "{\"city\":\"Томск\",\"first_name\":\"Иван\",\"plan\":\"gold\"}");
	/* PATCH without attributes keeps them; removing a key that is not there changes nothing */
	api_expect(200, tok_operator(), "PATCH", path, "{\"timezone\":\"Asia/Omsk\",\"attributes\":{\"none\":null}}");
	assert_attrs(path, "{\"city\":\"Томск\",\"first_name\":\"Иван\",\"plan\":\"gold\"}");

	/* The list shows them (its JSON is written without an object per row). */
	char list[96];
	snprintf(list, sizeof(list), "/api/v1/clients?phone_prefix=%s", phone);
	r = api(tok_viewer(), "GET", list, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *row = json_array_get(json_object_get(r->json, "results"), 0);
	cr_assert_str_eq(jstr(row, "attributes.city"), "Томск", "%s", r->body);
	resp_free(r);

	/* PUT replaces them: given ones are the new set, none given is {} */
	api_expect(200, tok_operator(), "PUT", path, "{\"phone\":\"%s\",\"attributes\":{\"a\":\"1\"}}", phone);
	assert_attrs(path, "{\"a\":\"1\"}");
	api_expect(200, tok_operator(), "PUT", path, "{\"phone\":\"%s\"}", phone);
	assert_attrs(path, "{}");

	char phone2[12];
	uniq_phone(phone2);
	r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\",\"tag\":\"attr\"}", phone2);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert_eq(json_object_size(json_object_get(r->json, "attributes")), 0, "%s", r->body);
	cr_assert(json_is_object(json_object_get(r->json, "attributes")), "%s", r->body);
	resp_free(r);
}

/* A body of n attributes k<from>..k<from+n-1> (values "v"), and more JSON members after them. */
static void attrs_body(char *out, size_t len, int from, int n, const char *more)
{
	size_t at = (size_t)snprintf(out, len, "{\"attributes\":{");
	for (int i = 0; i < n; i++)
		at += (size_t)snprintf(out + at, len - at, "%s\"k%d\":\"v\"", i ? "," : "", from + i);
	snprintf(out + at, len - at, "}%s}", more);
}

Test(clients, attributes_limit_holds_after_a_merge)
{
	char phone[12], path[64], body[2048], more[64];
	uniq_phone(phone);
	snprintf(more, sizeof(more), ",\"phone\":\"%s\"", phone);
	attrs_body(body, sizeof(body), 0, 30, more);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "%s", body);
	cr_assert_eq(r->status, 201, "%s", r->body);
	snprintf(path, sizeof(path), "/api/v1/clients/%lld", jint(r->json, "id"));
	resp_free(r);

	/* 30 + 3 new keys: refused, nothing changed (the timezone given with them neither) */
	attrs_body(body, sizeof(body), 30, 3, ",\"timezone\":\"Asia/Omsk\"");
	r = api(tok_operator(), "PATCH", path, "%s", body);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	cr_assert(jhas_error(r->json, "attributes"), "%s", r->body);
	resp_free(r);
	itest_sql_is("30 Europe/Moscow", "SELECT (SELECT count(*) FROM jsonb_object_keys(attributes)) || ' ' || timezone"
			    " FROM clients WHERE phone = '%s'", phone);

	/* 30 + 3 new - 1 removed = 32: taken */
	attrs_body(body, sizeof(body), 30, 3, "");
	body[strlen(body) - 2] = '\0';
	strcat(body, ",\"k0\":null}}");
	api_expect(200, tok_operator(), "PATCH", path, "%s", body);
	itest_sql_is("32", "SELECT count(*) FROM clients, jsonb_object_keys(attributes) WHERE phone = '%s'", phone);
	/* 32 keys given again change nothing of the count; one more is refused */
	attrs_body(body, sizeof(body), 1, 32, "");
	api_expect(200, tok_operator(), "PATCH", path, "%s", body);
	attrs_body(body, sizeof(body), 100, 1, "");
	api_expect(422, tok_operator(), "PATCH", path, "%s", body);

	/* 33 in one body: refused by the validation, on POST and PUT alike */
	attrs_body(body, sizeof(body), 0, 33, more);
	r = api(tok_operator(), "PUT", path, "%s", body);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "attributes"), "%s", r->body);
	resp_free(r);
}

Test(clients, attributes_validation_names_each_bad_key_and_value)
{
	char phone[12], big[300];
	uniq_phone(phone);
	snprintf(big, sizeof(big), "%0257d", 0);   /* 257 characters */
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients",
			     "{\"phone\":\"%s\",\"attributes\":{\"First Name\":\"a\",\"1x\":\"b\",\"first_name\":\"%s\","
			     "\"age\":42,\"ok\":\"fine\",\"a_very_long_key_of_thirty_three__\":\"c\"}}", phone, big);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	const char *bad[] = {"attributes.First Name", "attributes.1x", "attributes.first_name", "attributes.age",
			     "attributes.a_very_long_key_of_thirty_three__"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		cr_assert(jhas_error(r->json, bad[i]), "%s not named: %s", bad[i], r->body);
	cr_assert(!jhas_error(r->json, "attributes.ok") && !jhas_error(r->json, "phone"), "%s", r->body);
	cr_assert(strstr(r->body, "at most 256 characters"), "%s", r->body);
	resp_free(r);

	/* 256 characters (not bytes) are allowed; a key of 32 characters too */
	char fine[256 * 2 + 1] = "";
	for (int i = 0; i < 256; i++)
		strcat(fine, "ё");
	api_expect(201, tok_operator(), "POST", "/api/v1/clients",
		   "{\"phone\":\"%s\",\"attributes\":{\"_a_key_of_thirty_two_characters_\":\"%s\"}}", phone, fine);

	const char *shapes[] = {"[]", "\"a=b\"", "null", "{\"a\":[\"b\"]}"};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(*shapes); i++) {
		r = api(tok_operator(), "PATCH", "/api/v1/clients/1", "{\"attributes\":%s}", shapes[i]);
		cr_assert(r->status == 422 || r->status == 404, "%s: %s", shapes[i], r->body);
		resp_free(r);
		uniq_phone(phone);
		r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\",\"attributes\":%s}", phone, shapes[i]);
		cr_assert_eq(r->status, 422, "%s: %s", shapes[i], r->body);
		cr_assert(jhas_error(r->json, "attributes") || jhas_error(r->json, "attributes.a"), "%s", r->body);
		resp_free(r);
	}
}

Test(clients, bulk_stores_attributes_as_put_does)
{
	char p[2][12], body[512];
	uniq_phone(p[0]);
	uniq_phone(p[1]);
	snprintf(body, sizeof(body),
		 "[{\"phone\":\"%s\",\"attributes\":{\"first_name\":\"Anna\",\"x\":null}},"
		 "{\"phone\":\"%s\",\"attributes\":{\"Bad\":\"1\"}}]", p[0], p[1]);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "%s", body);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "created"), 1, "%s", r->body);
	cr_assert(jhas_error(json_array_get(json_object_get(r->json, "errors"), 0), "attributes.Bad"), "%s", r->body);
	resp_free(r);
	itest_sql_is("{\"first_name\": \"Anna\"}", "SELECT attributes::text FROM clients WHERE phone = '%s'", p[0]);
	/* the same again changes nothing; other attributes replace them; none given is {} */
	r = api(tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\":\"%s\",\"attributes\":{\"first_name\":\"Anna\"}}]", p[0]);
	cr_assert_eq(jint(r->json, "updated"), 1, "%s", r->body);
	resp_free(r);
	char *before = itest_sql("SELECT updated_at FROM clients WHERE phone = '%s'", p[0]);
	api_expect(200, tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\":\"%s\",\"attributes\":{\"first_name\":\"Anna\"}}]", p[0]);
	char *after = itest_sql("SELECT updated_at FROM clients WHERE phone = '%s'", p[0]);
	cr_assert_str_eq(before, after, "an unchanged client was written");
	free(before);
	free(after);
	api_expect(200, tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\":\"%s\",\"attributes\":{\"plan\":\"gold\"}}]", p[0]);
	itest_sql_is("{\"plan\": \"gold\"}", "SELECT attributes::text FROM clients WHERE phone = '%s'", p[0]);
	api_expect(200, tok_operator(), "POST", "/api/v1/clients/bulk", "[{\"phone\":\"%s\"}]", p[0]);
	itest_sql_is("{}", "SELECT attributes::text FROM clients WHERE phone = '%s'", p[0]);
}
