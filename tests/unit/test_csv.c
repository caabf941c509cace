/* Unit tests of csv.c: quoting, the formula guard and reading records with line numbers. */
#include <criterion/criterion.h>
#include <string.h>
#include "csv.h"

static void expect_cell(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	csv_cell(&b, in);
	buf_putc(&b, '\0');
	cr_expect_str_eq(b.data, want, "cell of [%s]", in ? in : "(null)");
	buf_free(&b);
}

Test(csv, cells_are_quoted_only_when_needed_and_formulas_guarded)
{
	expect_cell(NULL, "");
	expect_cell("", "");
	expect_cell("plain", "plain");
	expect_cell("a,b", "\"a,b\"");
	expect_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_cell("two\nlines", "\"two\nlines\"");
	expect_cell(" padded", "\" padded\"");
	expect_cell("=1+1", "\"'=1+1\"");
	expect_cell("+7900", "\"'+7900\"");
	expect_cell("-2", "\"'-2\"");
	expect_cell("@SUM(A1)", "\"'@SUM(A1)\"");
	expect_cell("\tx", "\"'\tx\"");
	expect_cell("a=b", "a=b");
	cr_expect_str_eq(csv_unguard("'=1+1"), "=1+1");
	cr_expect_str_eq(csv_unguard("'plain"), "'plain");
	cr_expect_str_eq(csv_unguard("'\tx"), "\tx");
	cr_expect_str_eq(csv_unguard("'"), "'");
}

Test(csv, records_carry_their_first_line)
{
	const char *text = "a,b\r\n\"multi\nline\",\"q\"\"uote\"\n,\nlast";
	struct csv_reader r = {text, text + strlen(text), 1};
	json_t *cells;
	long line;
	char err[100];
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	cr_expect_eq(line, 1);
	cr_expect_eq(json_array_size(cells), 2);
	json_decref(cells);
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	cr_expect_eq(line, 2);
	cr_expect_str_eq(json_string_value(json_array_get(cells, 0)), "multi\nline");
	cr_expect_str_eq(json_string_value(json_array_get(cells, 1)), "q\"uote");
	json_decref(cells);
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	cr_expect_eq(line, 4);
	cr_expect_eq(json_array_size(cells), 2);
	json_decref(cells);
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	cr_expect_eq(line, 5);
	cr_expect_str_eq(json_string_value(json_array_get(cells, 0)), "last");
	json_decref(cells);
	cr_expect_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 0);
}

Test(csv, malformed_records_are_reported_and_skipped)
{
	const char *text = "ok,1\nbad\"quote,2\n\"closed\"x,3\nfine,4\n\"never closed,5\n";
	struct csv_reader r = {text, text + strlen(text), 1};
	json_t *cells;
	long line;
	char err[100];
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	json_decref(cells);
	cr_expect_eq(csv_next(&r, &cells, &line, err, sizeof(err)), -1);
	cr_expect_eq(line, 2);
	cr_expect(strstr(err, "quote inside"), "%s", err);
	cr_expect_eq(csv_next(&r, &cells, &line, err, sizeof(err)), -1);
	cr_expect_eq(line, 3);
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	cr_expect_eq(line, 4);
	cr_expect_str_eq(json_string_value(json_array_get(cells, 0)), "fine");
	json_decref(cells);
	cr_expect_eq(csv_next(&r, &cells, &line, err, sizeof(err)), -1);
	cr_expect_eq(line, 5);
	cr_expect(strstr(err, "not closed"), "%s", err);
	cr_expect_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 0);
}
