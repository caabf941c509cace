/* libFuzzer target over the Accept-Language parser (i18n_accept in src/i18n.c): any bytes as
 * the header. The answer is NULL or one of the known languages, and the same input gives the
 * same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "i18n.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the header in its own allocation, NUL-terminated at its end (a NUL inside ends it) */
	char *h = xstrndup((const char *)data, size);
	const char *lang = i18n_accept(h);
	if (lang != NULL && !i18n_known(lang))
		abort();
	if (i18n_accept(h) != lang)
		abort();
	free(h);
	return 0;
}
