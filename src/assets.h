/* assets.h — the files under cfg.root/assets/ (css, images, the OpenAPI document, the docs
 * pages and assets/vendor/ that the Makefile fills from npm), read into memory once before the
 * web role starts, each with its content type and a strong ETag (SHA-256). Read-only after
 * loading, so every web thread may use it without locks. */
#ifndef HERALD_ASSETS_H
#define HERALD_ASSETS_H
#include <stddef.h>
#include "http.h"

#define ASSETS_MAX_FILES 512
#define ASSETS_MAX_SIZE (8 * 1024 * 1024)
#define ASSETS_MAX_DEPTH 8

struct asset {
	char *name;                 /* path under assets/: "vendor/htmx.min.js" */
	char *data;
	size_t len;
	const char *content_type;   /* static string */
	char etag[67];              /* "\"<64 hex>\"" */
};

/* Loads every regular file under dir (recursively, at most ASSETS_MAX_DEPTH levels) whose path
 * passes assets_name_safe; skips (and logs) symbolic links, files over ASSETS_MAX_SIZE and
 * files beyond ASSETS_MAX_FILES. Call once, before the web role starts; the memory lives until
 * the process exits (responses point into it). 0, or -1 when dir cannot be read (logged). */
int assets_load(const char *dir);

/* The loaded file called name ("docs/index.html"), or NULL. Borrowed. */
const struct asset *assets_find(const char *name);

/* Number of files loaded. */
size_t assets_count(void);

/* Content type for a file name by its extension; application/octet-stream when unknown.
 * Returns a static string. */
const char *assets_content_type(const char *name);

/* True when name is a relative path of non-empty segments of [A-Za-z0-9._-] none of which
 * starts with '.' (so no "..", no hidden files, no "//", no leading '/'), at most 255 bytes. */
int assets_name_safe(const char *name);

/* True when the If-None-Match header value (a list of entity tags, or "*") matches etag,
 * by the weak comparison RFC 9110 prescribes for If-None-Match. */
int assets_etag_match(const char *if_none_match, const char *etag);

/* Answers req with a: 304 when its If-None-Match matches, else 200 with the bytes (not copied);
 * both with ETag and Cache-Control: cache_control. */
void assets_send(struct http_req *req, const struct asset *a, const char *cache_control);

#endif
