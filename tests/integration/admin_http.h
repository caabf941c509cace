/* admin_http.h — helpers for tests of the admin pages (tests/integration/admin_http.c). */
#ifndef HERALD_ADMIN_HTTP_H
#define HERALD_ADMIN_HTTP_H

struct page {
	long status;
	char *body;
	char *location, *set_cookie, *cache_control, *csp;
};

/* One request; cookie "name=value" (may be NULL), form body (NULL: none), extra header. */
struct page *req(const char *method, const char *path, const char *cookie, const char *form,
		 const char *header);
/* A multipart POST of csrf_token and a file part "file" named filename holding content. */
struct page *req_upload(const char *path, const char *cookie, const char *csrf, const char *filename,
			const char *content);
void page_free(struct page *pg);
/* Signs in and returns the cookie "name=value" (malloc'ed). */
char *login(const char *user, const char *pw, const char *header);
/* The csrf_token of the page at path (malloc'ed). */
char *csrf_of(const char *cookie, const char *path);
long status_of(const char *method, const char *path, const char *cookie, const char *form);

#endif
