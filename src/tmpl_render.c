/* tmpl_render.c — renders a parsed template over jansson values: names resolved up the context
 * stack, sections, partials and parents with their overrides.
 *
 * Indentation model: a standalone partial, parent or block adds its indentation to the
 * accumulated indent that is written before each output line of template text (not inside
 * interpolated values). A standalone block's content loses its dedent (tmpl_parse.c) first. */
#include "tmpl_tree.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CTX 512           /* context stack while rendering */

struct override {
	const struct node *block;
	const struct override *next;
};

struct rctx {
	const struct tmpl_set *set;
	struct buf *out;
	json_t *stack[MAX_CTX];
	int nstack;
	struct buf indent;           /* written before each output line of template text */
	const char *strip;           /* margin removed from source lines of the current block */
	int bol;                     /* output is at the start of a line */
	const struct override *ovr;  /* innermost first; the outermost definition wins */
	int depth;
	int failed;
	size_t steps;                /* nodes rendered: at most TMPL_MAX_STEPS */
	size_t start;                /* out->len at the start: at most TMPL_MAX_OUTPUT is added */
};

static json_t *resolve(struct rctx *c, const char *name)
{
	if (strcmp(name, ".") == 0)
		return c->nstack ? c->stack[c->nstack - 1] : NULL;
	char seg[TMPL_MAX_NAME + 1];
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	memcpy(seg, name, n);
	seg[n] = '\0';
	json_t *v = NULL;
	for (int i = c->nstack - 1; i >= 0 && v == NULL; i--)
		if (json_is_object(c->stack[i]))
			v = json_object_get(c->stack[i], seg);
	while (v && dot) {
		name = dot + 1;
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		memcpy(seg, name, n);
		seg[n] = '\0';
		v = json_is_object(v) ? json_object_get(v, seg) : NULL;
	}
	return v;
}

static int falsy(json_t *v)
{
	return v == NULL || json_is_null(v) || json_is_false(v) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

/* Shortest decimal text that reads back as d. */
static void put_real(struct buf *b, double d)
{
	char s[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	buf_puts(b, s);
}

static void put_indent(struct rctx *c)
{
	if (c->bol && c->indent.len)
		buf_append(c->out, c->indent.data, c->indent.len);
	c->bol = 0;
}

static void emit_var(struct rctx *c, const struct node *n)
{
	json_t *v = resolve(c, n->s);
	struct buf tmp = BUF_INIT;
	const char *s = NULL;
	size_t len = 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
	} else if (json_is_integer(v)) {
		buf_printf(&tmp, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		put_real(&tmp, json_real_value(v));
	} else if (json_is_boolean(v)) {
		buf_puts(&tmp, json_is_true(v) ? "true" : "false");
	}
	if (s == NULL) {
		s = tmp.data;
		len = tmp.len;
	}
	if (len) {
		put_indent(c);
		if (n->type == T_VAR && !c->set->plain)
			tmpl_escape(c->out, s, len);
		else
			buf_append(c->out, s, len);
	}
	buf_free(&tmp);
}

static void emit_text(struct rctx *c, const struct node *n)
{
	const char *p = n->s, *end = n->s + n->len;
	int line_start = n->at_bol;
	size_t sl = strlen(c->strip);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *seg_end = nl ? nl + 1 : end;
		if (line_start)
			for (size_t k = 0; k < sl && p < seg_end && *p == c->strip[k]; k++)
				p++;
		if (p < seg_end) {
			if (*p != '\n' && !(*p == '\r' && p + 1 < seg_end && p[1] == '\n'))
				put_indent(c);
			buf_append(c->out, p, (size_t)(seg_end - p));
			c->bol = seg_end[-1] == '\n';
		}
		p = seg_end;
		line_start = 1;
	}
}

static void render_nodes(struct rctx *c, const struct node *kids, size_t n);

static void push_ctx(struct rctx *c, json_t *v, const struct node *n)
{
	if (c->nstack == MAX_CTX) {
		c->failed = 1;
		return;
	}
	c->stack[c->nstack++] = v;
	render_nodes(c, n->kids, n->nkids);
	c->nstack--;
}

static void section(struct rctx *c, const struct node *n)
{
	json_t *v = resolve(c, n->s);
	if (n->type == T_INVERTED) {
		if (falsy(v))
			render_nodes(c, n->kids, n->nkids);
		return;
	}
	if (falsy(v))
		return;
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
			push_ctx(c, item, n);
	} else {
		push_ctx(c, v, n);
	}
}

/* A partial, or a parent with its block arguments (the outermost override of a name wins). */
static void include(struct rctx *c, const struct node *n)
{
	const struct node *t = tmpl_lookup(c->set, n->s);
	if (t == NULL)
		return;
	if (c->depth == TMPL_MAX_DEPTH) {
		c->failed = 1;
		return;
	}
	struct override ovr[n->type == T_PARENT && n->nkids ? n->nkids : 1];
	const struct override *saved_ovr = c->ovr;
	if (n->type == T_PARENT)
		for (size_t i = 0; i < n->nkids; i++) {
			ovr[i].block = &n->kids[i];
			ovr[i].next = c->ovr;
			c->ovr = &ovr[i];
		}
	size_t saved_indent = c->indent.len;
	const char *saved_strip = c->strip;
	if (n->indent)
		buf_puts(&c->indent, n->indent);
	c->strip = "";
	c->depth++;
	render_nodes(c, t->kids, t->nkids);
	c->depth--;
	c->strip = saved_strip;
	c->indent.len = saved_indent;
	c->ovr = saved_ovr;
}

static void block(struct rctx *c, const struct node *n)
{
	const struct node *src = n;
	for (const struct override *o = c->ovr; o; o = o->next)
		if (strcmp(o->block->s, n->s) == 0)
			src = o->block;
	size_t saved_indent = c->indent.len;
	const char *saved_strip = c->strip;
	if (n->indent)
		buf_puts(&c->indent, n->indent);
	c->strip = src->dedent;
	render_nodes(c, src->kids, src->nkids);
	c->strip = saved_strip;
	c->indent.len = saved_indent;
}

static void render_nodes(struct rctx *c, const struct node *kids, size_t n)
{
	for (size_t i = 0; i < n && !c->failed; i++) {
		const struct node *k = &kids[i];
		if (++c->steps > TMPL_MAX_STEPS || c->out->len - c->start > TMPL_MAX_OUTPUT) {
			c->failed = 1;    /* partials that include each other grow without end */
			return;
		}
		switch (k->type) {
		case T_TEXT: emit_text(c, k); break;
		case T_VAR:
		case T_RAW: emit_var(c, k); break;
		case T_SECTION:
		case T_INVERTED: section(c, k); break;
		case T_PARTIAL:
		case T_PARENT: include(c, k); break;
		case T_BLOCK: block(c, k); break;
		default: break;
		}
	}
}

int tmpl_render(const struct tmpl_set *s, const char *name, json_t *data, struct buf *out)
{
	const struct node *t = tmpl_lookup(s, name);
	if (t == NULL)
		return -1;
	struct rctx *c = xcalloc(1, sizeof(*c));
	c->set = s;
	c->out = out;
	c->start = out->len;
	c->strip = "";
	c->bol = 1;
	c->stack[c->nstack++] = data;
	buf_puts(&c->indent, "");
	render_nodes(c, t->kids, t->nkids);
	int rc = c->failed ? -1 : 0;
	buf_free(&c->indent);
	free(c);
	buf_append(out, "", 0);
	return rc;
}
