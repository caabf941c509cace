/* csv_sniff.c — a CSV file's encoding and separator; Windows-1251 is read with glibc's iconv. */
#include "csv_sniff.h"
#include "i18n.h"
#include "util.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char bom[] = "\xEF\xBB\xBF";

char csv_sniff_sep(const char *text, size_t len)
{
	size_t semi = 0, tab = 0, comma = 0;
	int quoted = 0;
	for (size_t i = 0; i < len && (quoted || text[i] != '\n'); i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (!quoted && text[i] == ';')
			semi++;
		else if (!quoted && text[i] == '\t')
			tab++;
		else if (!quoted && text[i] == ',')
			comma++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	if (tab > comma && tab > semi)
		return '\t';
	return ',';
}

/* Windows-1251 to UTF-8: each byte becomes at most 3 bytes (the euro sign, the dagger). */
static char *from_cp1251(const char *data, size_t len, size_t *outlen, const char *lang, char *err, size_t errlen)
{
	iconv_t cd = iconv_open("UTF-8", "WINDOWS-1251");
	if (cd == (iconv_t)-1) {
		i18n_print(err, errlen, lang, "csv.no_cp1251", strerror(errno));
		return NULL;
	}
	size_t cap = len * 3 + 1, inleft = len, outleft = cap - 1;
	char *out = xmalloc(cap), *in = (char *)data, *o = out;
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		long line = 1;
		for (const char *p = data; p < in; p++)
			line += *p == '\n';
		i18n_print(err, errlen, lang, "csv.not_text", (unsigned)(unsigned char)*in, line);
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*o = '\0';
	*outlen = (size_t)(o - out);
	return xrealloc(out, *outlen + 1);   /* Cyrillic takes 2 bytes, not the 3 reserved */
}

int csv_sniff(const char *data, size_t len, const char *lang, struct csv_text *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (len >= 3 && memcmp(data, bom, 3) == 0) {
		data += 3;
		len -= 3;
		out->encoding = "UTF-8 with BOM";
	}
	if (utf8_length(data, len) >= 0) {
		out->text = xmalloc(len + 1);
		memcpy(out->text, data, len);
		out->text[len] = '\0';
		out->len = len;
		if (out->encoding == NULL)
			out->encoding = "UTF-8";
	} else if (out->encoding) {
		i18n_print(err, errlen, lang, "csv.bom_not_utf8");
		return -1;
	} else if ((out->text = from_cp1251(data, len, &out->len, lang, err, errlen)) == NULL) {
		return -1;
	} else {
		out->encoding = "Windows-1251";
	}
	out->sep = csv_sniff_sep(out->text, out->len);
	return 0;
}

void csv_text_free(struct csv_text *t)
{
	free(t->text);
	t->text = NULL;
}
