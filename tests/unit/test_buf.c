/* buf: JSON string escaping. */
#include <criterion/criterion.h>
#include "buf.h"

static void check(const char *in, const char *want)
{
	struct buf b = BUF_INIT;
	buf_json_str(&b, in);
	cr_assert_str_eq(b.data, want);
	buf_free(&b);
}

Test(buf, json_str_escapes_what_json_requires)
{
	check("", "\"\"");
	check("plain text", "\"plain text\"");
	check("a\"b\\c", "\"a\\\"b\\\\c\"");
	check("\"\\", "\"\\\"\\\\\"");
	check("line\nfeed\r\ttab", "\"line\\nfeed\\r\\ttab\"");
	check("\x01x\x1f", "\"\\u0001x\\u001f\"");
	check("\xd0\xb6 utf-8 \x7f", "\"\xd0\xb6 utf-8 \x7f\"");
}
