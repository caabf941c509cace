/* pgarray.c — PostgreSQL array literals (see pgarray.h). */
#include "pgarray.h"

void pgarray_start(struct buf *b)
{
	buf_reset(b);
	buf_putc(b, '{');
}

static void sep(struct buf *b)
{
	if (b->len > 1)
		buf_putc(b, ',');
}

void pgarray_int(struct buf *b, long long v)
{
	sep(b);
	buf_printf(b, "%lld", v);
}

void pgarray_text(struct buf *b, const char *v)
{
	sep(b);
	if (v == NULL || *v == '\0') {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *v);
	}
	buf_putc(b, '"');
}

void pgarray_end(struct buf *b)
{
	buf_putc(b, '}');
}
