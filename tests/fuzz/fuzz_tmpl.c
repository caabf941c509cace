/* libFuzzer target over the Mustache parser and renderer (src/tmpl_*.c): the input, cut at the
 * first NUL, gives two templates, "main" and the partial/parent "p" (each may include either),
 * rendered against a fixed context with strings, numbers, lists and nested objects. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "tmpl.h"

static json_t *context(void)
{
	static json_t *ctx;
	if (ctx == NULL)
		ctx = json_loads("{\"a\": \"<b>&'\\\"`=\", \"n\": 3, \"t\": true, \"f\": false, \"z\": null,"
				 " \"list\": [1, \"two\", {\"a\": \"in\"}, [], {}], \"o\": {\"a\": {\"b\": \"deep\"}},"
				 " \"empty\": [], \"s\": \"\"}", 0, NULL);
	return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data, *cut = memchr(src, '\0', size);
	size_t main_len = cut ? (size_t)(cut - src) : size;
	struct tmpl_set *s = tmpl_set_new();
	char err[256];
	int ok = tmpl_set_add(s, "main", src, main_len, err, sizeof(err)) == 0;
	if (cut)
		tmpl_set_add(s, "p", cut + 1, size - main_len - 1, err, sizeof(err));
	if (ok) {
		struct buf out = BUF_INIT;
		tmpl_render(s, "main", context(), &out);
		buf_free(&out);
	}
	tmpl_set_free(s);
	return 0;
}
