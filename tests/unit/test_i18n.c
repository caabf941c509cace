/* Unit tests of the language catalogue (i18n.h): the shipped catalogues load and agree, a
 * catalogue that lacks a text, has one too many, or changes a text's printf conversions is
 * refused with the path named, and texts are found by path. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "i18n.h"

static char dir[] = "/tmp/herald-i18n-XXXXXX";

static void write_pair(const char *en, const char *ru)
{
	const char *names[] = {"en", "ru"}, *texts[] = {en, ru};
	for (int i = 0; i < 2; i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s.json", dir, names[i]);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(texts[i], f);
		fclose(f);
	}
}

static void expect_refused(const char *en, const char *ru, const char *why)
{
	char err[256] = "";
	write_pair(en, ru);
	cr_expect_eq(i18n_load(dir, err, sizeof(err)), -1, "%s / %s", en, ru);
	cr_expect(strstr(err, why) != NULL, "'%s' does not say '%s'", err, why);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(i18n, shipped_catalogues_load)
{
	char err[256] = "", path[4096];
	const char *root = getenv("HERALD_ROOT");
	snprintf(path, sizeof(path), "%s/locale", root ? root : ".");
	cr_assert_eq(i18n_load(path, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(i18n_text("en", "report.headline.sent"), "Messages sent");
	cr_expect_str_eq(i18n_text("ru", "report.headline.sent"), "Отправлено сообщений");
	char *s = i18n_format("ru", "report.subject", "2026-11-30");
	cr_expect_str_eq(s, "herald \xe2\x80\x94 статистика за 2026-11-30");
	free(s);
	cr_expect_str_eq(i18n_text("ru", "report.nothing.here"), "report.nothing.here", "a missing path is itself");
	cr_expect_null(i18n_catalogue("de"));
	cr_expect(i18n_known("ru") && i18n_known("en") && !i18n_known("de") && !i18n_known(NULL));
}

Test(i18n, disagreeing_catalogues_are_refused, .init = setup, .fini = teardown)
{
	expect_refused("{\"a\": {\"b\": \"x\"}}", "{\"a\": {}}", "ru.json: a.b is missing");
	expect_refused("{\"a\": \"x\"}", "{\"a\": \"y\", \"c\": \"z\"}", "ru.json: c is not in en.json");
	expect_refused("{\"a\": \"%s of %d\"}", "{\"a\": \"%d из %s\"}", "ru.json: a has the conversions '%d%s', not '%s%d'");
	expect_refused("{\"a\": \"x\"}", "[1]", "not an object");
	expect_refused("{\"a\": \"x\", \"a\": \"y\"}", "{\"a\": \"z\"}", "duplicate");
	char err[256] = "";
	write_pair("{\"a\": {\"b\": \"%+.1f %% up\"}}", "{\"a\": {\"b\": \"рост %+.1f %%\"}}");
	cr_expect_eq(i18n_load(dir, err, sizeof(err)), 0, "%s", err);
	char *s = i18n_format("ru", "a.b", 12.5);
	cr_expect_str_eq(s, "рост +12.5 %");
	free(s);
}
