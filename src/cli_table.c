/* cli_table.c — the lists of the command line: every page of an admin list, printed as a
 * plain table. */
#include "cli.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 500
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

json_t *cli_rows(struct db *db, cli_page_fn page, const void *ctx)
{
	json_t *rows = json_array();
	char *after = NULL;
	int n;
	do {
		PGresult *r = page(db, after, PAGE, ctx);
		if (r == NULL) {
			json_decref(rows);
			free(after);
			return NULL;
		}
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			json_t *o = json_loads(db_str(r, i, 0), 0, NULL);
			if (o)
				json_array_append_new(rows, o);
		}
		if (n > 0) {
			free(after);
			after = xstrdup(db_str(r, n - 1, 1));
		}
		PQclear(r);
	} while (n == PAGE);
	free(after);
	return rows;
}
