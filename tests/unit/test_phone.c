/* Unit tests of phone_normalise and phone_prefix_normalise. */
#include <criterion/criterion.h>
#include "phone.h"

static void expect_phone(const char *in, const char *want)
{
	char out[PHONE_LEN + 1];
	cr_assert_eq(phone_normalise(in, out), 0, "%s", in);
	cr_expect_str_eq(out, want, "%s", in);
}

static void expect_refused(const char *in)
{
	char out[PHONE_LEN + 1];
	cr_expect_eq(phone_normalise(in, out), -1, "%s", in);
	cr_expect_str_eq(out, "", "%s", in);
}

Test(phone, written_forms)
{
	expect_phone("+7 (916) 123-45-67", "79161234567");
	expect_phone("8 916 123 45 67", "79161234567");
	expect_phone("8(916)1234567", "79161234567");
	expect_phone("+79161234567", "79161234567");
	expect_phone("79161234567", "79161234567");
	expect_phone("916 123-45-67", "79161234567");
	expect_phone("7.916.123.45.67", "79161234567");
	expect_phone("+7\xC2\xA0" "916\xC2\xA0" "123\xC2\xA0" "45\xC2\xA0" "67", "79161234567");
}

Test(phone, garbage)
{
	expect_refused("");
	expect_refused("hello");
	expect_refused("7916123456");        /* 10 digits not starting with 9 */
	expect_refused("791612345678");      /* 12 digits */
	expect_refused("+89161234567");      /* + before 8 */
	expect_refused("69161234567");
	expect_refused("7916+1234567");
	expect_refused("++79161234567");
	expect_refused("7916123456x");
	expect_refused("\xC2");
	expect_refused("+7 916 123 45 67                                                                 ");
}

Test(phone, prefixes)
{
	char out[PHONE_LEN + 1];
	cr_assert_eq(phone_prefix_normalise("+7 (916", out), 0);
	cr_expect_str_eq(out, "7916");
	cr_assert_eq(phone_prefix_normalise("8916", out), 0);
	cr_expect_str_eq(out, "7916");
	cr_assert_eq(phone_prefix_normalise("7", out), 0);
	cr_expect_str_eq(out, "7");
	cr_expect_eq(phone_prefix_normalise("916", out), -1);
	cr_expect_eq(phone_prefix_normalise("", out), -1);
	cr_expect_eq(phone_prefix_normalise("791612345678", out), -1);
}
