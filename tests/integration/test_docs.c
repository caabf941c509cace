/* The OpenAPI document against the route table and the running server; /docs/; static assets
 * with ETags. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "itest.h"
#include "route.h"

static const struct {
	int bit;
	const char *name;   /* as OpenAPI spells it */
} doc_methods[] = {
	{HTTP_GET, "get"}, {HTTP_POST, "post"}, {HTTP_PUT, "put"}, {HTTP_PATCH, "patch"}, {HTTP_DELETE, "delete"},
};

/* A raw GET/HEAD with one optional extra header, the path sent as is (no "../" folding), and
 * the ETag and Cache-Control of the answer. */
struct fetched {
	long status;
	char *body;
	size_t len;
	char etag[128], cache_control[128];
};

static size_t on_head(char *p, size_t size, size_t n, void *arg)
{
	struct fetched *f = arg;
	char *v = NULL;
	if (itest_header(p, size * n, "ETag:", &v))
		snprintf(f->etag, sizeof(f->etag), "%s", v);
	else if (itest_header(p, size * n, "Cache-Control:", &v))
		snprintf(f->cache_control, sizeof(f->cache_control), "%s", v);
	free(v);
	return size * n;
}

static struct fetched fetch(const char *method, const char *path, const char *header)
{
	struct fetched f = {0};
	struct itest_sink body = {calloc(1, 1), 0};
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", getenv("HERALD_TEST_URL"), path);
	struct curl_slist *h = header ? curl_slist_append(NULL, header) : NULL;
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, itest_sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_head);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &f);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	f.body = body.data;
	f.len = body.len;
	return f;
}

/* The document, fetched without a token; the caller json_decrefs it. */
static json_t *document(void)
{
	struct resp *r = api(NULL, "GET", "/api/v1/openapi.json", NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(r->content_type, "application/json");
	cr_assert_not_null(r->json, "the document is not JSON");
	json_t *doc = json_incref(r->json);
	resp_free(r);
	return doc;
}

static int table_methods(const char *pattern)
{
	int m = 0;
	for (size_t i = 0; i < routes_len; i++)
		if (strcmp(routes[i].pattern, pattern) == 0)
			m |= routes[i].methods;
	return m;
}

static int doc_path_methods(json_t *item)
{
	int m = 0;
	for (size_t i = 0; i < sizeof(doc_methods) / sizeof(doc_methods[0]); i++)
		if (json_object_get(item, doc_methods[i].name))
			m |= doc_methods[i].bit;
	return m;
}

Test(docs, openapi_is_public_and_3_1)
{
	json_t *doc = document();
	const char *v = jstr(doc, "openapi");
	cr_assert(v && strncmp(v, "3.1.", 4) == 0, "openapi is %s", v ? v : "(none)");
	cr_assert_not_null(jstr(doc, "info.title"));
	cr_assert_str_eq(jstr(doc, "components.securitySchemes.bearerAuth.scheme"), "bearer");
	json_t *sec = json_object_get(doc, "security");
	cr_assert(json_is_array(sec) && json_object_get(json_array_get(sec, 0), "bearerAuth"), "bearerAuth is not global");
	json_t *own = json_object_get(json_object_get(json_object_get(json_object_get(doc, "paths"), "/api/v1/openapi.json"), "get"), "security");
	cr_assert(json_is_array(own) && json_array_size(own) == 0, "openapi.json must be documented as public");
	json_decref(doc);
}

/* Every /api/v1 row of the route table is documented with each of its methods. */
Test(docs, every_route_is_documented)
{
	json_t *doc = document(), *paths = json_object_get(doc, "paths");
	int checked = 0;
	for (size_t i = 0; i < routes_len; i++) {
		if (strncmp(routes[i].pattern, "/api/v1/", 8) != 0)
			continue;
		json_t *item = json_object_get(paths, routes[i].pattern);
		cr_expect_not_null(item, "route %s is not in the OpenAPI paths", routes[i].pattern);
		for (size_t k = 0; item && k < sizeof(doc_methods) / sizeof(doc_methods[0]); k++)
			if (routes[i].methods & doc_methods[k].bit)
				cr_expect_not_null(json_object_get(item, doc_methods[k].name), "%s %s is not documented",
						   doc_methods[k].name, routes[i].pattern);
		checked++;
	}
	cr_assert_gt(checked, 0);
	json_decref(doc);
}

/* A documented path that the table has must have exactly the documented methods. */
Test(docs, documented_paths_match_the_table)
{
	json_t *doc = document(), *item;
	const char *path;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		int in_table = table_methods(path);
		if (in_table == 0)
			continue;   /* not in this build's table: every_documented_path_is_served catches it */
		cr_expect_eq(in_table & ~HTTP_HEAD, doc_path_methods(item), "%s: table methods 0x%x, documented 0x%x",
			     path, in_table, doc_path_methods(item));
	}
	json_decref(doc);
}

/* Every documented path is served: an OPTIONS request (a method no route has) with the admin
 * token answers 405 naming the documented methods in Allow, where a path the server lacks
 * answers 404. Sample values stand in for {id} and {code}. */
