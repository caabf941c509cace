/* util.h — process-wide helpers that depend on nothing else in herald. */
#ifndef HERALD_UTIL_H
#define HERALD_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation never fails: on exhaustion the process aborts with a message. Free with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'ed string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s with the credentials of every URL in it hidden: the user name and password between
 * "scheme:" + "//" and "@" become three stars. A new string the caller frees. */
char *url_redact(const char *s);

/* Prints "herald: <message>" to stderr and exits with status 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Seconds since the epoch (CLOCK_REALTIME) and a monotonic clock, as doubles. */
double now_real(void);
double now_mono(void);

/* Parses a whole decimal int64 in [min, max]; 0 on success, -1 otherwise (value untouched). */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* True when s is exactly n ASCII digits. */
int is_digits(const char *s, size_t n);

/* Validates UTF-8 and counts code points; returns -1 when s[0..len) is not valid UTF-8. */
long utf8_length(const char *s, size_t len);
/* Decodes the code point at *s (before end) into *cp and moves *s past it; -1 when it is not
 * valid UTF-8 (overlong, a surrogate, beyond U+10FFFF, cut short). */
int utf8_next(const char **s, const char *end, uint32_t *cp);

/* Strict RFC 3339 date-time with an offset ("2026-11-23T10:00:00+03:00", "…Z", optional
 * fraction). Returns 0 when valid. The string itself is handed to PostgreSQL unchanged. */
int rfc3339_valid(const char *s);
/* 0 when s is a date "YYYY-MM-DD" (of the calendar), else -1. */
int rfc3339_date_valid(const char *s);

/* "HH:MM" (00:00..23:59) -> minutes since midnight, or -1. */
int parse_hhmm(const char *s);

/* Fills out with n bytes of hex (2n chars + NUL) from libsodium's CSPRNG. */
void random_hex(char *out, size_t nbytes);
/* The same for identifiers that must not repeat but guard nothing (a request's id): the bytes
 * come from a per-thread pool that one call of the CSPRNG fills for many, where random_hex
 * costs a getrandom() system call each (one of about seven an API request makes). */
void random_hex_pooled(char *out, size_t nbytes);

/* The bytea parameter "\\x…" (66 chars + NUL) of the BLAKE2b-256 hash of s: how secrets
 * handed to a browser (session ids, sign-in states) are looked up without being stored. */
#define HASH_PARAM_LEN 67
void secret_hash_param(const char *s, char out[HASH_PARAM_LEN]);

#endif
