/* pgarr.c — PostgreSQL array literals. */
#include "pgarr.h"
#include "buf.h"

char *pgarr_from_json(json_t *arr)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *item;
	int first = 1;
	buf_putc(&b, '{');
	json_array_foreach(arr, i, item) {
		if (!json_is_string(item))
			continue;
		const char *s = json_string_value(item);
		if (!first)
			buf_putc(&b, ',');
		first = 0;
		buf_putc(&b, '"');
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *s);
		}
		buf_putc(&b, '"');
	}
	buf_putc(&b, '}');
	return buf_steal(&b);
}
