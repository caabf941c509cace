/* i18n.c — the language catalogue (i18n.h). */
#include "i18n.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const langs[] = {"en", "ru"};   /* en first: the reference */
static json_t *catalogues[ARRAY_LEN(langs)];

static int lang_index(const char *lang)
{
	for (size_t i = 0; lang && i < ARRAY_LEN(langs); i++)
		if (strcmp(langs[i], lang) == 0)
			return (int)i;
	return -1;
}

int i18n_known(const char *lang)
{
	return lang_index(lang) >= 0;
}

/* The printf conversions of s in order ("%s%lld"; "%%" left out), into out. */
static void conversions(const char *s, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = '\0';
	for (const char *p = strchr(s, '%'); p; p = strchr(p, '%')) {
		const char *c = p + 1;
		if (*c == '%') {
			p = c + 1;
			continue;
		}
		c += strspn(c, "-+ #0123456789.*hlLqjzt");
		if (*c == '\0')
			break;
		int len = (int)(c - p + 1);
		if (n + (size_t)len + 1 < outlen) {
			memcpy(out + n, p, (size_t)len);
			n += (size_t)len;
			out[n] = '\0';
		}
		p = c + 1;
	}
}

/* Compares catalogue b (language lb) with the reference a under path; -1 with err. */
static int same_shape(json_t *a, json_t *b, const char *lb, const char *path, char *err, size_t errlen)
{
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v) {
		char sub[256], ca[64], cb[64];
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
		json_t *w = json_object_get(b, k);
		if (json_is_object(v)) {
			if (!json_is_object(w) || same_shape(v, w, lb, sub, err, errlen) < 0) {
				if (!json_is_object(w))
					snprintf(err, errlen, "%s.json: %s is missing or not an object", lb, sub);
				return -1;
			}
			continue;
		}
		if (!json_is_string(v) || !json_is_string(w)) {
			snprintf(err, errlen, "%s.json: %s is missing or not a text", json_is_string(v) ? lb : "en", sub);
			return -1;
		}
		conversions(json_string_value(v), ca, sizeof(ca));
		conversions(json_string_value(w), cb, sizeof(cb));
		if (strcmp(ca, cb) != 0) {
			snprintf(err, errlen, "%s.json: %s has the conversions '%s', not '%s' as in en.json", lb, sub, cb, ca);
			return -1;
		}
	}
	json_object_foreach(b, k, v)
		if (json_object_get(a, k) == NULL) {
			snprintf(err, errlen, "%s.json: %s%s%s is not in en.json", lb, path, *path ? "." : "", k);
			return -1;
		}
	return 0;
}

int i18n_load(const char *dir, char *err, size_t errlen)
{
	json_t *loaded[ARRAY_LEN(langs)] = {0};
	int rc = 0;
	for (size_t i = 0; i < ARRAY_LEN(langs) && rc == 0; i++) {
		char *path = xasprintf("%s/%s.json", dir, langs[i]);
		json_error_t jerr;
		loaded[i] = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(loaded[i])) {
			snprintf(err, errlen, "%s:%d: %s", path, jerr.line, loaded[i] ? "not an object" : jerr.text);
			rc = -1;
		} else if (i > 0) {
			rc = same_shape(loaded[0], loaded[i], langs[i], "", err, errlen);
		}
		free(path);
	}
	for (size_t i = 0; i < ARRAY_LEN(langs); i++) {
		if (rc == 0) {
			json_decref(catalogues[i]);
			catalogues[i] = loaded[i];
		} else {
			json_decref(loaded[i]);
		}
	}
	return rc;
}

json_t *i18n_catalogue(const char *lang)
{
	int i = lang_index(lang);
	return i < 0 ? NULL : catalogues[i];
}

const char *i18n_text(const char *lang, const char *path)
{
	json_t *v = i18n_catalogue(lang);
	char key[128];
	for (const char *p = path; v && *p;) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	return json_is_string(v) ? json_string_value(v) : path;
}

char *i18n_format(const char *lang, const char *path, ...)
{
	va_list ap;
	char *out;
	va_start(ap, path);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (vasprintf(&out, i18n_text(lang, path), ap) < 0)
		fatal("out of memory");
#pragma GCC diagnostic pop
	va_end(ap);
	return out;
}
