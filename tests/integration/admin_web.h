/* admin_web.h — requests to the admin pages of the server under test, as a browser makes them
 * (cookie, urlencoded forms), with the headers the tests look at. */
#ifndef HERALD_ADMIN_WEB_H
#define HERALD_ADMIN_WEB_H

struct web_page {
	long status;
	char *body;
	char *location, *set_cookie, *cache_control, *csp;
};

/* One request; cookie "name=value" (may be NULL), form body (NULL: none), extra header (may be
 * NULL). Fails the test when the request cannot be made. Free with web_free. */
struct web_page *web_req(const char *method, const char *path, const char *cookie, const char *form,
			 const char *header);
void web_free(struct web_page *pg);
/* GETs path as cookie and expects 200 and each of texts (NULL-ended: TEXTS("a", "b")). */
#define TEXTS(...) ((const char *const[]){__VA_ARGS__, NULL})
void web_expect_texts(const char *cookie, const char *path, const char *const *texts);
/* Adds user name with role through the users form as t_admin; its password is
 * "long-enough-1". */
void web_add_user(const char *name, const char *role);
/* Signs in and returns the cookie "name=value" (malloc'ed). */
char *web_login(const char *user, const char *pw, const char *header);
/* The csrf_token of the page at path (malloc'ed). */
char *web_csrf(const char *cookie, const char *path);
/* POSTs "csrf_token=<cookie's token>&" + the form made from fmt to path as cookie; the page
 * (free with web_free). */
struct web_page *web_post(const char *cookie, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The status of one request. */
long web_status(const char *method, const char *path, const char *cookie, const char *form);

/* A multipart POST of csrf_token and a file part "file" named filename holding content. */
struct web_page *web_upload(const char *path, const char *cookie, const char *csrf, const char *filename,
			    const char *content);

/* The page's link with rel ("next", "prev"), its HTML escapes undone (malloc'ed), or NULL. */
char *web_rel_href(const char *body, const char *rel);
/* A list of two pages at path as cookie: first (a text on the first page, not on the second),
 * its next page with second (not first), a previous-page link and no next one, and that link
 * back to the first page (first, not second, a next link and no previous one). */
void web_expect_two_pages(const char *cookie, const char *path, const char *first, const char *second);

#endif
