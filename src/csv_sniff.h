/* csv_sniff.h — what a spreadsheet's CSV file is before it is read: its encoding (UTF-8 with or
 * without a byte order mark, or Windows-1251 as Excel writes it on a Russian Windows) and its
 * separator (',', ';' or tab, whichever the first line uses most). */
#ifndef HERALD_CSV_SNIFF_H
#define HERALD_CSV_SNIFF_H
#include <stddef.h>

struct csv_text {
	char *text;             /* the file as UTF-8 without a byte order mark (owned, NUL-ended) */
	size_t len;
	char sep;               /* ',', ';' or '\t' */
	const char *encoding;   /* "UTF-8", "UTF-8 with BOM" or "Windows-1251" (static) */
};

/* Reads len bytes of data (which holds no NUL) into out. -1 with err in lang (i18n.h; NULL:
 * English) when the bytes are neither UTF-8 nor Windows-1251; out then holds nothing to free. */
int csv_sniff(const char *data, size_t len, const char *lang, struct csv_text *out, char *err, size_t errlen);
void csv_text_free(struct csv_text *t);

/* The separator the first line of text uses most, outside quotes: ';', '\t', else ','. */
char csv_sniff_sep(const char *text, size_t len);

#endif
