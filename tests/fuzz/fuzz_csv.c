/* libFuzzer target over the CSV reader (src/csv.c) behind csv_sniff (src/csv_sniff.c): any
 * bytes are sniffed (encoding, separator), read record by record to the end, and every cell read
 * is written back with csv_cell and read again, which must give the same cell; each cell is also
 * read as a phone (src/phone.c), which gives nothing or 7 and 10 digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "csv.h"
#include "csv_sniff.h"
#include "phone.h"

/* Writes cell with csv_cell, reads it back, and aborts when it differs. */
static void round_trip(const char *cell, char sep)
{
	struct buf b = BUF_INIT;
	csv_cell(&b, cell, sep);
	buf_append(&b, "\r\n", 2);
	struct csv_reader r = {b.data, b.data + b.len, 1, sep, NULL};
	json_t *cells = NULL;
	long line;
	char err[128];
	if (csv_next(&r, &cells, &line, err, sizeof(err)) != 1 || json_array_size(cells) != 1 ||
	    strcmp(csv_unguard(json_string_value(json_array_get(cells, 0))), csv_unguard(cell)) != 0)
		abort();
	json_decref(cells);
	buf_free(&b);
}

/* A phone is refused with nothing written, or stored as 7 and 10 digits. */
static void phone_check(const char *cell)
{
	char out[PHONE_LEN + 1];
	int rc = phone_normalise(cell, out);
	if (rc < 0 ? out[0] != '\0' : strlen(out) != PHONE_LEN || out[0] != '7' || strspn(out, "0123456789") != PHONE_LEN)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_text t;
	char err[256];
	if (memchr(data, '\0', size) || csv_sniff((const char *)data, size, NULL, &t, err, sizeof(err)) < 0)
		return 0;   /* the import takes no NUL; sniff refused the encoding */
	if (strlen(t.text) != t.len || (t.sep != ',' && t.sep != ';' && t.sep != '\t'))
		abort();    /* transcoding made a NUL or the separator is not one of the three */
	struct csv_reader r = {t.text, t.text + t.len, 1, t.sep, NULL};
	json_t *cells;
	long line;
	int rc, records = 0;
	while ((rc = csv_next(&r, &cells, &line, err, sizeof(err))) != 0) {
		if (++records > 100000)
			abort();          /* the reader must move forward */
		if (rc < 0)
			continue;
		size_t i;
		json_t *c;
		json_array_foreach(cells, i, c) {
			round_trip(json_string_value(c), t.sep);
			phone_check(json_string_value(c));
		}
		json_decref(cells);
	}
	csv_text_free(&t);
	return 0;
}
