/* pgarr.c — PostgreSQL array literals (see pgarr.h). */
#include "pgarr.h"

void pgarr_start(struct buf *b)
{
	buf_reset(b);
	buf_putc(b, '{');
}

static void sep(struct buf *b)
{
	if (b->len > 1)
		buf_putc(b, ',');
}

void pgarr_int(struct buf *b, long long v)
{
	sep(b);
	buf_printf(b, "%lld", v);
}

void pgarr_null(struct buf *b)
{
	sep(b);
	buf_puts(b, "NULL");
}

void pgarr_text(struct buf *b, const char *s)
{
	if (s == NULL) {
		pgarr_null(b);
		return;
	}
	sep(b);
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void pgarr_end(struct buf *b)
{
	buf_putc(b, '}');
}

void pgarr_cols_start(struct pgarr_cols *c, int n)
{
	c->n = n;
	for (int k = 0; k < n; k++) {
		c->col[k] = (struct buf)BUF_INIT;
		pgarr_start(&c->col[k]);
	}
}

void pgarr_cols_end(struct pgarr_cols *c)
{
	for (int k = 0; k < c->n; k++) {
		pgarr_end(&c->col[k]);
		c->param[k] = c->col[k].data;
	}
}

void pgarr_cols_free(struct pgarr_cols *c)
{
	for (int k = 0; k < c->n; k++)
		buf_free(&c->col[k]);
}

char *pgarr_from_json(json_t *arr)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *item;
	pgarr_start(&b);
	json_array_foreach(arr, i, item)
		if (json_is_string(item))
			pgarr_text(&b, json_string_value(item));
	pgarr_end(&b);
	return buf_steal(&b);
}
