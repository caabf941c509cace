/* Unit tests of outcome.c: the one table of outcomes, statuses and problem slugs. */
#include <criterion/criterion.h>
#include "outcome.h"

Test(outcome, model_outcomes_map_to_status_and_slug)
{
	cr_assert_eq(outcome_of(MODEL_NOT_FOUND)->status, 404);
	cr_assert_eq(outcome_of(MODEL_INVALID)->status, 422);
	cr_assert_eq(outcome_of(MODEL_DUPLICATE)->status, 409);
	cr_assert_eq(outcome_of(MODEL_IN_USE)->status, 409);
	cr_assert_eq(outcome_of(MODEL_CHECK)->status, 422, "API and admin agree: a check violation is 422");
	cr_assert_eq(outcome_of(MODEL_UNAVAILABLE)->status, 503);
	cr_assert_eq(outcome_of(MODEL_ERROR)->status, 500);
	cr_assert_str_eq(outcome_slug(404), "not-found");
	cr_assert_str_eq(outcome_slug(409), "conflict");
	cr_assert_str_eq(outcome_slug(422), "validation-failed");
	cr_assert_str_eq(outcome_slug(415), "unsupported-media-type");
	cr_assert_str_eq(outcome_slug(503), "unavailable");
	cr_assert_str_eq(outcome_slug(502), "internal-error");
	cr_assert_str_eq(outcome_slug(418), "error");
}

Test(outcome, field_errors_as_one_line)
{
	struct model_err e = MODEL_ERR_INIT;
	char out[200];
	model_err_field(&e, MODEL_INVALID, "password", "a password is %d to %d characters", 8, 1024);
	cr_assert_eq(e.rc, MODEL_INVALID);
	cr_assert_str_eq(model_err_text(&e, out, sizeof(out)), "a password is 8 to 1024 characters");
	cr_assert_null(e.fields.errors);
	struct model_err d = {MODEL_UNAVAILABLE, VERR_INIT};
	cr_assert_str_eq(model_err_text(&d, out, sizeof(out)), "the database is unreachable");
}
