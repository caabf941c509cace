/* Unit tests of mailing validation and its helpers (RFC 3339 to epoch, text[] literals). */
#include <criterion/criterion.h>
#include <string.h>
#include "model_mailing.h"
#include "pgarr.h"
#include "rfc3339.h"

Test(rfc3339, epoch)
{
	double t;
	cr_assert_eq(rfc3339_epoch("1970-01-01T00:00:00Z", &t), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(rfc3339_epoch("2026-11-23T10:00:00+03:00", &t), 0);
	cr_assert_eq(t, 1795417200);
	cr_assert_eq(rfc3339_epoch("2026-11-23T07:00:00.250Z", &t), 0);
	cr_assert_eq(t, 1795417200.25);
	cr_assert_eq(rfc3339_epoch("2026-11-23T02:30:00-04:30", &t), 0);
	cr_assert_eq(t, 1795417200);
	cr_assert_eq(rfc3339_epoch("2026-11-23T10:00:00", &t), -1);
}

Test(pgarr, quotes_and_escapes)
{
	json_t *a = json_pack("[s, s, i, s]", "vip", "a\"b\\c", 5, "");
	char *s = pgarr_from_json(a);
	cr_assert_str_eq(s, "{\"vip\",\"a\\\"b\\\\c\",\"\"}");
	free(s);
	json_decref(a);
	a = json_array();
	s = pgarr_from_json(a);
	cr_assert_str_eq(s, "{}");
	free(s);
	json_decref(a);
}

Test(mailing, validate)
{
	struct verr v = VERR_INIT;
	struct mailing_in in;
	json_t *j = json_loads("{\"start_at\":\"2099-01-01T00:00:00Z\",\"end_at\":\"2099-01-02T00:00:00+03:00\","
			       "\"text\":\"hi\",\"filter\":{\"tags\":[\"a\"]},\"send_window\":{\"start\":\"22:00\",\"end\":\"06:00\"}}", 0, NULL);
	cr_assert_eq(mailing_validate(j, 1, &in, &v), 0);
	cr_assert_str_eq(in.operator_codes, "{}");
	cr_assert_str_eq(in.tags, "{\"a\"}");
	cr_assert_str_eq(in.window_start, "22:00");
	cr_assert(in.window_given);
	mailing_in_free(&in);
	json_decref(j);

	/* PATCH: only what is given */
	j = json_loads("{\"text\":\"x\"}", 0, NULL);
	cr_assert_eq(mailing_validate(j, 0, &in, &v), 0);
	cr_assert_null(in.start_at);
	cr_assert_null(in.tags);
	cr_assert(!in.window_given);
	mailing_in_free(&in);
	json_decref(j);

	j = json_loads("{\"start_at\":\"2099-01-02T00:00:00+03:00\",\"end_at\":\"2099-01-01T21:00:00Z\",\"text\":\"x\"}", 0, NULL);
	cr_assert_eq(mailing_validate(j, 1, &in, &v), -1);
	json_t *e = verr_take(&v);
	cr_assert_not_null(json_object_get(e, "end_at"));
	cr_assert_eq(json_object_size(e), 1);
	json_decref(e);
	mailing_in_free(&in);
	json_decref(j);
}
