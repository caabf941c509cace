/* route_slash.c — the trailing slash of the systems herald replaces: "/api/v1/clients/" is
 * answered with a 308 to "/api/v1/clients" (route.h). */
#include "admin.h"
#include "route.h"
#include "util.h"

#include <string.h>

static enum MHD_Result append_query(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	struct buf *b = cls;
	buf_putc(b, strchr(b->data, '?') ? '&' : '?');
	buf_urlencode(b, key);
	if (value) {
		buf_putc(b, '=');
		buf_urlencode(b, value);
	}
	return MHD_YES;
}

int route_redirect_slash(struct http_req *req)
{
	size_t len = strlen(req->path);
	if (len < 2 || req->path[len - 1] != '/' || req->path[len - 2] == '/')
		return 0;
	char *canon = xstrndup(req->path, len - 1);
	const struct route *r;
	const char *params[HTTP_MAX_PARAMS];
	int nparams, allow;
	int found = route_match(routes, routes_len, req->method, canon, &r, params, &nparams, &allow) != ROUTE_NOT_FOUND;
	free(canon);
	if (!found)
		return 0;
	struct buf loc = BUF_INIT;
	for (const char *seg = req->path + 1; seg < req->path + len - 1;) {   /* each segment, encoded */
		size_t n = strcspn(seg, "/");
		char *part = xstrndup(seg, n);
		buf_putc(&loc, '/');
		buf_urlencode(&loc, part);
		free(part);
		seg += n + 1;
	}
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, append_query, &loc);
	http_redirect(req, 308, loc.data);
	buf_free(&loc);
	return 1;
}