Test(docs, every_documented_path_is_served)
{
	json_t *doc = document(), *item;
	const char *path;
	int n = 0;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		char url[512], *o = url;
		for (const char *p = path; *p && o < url + sizeof(url) - 8; p++) {
			if (*p != '{') {
				*o++ = *p;
				continue;
			}
			o += sprintf(o, "%s", strncmp(p, "{code}", 6) == 0 ? "916" : "1");
			p = strchr(p, '}');
		}
		*o = '\0';
		struct resp *r = api(tok_admin(), "OPTIONS", url, NULL);
		cr_expect_eq(r->status, 405, "%s is not served (OPTIONS %s answered %ld)", path, url, r->status);
		for (size_t k = 0; r->status == 405 && k < sizeof(doc_methods) / sizeof(doc_methods[0]); k++) {
			if (!json_object_get(item, doc_methods[k].name))
				continue;
			char want[16];
			snprintf(want, sizeof(want), "%s", doc_methods[k].name);
			for (char *c = want; *c; c++)
				*c = (char)(*c - 'a' + 'A');
			cr_expect(r->allow && strstr(r->allow, want), "%s: Allow '%s' lacks %s", path,
				  r->allow ? r->allow : "", want);
		}
		resp_free(r);
		n++;
	}
	cr_assert_geq(n, 19, "only %d paths documented", n);
	json_decref(doc);
}

/* The document's own consistency: every operation answers the errors its shape implies, and
 * the error responses are problem+json with a Problem schema that has "errors". */
Test(docs, errors_are_documented)
{
	json_t *doc = document(), *item, *o;
	const char *path, *method;
	static const char *const codes[] = {"BadRequest", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed",
					    "Conflict", "PayloadTooLarge", "UnsupportedMediaType", "ValidationFailed"};
	json_t *responses = json_object_get(json_object_get(doc, "components"), "responses");
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char key[128];
		snprintf(key, sizeof(key), "%s.content.application/problem+json.schema.$ref", codes[i]);
		json_t *r = json_object_get(json_object_get(json_object_get(json_object_get(
			json_object_get(responses, codes[i]), "content"), "application/problem+json"), "schema"), "$ref");
		cr_expect_str_eq(json_string_value(r) ? json_string_value(r) : "", "#/components/schemas/Problem", "%s", key);
	}
	cr_assert_not_null(json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(doc, "components"),
		"schemas"), "Problem"), "properties"), "errors"));
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, method, o) {
			json_t *rs = json_object_get(o, "responses");
			cr_expect_not_null(json_object_get(rs, "400"), "%s %s lacks 400", method, path);
			if (strcmp(path, "/api/v1/openapi.json") != 0)
				cr_expect_not_null(json_object_get(rs, "401"), "%s %s lacks 401", method, path);
			/* a role may be refused a write that takes an API token (an operation with a
			 * security of its own, the delivery reports' dlr_secret, has no roles) */
			if (strcmp(method, "get") != 0 && json_object_get(o, "security") == NULL)
				cr_expect_not_null(json_object_get(rs, "403"), "%s %s lacks 403", method, path);
			if (strchr(path, '{'))
				cr_expect_not_null(json_object_get(rs, "404"), "%s %s lacks 404", method, path);
			if (json_object_get(o, "requestBody"))
				for (const char *const *c = (const char *const[]){"413", "415", "422", NULL}; *c; c++)
					cr_expect_not_null(json_object_get(rs, *c), "%s %s lacks %s", method, path, *c);
		}
	}
	json_decref(doc);
}

/* Counts "$ref"s under v that do not resolve to a node of doc ("#/a/b/c" only). */
static int dangling_refs(json_t *doc, json_t *v)
{
	int bad = 0;
	const char *key;
	json_t *child;
	size_t i;
	if (json_is_array(v))
		json_array_foreach(v, i, child)
			bad += dangling_refs(doc, child);
	if (!json_is_object(v))
		return bad;
	json_object_foreach(v, key, child) {
		if (strcmp(key, "$ref") != 0 || !json_is_string(child)) {
			bad += dangling_refs(doc, child);
			continue;
		}
		const char *ref = json_string_value(child);
		json_t *node = strncmp(ref, "#/", 2) == 0 ? doc : NULL;
		for (const char *p = ref + 2; node && *p;) {
			size_t n = strcspn(p, "/");
			char part[128];
			snprintf(part, sizeof(part), "%.*s", (int)n, p);
			node = json_object_get(node, part);
			p += n + (p[n] == '/');
		}
		cr_expect_not_null(node, "$ref %s does not resolve", ref);
		bad += node == NULL;
	}
	return bad;
}

Test(docs, refs_resolve)
{
	json_t *doc = document();
	cr_assert_eq(dangling_refs(doc, doc), 0);
	json_decref(doc);
}

