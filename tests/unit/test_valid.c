/* Unit tests of the validation helpers and small parsers. */
#include <criterion/criterion.h>
#include <string.h>
#include "util.h"
#include "valid.h"

Test(valid, rfc3339)
{
	cr_assert_eq(rfc3339_valid("2026-11-23T10:00:00+03:00"), 0);
	cr_assert_eq(rfc3339_valid("2026-11-23T10:00:00Z"), 0);
	cr_assert_eq(rfc3339_valid("2026-11-23T10:00:00.123456Z"), 0);
	cr_assert_eq(rfc3339_valid("2024-02-29T00:00:00Z"), 0);
	cr_assert_eq(rfc3339_valid("2026-02-29T00:00:00Z"), -1);
	cr_assert_eq(rfc3339_valid("2026-11-23 10:00:00Z"), -1);
	cr_assert_eq(rfc3339_valid("2026-11-23T10:00:00"), -1);
	cr_assert_eq(rfc3339_valid("2026-13-01T10:00:00Z"), -1);
	cr_assert_eq(rfc3339_valid("2026-11-23T24:00:00Z"), -1);
	cr_assert_eq(rfc3339_valid("2026-11-23T10:00:00+3:00"), -1);
	cr_assert_eq(rfc3339_valid("2026-11-23T10:00:00.Z"), -1);
}

Test(valid, hhmm_phone_code_utf8)
{
	cr_assert_eq(parse_hhmm("09:30"), 570);
	cr_assert_eq(parse_hhmm("23:59"), 1439);
	cr_assert_eq(parse_hhmm("24:00"), -1);
	cr_assert_eq(parse_hhmm("9:30"), -1);
	cr_assert_null(valid_phone("79161234567"));
	cr_assert_not_null(valid_phone("89161234567"));
	cr_assert_not_null(valid_phone("7916123456"));
	cr_assert_not_null(valid_phone("791612345678"));
	cr_assert_not_null(valid_phone("7916123456a"));
	cr_assert_null(valid_operator_code("916"));
	cr_assert_not_null(valid_operator_code("91"));
	cr_assert_not_null(valid_operator_code("9a6"));
	cr_assert_eq(utf8_length("привет", strlen("привет")), 6);
	cr_assert_eq(utf8_length("\xc3\x28", 2), -1);
	cr_assert_eq(utf8_length("\xed\xa0\x80", 3), -1);   /* surrogate */
}

Test(valid, json_getters_collect_every_error)
{
	struct verr v = VERR_INIT;
	json_t *in = json_loads("{\"a\":\"x\",\"b\":5,\"c\":\"\",\"d\":null,\"e\":\"2026-01-01T00:00:00Z\"}", 0, NULL);
	const char *s;
	int64_t n;
	static const char *const allowed[] = {"a", "b", "c", "d", "e", NULL};
	jv_only(in, allowed, &v);
	cr_assert_not(verr_any(&v));
	cr_assert_eq(jv_str(in, "a", 1, 1, 5, &s, &v), 1);
	cr_assert_str_eq(s, "x");
	cr_assert_eq(jv_str(in, "b", 1, 1, 5, &s, &v), -1);
	cr_assert_eq(jv_str(in, "c", 1, 1, 5, &s, &v), -1);
	cr_assert_eq(jv_str_or_null(in, "d", 1, 5, &s, &v), 1);
	cr_assert_null(s);
	cr_assert_eq(jv_i64(in, "b", 1, 0, 4, &n, &v), -1);
	cr_assert_eq(jv_i64(in, "zz", 1, 0, 4, &n, &v), -1);
	cr_assert_eq(jv_i64(in, "zz", 0, 0, 4, &n, &v), 0);
	cr_assert_eq(jv_time(in, "e", 1, &s, &v), 1);
	json_t *e = verr_take(&v);
	cr_assert_eq(json_array_size(json_object_get(e, "b")), 2);
	cr_assert_not_null(json_object_get(e, "c"));
	cr_assert_not_null(json_object_get(e, "zz"));
	cr_assert_null(json_object_get(e, "a"));
	json_decref(e);
	json_decref(in);
}

Test(valid, smpp_url)
{
	struct smpp_url u;
	cr_assert_eq(smpp_url_parse("smpp://herald-1@smsc.example.com:2775", &u), 0);
	cr_assert_str_eq(u.system_id, "herald-1");
	cr_assert_str_eq(u.host, "smsc.example.com");
	cr_assert_str_eq(u.port, "2775");
	cr_assert_eq(smpp_url_parse("SMPP://a@[::1]:1", &u), 0);
	cr_assert_str_eq(u.host, "::1");
	cr_assert_eq(smpp_url_parse("smpp://abcdefghijklmno@10.0.0.1:65535", &u), 0, "15 characters");
	const char *bad[] = {"smpp://abcdefghijklmnop@h:1", "smpp://@h:1", "smpp://h:1", "smpp://a@h", "smpp://a@h:0",
			     "smpp://a@h:65536", "smpp://a@h:1/x", "smpp://a@:1", "smpp://a b@h:1", "smpp://a@[::1:1",
			     "http://a@h:1", "smpp://a@h_x:1", "smpp://a@h:+1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(smpp_url_parse(bad[i], &u), -1, "%s", bad[i]);
	cr_assert_null(valid_provider_url("smpp", "smpp://a@h:1", 900));
	cr_assert_str_eq(valid_provider_url("smpp", "http://h/", 900), "valid.smpp_url");
	cr_assert_str_eq(valid_provider_url("probe", "smpp://a@h:1", 900), "valid.url");
	cr_assert_null(valid_provider_url("probe", "https://h/v1", 900));
}
