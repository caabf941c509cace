/* route.c — matching paths against the route table. */
#include "route.h"
#include "list.h"

#include <string.h>

/* Matches one pattern; captures are written into params. path is modified (segments split). */
static int match(const char *pat, char *path, const char **params, int *nparams)
{
	int n = 0;
	while (*pat && *path) {
		if (*pat == '*' && pat[1] == '\0') {
			*nparams = n;
			return 1;
		}
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			if (close == NULL || n == HTTP_MAX_PARAMS)
				return 0;
			char *end = path + strcspn(path, "/");
			if (end == path)
				return 0;
			params[n++] = path;
			pat = close + 1;
			if (*end == '\0') {
				path = end;
				break;
			}
			if (*pat != '/')
				return 0;
			*end = '\0';   /* terminate the capture; the '/' is consumed below */
			path = end + 1;
			pat++;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat == '*' && pat[1] == '\0') {
		*nparams = n;
		return 1;
	}
	*nparams = n;
	return *pat == '\0' && *path == '\0';
}

enum route_result route_match(const struct route *table, size_t n, int method, char *path_buf,
			      const struct route **out, const char **params, int *nparams, int *allow)
{
	size_t len = strlen(path_buf);
	char scratch[2048];
	int found_path = 0;
	*allow = 0;
	if (len >= sizeof(scratch))
		return ROUTE_NOT_FOUND;
	if (method == HTTP_HEAD)
		method = HTTP_GET;
	for (size_t i = 0; i < n; i++) {
		const char *p[HTTP_MAX_PARAMS];
		int np = 0;
		memcpy(scratch, path_buf, len + 1);
		if (!match(table[i].pattern, scratch, p, &np))
			continue;
		found_path = 1;
		*allow |= table[i].methods;
		if (!(table[i].methods & method))
			continue;
		/* match again on the caller's buffer so the captures live as long as it does */
		match(table[i].pattern, path_buf, params, nparams);
		*out = &table[i];
		return ROUTE_FOUND;
	}
	if (*allow & HTTP_GET)
		*allow |= HTTP_HEAD;
	return found_path ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

const char *route_check_query(const struct route *r, const char *const *names)
{
	if (r->query == NULL)
		return NULL;
	for (; *names; names++)
		if (!list_text_has(r->query, *names))
			return *names;
	return NULL;
}
