/* Texts per recipient and what they cost as SMS: personal.c (Mustache without escaping, the
 * rule for texts users write) and sms.c (GSM 03.38 or UCS-2, segments). */
#include <criterion/criterion.h>
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "i18n.h"
#include "personal.h"
#include "sms.h"
#include "tmpl.h"

/* text measures as encoding, units and segments. */
static void size_is(const char *text, const char *encoding, long units, int segments)
{
	struct sms_size s;
	sms_measure(text, &s);
	cr_assert_str_eq(s.encoding, encoding, "%.40s", text);
	cr_assert_eq(s.units, units, "%.40s: %ld units", text, s.units);
	cr_assert_eq(s.segments, segments, "%.40s: %d segments", text, s.segments);
}

static char *repeat(const char *unit, int n)
{
	static char out[4096];
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		strcat(out, unit);
	return out;
}

Test(sms, gsm7_single_and_concatenated)
{
	size_is(repeat("a", 160), "gsm7", 160, 1);
	size_is(repeat("a", 161), "gsm7", 161, 2);
	size_is(repeat("a", 306), "gsm7", 306, 2);
	size_is(repeat("a", 307), "gsm7", 307, 3);
	size_is("", "gsm7", 0, 1);
}

Test(sms, extension_characters_take_two_septets)
{
	size_is(repeat("{", 80), "gsm7", 160, 1);
	size_is("€ü@£", "gsm7", 5, 1);
}

Test(sms, anything_else_is_ucs2)
{
	size_is(repeat("я", 70), "ucs2", 70, 1);
	size_is(repeat("я", 71), "ucs2", 71, 2);
	size_is("hi 😀", "ucs2", 5, 1);       /* a surrogate pair is two units */
	size_is("a\x01", "ucs2", 2, 1);      /* a control character the alphabet lacks */
}

static void render_is(const char *text, json_t *ctx, const char *want)
{
	char err[300];
	struct tmpl_set *t = personal_parse(text, err, sizeof(err));
	cr_assert_not_null(t, "%s", err);
	struct buf out = BUF_INIT;
	int rc = personal_render(t, ctx, &out);
	if (want == NULL) {
		cr_assert_eq(rc, -1, "rendered \"%s\"", out.data ? out.data : "");
	} else {
		cr_assert_eq(rc, 0);
		cr_assert_str_eq(out.data, want);
	}
	buf_free(&out);
	tmpl_set_free(t);
	json_decref(ctx);
}

/* The users' rule answers in the catalogue's words. */
TestSuite(personal, .init = unit_catalogues);

Test(personal, renders_without_escaping_and_unknown_keys_empty)
{
	render_is("Hi {{attributes.name}} <{{tag}}> {{phone}}{{attributes.none}}",
		  personal_context("79161234567", "a&b", "{\"name\": \"O'Neil \\\"Jr\\\"\"}"),
		  "Hi O'Neil \"Jr\" <a&b> 79161234567");
	render_is("{{#attributes.vip}}VIP {{/attributes.vip}}{{^attributes.vip}}Dear {{/attributes.vip}}client",
		  personal_context("7", NULL, "{\"vip\": \"yes\"}"), "VIP client");
	render_is("{{#attributes.vip}}VIP {{/attributes.vip}}{{^attributes.vip}}Dear {{/attributes.vip}}client",
		  personal_context("7", NULL, NULL), "Dear client");
	render_is("{{attributes.code}}", personal_context("7", NULL, "not json"), NULL);   /* empty: not sent */
}

Test(personal, texts_users_write)
{
	struct verr v = VERR_INIT;
	personal_check("no tags at all {", "text", &v);
	personal_check("fine {{phone}}", "text", &v);
	cr_assert_not(verr_any(&v));
	personal_check("Hi {{#open}} never closed", "text", &v);
	personal_check("{{> partial}}", "other", &v);
	cr_assert(verr_any(&v));
	json_t *e = verr_take(&v);
	char *dump = json_dumps(e, 0);
	cr_assert_not_null(strstr(dump, "line 1"), "%s", dump);
	free(dump);
	cr_assert_not_null(json_object_get(e, "other"));
	json_decref(e);
	cr_assert_not(personal_is("plain"));
	cr_assert(personal_is("a {{b}}"));
}
