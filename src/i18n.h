/* i18n.h — the language catalogue: for each language, one JSON object of texts
 * (locale/<lang>.json), nested by subject ("report": {"subject": ...}), loaded at start.
 * Templates reach it as {{t.report.subject}} (the caller puts the catalogue under "t"); C
 * reaches it by path ("report.subject"). English is the reference: every other catalogue has
 * exactly its texts, and each text the same printf conversions in the same order (checked at
 * load, so that a translation can never make i18n_format read the wrong argument). */
#ifndef HERALD_I18N_H
#define HERALD_I18N_H
#include <jansson.h>
#include <stddef.h>

#define I18N_LANGUAGES "ru, en"

/* 1 when lang is one of I18N_LANGUAGES. */
int i18n_known(const char *lang);
/* Loads dir/<lang>.json for every language; -1 with the reason in err. */
int i18n_load(const char *dir, char *err, size_t errlen);
/* The catalogue of lang (borrowed; NULL before i18n_load or for an unknown lang). */
json_t *i18n_catalogue(const char *lang);
/* The text at path ("report.subject") in lang's catalogue; the path itself when there is none. */
const char *i18n_text(const char *lang, const char *path);
/* That text as a printf format with the arguments given (malloc'ed). */
char *i18n_format(const char *lang, const char *path, ...);

#endif
