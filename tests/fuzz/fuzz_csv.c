/* libFuzzer target over the CSV reader (src/csv.c): any bytes are read record by record to the
 * end, and every cell read is written back with csv_cell and read again, which must give the
 * same cell. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "csv.h"

/* Writes cell with csv_cell, reads it back, and aborts when it differs. */
static void round_trip(const char *cell)
{
	struct buf b = BUF_INIT;
	csv_cell(&b, cell);
	buf_append(&b, "\r\n", 2);
	struct csv_reader r = {b.data, b.data + b.len, 1};
	json_t *cells = NULL;
	long line;
	char err[128];
	if (csv_next(&r, &cells, &line, err, sizeof(err)) != 1 || json_array_size(cells) != 1 ||
	    strcmp(csv_unguard(json_string_value(json_array_get(cells, 0))), csv_unguard(cell)) != 0)
		abort();
	json_decref(cells);
	buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader r = {(const char *)data, (const char *)data + size, 1};
	json_t *cells;
	long line;
	char err[256];
	int rc, records = 0;
	while ((rc = csv_next(&r, &cells, &line, err, sizeof(err))) != 0) {
		if (++records > 100000)
			abort();          /* the reader must move forward */
		if (rc < 0)
			continue;
		size_t i;
		json_t *c;
		json_array_foreach(cells, i, c)
			round_trip(json_string_value(c));
		json_decref(cells);
	}
	return 0;
}
