/* Unit tests of the language catalogue (i18n.h): the shipped catalogues load and agree, a
 * catalogue that lacks a text, has one too many, or changes a text's printf conversions is
 * refused with the path named, and texts are found by path. */
#include <criterion/criterion.h>
#include "unit.h"
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
	unit_catalogues();
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

Test(i18n, plural_forms, .init = setup, .fini = teardown)
{
	char err[256] = "";
	write_pair("{\"n\": [\"%lld client\", \"%lld clients\"]}",
		   "{\"n\": [\"%lld клиент\", \"%lld клиента\", \"%lld клиентов\"]}");
	cr_assert_eq(i18n_load(dir, err, sizeof(err)), 0, "%s", err);
	static const struct {
		long long n;
		const char *en, *ru;
	} cases[] = {
		{0, "0 clients", "0 клиентов"}, {1, "1 client", "1 клиент"}, {2, "2 clients", "2 клиента"},
		{4, "4 clients", "4 клиента"}, {5, "5 clients", "5 клиентов"}, {11, "11 clients", "11 клиентов"},
		{12, "12 clients", "12 клиентов"}, {14, "14 clients", "14 клиентов"}, {21, "21 clients", "21 клиент"},
		{22, "22 clients", "22 клиента"}, {25, "25 clients", "25 клиентов"}, {101, "101 clients", "101 клиент"},
		{111, "111 clients", "111 клиентов"}, {1000000, "1000000 clients", "1000000 клиентов"},
		{-1, "-1 client", "-1 клиент"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *en = i18n_plural("en", "n", cases[i].n, cases[i].n), *ru = i18n_plural("ru", "n", cases[i].n, cases[i].n);
		cr_expect_str_eq(en, cases[i].en);
		cr_expect_str_eq(ru, cases[i].ru);
		free(en);
		free(ru);
	}
	char *none = i18n_plural("ru", "missing", 3, 3LL);
	cr_expect_str_eq(none, "missing", "a missing path is itself");
	free(none);
	/* each language's number of forms, each with the reference's conversions */
	expect_refused("{\"n\": [\"%lld a\", \"%lld b\"]}", "{\"n\": [\"%lld a\", \"%lld b\"]}",
		       "ru.json: n is not a list of 3 plural forms");
	expect_refused("{\"n\": [\"%lld a\"]}", "{\"n\": [\"%lld a\", \"%lld b\", \"%lld c\"]}",
		       "en.json: n is not a list of 2 plural forms");
	expect_refused("{\"n\": [\"%lld a\", \"%lld b\"]}", "{\"n\": [\"%lld a\", \"%d b\", \"%lld c\"]}",
		       "ru.json: n[1] has the conversions '%d', not '%lld'");
	expect_refused("{\"n\": [\"%lld a\", \"%lld b\"]}", "{\"n\": \"%lld a\"}", "ru.json: n is not a list of 3");
}

Test(i18n, accept_language)
{
	static const struct {
		const char *header, *lang;
	} cases[] = {
		{"ru", "ru"}, {"en", "en"}, {"ru-RU", "ru"}, {"EN-gb", "en"}, {"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"},
		{"en-US,en;q=0.9,ru;q=0.8", "en"}, {"de-DE,de;q=0.9,en;q=0.5,ru;q=0.4", "en"},
		{"ru;q=0.5, en;q=0.8", "en"}, {"ru;q=0.8, en;q=0.8", "ru"}, {"en;q=0.8,ru", "ru"},
		{"ru; q=0.3 , en ;q=0.2", "ru"}, {"en;Q=1.000,ru;q=0.999", "en"}, {"de, fr", NULL},
		{"en;q=0, ru;q=0.001", "ru"}, {"en;q=0", NULL}, {"*", NULL}, {"*;q=0.5, ru;q=0.4", "ru"},
		{"", NULL}, {",,, ,", NULL}, {"rus", NULL}, {"r", NULL}, {"en-", "en"},
		{"en;q=2", NULL}, {"en;q=1.5", NULL}, {"en;q=0.1234", NULL}, {"en;q=", NULL}, {"en;q", NULL},
		{"en;level=1", NULL}, {"en x", NULL}, {"en;q=0.5;q=0.6", "en"}, {"ru\xd0\xb9", NULL},
		{"en;q=0.5 x", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = i18n_accept(cases[i].header);
		if (cases[i].lang == NULL)
			cr_expect_null(got, "'%s' -> %s", cases[i].header, got);
		else
			cr_expect(got && strcmp(got, cases[i].lang) == 0, "'%s' -> %s, not %s", cases[i].header,
				  got ? got : "NULL", cases[i].lang);
	}
	cr_expect_null(i18n_accept(NULL));
	/* longer than I18N_ACCEPT_MAX: not read at all */
	char big[I18N_ACCEPT_MAX + 8];
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "ru", 2);
	cr_expect_null(i18n_accept(big));
	big[I18N_ACCEPT_MAX] = '\0';
	cr_expect_str_eq(i18n_accept(big), "ru");
	/* only the first I18N_ACCEPT_ITEMS ranges are looked at */
	char many[I18N_ACCEPT_MAX] = "";
	for (int i = 0; i < I18N_ACCEPT_ITEMS; i++)
		strcat(many, "de,");
	strcat(many, "ru");
	cr_expect_null(i18n_accept(many));
	many[strlen(many) - 5] = '\0';   /* one "de," fewer */
	strcat(many, "ru");
	cr_expect_str_eq(i18n_accept(many), "ru");
}
