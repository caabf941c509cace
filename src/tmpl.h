/* tmpl.h — Mustache templates over jansson values: variables (HTML-escaped by default), triple
 * mustache and {{& }}, dotted names, {{.}}, sections, inverted sections, comments, set
 * delimiters, partials (with standalone indentation) and inheritance ({{< parent}} with
 * {{$block}} overrides). Templates are parsed once into trees held by a set; rendering only
 * walks the trees. Lambdas are not supported. */
#ifndef HERALD_TMPL_H
#define HERALD_TMPL_H
#include <jansson.h>
#include <stddef.h>
#include "buf.h"

#define TMPL_MAX_DEPTH 64     /* nested partials / parents while rendering */
#define TMPL_MAX_SOURCE (1024 * 1024)
#define TMPL_MAX_STEPS 4000000     /* nodes rendered by one tmpl_render */
#define TMPL_MAX_OUTPUT (16 * 1024 * 1024)   /* bytes one tmpl_render may add */

struct tmpl_set;

/* A new empty set; free with tmpl_set_free. */
struct tmpl_set *tmpl_set_new(void);
void tmpl_set_free(struct tmpl_set *s);
/* Variables of s's templates render as they are, without HTML escaping, as {{{ }}} does: for
 * texts that are not HTML (an SMS). */
void tmpl_set_plain(struct tmpl_set *s);

/* Parses src[0..len) and stores it under name (copied), replacing an earlier one. On a syntax
 * error returns -1 and writes "name:line: message" into err. */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len, char *err,
		 size_t errlen);

/* Loads every *.html and *.txt file under dir (recursively) into s, each named by its path
 * relative to dir without the extension ("admin/layout"). -1 with "file:line: message" in err. */
int tmpl_load_dir(struct tmpl_set *s, const char *dir, char *err, size_t errlen);

/* True when the template called name in s names another: a partial or a parent. */
int tmpl_includes(const struct tmpl_set *s, const char *name);

/* True when s holds a template called name. */
int tmpl_exists(const struct tmpl_set *s, const char *name);

/* Renders template name with data (borrowed) as the context, appending to out. -1 when there
 * is no such template, rendering nested deeper than TMPL_MAX_DEPTH, or took more than
 * TMPL_MAX_STEPS nodes or TMPL_MAX_OUTPUT bytes (out then holds a partial result). */
int tmpl_render(const struct tmpl_set *s, const char *name, json_t *data, struct buf *out);

/* Appends s HTML-escaped (& < > " ' ` =). */
void tmpl_escape(struct buf *out, const char *s, size_t len);

/* The process-wide set the web pages use (loaded at start-up by serve). */
struct tmpl_set *tmpl_app(void);

#endif
