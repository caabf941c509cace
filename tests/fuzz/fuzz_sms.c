/* libFuzzer target over texts per recipient and their SMS size (src/personal.c, src/sms.c):
 * the input, cut at the first NUL, is a mailing's text and a client's attributes (JSON, valid or
 * not); the text is checked as users' texts are, rendered for that client when it parses, and
 * both the text and what it rendered are measured. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "personal.h"
#include "sms.h"
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cut = memchr(data, '\0', size);
	size_t text_len = cut ? (size_t)(cut - (const char *)data) : size;
	char *text = strndup((const char *)data, text_len);
	char *attrs = cut ? strndup(cut + 1, size - text_len - 1) : NULL;
	char err[300];
	struct sms_size sz;
	struct verr v = VERR_INIT;
	personal_check(text, "text", &v);
	verr_free(&v);
	sms_measure(text, &sz);
	struct tmpl_set *t = personal_is(text) ? personal_parse(text, err, sizeof(err)) : NULL;
	if (t) {
		json_t *ctx = personal_context("79161234567", "vip", attrs);
		struct buf out = BUF_INIT;
		if (personal_render(t, ctx, &out) == 0)
			sms_measure(out.data, &sz);
		buf_free(&out);
		json_decref(ctx);
		tmpl_set_free(t);
	}
	free(text);
	free(attrs);
	return 0;
}
