/* Unit tests of assets.c: content types, path safety, If-None-Match matching and loading a
 * folder with its limits. Criterion runs each test in its own process, so each loads afresh. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "assets.h"

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static char *temp_dir(void)
{
	char *d = strdup("/tmp/herald-assets-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void remove_tree(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

Test(assets, content_types)
{
	cr_assert_str_eq(assets_content_type("docs/index.html"), "text/html; charset=utf-8");
	cr_assert_str_eq(assets_content_type("vendor/swagger-ui/swagger-ui-bundle.js"), "text/javascript; charset=utf-8");
	cr_assert_str_eq(assets_content_type("vendor/swagger-ui/swagger-ui.css"), "text/css; charset=utf-8");
	cr_assert_str_eq(assets_content_type("openapi.json"), "application/json");
	cr_assert_str_eq(assets_content_type("favicon.svg"), "image/svg+xml");
	cr_assert_str_eq(assets_content_type("LOGO.PNG"), "image/png");
	cr_assert_str_eq(assets_content_type("README"), "application/octet-stream");
	cr_assert_str_eq(assets_content_type("a.js/readme"), "application/octet-stream");
	cr_assert_str_eq(assets_content_type("archive.tar.gz"), "application/octet-stream");
	cr_assert_str_eq(assets_content_type("dot."), "application/octet-stream");
}

Test(assets, name_safety)
{
	static const char *const good[] = {"a.js", "vendor/htmx.min.js", "vendor/swagger-ui/swagger-ui.css",
					   "docs/index.html", "a..b.txt", "x_y-z/1"};
	static const char *const bad[] = {"", "..", "../etc/passwd", "vendor/../openapi.json", "a/..", ".stamp",
					  "vendor/.stamp", "/etc/passwd", "a//b", "a/", "./a", "a\\b", "a b",
					  "a%2e", "a\nb", "é.js"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(assets_name_safe(good[i]), "'%s' should be allowed", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(!assets_name_safe(bad[i]), "'%s' should be refused", bad[i]);
	char longname[300];
	memset(longname, 'a', 256);
	longname[256] = '\0';
	cr_assert(!assets_name_safe(longname));
	longname[255] = '\0';
	cr_assert(assets_name_safe(longname));
}

Test(assets, if_none_match)
{
	const char *e = "\"abc\"";
	cr_assert(assets_etag_match("\"abc\"", e));
	cr_assert(assets_etag_match("W/\"abc\"", e));
	cr_assert(assets_etag_match("\"x\", \"abc\"", e));
	cr_assert(assets_etag_match("\"x\",W/\"abc\" ", e));
	cr_assert(assets_etag_match("*", e));
	cr_assert(!assets_etag_match("\"abcd\"", e));
	cr_assert(!assets_etag_match("abc", e));
	cr_assert(!assets_etag_match("\"ab\", \"bc\"", e));
	cr_assert(!assets_etag_match("", e));
	cr_assert(!assets_etag_match(" , ,", e));
	cr_assert(!assets_etag_match("W/", e));
}

Test(assets, load_tree_with_limits)
{
	char *dir = temp_dir(), path[512];
	snprintf(path, sizeof(path), "%s/vendor", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/vendor/deep", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	write_file(dir, "app.css", "body{}", 6);
	write_file(dir, "vendor/lib.js", "x=1", 3);
	write_file(dir, "vendor/deep/data.json", "{}", 2);
	write_file(dir, "vendor/.stamp", "", 0);
	write_file(dir, "bad name.txt", "no", 2);
	snprintf(path, sizeof(path), "%s/link.js", dir);
	cr_assert_eq(symlink("/etc/passwd", path), 0);
	char *big = calloc(1, ASSETS_MAX_SIZE + 1);
	write_file(dir, "big.bin", big, ASSETS_MAX_SIZE + 1);
	write_file(dir, "edge.bin", big, ASSETS_MAX_SIZE);
	free(big);

	cr_assert_eq(assets_load(dir), 0);
	cr_assert_eq(assets_count(), 4);
	const struct asset *a = assets_find("vendor/lib.js");
	cr_assert_not_null(a);
	cr_assert_eq(a->len, 3);
	cr_assert_eq(memcmp(a->data, "x=1", 3), 0);
	cr_assert_str_eq(a->content_type, "text/javascript; charset=utf-8");
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1], want[sizeof(hex) + 2];
	crypto_hash_sha256(h, (const unsigned char *)"x=1", 3);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(want, sizeof(want), "\"%s\"", hex);
	cr_assert_str_eq(a->etag, want);
	cr_assert_not_null(assets_find("app.css"));
	cr_assert_not_null(assets_find("vendor/deep/data.json"));
	cr_assert_not_null(assets_find("edge.bin"));
	cr_assert_null(assets_find("big.bin"), "files over the size limit are skipped");
	cr_assert_null(assets_find("link.js"), "symbolic links are skipped");
	cr_assert_null(assets_find("vendor/.stamp"));
	cr_assert_null(assets_find("bad name.txt"));
	cr_assert_null(assets_find("vendor"));
	cr_assert_null(assets_find("vendor/deep"));
	remove_tree(dir);
	free(dir);
}

Test(assets, file_count_limit)
{
	char *dir = temp_dir(), name[32];
	for (int i = 0; i < ASSETS_MAX_FILES + 3; i++) {
		snprintf(name, sizeof(name), "f%04d.txt", i);
		write_file(dir, name, name, strlen(name));
	}
	cr_assert_eq(assets_load(dir), 0);
	cr_assert_eq(assets_count(), ASSETS_MAX_FILES);
	size_t found = 0;
	for (int i = 0; i < ASSETS_MAX_FILES + 3; i++) {
		snprintf(name, sizeof(name), "f%04d.txt", i);
		const struct asset *a = assets_find(name);
		if (a) {
			found++;
			cr_assert_eq(a->len, strlen(name));
			cr_assert_eq(memcmp(a->data, name, a->len), 0);
		}
	}
	cr_assert_eq(found, ASSETS_MAX_FILES);
	remove_tree(dir);
	free(dir);
}

Test(assets, missing_folder_fails)
{
	cr_assert_eq(assets_load("/nonexistent/herald-assets"), -1);
	cr_assert_eq(assets_count(), 0);
}
