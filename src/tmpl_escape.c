/* tmpl_escape.c — HTML escaping of interpolated values. */
#include "tmpl.h"

void tmpl_escape(struct buf *out, const char *s, size_t len)
{
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = "&#96;"; break;
		case '=': rep = "&#61;"; break;
		default: continue;
		}
		buf_append(out, s + from, i - from);
		buf_puts(out, rep);
		from = i + 1;
	}
	buf_append(out, s + from, len - from);
}
