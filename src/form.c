/* form.c — form body parsers. */
#include "form.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX and '+' of s[0..n) into a new string (caller frees); NULL when an escape is
 * malformed. */
static char *url_decode(const char *s, size_t n, size_t *outlen)
{
	char *out = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				free(out);
				return NULL;
			}
			out[k++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	*outlen = k;
	return out;
}

/* Adds name=value (copied) to form; -1 with err on a bad name or value. The value must be UTF-8
 * unless bytes is set (a file part, read later as what it is: csv_sniff). */
static int add_field(json_t *form, const char *name, size_t nlen, const char *val, size_t vlen, int bytes,
		     size_t *count, char *err, size_t errlen)
{
	if (++*count > FORM_MAX_FIELDS) {
		snprintf(err, errlen, "more than %d form fields", FORM_MAX_FIELDS);
		return -1;
	}
	if (nlen == 0 || nlen > FORM_MAX_NAME || memchr(name, '\0', nlen) || utf8_length(name, nlen) < 0) {
		snprintf(err, errlen, "a form field has an empty, overlong or malformed name");
		return -1;
	}
	json_t *v = memchr(val, '\0', vlen) ? NULL : bytes ? json_stringn_nocheck(val, vlen) : json_stringn(val, vlen);
	if (v == NULL) {
		snprintf(err, errlen, "form field '%.*s' is not UTF-8 text", (int)(nlen > 64 ? 64 : nlen), name);
		return -1;
	}
	char *key = xstrndup(name, nlen);
	json_t *old = json_object_get(form, key);
	if (old == NULL) {
		json_object_set_new(form, key, v);
	} else if (json_is_array(old)) {
		json_array_append_new(old, v);
	} else {
		json_t *arr = json_array();
		json_array_append(arr, old);
		json_array_append_new(arr, v);
		json_object_set_new(form, key, arr);
	}
	free(key);
	return 0;
}

json_t *form_urlencoded(const char *body, size_t len, char *err, size_t errlen)
{
	json_t *form = json_object();
	size_t count = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t nend = eq ? (size_t)(eq - body) : end;
			size_t nlen, vlen;
			char *name = url_decode(body + i, nend - i, &nlen);
			char *val = eq ? url_decode(eq + 1, end - nend - 1, &vlen) : xstrdup("");
			if (!eq)
				vlen = 0;
			int rc = -1;
			if (name == NULL || val == NULL)
				snprintf(err, errlen, "malformed %%-escape in the form body");
			else
				rc = add_field(form, name, nlen, val, vlen, 0, &count, err, errlen);
			free(name);
			free(val);
			if (rc < 0) {
				json_decref(form);
				return NULL;
			}
		}
		i = end + 1;
	}
	return form;
}

/* The value of parameter param (e.g. name="x") in a header value; copied into out. */
static int header_param(const char *h, size_t hlen, const char *param, char *out, size_t outlen)
{
	size_t plen = strlen(param);
	for (size_t i = 0; i + plen + 1 < hlen; i++) {
		if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ') && strncasecmp(h + i, param, plen) == 0 &&
		    h[i + plen] == '=') {
			const char *v = h + i + plen + 1, *end = h + hlen;
			size_t n;
			if (v < end && *v == '"') {
				const char *q = memchr(v + 1, '"', (size_t)(end - v - 1));
				if (q == NULL)
					return -1;
				n = (size_t)(q - v - 1);
				v++;
			} else {
				n = 0;
				while (v + n < end && v[n] != ';' && v[n] != ' ' && v[n] != '\r')
					n++;
			}
			if (n >= outlen)
				return -1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 0;
		}
	}
	return -1;
}

json_t *form_multipart(const char *body, size_t len, const char *boundary, char *err, size_t errlen)
{
	size_t blen = strlen(boundary);
	if (blen == 0 || blen > 70) {
		snprintf(err, errlen, "the multipart boundary is missing or too long");
		return NULL;
	}
	char *delim = xasprintf("--%s", boundary);
	size_t dlen = blen + 2, count = 0;
	json_t *form = json_object();
	const char *p = memmem(body, len, delim, dlen), *end = body + len;
	while (p) {
		p += dlen;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;   /* closing delimiter */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto bad;
		p += 2;
		const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hend == NULL || hend - p > FORM_MAX_PART_HEADERS)
			goto bad;
		char name[FORM_MAX_NAME + 1] = "", filename[FORM_MAX_PART_HEADERS];
		int file = 0;
		for (const char *h = p; h < hend;) {
			const char *eol = memmem(h, (size_t)(hend - h), "\r\n", 2);
			size_t hl = eol ? (size_t)(eol - h) : (size_t)(hend - h);
			static const char cd[] = "content-disposition:";
			if (hl > sizeof(cd) - 1 && strncasecmp(h, cd, sizeof(cd) - 1) == 0) {
				if (header_param(h + sizeof(cd) - 1, hl - (sizeof(cd) - 1), "name", name, sizeof(name)) < 0)
					goto bad;
				file = header_param(h + sizeof(cd) - 1, hl - (sizeof(cd) - 1), "filename", filename,
						    sizeof(filename)) == 0;
			}
			h += hl + 2;
		}
		const char *data = hend + 4;
		char *next_delim = xasprintf("\r\n%s", delim);
		const char *next = memmem(data, (size_t)(end - data), next_delim, dlen + 2);
		free(next_delim);
		if (next == NULL || name[0] == '\0')
			goto bad;
		if (add_field(form, name, strlen(name), data, (size_t)(next - data), file, &count, err, errlen) < 0) {
			free(delim);
			json_decref(form);
			return NULL;
		}
		p = next + 2;
	}
	if (p == NULL)
		goto bad;
	free(delim);
	return form;
bad:
	snprintf(err, errlen, "the multipart body is malformed");
	free(delim);
	json_decref(form);
	return NULL;
}

json_t *form_parse(const char *ct, const char *body, size_t len, char *err, size_t errlen)
{
	static const char ue[] = "application/x-www-form-urlencoded", mp[] = "multipart/form-data";
	if (ct && strncasecmp(ct, ue, sizeof(ue) - 1) == 0 && strchr("; ", ct[sizeof(ue) - 1]))
		return form_urlencoded(body, len, err, errlen);
	if (ct && strncasecmp(ct, mp, sizeof(mp) - 1) == 0) {
		char boundary[80];
		if (header_param(ct, strlen(ct), "boundary", boundary, sizeof(boundary)) < 0) {
			snprintf(err, errlen, "the multipart boundary is missing or too long");
			return NULL;
		}
		return form_multipart(body, len, boundary, err, errlen);
	}
	snprintf(err, errlen, "the body must be %s or %s", ue, mp);
	return NULL;
}

json_t *form_list(json_t *form, const char *name)
{
	json_t *v = json_object_get(form, name);
	if (json_is_array(v))
		return json_incref(v);
	json_t *a = json_array();
	if (json_is_string(v))
		json_array_append(a, v);
	return a;
}

const char *form_str(json_t *form, const char *name)
{
	return json_string_value(json_object_get(form, name));
}
