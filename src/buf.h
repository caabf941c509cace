/* buf.h — a growable byte buffer (redis sds in spirit). Depends on nothing but util. */
#ifndef HERALD_BUF_H
#define HERALD_BUF_H
#include <stddef.h>
#include <stdarg.h>

/* data is always NUL-terminated when len > 0 or after any append; the buffer owns data. */
struct buf {
	char *data;
	size_t len, cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
void buf_json_str(struct buf *b, const char *s);
/* Appends s percent-encoded for a URL query or path segment (RFC 3986 unreserved kept). */
void buf_urlencode(struct buf *b, const char *s);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hands data over to the caller (who frees it) and empties the buffer. */
char *buf_steal(struct buf *b);

#endif
