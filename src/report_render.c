/* report_render.c — the built-in Mustache subset for the e-mail templates. */
#include "report_render.h"
#include "buf.h"
#include "config.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define RENDER_DEPTH 32
#define TEMPLATE_MAX (256 * 1024)

report_render_fn_t report_render_fn = report_render_builtin;

struct render {
	json_t *stack[RENDER_DEPTH];
	int depth;
	struct buf *out;
	char *err;
	size_t errlen;
};

/* A parsed tag: kind is the sigil ('#', '^', '/', '!', '&', '{' or 0 for a variable), name
 * points into the template (len bytes), end is just past the closing braces. */
struct tag {
	char kind;
	const char *name;
	size_t len;
	const char *end;
};

static int parse_tag(const char *p, struct tag *t)
{
	const char *close;
	p += 2;
	t->kind = (*p == '#' || *p == '^' || *p == '/' || *p == '!' || *p == '&' || *p == '{') ? *p++ : 0;
	close = strstr(p, t->kind == '{' ? "}}}" : "}}");
	if (close == NULL)
		return -1;
	t->end = close + (t->kind == '{' ? 3 : 2);
	while (p < close && *p == ' ')
		p++;
	while (close > p && close[-1] == ' ')
		close--;
	t->name = p;
	t->len = (size_t)(close - p);
	return t->kind == '!' || t->len > 0 ? 0 : -1;
}

static json_t *lookup(struct render *r, const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return r->stack[r->depth - 1];
	size_t first = strcspn(name, ".");
	if (first > len)
		first = len;
	char key[256];
	if (len >= sizeof(key))
		return NULL;
	json_t *v = NULL;
	snprintf(key, sizeof(key), "%.*s", (int)first, name);
	for (int i = r->depth - 1; i >= 0 && v == NULL; i--)
		v = json_is_object(r->stack[i]) ? json_object_get(r->stack[i], key) : NULL;
	for (size_t at = first; v != NULL && at < len;) {
		size_t seg = strcspn(name + at + 1, ".");
		if (at + 1 + seg > len)
			seg = len - at - 1;
		snprintf(key, sizeof(key), "%.*s", (int)seg, name + at + 1);
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		at += 1 + seg;
	}
	return v;
}

static int falsey(const json_t *v)
{
	return v == NULL || json_is_false(v) || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0);
}

static void put_value(struct buf *out, const json_t *v, int escape)
{
	char num[64];
	const char *s = "";
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v)), s = num;
	else if (json_is_real(v))
		snprintf(num, sizeof(num), "%g", json_real_value(v)), s = num;
	else if (json_is_boolean(v))
		s = json_is_true(v) ? "true" : "false";
	for (; *s; s++) {
		switch (escape ? *s : 0) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_putc(out, *s);
		}
	}
}

/* Finds the {{/name}} that closes the section opened just before p; NULL when there is none. */
static const char *section_end(const char *p, const char *end, const struct tag *open, const char **after)
{
	int level = 1;
	struct tag t;
	for (const char *q = strstr(p, "{{"); q != NULL && q < end; q = strstr(t.end, "{{")) {
		if (parse_tag(q, &t) < 0)
			return NULL;
		if (t.len != open->len || strncmp(t.name, open->name, t.len) != 0)
			continue;
		if (t.kind == '#' || t.kind == '^')
			level++;
		else if (t.kind == '/' && --level == 0) {
			*after = t.end;
			return q;
		}
	}
	return NULL;
}

static int render_span(struct render *r, const char *p, const char *end)
{
	while (p < end) {
		const char *open = strstr(p, "{{");
		if (open == NULL || open >= end) {
			buf_append(r->out, p, (size_t)(end - p));
			return 0;
		}
		buf_append(r->out, p, (size_t)(open - p));
		struct tag t;
		if (parse_tag(open, &t) < 0 || t.end > end) {
			snprintf(r->err, r->errlen, "malformed tag at \"%.20s\"", open);
			return -1;
		}
		p = t.end;
		if (t.kind == '!')
			continue;
		if (t.kind == '/') {
			snprintf(r->err, r->errlen, "unexpected {{/%.*s}}", (int)t.len, t.name);
			return -1;
		}
		json_t *v = lookup(r, t.name, t.len);
		if (t.kind != '#' && t.kind != '^') {
			put_value(r->out, v, t.kind == 0);
			continue;
		}
		const char *after, *inner_end = section_end(p, end, &t, &after);
		if (inner_end == NULL) {
			snprintf(r->err, r->errlen, "section %.*s is not closed", (int)t.len, t.name);
			return -1;
		}
		if (r->depth == RENDER_DEPTH) {
			snprintf(r->err, r->errlen, "sections nested deeper than %d", RENDER_DEPTH);
			return -1;
		}
		size_t n = t.kind == '^' ? (size_t)falsey(v) : falsey(v) ? 0 : json_is_array(v) ? json_array_size(v) : 1;
		for (size_t i = 0; i < n; i++) {
			json_t *top = t.kind == '^' ? r->stack[r->depth - 1] : json_is_array(v) ? json_array_get(v, i) : v;
			r->stack[r->depth++] = top;
			int rc = render_span(r, p, inner_end);
			r->depth--;
			if (rc < 0)
				return -1;
		}
		p = after;
	}
	return 0;
}

/* Copies tmpl without the whitespace and line break around standalone section, inverted,
 * closing and comment tags (a line holding only such a tag), as Mustache does. */
static char *strip_standalone(const char *tmpl)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "");
	for (const char *line = tmpl; *line;) {
		size_t len = strcspn(line, "\n");
		const char *nl = line[len] == '\n' ? line + len + 1 : line + len;
		const char *s = line + strspn(line, " \t");
		struct tag t;
		int standalone = 0;
		if (strncmp(s, "{{", 2) == 0 && parse_tag(s, &t) == 0 && t.end <= line + len &&
		    (t.kind == '#' || t.kind == '^' || t.kind == '/' || t.kind == '!')) {
			const char *rest = t.end + strspn(t.end, " \t\r");
			standalone = rest == line + len;
		}
		if (standalone)
			buf_append(&b, s, (size_t)(t.end - s));
		else
			buf_append(&b, line, (size_t)(nl - line));
		line = nl;
	}
	return buf_steal(&b);
}

char *report_render_string(const char *tmpl, json_t *ctx, char *err, size_t errlen)
{
	struct buf out = BUF_INIT;
	struct render r = {.stack = {ctx}, .depth = 1, .out = &out, .err = err, .errlen = errlen};
	char *t = strip_standalone(tmpl);
	buf_puts(&out, "");
	int rc = render_span(&r, t, t + strlen(t));
	free(t);
	if (rc < 0) {
		buf_free(&out);
		return NULL;
	}
	return buf_steal(&out);
}

char *report_render_builtin(const char *name, json_t *ctx, char *err, size_t errlen)
{
	char *path = xasprintf("%s/templates/%s", cfg.root, name);
	FILE *f = fopen(path, "rb");
	char *text = xmalloc(TEMPLATE_MAX + 1), *res = NULL;
	size_t n = f ? fread(text, 1, TEMPLATE_MAX + 1, f) : 0;
	if (f == NULL || ferror(f) || n > TEMPLATE_MAX) {
		snprintf(err, errlen, "cannot read template %s", path);
	} else {
		text[n] = '\0';
		char inner[256];
		res = report_render_string(text, ctx, inner, sizeof(inner));
		if (res == NULL)
			snprintf(err, errlen, "%s: %s", path, inner);
	}
	if (f)
		fclose(f);
	free(text);
	free(path);
	return res;
}
