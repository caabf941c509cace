/* Tags over /api/v1: CRUD, validation, uniqueness, the clients count, roles, pagination. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "itest.h"

/* Creates a tag named name; returns its id. */
static long long make_tag(const char *name)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":\"%s\"}", name);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static long long tag_clients(long long id)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/tags/%lld", id);
	struct resp *r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	long long n = jint(r->json, "clients");
	resp_free(r);
	return n;
}

Test(tags, create_get_update_delete)
{
	char name[32], name2[32], path[64], loc[64];
	uniq_name("t", name, sizeof(name));
	uniq_name("t", name2, sizeof(name2));
	struct resp *r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":\"%s\"}", name);
	cr_assert_eq(r->status, 201, "%s", r->body);
	long long id = jint(r->json, "id");
	snprintf(path, sizeof(path), "/api/v1/tags/%lld", id);
	snprintf(loc, sizeof(loc), "%s", path);
	cr_assert_str_eq(r->location, loc);
	cr_assert_str_eq(jstr(r->json, "name"), name);
	cr_assert_eq(jint(r->json, "clients"), 0);
	cr_assert_not_null(jstr(r->json, "created_at"));
	cr_assert_not_null(jstr(r->json, "updated_at"));
	resp_free(r);

	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), name);
	cr_assert_eq(jint(r->json, "id"), id);
	resp_free(r);

	r = api(tok_operator(), "PATCH", path, "{}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), name);
	resp_free(r);

	r = api(tok_operator(), "PATCH", path, "{\"name\":\"%s\"}", name2);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), name2);
	resp_free(r);

	r = api(tok_operator(), "PUT", path, "{\"name\":\"%s\"}", name);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(jstr(r->json, "name"), name);
	resp_free(r);

	api_expect(204, tok_operator(), "DELETE", path, NULL);
	r = api(tok_viewer(), "GET", path, NULL);
	cr_assert_eq(r->status, 404);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	resp_free(r);
	api_expect(404, tok_operator(), "DELETE", path, NULL);
	api_expect(404, tok_operator(), "PATCH", path, "{\"name\":\"x\"}");
	api_expect(404, tok_viewer(), "GET", "/api/v1/tags/abc", NULL);
}

Test(tags, validation_names_every_bad_field)
{
	struct resp *r = api(tok_operator(), "POST", "/api/v1/tags", "{\"x\":1}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "name") && jhas_error(r->json, "x"), "%s", r->body);
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":\"\"}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "name"));
	resp_free(r);
	r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":5}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "name"));
	resp_free(r);

	char big[80];
	memset(big, 'b', 65);
	big[65] = '\0';
	r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":\"%s\"}", big);
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "name"));
	resp_free(r);

	/* 64 characters (not bytes) is the limit: 64 two-byte letters pass. */
	char name[200] = "";
	uniq_name("", name, sizeof(name));
	for (int i = 0; i < 56; i++)
		strcat(name, "\xd0\xb6");
	r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":\"%s\"}", name);
	cr_assert_eq(r->status, 201, "%s", r->body);
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/tags/%lld", jint(r->json, "id"));
	resp_free(r);

	r = api(tok_operator(), "PUT", path, "{}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "name"));
	resp_free(r);
	r = api(tok_operator(), "PATCH", path, "{\"name\":null}");
	cr_assert_eq(r->status, 422, "%s", r->body);
	cr_assert(jhas_error(r->json, "name"));
	resp_free(r);
}

