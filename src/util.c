/* util.c — allocation, time, small parsers. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

static void oom(size_t n)
{
	fprintf(stderr, "herald: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *url_redact(const char *s)
{
	/* each "***" replaces at least one character and follows a "://": at most 2 x len */
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;
	for (const char *p = s; *p;) {
		const char *scheme_end = strstr(p, "://");
		if (scheme_end == NULL) {
			strcpy(o, p);
			return out;
		}
		const char *host = scheme_end + 3;
		size_t auth = strcspn(host, "@/?# \t\r\n\"'<>");
		memcpy(o, p, (size_t)(host - p));
		o += host - p;
		if (host[auth] == '@' && auth > 0) {
			memcpy(o, "***", 3);
			o += 3;
			host += auth;
		}
		p = host;
	}
	*o = '\0';
	return out;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom(strlen(fmt));
	va_end(ap);
	return s;
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	fputs("herald: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double clock_sec(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double now_real(void) { return clock_sec(CLOCK_REALTIME); }
double now_mono(void) { return clock_sec(CLOCK_MONOTONIC); }

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;
	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int is_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

int utf8_next(const char **s, const char *end, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned c = *p;
	size_t k;
	uint32_t cp;
	if (c < 0x80) {
		*out = c;
		*s += 1;
		return 0;
	}
	if (c >= 0xc2 && c <= 0xdf) { k = 1; cp = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { k = 2; cp = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { k = 3; cp = c & 0x07; }
	else return -1;
	if ((size_t)((const unsigned char *)end - p) <= k)
		return -1;
	for (size_t i = 1; i <= k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return -1;
	*out = cp;
	*s += k + 1;
	return 0;
}

long utf8_length(const char *s, size_t len)
{
	const char *end = s + len;
	long n = 0;
	uint32_t cp;
	while (s < end) {
		if (utf8_next(&s, end, &cp) < 0)
			return -1;
		n++;
	}
	return n;
}

static int num(const char *s, int n, int lo, int hi)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

int rfc3339_date_valid(const char *s)
{
	char t[32];
	if (strlen(s) != 10)
		return -1;
	snprintf(t, sizeof(t), "%sT00:00:00Z", s);
	return rfc3339_valid(t);
}

int rfc3339_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d;
	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if ((y = num(s, 4, 1, 9999)) < 0 || (mo = num(s + 5, 2, 1, 12)) < 0 ||
	    (d = num(s + 8, 2, 1, mdays[mo - 1])) < 0 || num(s + 11, 2, 0, 23) < 0 ||
	    num(s + 14, 2, 0, 59) < 0 || num(s + 17, 2, 0, 59) < 0)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	s += 19;
	if (*s == '.') {
		int digits = 0;
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits == 0 || digits > 9)
			return -1;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 0;
	if ((*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':' && num(s + 1, 2, 0, 23) >= 0 &&
	    num(s + 4, 2, 0, 59) >= 0)
		return 0;
	return -1;
}

int parse_hhmm(const char *s)
{
	int h, m;
	if (strlen(s) != 5 || s[2] != ':' || (h = num(s, 2, 0, 23)) < 0 || (m = num(s + 3, 2, 0, 59)) < 0)
		return -1;
	return h * 60 + m;
}

void random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	randombytes_buf(raw, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}

void random_hex_pooled(char *out, size_t nbytes)
{
	static _Thread_local unsigned char pool[512];
	static _Thread_local size_t used = sizeof(pool);
	if (nbytes > 64)
		nbytes = 64;
	if (used + nbytes > sizeof(pool)) {
		randombytes_buf(pool, sizeof(pool));
		used = 0;
	}
	sodium_bin2hex(out, nbytes * 2 + 1, pool + used, nbytes);
	used += nbytes;
}

void secret_hash_param(const char *s, char out[HASH_PARAM_LEN])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, HASH_PARAM_LEN - 2, h, sizeof(h));
}
