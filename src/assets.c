/* assets.c — static files held in memory with SHA-256 ETags (Kore's asset embedding, loaded at
 * start instead of compiled in so that npm-provided files need no code generation). */
#include "assets.h"
#include "list.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_MAX_LEN 255

static struct asset table[ASSETS_MAX_FILES];
static size_t ntable;

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{"html", "text/html; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"json", "application/json"},
	{"map", "application/json"},
	{"txt", "text/plain; charset=utf-8"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"webp", "image/webp"},
	{"ico", "image/x-icon"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
};

const char *assets_content_type(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash ? slash + 1 : name, '.');
	if (dot && dot[1])
		for (size_t i = 0; i < ARRAY_LEN(types); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

int assets_name_safe(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	for (const char *seg = name;;) {
		size_t n = strcspn(seg, "/");
		if (n == 0 || seg[0] == '.')
			return 0;
		for (size_t i = 0; i < n; i++) {
			char c = seg[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			      c == '.' || c == '_' || c == '-'))
				return 0;
		}
		if (seg[n] == '\0')
			return 1;
		seg += n + 1;
	}
}

int assets_etag_match(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);
	struct list_walk w = {inm};
	const char *tag;
	size_t m;
	while (list_next(&w, &tag, &m)) {
		if (m == 1 && tag[0] == '*')
			return 1;
		if (m > 2 && tag[0] == 'W' && tag[1] == '/') {
			tag += 2;
			m -= 2;
		}
		if (m == elen && memcmp(tag, etag, elen) == 0)
			return 1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct asset *)a)->name, ((const struct asset *)b)->name);
}

const struct asset *assets_find(const char *name)
{
	struct asset key = {.name = (char *)name};
	return bsearch(&key, table, ntable, sizeof(table[0]), by_name);
}

size_t assets_count(void)
{
	return ntable;
}

/* Reads the file at path (len bytes by fstat) into a new asset named name (copied). */
static void load_file(int dirfd, const char *entry, const char *name)
{
	if (ntable == ASSETS_MAX_FILES) {
		log_warn("assets.skipped", LS("file", name), LS("reason", "more than the file limit"),
			 LI("limit", ASSETS_MAX_FILES));
		return;
	}
	int fd = openat(dirfd, entry, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_warn("assets.skipped", LS("file", name), LS("reason", strerror(errno)));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (st.st_size > ASSETS_MAX_SIZE) {
		log_warn("assets.skipped", LS("file", name), LS("reason", "over the size limit"),
			 LI("bytes", st.st_size), LI("limit", ASSETS_MAX_SIZE));
		close(fd);
		return;
	}
	size_t len = (size_t)st.st_size, got = 0;
	char *data = xmalloc(len + 1);
	while (got < len) {
		ssize_t n = read(fd, data + got, len - got);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (got != len) {
		log_warn("assets.skipped", LS("file", name), LS("reason", "short read"));
		free(data);
		return;
	}
	data[len] = '\0';
	struct asset *a = &table[ntable++];
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, (const unsigned char *)data, len);
	a->etag[0] = '"';
	sodium_bin2hex(a->etag + 1, sizeof(a->etag) - 2, hash, sizeof(hash));
	a->etag[sizeof(a->etag) - 2] = '"';
	a->etag[sizeof(a->etag) - 1] = '\0';
	a->name = xstrdup(name);
	a->data = data;
	a->len = len;
	a->content_type = assets_content_type(name);
}

/* Walks dirfd (which it closes); prefix is the path of that folder under assets/ ("" or
 * "vendor/"). Returns -1 only when the folder cannot be listed. */
static int walk(int dirfd, const char *prefix, int depth)
{
	DIR *d = fdopendir(dirfd);
	if (d == NULL) {
		close(dirfd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;   /* ".", "..", and hidden files such as vendor/.stamp */
		char *name = xasprintf("%s%s", prefix, e->d_name);
		struct stat st;
		if (!assets_name_safe(name))
			log_warn("assets.skipped", LS("file", name), LS("reason", "name not allowed"));
		else if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			log_warn("assets.skipped", LS("file", name), LS("reason", strerror(errno)));
		else if (S_ISREG(st.st_mode))
			load_file(dirfd, e->d_name, name);
		else if (!S_ISDIR(st.st_mode))
			log_warn("assets.skipped", LS("file", name), LS("reason", "not a regular file"));
		else if (depth == ASSETS_MAX_DEPTH)
			log_warn("assets.skipped", LS("file", name), LS("reason", "folder too deep"));
		else {
			int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char *subprefix = xasprintf("%s/", name);
			if (sub < 0 || walk(sub, subprefix, depth + 1) < 0)
				log_warn("assets.skipped", LS("file", name), LS("reason", "cannot list the folder"));
			free(subprefix);
		}
		free(name);
	}
	closedir(d);
	return 0;
}

int assets_load(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || walk(fd, "", 0) < 0) {
		log_error("assets.unreadable", LS("dir", dir), LS("error", strerror(errno)));
		return -1;
	}
	qsort(table, ntable, sizeof(table[0]), by_name);
	size_t bytes = 0;
	for (size_t i = 0; i < ntable; i++)
		bytes += table[i].len;
	log_info("assets.loaded", LS("dir", dir), LI("files", ntable), LI("bytes", bytes));
	return 0;
}

void assets_send(struct http_req *req, const struct asset *a, const char *cache_control)
{
	http_header(req, "ETag", a->etag);
	http_header(req, "Cache-Control", cache_control);
	const char *inm = http_header_in(req, "If-None-Match");
	if (inm && assets_etag_match(inm, a->etag)) {
		http_text(req, 304, NULL, "", 0);
		return;
	}
	http_text(req, 200, a->content_type, "", 0);
	req->static_body = a->data;
	req->static_len = a->len;
}
