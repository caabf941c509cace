/* libFuzzer target over the form parsers (src/form.c): the first line of the input is the
 * Content-Type (urlencoded or multipart with any boundary), the rest is the body. Every answer
 * is an object or an error, and the lookups on it must hold up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "form.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl = memchr(p, '\n', size);
	size_t hlen = nl ? (size_t)(nl - p) : 0;
	char *ctype = xstrndup(p, hlen);
	const char *body = nl ? nl + 1 : p;
	size_t blen = size - (size_t)(body - p);
	/* the body in its own allocation, so that ASan sees a read past its end */
	char *copy = malloc(blen ? blen : 1);
	memcpy(copy, body, blen);
	char err[256];
	json_t *f = form_parse(ctype, copy, blen, err, sizeof(err));
	if (f != NULL) {
		if (!json_is_object(f))
			abort();
		const char *k;
		json_t *v;
		json_object_foreach(f, k, v) {
			form_str(f, k);
			json_decref(form_list(f, k));
		}
		json_decref(f);
	}
	json_decref(form_urlencoded(copy, blen, err, sizeof(err)));
	free(copy);
	free(ctype);
	return 0;
}