Test(tags, names_are_unique_and_case_sensitive)
{
	char name[32], upper[32], path[64];
	uniq_name("dup", name, sizeof(name));
	snprintf(upper, sizeof(upper), "DUP%s", name + 3);
	make_tag(name);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/tags", "{\"name\":\"%s\"}", name);
	cr_assert_eq(r->status, 409, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/problem+json");
	resp_free(r);
	long long other = make_tag(upper);
	snprintf(path, sizeof(path), "/api/v1/tags/%lld", other);
	api_expect(409, tok_operator(), "PATCH", path, "{\"name\":\"%s\"}", name);
}

Test(tags, clients_count_follows_clients_and_rename_reaches_them)
{
	char name[32], renamed[32], p1[12], p2[12], path[64], cpath[64];
	uniq_name("cnt", name, sizeof(name));
	uniq_name("ren", renamed, sizeof(renamed));
	long long id = make_tag(name);
	uniq_phone(p1);
	uniq_phone(p2);
	struct resp *r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\",\"tag\":\"%s\"}", p1, name);
	cr_assert_eq(r->status, 201, "%s", r->body);
	snprintf(cpath, sizeof(cpath), "/api/v1/clients/%lld", jint(r->json, "id"));
	resp_free(r);
	cr_assert_eq(tag_clients(id), 1);
	r = api(tok_operator(), "POST", "/api/v1/clients", "{\"phone\":\"%s\",\"tag\":\"%s\"}", p2, name);
	cr_assert_eq(r->status, 201, "%s", r->body);
	char c2path[64];
	snprintf(c2path, sizeof(c2path), "/api/v1/clients/%lld", jint(r->json, "id"));
	resp_free(r);
	cr_assert_eq(tag_clients(id), 2);

	snprintf(path, sizeof(path), "/api/v1/tags/%lld", id);
	api_expect(409, tok_operator(), "DELETE", path, NULL);

	r = api(tok_operator(), "PATCH", path, "{\"name\":\"%s\"}", renamed);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(jint(r->json, "clients"), 2);
	resp_free(r);
	r = api(tok_viewer(), "GET", cpath, NULL);
	cr_assert_str_eq(jstr(r->json, "tag"), renamed);
	resp_free(r);

	api_expect(200, tok_operator(), "PATCH", cpath, "{\"tag\":null}");
	cr_assert_eq(tag_clients(id), 1);
	api_expect(204, tok_operator(), "DELETE", c2path, NULL);
	cr_assert_eq(tag_clients(id), 0);
	/* a client without a tag is counted once it gets one, and no longer once deleted */
	api_expect(200, tok_operator(), "PATCH", cpath, "{\"tag\":\"%s\"}", renamed);
	cr_assert_eq(tag_clients(id), 1);
	api_expect(204, tok_operator(), "DELETE", cpath, NULL);
	cr_assert_eq(tag_clients(id), 0);
	api_expect(204, tok_operator(), "DELETE", path, NULL);
}

Test(tags, viewer_reads_but_may_not_write)
{
	char name[32], path[64];
	uniq_name("role", name, sizeof(name));
	long long id = make_tag(name);
	snprintf(path, sizeof(path), "/api/v1/tags/%lld", id);
	api_expect(200, tok_viewer(), "GET", "/api/v1/tags", NULL);
	api_expect(403, tok_viewer(), "POST", "/api/v1/tags", "{\"name\":\"x%s\"}", name);
	api_expect(403, tok_viewer(), "PATCH", path, "{\"name\":\"x%s\"}", name);
	api_expect(403, tok_viewer(), "PUT", path, "{\"name\":\"x%s\"}", name);
	api_expect(403, tok_viewer(), "DELETE", path, NULL);
	api_expect(401, NULL, "GET", path, NULL);
	cr_assert_eq(tag_clients(id), 0);
}

struct mine {
	const long long *ids;       /* 9 */
	int found[9];
};

static void count_mine(json_t *row, void *arg)
{
	struct mine *m = arg;
	for (int k = 0; k < 9; k++)
		m->found[k] += jint(row, "id") == m->ids[k];
}

Test(tags, pagination_visits_every_row_once)
{
	long long mine[9];
	char name[32];
	for (int i = 0; i < 9; i++) {
		uniq_name("pg", name, sizeof(name));
		mine[i] = make_tag(name);
	}
	char *total = itest_sql("SELECT count(*) FROM tags");
	long long expect = atoll(total), count;
	free(total);
	struct mine m = {mine, {0}};
	struct itest_walk w = {"/api/v1/tags?limit=4", 4, "id", &count, count_mine, &m};
	cr_assert_geq(itest_walk(&w), expect);
	cr_assert_geq(count, expect);
	for (int k = 0; k < 9; k++)
		cr_assert_eq(m.found[k], 1, "tag %lld seen %d times", mine[k], m.found[k]);
	api_expect(200, tok_viewer(), "GET", "/api/v1/tags?cursor=WzEyXQ", NULL);   /* [12] */
	api_expect(400, tok_viewer(), "GET", "/api/v1/tags?cursor=YWJj", NULL);   /* abc: not a key */
	api_expect(400, tok_viewer(), "GET", "/api/v1/tags?cursor=WyJhYmMiXQ", NULL);   /* ["abc"]: a non-numeric key */
}
