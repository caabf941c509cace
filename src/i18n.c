/* i18n.c — the language catalogue (i18n.h). */
#include "i18n.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const langs[] = {"en", "ru"};   /* en first: the reference */
static const size_t nforms[ARRAY_LEN(langs)] = {2, 3};   /* plural forms (i18n_plural) */
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

const char *i18n_name(const char *lang)
{
	int i = lang_index(lang);
	return i < 0 ? NULL : langs[i];
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

/* Checks the plural forms w of language li against the reference's v at path: each
 * language's number of forms, each with the conversions of v's first. -1 with err. */
static int same_plural(json_t *v, json_t *w, size_t li, const char *path, char *err, size_t errlen)
{
	char ca[64], cb[64];
	size_t i;
	json_t *form;
	const char *first = json_string_value(json_array_get(v, 0));
	if (!json_is_array(w) || json_array_size(w) != nforms[li]) {
		snprintf(err, errlen, "%s.json: %s is not a list of %zu plural forms", langs[li], path, nforms[li]);
		return -1;
	}
	conversions(first ? first : "", ca, sizeof(ca));
	json_array_foreach(w, i, form) {
		cb[0] = '\0';
		if (json_is_string(form))
			conversions(json_string_value(form), cb, sizeof(cb));
		if (!json_is_string(form) || strcmp(ca, cb) != 0) {
			snprintf(err, errlen, "%s.json: %s[%zu] has the conversions '%s', not '%s' as in en.json",
				 langs[li], path, i, cb, ca);
			return -1;
		}
	}
	return 0;
}

/* Compares catalogue b (language index lb) with the reference a under path; -1 with err. */
static int same_shape(json_t *a, json_t *b, size_t li, const char *path, char *err, size_t errlen)
{
	const char *lb = langs[li];
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v) {
		char sub[256], ca[64], cb[64];
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
		json_t *w = json_object_get(b, k);
		if (json_is_object(v)) {
			if (!json_is_object(w) || same_shape(v, w, li, sub, err, errlen) < 0) {
				if (!json_is_object(w))
					snprintf(err, errlen, "%s.json: %s is missing or not an object", lb, sub);
				return -1;
			}
			continue;
		}
		if (json_is_array(v)) {
			if (same_plural(v, v, 0, sub, err, errlen) < 0 || same_plural(v, w, li, sub, err, errlen) < 0)
				return -1;
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
			rc = same_shape(loaded[0], loaded[i], i, "", err, errlen);
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

/* The value at path in lang's catalogue, or NULL. */
static json_t *lookup(const char *lang, const char *path)
{
	json_t *v = i18n_catalogue(lang);
	char key[128];
	for (const char *p = path; v && *p;) {
		size_t n = strcspn(p, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		v = json_object_get(v, key);
		p += n + (p[n] == '.');
	}
	return v;
}

const char *i18n_text(const char *lang, const char *path)
{
	json_t *v = lookup(lang, path);
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

void i18n_vprint(char *buf, size_t len, const char *lang, const char *path, va_list ap)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, len, i18n_text(lang ? lang : "en", path), ap);
#pragma GCC diagnostic pop
}

void i18n_print(char *buf, size_t len, const char *lang, const char *path, ...)
{
	va_list ap;
	va_start(ap, path);
	i18n_vprint(buf, len, lang, path, ap);
	va_end(ap);
}

/* The plural form of n in language index li (CLDR's rules for the integers). */
static size_t plural_form(int li, long long n)
{
	unsigned long long a = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	if (strcmp(langs[li], "ru") != 0)
		return a == 1 ? 0 : 1;
	if (a % 10 == 1 && a % 100 != 11)
		return 0;
	if (a % 10 >= 2 && a % 10 <= 4 && (a % 100 < 12 || a % 100 > 14))
		return 1;
	return 2;
}

char *i18n_plural(const char *lang, const char *path, long long n, ...)
{
	int li = lang_index(lang);
	json_t *v = li < 0 ? NULL : lookup(lang, path);
	const char *fmt = json_string_value(json_array_get(v, li < 0 ? 0 : plural_form(li, n)));
	char *out;
	va_list ap;
	if (fmt == NULL)
		return xstrdup(path);
	va_start(ap, n);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (vasprintf(&out, fmt, ap) < 0)
		fatal("out of memory");
#pragma GCC diagnostic pop
	va_end(ap);
	return out;
}

/* The q-value of s[0..len) ("1", "0.5", "0.125") in thousandths, or -1 when it is not one. */
static int qvalue(const char *s, size_t len)
{
	if (len == 0 || len > 5 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.')
		return -1;
	int scale = 100;
	for (size_t i = 2; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9' || (q == 1000 && s[i] != '0'))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q;
}

/* One language range with its parameters, s[0..len): the known language it matches (NULL when
 * none or malformed) and its q-value in *q. */
static const char *accept_item(const char *s, size_t len, int *q)
{
	size_t n = 0;
	while (n < len && (s[n] == '-' || s[n] == '*' || (s[n] >= 'a' && s[n] <= 'z') ||
			   (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9')))
		n++;
	size_t primary = 0;
	while (primary < n && s[primary] != '-')
		primary++;
	*q = 1000;
	for (size_t i = n; i < len;) {   /* parameters: *( OWS ";" OWS name "=" value ) */
		i += strspn(s + i, " \t");
		if (i >= len)
			break;
		if (s[i] != ';')
			return NULL;
		i++;
		i += strspn(s + i, " \t");
		size_t vlen = 0;
		if (i + 2 > len || (s[i] != 'q' && s[i] != 'Q') || s[i + 1] != '=')
			return NULL;
		i += 2;
		while (i + vlen < len && s[i + vlen] != ' ' && s[i + vlen] != '\t' && s[i + vlen] != ';')
			vlen++;
		if ((*q = qvalue(s + i, vlen)) < 0)
			return NULL;
		i += vlen;
	}
	for (size_t i = 0; n > 0 && i < ARRAY_LEN(langs); i++)
		if (primary == strlen(langs[i]) && strncasecmp(s, langs[i], primary) == 0)
			return langs[i];
	return NULL;
}

const char *i18n_accept(const char *header)
{
	if (header == NULL || strnlen(header, I18N_ACCEPT_MAX + 1) > I18N_ACCEPT_MAX)
		return NULL;
	const char *best = NULL, *p = header;
	int best_q = 0;
	for (int items = 0; *p && items < I18N_ACCEPT_ITEMS; items++) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, ",");
		int q;
		const char *lang = accept_item(p, len, &q);
		if (lang && q > best_q) {
			best = lang;
			best_q = q;
		}
		p += len + (p[len] == ',');
	}
	return best;
}
