/* csv.c — CSV cells and records. */
#include "csv.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

void csv_cell(struct buf *b, const char *s, char sep)
{
	if (s == NULL || *s == '\0')
		return;
	size_t n = strlen(s);
	int guard = strchr("=+-@\t\r", s[0]) != NULL;
	int quote = guard || strpbrk(s, "\"\r\n") != NULL || strchr(s, sep) != NULL || s[0] == ' ' ||
		    s[n - 1] == ' ';
	if (!quote) {
		buf_append(b, s, n);
		return;
	}
	buf_putc(b, '"');
	if (guard)
		buf_putc(b, '\'');
	for (const char *c = s; *c; c++) {
		if (*c == '"')
			buf_putc(b, '"');
		buf_putc(b, *c);
	}
	buf_putc(b, '"');
}

const char *csv_unguard(const char *s)
{
	return s[0] == '\'' && s[1] && strchr("=+-@\t\r", s[1]) ? s + 1 : s;
}

/* Skips to the start of the next line. */
static void skip_line(struct csv_reader *r)
{
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	r->p = nl ? nl + 1 : r->end;
	r->line++;
}

int csv_next(struct csv_reader *r, json_t **cells, long *line, char *err, size_t errlen)
{
	if (r->p >= r->end)
		return 0;
	*line = r->line;
	*cells = json_array();
	struct buf cell = BUF_INIT;
	const char *p = r->p;
	for (;;) {
		buf_reset(&cell);
		if (p < r->end && *p == '"') {
			for (p++;; p++) {
				if (p >= r->end) {
					i18n_print(err, errlen, r->lang, "csv.unclosed_quote");
					goto bad;
				}
				if (*p == '"') {
					if (p + 1 < r->end && p[1] == '"') {
						buf_putc(&cell, '"');
						p++;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					r->line++;
				buf_putc(&cell, *p);
			}
			if (p < r->end && *p != r->sep && *p != '\n' && *p != '\r') {
				i18n_print(err, errlen, r->lang, "csv.after_quote");
				goto bad;
			}
		} else {
			const char *start = p;
			while (p < r->end && *p != r->sep && *p != '\n' && *p != '\r') {
				if (*p == '"') {
					i18n_print(err, errlen, r->lang, "csv.quote_in_cell");
					goto bad;
				}
				p++;
			}
			buf_append(&cell, start, (size_t)(p - start));
		}
		if (json_array_size(*cells) == CSV_MAX_CELLS) {
			i18n_print(err, errlen, r->lang, "csv.too_many_cells", CSV_MAX_CELLS);
			goto bad;
		}
		json_array_append_new(*cells, json_stringn(cell.data ? cell.data : "", cell.len));
		if (p < r->end && *p == r->sep) {
			p++;
			continue;
		}
		if (p < r->end && *p == '\r')
			p++;
		if (p < r->end && *p == '\n')
			p++;
		break;
	}
	buf_free(&cell);
	r->p = p;
	r->line++;
	return 1;
bad:
	buf_free(&cell);
	json_decref(*cells);
	*cells = NULL;
	r->p = p < r->end ? p : r->end;
	if (r->p < r->end && *r->p != '\n')
		skip_line(r);
	else if (r->p < r->end) {
		r->p++;
		r->line++;
	}
	return -1;
}