/* The problem types the server sends resolve to anchors of /docs/problems. */
Test(docs, problem_types_are_documented)
{
	struct fetched page = fetch("GET", "/docs/problems", NULL);
	cr_assert_eq(page.status, 200);
	struct resp *r = api(NULL, "GET", "/api/v1/operators", NULL);   /* 401 */
	struct resp *r2 = api(tok_admin(), "GET", "/api/v1/no-such-thing", NULL);   /* 404 */
	struct resp *r3 = api(tok_admin(), "DELETE", "/api/v1/openapi.json", NULL);   /* 405 */
	struct resp *all[] = {r, r2, r3};
	for (size_t i = 0; i < 3; i++) {
		const char *type = jstr(all[i]->json, "type");
		cr_assert(type && strncmp(type, "/docs/problems#", 15) == 0, "type %s", type ? type : "(none)");
		char anchor[128];
		snprintf(anchor, sizeof(anchor), "id=\"%s\"", type + 15);
		cr_expect_not_null(strstr(page.body, anchor), "/docs/problems has no %s", anchor);
		resp_free(all[i]);
	}
	free(page.body);
}

Test(docs, swagger_ui_page)
{
	struct resp *r = api(NULL, "GET", "/docs/", NULL);
	cr_assert_eq(r->status, 200);
	cr_assert_str_eq(r->content_type, "text/html; charset=utf-8");
	static const char *const refs[] = {"/assets/vendor/swagger-ui/swagger-ui.css",
					   "/assets/vendor/swagger-ui/swagger-ui-bundle.js",
					   "/assets/vendor/swagger-ui/swagger-ui-standalone-preset.js", "/assets/docs/init.js"};
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		cr_expect_not_null(strstr(r->body, refs[i]), "/docs/ does not load %s", refs[i]);
		struct fetched f = fetch("HEAD", refs[i], NULL);
		cr_expect_eq(f.status, 200, "%s: %ld", refs[i], f.status);
		free(f.body);
	}
	cr_expect_null(strstr(r->body, "<script>"), "inline scripts break under the CSP");
	resp_free(r);
	struct fetched init = fetch("GET", "/assets/docs/init.js", NULL);
	cr_expect_not_null(strstr(init.body, "/api/v1/openapi.json"));
	free(init.body);

	r = api(NULL, "GET", "/docs", NULL);
	cr_assert_eq(r->status, 301);
	cr_assert_str_eq(r->location, "/docs/");
	resp_free(r);
}

Test(docs, assets_have_strong_etags_and_304)
{
	const char *path = "/assets/vendor/swagger-ui/swagger-ui-bundle.js";
	struct fetched f = fetch("GET", path, NULL);
	cr_assert_eq(f.status, 200);
	cr_assert_gt(f.len, 100000);
	cr_assert_str_eq(f.cache_control, "public, max-age=3600");
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1], want[sizeof(hex) + 2], inm[200];
	crypto_hash_sha256(h, (const unsigned char *)f.body, f.len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(want, sizeof(want), "\"%s\"", hex);
	cr_assert_str_eq(f.etag, want, "the ETag is not the SHA-256 of the body");

	snprintf(inm, sizeof(inm), "If-None-Match: \"other\", %s", f.etag);
	struct fetched g = fetch("GET", path, inm);
	cr_assert_eq(g.status, 304);
	cr_assert_eq(g.len, 0);
	cr_assert_str_eq(g.etag, f.etag);

	struct fetched k = fetch("GET", path, "If-None-Match: \"0000\"");
	cr_assert_eq(k.status, 200);
	cr_assert_eq(k.len, f.len);

	struct fetched hd = fetch("HEAD", path, NULL);
	cr_assert_eq(hd.status, 200);
	cr_assert_str_eq(hd.etag, f.etag);

	struct fetched doc = fetch("GET", "/api/v1/openapi.json", NULL);
	cr_assert_eq(doc.status, 200);
	cr_assert_neq(doc.etag[0], '\0');
	snprintf(inm, sizeof(inm), "If-None-Match: %s", doc.etag);
	struct fetched doc304 = fetch("GET", "/api/v1/openapi.json", inm);
	cr_assert_eq(doc304.status, 304);
	for (struct fetched *p = (struct fetched[]){f, g, k, hd, doc, doc304}, *end = p + 6; p < end; p++)
		free(p->body);
}

Test(docs, unknown_or_unsafe_asset_paths_are_404)
{
	static const char *const bad[] = {"/assets/../api/v1/openapi.json", "/assets/%2e%2e/openapi.json",
					  "/assets/vendor/../openapi.json", "/assets/nope.js", "/assets/",
					  "/assets/vendor", "/assets/vendor/", "/assets/vendor/.stamp",
					  "/assets//openapi.json", "/assets/./openapi.json"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fetched f = fetch("GET", bad[i], NULL);
		cr_expect_eq(f.status, 404, "%s answered %ld", bad[i], f.status);
		free(f.body);
	}
	struct fetched ok = fetch("GET", "/assets/openapi.json", NULL);
	cr_expect_eq(ok.status, 200);
	free(ok.body);
}
