/* tmpl_parse.c — the Mustache parser: a tokenizer (delimiters applied as it goes), a pass that
 * applies the standalone-line rules to the token list, and a tree builder.
 *
 * A standalone block's own content is dedented by the common leading whitespace of its lines
 * (its "dedent"), so an override lands at the indentation of the block it replaces (the
 * ~inheritance reindentation rules); tmpl_render.c applies it. */
#include "tmpl_tree.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NEST 100          /* sections inside sections within one template */
#define MAX_DELIM 16

struct tok {
	enum ttype type;
	size_t start, end;          /* source span; for text the text itself */
	size_t name, name_len;      /* tag name (trimmed) */
	int line;
	int removed;                /* text dropped by a standalone line */
	int standalone;
	size_t ind, ind_len;        /* the standalone line's leading whitespace */
	size_t adj_start, adj_end;  /* span including the standalone line around it */
	int opener;                 /* for T_CLOSE: index of the tag it closes */
};

struct parser {
	const char *src;
	size_t len;
	const char *label;
	char *err;
	size_t errlen;
	struct tok *toks;
	size_t ntoks, cap;
};

/* --- tokenizer ------------------------------------------------------------------------ */

static int perr(struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->label, line, msg);
	return -1;
}

static struct tok *push_tok(struct parser *p, enum ttype type, size_t start, size_t end, int line)
{
	if (p->ntoks == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->toks = xrealloc(p->toks, p->cap * sizeof(*p->toks));
	}
	struct tok *t = &p->toks[p->ntoks++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->start = t->adj_start = start;
	t->end = t->adj_end = end;
	t->line = line;
	t->opener = -1;
	return t;
}

static const char *find(const char *hay, size_t haylen, const char *needle, size_t nlen)
{
	return memmem(hay, haylen, needle, nlen);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int count_lines(const char *s, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

/* Text pieces end at each newline so that a line is a run of tokens. */
static void push_text(struct parser *p, size_t from, size_t to, int *line)
{
	while (from < to) {
		const char *nl = memchr(p->src + from, '\n', to - from);
		size_t end = nl ? (size_t)(nl - p->src) + 1 : to;
		push_tok(p, T_TEXT, from, end, *line);
		*line += nl != NULL;
		from = end;
	}
}

/* The next word of src[*a..b) after spaces: its start in *start, its length returned. */
static size_t next_word(const struct parser *p, size_t *a, size_t b, size_t *start)
{
	while (*a < b && is_space(p->src[*a]))
		(*a)++;
	*start = *a;
	while (*a < b && !is_space(p->src[*a]))
		(*a)++;
	return *a - *start;
}

static int set_delims(struct parser *p, size_t a, size_t b, int line, char *otag, char *ctag)
{
	size_t o, c, olen = next_word(p, &a, b, &o), clen = next_word(p, &a, b, &c);
	while (a < b && is_space(p->src[a]))
		a++;
	if (olen == 0 || clen == 0 || a != b || olen >= MAX_DELIM || clen >= MAX_DELIM ||
	    memchr(p->src + o, '=', olen) || memchr(p->src + c, '=', clen) ||
	    memchr(p->src + o, '\0', olen) || memchr(p->src + c, '\0', clen))
		return perr(p, line, "a set-delimiter tag needs two delimiters without '=', NUL or spaces");
	memcpy(otag, p->src + o, olen);
	otag[olen] = '\0';
	memcpy(ctag, p->src + c, clen);
	ctag[clen] = '\0';
	return 0;
}

static int tokenize(struct parser *p)
{
	char otag[MAX_DELIM] = "{{", ctag[MAX_DELIM] = "}}";
	size_t pos = 0;
	int line = 1;
	while (pos < p->len) {
		size_t olen = strlen(otag), clen = strlen(ctag);
		const char *o = find(p->src + pos, p->len - pos, otag, olen);
		size_t tag = o ? (size_t)(o - p->src) : p->len;
		push_text(p, pos, tag, &line);
		if (o == NULL)
			break;
		size_t q = tag + olen, cstart, end;
		enum ttype type;
		char c = q < p->len ? p->src[q] : '\0';
		const char *close;
		if (c == '{' || c == '=') {
			char want[MAX_DELIM + 1];
			snprintf(want, sizeof(want), "%c%s", c == '{' ? '}' : '=', ctag);
			close = find(p->src + q + 1, p->len - q - 1, want, clen + 1);
			cstart = q + 1;
			end = close ? (size_t)(close - p->src) + clen + 1 : 0;
			type = c == '{' ? T_RAW : T_DELIM;
		} else {
			close = find(p->src + q, p->len - q, ctag, clen);
			end = close ? (size_t)(close - p->src) + clen : 0;
			static const char sigils[] = "&#^/!><$";
			static const enum ttype kinds[] = {T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT,
							   T_PARTIAL, T_PARENT, T_BLOCK};
			const char *s = c ? strchr(sigils, c) : NULL;
			type = s ? kinds[s - sigils] : T_VAR;
			cstart = s ? q + 1 : q;
		}
		if (close == NULL)
			return perr(p, line, "tag '%.*s' is not closed with '%s'",
				    (int)(p->len - tag < 20 ? p->len - tag : 20), p->src + tag, ctag);
		size_t cend = (size_t)(close - p->src);
		struct tok *t = push_tok(p, type, tag, end, line);
		line += count_lines(p->src + tag, end - tag);
		pos = end;
		if (type == T_COMMENT)
			continue;
		if (type == T_DELIM) {
			if (set_delims(p, cstart, cend, t->line, otag, ctag) < 0)
				return -1;
			continue;
		}
		while (cstart < cend && is_space(p->src[cstart]))
			cstart++;
		while (cend > cstart && is_space(p->src[cend - 1]))
			cend--;
		if (cend == cstart)
			return perr(p, t->line, "empty tag name");
		if (cend - cstart > TMPL_MAX_NAME)
			return perr(p, t->line, "tag name longer than %d characters", TMPL_MAX_NAME);
		for (size_t i = cstart; i < cend; i++)
			if (is_space(p->src[i]))
				return perr(p, t->line, "tag name '%.*s' contains a space", (int)(cend - cstart),
					    p->src + cstart);
		t->name = cstart;
		t->name_len = cend - cstart;
	}
	return 0;
}

/* --- structure checks and standalone lines ----------------------------------------------- */

static int is_open(enum ttype t)
{
	return t == T_SECTION || t == T_INVERTED || t == T_PARENT || t == T_BLOCK;
}

static int same_name(struct parser *p, const struct tok *a, const struct tok *b)
{
	return a->name_len == b->name_len && memcmp(p->src + a->name, p->src + b->name, a->name_len) == 0;
}

static int match_sections(struct parser *p)
{
	int stack[MAX_NEST], depth = 0;
	for (size_t i = 0; i < p->ntoks; i++) {
		struct tok *t = &p->toks[i];
		if (is_open(t->type)) {
			if (depth == MAX_NEST)
				return perr(p, t->line, "sections nested deeper than %d", MAX_NEST);
			stack[depth++] = (int)i;
		} else if (t->type == T_CLOSE) {
			if (depth == 0)
				return perr(p, t->line, "'%.*s' is closed but was never opened", (int)t->name_len,
					    p->src + t->name);
			struct tok *o = &p->toks[stack[depth - 1]];
			if (!same_name(p, o, t))
				return perr(p, t->line, "'%.*s' is closed while '%.*s' (line %d) is open",
					    (int)t->name_len, p->src + t->name, (int)o->name_len, p->src + o->name,
					    o->line);
			t->opener = stack[--depth];
		}
	}
	if (depth > 0) {
		struct tok *o = &p->toks[stack[depth - 1]];
		return perr(p, o->line, "section '%.*s' is not closed", (int)o->name_len, p->src + o->name);
	}
	return 0;
}

static int eligible(enum ttype t)
{
	return t != T_TEXT && t != T_VAR && t != T_RAW;
}

static enum ttype closes(struct parser *p, const struct tok *t)
{
	return t->type == T_CLOSE ? p->toks[t->opener].type : T_TEXT;
}

/* Two adjacent tags that may share a standalone line: {{$b}}{{/b}}, {{<p}}{{/p}},
 * {{<p}}{{$b}}, {{/b}}{{/p}}. */
static int pair_ok(struct parser *p, size_t a, size_t b)
{
	const struct tok *x = &p->toks[a], *y = &p->toks[b];
	if ((x->type == T_BLOCK || x->type == T_PARENT) && y->type == T_CLOSE && y->opener == (int)a)
		return 1;
	if (x->type == T_PARENT && y->type == T_BLOCK)
		return 1;
	return closes(p, x) == T_BLOCK && closes(p, y) == T_PARENT;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_space(s[i]))
			return 0;
	return 1;
}

static void standalone_line(struct parser *p, size_t first, size_t last)
{
	size_t tags[3];
	int ntags = 0;
	for (size_t i = first; i <= last; i++) {
		struct tok *t = &p->toks[i];
		if (t->type == T_TEXT) {
			if (!blank(p->src + t->start, t->end - t->start))
				return;
		} else {
			if (ntags == 2 || !eligible(t->type))
				return;
			tags[ntags++] = i;
		}
	}
	if (ntags == 0 || (ntags == 2 && (tags[1] != tags[0] + 1 || !pair_ok(p, tags[0], tags[1]))))
		return;
	/* {{$b}}{{/b}} alone on a line keeps its newline */
	int keep_nl = ntags == 2 && p->toks[tags[0]].type == T_BLOCK;
	size_t line_start = p->toks[first].start, line_end = p->toks[last].end;
	for (size_t i = first; i <= last; i++) {
		struct tok *t = &p->toks[i];
		if (t->type != T_TEXT)
			continue;
		t->removed = 1;
		if (keep_nl && i == last && i > tags[ntags - 1] && p->src[t->end - 1] == '\n') {
			t->removed = 0;
			t->start = t->end - 1 - (t->end >= 2 && p->src[t->end - 2] == '\r');
			line_end = t->start;
		}
	}
	for (int k = 0; k < ntags; k++) {
		struct tok *t = &p->toks[tags[k]];
		t->standalone = 1;
		t->ind = line_start;
		t->ind_len = p->toks[tags[0]].start - line_start;
		t->adj_start = line_start;
		t->adj_end = line_end;
	}
}

static void standalone_pass(struct parser *p)
{
	size_t first = 0;
	for (size_t i = 0; i < p->ntoks; i++) {
		struct tok *t = &p->toks[i];
		if (i + 1 == p->ntoks || (t->type == T_TEXT && p->src[t->end - 1] == '\n')) {
			standalone_line(p, first, i);
			first = i + 1;
		}
	}
}

/* --- tree ------------------------------------------------------------------------------ */

void tmpl_node_free(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		tmpl_node_free(&n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n->indent);
	free(n->dedent);
}

/* The common leading whitespace of the non-blank lines of s[0..n). */
static char *margin(const char *s, size_t n)
{
	const char *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		size_t w = i;
		while (w < e && (s[w] == ' ' || s[w] == '\t'))
			w++;
		if (!blank(s + i, e - i)) {
			if (best == NULL) {
				best = s + i;
				best_len = w - i;
			} else {
				size_t k = 0;
				while (k < best_len && k < w - i && best[k] == s[i + k])
					k++;
				best_len = k;
			}
		}
		i = e + 1;
	}
	return xstrndup(best ? best : "", best_len);
}

/* Blocks nested in a standalone block are indented relative to its dedented content. */
static void rebase_blocks(struct node *n, const char *dedent)
{
	size_t dl = strlen(dedent);
	for (size_t i = 0; i < n->nkids; i++) {
		struct node *k = &n->kids[i];
		if (k->type == T_BLOCK && k->indent && strncmp(k->indent, dedent, dl) == 0)
			memmove(k->indent, k->indent + dl, strlen(k->indent) - dl + 1);
		if (k->type == T_SECTION || k->type == T_INVERTED)
			rebase_blocks(k, dedent);
	}
}

static void add_kid(struct node *parent, size_t *cap, const struct node *k)
{
	if (parent->nkids == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		parent->kids = xrealloc(parent->kids, *cap * sizeof(*parent->kids));
	}
	parent->kids[parent->nkids++] = *k;
}

/* Builds the children of parent from token *i until the close tag of parent (or the end). */
static void build(struct parser *p, size_t *i, struct node *parent, int in_parent_tag)
{
	size_t cap = 0;
	while (*i < p->ntoks) {
		struct tok *t = &p->toks[(*i)++];
		struct node n = {.type = t->type};
		if (t->type == T_CLOSE)
			return;
		if (t->type == T_COMMENT || t->type == T_DELIM || (t->type == T_TEXT && t->removed))
			continue;
		if (t->type == T_TEXT) {
			n.s = xstrndup(p->src + t->start, t->end - t->start);
			n.len = t->end - t->start;
			n.at_bol = t->start == 0 || p->src[t->start - 1] == '\n';
		} else {
			n.s = xstrndup(p->src + t->name, t->name_len);
		}
		if ((t->type == T_PARTIAL || t->type == T_PARENT || t->type == T_BLOCK) && t->standalone)
			n.indent = xstrndup(p->src + t->ind, t->ind_len);
		if (is_open(t->type)) {
			size_t open_end = t->adj_end;
			build(p, i, &n, t->type == T_PARENT);
			size_t close_start = p->toks[*i - 1].adj_start;
			if (t->type == T_BLOCK) {
				n.dedent = t->standalone && close_start > open_end
						   ? margin(p->src + open_end, close_start - open_end) : xstrdup("");
				if (n.dedent[0]) {
					free(n.indent);
					n.indent = xstrdup(n.dedent);
					rebase_blocks(&n, n.dedent);
				}
			}
		}
		/* inside {{<parent}}...{{/parent}} only blocks matter */
		if (in_parent_tag && t->type != T_BLOCK) {
			tmpl_node_free(&n);
			continue;
		}
		add_kid(parent, &cap, &n);
	}
}

int tmpl_parse(const char *label, const char *src, size_t len, struct node *root, char *err,
	       size_t errlen)
{
	struct parser p = {.src = src, .len = len, .label = label, .err = err, .errlen = errlen};
	memset(root, 0, sizeof(*root));
	int rc = -1;
	if (len > TMPL_MAX_SOURCE)
		perr(&p, 1, "template larger than %d bytes", TMPL_MAX_SOURCE);
	else if (tokenize(&p) == 0 && match_sections(&p) == 0) {
		standalone_pass(&p);
		size_t i = 0;
		build(&p, &i, root, 0);
		rc = 0;
	}
	free(p.toks);
	return rc;
}

/* --- sets ------------------------------------------------------------------------------ */
