/* cli_table.c — the lists of the command line: every page of an admin list, printed as a
 * plain table. */
#include "cli.h"
#include "resource.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_NUM 32

/* The text of a cell: strings as they are, numbers in decimal, yes/no, "-" for null. */
static const char *cell(json_t *v, char num[CELL_NUM])
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, CELL_NUM, "%lld", (long long)json_integer_value(v));
		return num;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "-";
}

/* Width on a terminal: code points of valid UTF-8, else bytes. */
static size_t width(const char *s)
{
	size_t n = strlen(s);
	long w = utf8_length(s, n);
	return w < 0 ? n : (size_t)w;
}

static void print_cell(const char *s, size_t col_width, int last)
{
	fputs(s, stdout);
	if (last)
		return;
	for (size_t w = width(s); w < col_width + 2; w++)
		putchar(' ');
}

void cli_table(json_t *rows, const struct cli_col *cols, size_t ncols)
{
	size_t *w = xcalloc(ncols, sizeof(*w)), i;
	char num[CELL_NUM];
	json_t *row;
	for (size_t c = 0; c < ncols; c++)
		w[c] = width(cols[c].head);
	json_array_foreach(rows, i, row)
		for (size_t c = 0; c < ncols; c++) {
			size_t cw = width(cell(json_object_get(row, cols[c].field), num));
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t c = 0; c < ncols; c++)
		print_cell(cols[c].head, w[c], c + 1 == ncols);
	putchar('\n');
	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < ncols; c++)
			print_cell(cell(json_object_get(row, cols[c].field), num), w[c], c + 1 == ncols);
		putchar('\n');
	}
	free(w);
}

json_t *cli_rows(struct db *db, const struct resource *r, const char *filter)
{
	struct res_query q = {r->sorts[0], NULL, NULL, 0, {filter}, NULL, NULL, NULL};
	json_t *rows;
	if (res_list_every(db, res_list_of, r, &q, SIZE_MAX, &rows) == MODEL_OK)
		return rows;
	json_decref(rows);
	return NULL;
}
