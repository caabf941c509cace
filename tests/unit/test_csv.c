/* Unit tests of csv.c: quoting, the formula guard and reading records with line numbers. */
#include <criterion/criterion.h>
#include <string.h>
#include "csv.h"
#include "csv_sniff.h"
#include "unit.h"

TestSuite(csv, .init = unit_catalogues);

static void expect_cell(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	csv_cell(&b, in, ',');
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
	struct csv_reader r = {text, text + strlen(text), 1, ',', NULL};
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
	struct csv_reader r = {text, text + strlen(text), 1, ',', NULL};
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

Test(csv, semicolons_quote_only_in_a_semicolon_file)
{
	struct buf b = BUF_INIT;
	csv_cell(&b, "a;b", ',');
	buf_putc(&b, ' ');
	csv_cell(&b, "a;b", ';');
	buf_putc(&b, ' ');
	csv_cell(&b, "a,b", ';');
	buf_putc(&b, '\0');
	cr_expect_str_eq(b.data, "a;b \"a;b\" a,b");
	buf_free(&b);
}

/* An Excel file: BOM or Windows-1251, semicolons, CRLF. */
Test(csv, sniff_finds_encoding_and_separator)
{
	struct csv_text t;
	char err[200];
	const char utf8[] = "\xEF\xBB\xBFphone;tag\r\n79161234567;\xD0\xB2\xD0\xB8\xD0\xBF\r\n";
	cr_assert_eq(csv_sniff(utf8, sizeof(utf8) - 1, NULL, &t, err, sizeof(err)), 0);
	cr_expect_eq(t.sep, ';');
	cr_expect_str_eq(t.encoding, "UTF-8 with BOM");
	cr_expect_str_eq(t.text, "phone;tag\r\n79161234567;\xD0\xB2\xD0\xB8\xD0\xBF\r\n");
	csv_text_free(&t);

	const char cp1251[] = "phone;tag\r\n79161234567;\xE2\xE8\xEF\r\n";   /* вип */
	cr_assert_eq(csv_sniff(cp1251, sizeof(cp1251) - 1, NULL, &t, err, sizeof(err)), 0);
	cr_expect_str_eq(t.encoding, "Windows-1251");
	cr_expect_str_eq(t.text, "phone;tag\r\n79161234567;\xD0\xB2\xD0\xB8\xD0\xBF\r\n");
	struct csv_reader r = {t.text, t.text + t.len, 1, t.sep, NULL};
	json_t *cells;
	long line;
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	json_decref(cells);
	cr_assert_eq(csv_next(&r, &cells, &line, err, sizeof(err)), 1);
	cr_expect_str_eq(json_string_value(json_array_get(cells, 1)), "\xD0\xB2\xD0\xB8\xD0\xBF");
	json_decref(cells);
	csv_text_free(&t);

	cr_expect_eq(csv_sniff_sep("phone\ttag\n", 10), '\t');
	cr_expect_eq(csv_sniff_sep("phone,tag\n", 10), ',');
	cr_expect_eq(csv_sniff_sep("phone\n", 6), ',');
	cr_expect_eq(csv_sniff_sep("\"a;b\",c\n", 8), ',');

	const char bad[] = "phone\n\x98\n";   /* 0x98 is no Windows-1251 character */
	cr_expect_eq(csv_sniff(bad, sizeof(bad) - 1, NULL, &t, err, sizeof(err)), -1);
	cr_expect(strstr(err, "line 2") != NULL, "%s", err);
	cr_expect_eq(csv_sniff(bad, sizeof(bad) - 1, "ru", &t, err, sizeof(err)), -1);
	cr_expect(strstr(err, "в строке 2") != NULL, "in the admin's language: %s", err);
	const char bom_bad[] = "\xEF\xBB\xBFphone\n\xE2\n";
	cr_expect_eq(csv_sniff(bom_bad, sizeof(bom_bad) - 1, NULL, &t, err, sizeof(err)), -1);
}
