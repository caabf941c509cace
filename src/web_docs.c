/* web_docs.c — static assets (/assets/...), the OpenAPI document, Swagger UI at /docs/ and the
 * problem types page, all answered from memory (assets.c). */
#include "api_handlers.h"
#include "assets.h"

#include <string.h>

/* Asset file names carry no content hash and the npm files keep theirs across upgrades, so a
 * long "immutable" lifetime would pin stale code in browsers after a deploy. One hour bounds
 * that staleness, and the strong ETag makes every later revalidation a cheap 304. */
#define CACHE_ASSETS "public, max-age=3600"
/* The documents describe the running version: always revalidate (a 304 costs no body). */
#define CACHE_DOCUMENTS "no-cache"

static void send_named(struct http_req *req, const char *name, const char *cache_control)
{
	const struct asset *a = assets_find(name);
	if (a == NULL)
		http_problem(req, 404, "no such file", NULL);
	else
		assets_send(req, a, cache_control);
}

void web_assets(struct http_req *req)
{
	static const char prefix[] = "/assets/";
	const char *name = req->path + strlen(prefix);
	if (strncmp(req->path, prefix, strlen(prefix)) != 0 || !assets_name_safe(name))
		http_problem(req, 404, "no such file", NULL);
	else
		send_named(req, name, CACHE_ASSETS);
}

void web_openapi(struct http_req *req) { send_named(req, "openapi.json", CACHE_DOCUMENTS); }
void web_docs(struct http_req *req) { send_named(req, "docs/index.html", CACHE_DOCUMENTS); }
void web_docs_problems(struct http_req *req) { send_named(req, "docs/problems.html", CACHE_DOCUMENTS); }
void web_docs_redirect(struct http_req *req) { http_redirect(req, 301, "/docs/"); }
