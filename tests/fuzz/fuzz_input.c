/* libFuzzer target over herald's small input parsers: RFC 3339 times, HH:MM, UTF-8, integers,
 * cursors, route matching, query whitelists, and JSON validation of an operator body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "http.h"
#include "model_operator.h"
#include "resource.h"
#include "route.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct http_req req = {0};
	const char *key;
	int64_t n;
	const struct route *r;
	const char *params[HTTP_MAX_PARAMS];
	int np, allow;

	rfc3339_valid(s);
	parse_hhmm(s);
	utf8_length((const char *)data, size);
	parse_i64(s, INT64_MIN, INT64_MAX, &n);
	res_cursor_decode(&req, s, &key);
	pool_release(&req.pool);
	if (size < 1024) {
		char *path = xstrdup(s);
		route_match(routes, routes_len, HTTP_GET, path, &r, params, &np, &allow);
		free(path);
	}
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(j)) {
		struct verr v = VERR_INIT;
		struct operator_in in;
		operator_validate(j, NULL, &in, &v);
		verr_free(&v);
	}
	json_decref(j);
	free(s);
	return 0;
}
