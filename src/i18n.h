/* i18n.h — the language catalogue: for each language, one JSON object of texts
 * (locale/<lang>.json), nested by subject ("report": {"subject": ...}), loaded at start.
 * Templates reach it as {{t.report.subject}} (the caller puts the catalogue under "t"); C
 * reaches it by path ("report.subject"). English is the reference: every other catalogue has
 * exactly its texts, and each text the same printf conversions in the same order (checked at
 * load, so that a translation can never make i18n_format read the wrong argument). A text
 * that depends on a count is an array of the language's plural forms (i18n_plural). */
#ifndef HERALD_I18N_H
#define HERALD_I18N_H
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#define I18N_LANGUAGES "ru, en"
#define I18N_ACCEPT_MAX 1024     /* the Accept-Language header read; longer ones are ignored */
#define I18N_ACCEPT_ITEMS 32     /* the language ranges of one header looked at */

/* 1 when lang is one of I18N_LANGUAGES. */
int i18n_known(const char *lang);
/* The language's name as i18n keeps it (static), NULL when it is not one of I18N_LANGUAGES. */
const char *i18n_name(const char *lang);
/* Loads dir/<lang>.json for every language; -1 with the reason in err. */
int i18n_load(const char *dir, char *err, size_t errlen);
/* The catalogue of lang (borrowed; NULL before i18n_load or for an unknown lang). */
json_t *i18n_catalogue(const char *lang);
/* The text at path ("report.subject") in lang's catalogue; the path itself when there is none. */
const char *i18n_text(const char *lang, const char *path);
/* That text as a printf format with the arguments given (malloc'ed). */
char *i18n_format(const char *lang, const char *path, ...);
/* The same into buf (at most len bytes, cut short when longer); lang NULL: English. For the
 * modules whose messages go to a caller's buffer (the CSV reader, the client import). */
void i18n_print(char *buf, size_t len, const char *lang, const char *path, ...);
void i18n_vprint(char *buf, size_t len, const char *lang, const char *path, va_list ap);
/* The plural form for n of the text at path (an array: en "one", "other"; ru "one" (1, 21),
 * "few" (2-4, 22-24), "many" (5-20, 25)) as a printf format with the arguments given (n
 * itself, as a long long, or n written out; malloc'ed); the path itself when there is no such
 * text. */
char *i18n_plural(const char *lang, const char *path, long long n, ...);
/* The known language an Accept-Language header (RFC 9110 12.5.4) prefers: the highest q-value
 * (ties: the first), "ru-RU" matching "ru"; NULL when the header is absent, malformed, longer
 * than I18N_ACCEPT_MAX or names none of I18N_LANGUAGES (ranges after the first
 * I18N_ACCEPT_ITEMS are not looked at). */
const char *i18n_accept(const char *header);

#endif
