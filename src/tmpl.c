/* tmpl.c — Mustache: a tokenizer (delimiters applied as it goes), a pass that applies the
 * standalone-line rules to the token list, a tree builder, and a renderer over jansson values.
 *
 * Indentation model: a standalone partial, parent or block adds its indentation to the
 * accumulated indent that is written before each output line of template text (not inside
 * interpolated values). A standalone block's own content is dedented by the common leading
 * whitespace of its lines ("strip"), so an override lands at the indentation of the block it
 * replaces (the ~inheritance reindentation rules). */
#include "tmpl.h"
#include "util.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_NEST 100          /* sections inside sections within one template */
#define MAX_NAME 128
#define MAX_DELIM 16
#define MAX_CTX 512           /* context stack while rendering */

enum ttype {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_PARTIAL, T_PARENT,
	T_BLOCK, T_DELIM
};

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

struct node {
	enum ttype type;
	char *s;                    /* text or name, NUL-terminated */
	size_t len;
	int at_bol;                 /* text that starts a source line */
	char *indent;               /* partial/parent/block: standalone indentation, else NULL */
	char *dedent;               /* block: margin removed from its content lines ("" none) */
	struct node *kids;
	size_t nkids;
};

struct tmpl {
	char *name;
	struct node root;
};

struct tmpl_set {
	struct tmpl *t;
	size_t n, cap;
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

static int set_delims(struct parser *p, size_t a, size_t b, int line, char *otag, char *ctag)
{
	while (a < b && is_space(p->src[a]))
		a++;
	size_t o = a;
	while (a < b && !is_space(p->src[a]))
		a++;
	size_t olen = a - o;
	while (a < b && is_space(p->src[a]))
		a++;
	size_t c = a;
	while (a < b && !is_space(p->src[a]))
		a++;
	size_t clen = a - c;
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
		if (cend - cstart > MAX_NAME)
			return perr(p, t->line, "tag name longer than %d characters", MAX_NAME);
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

static void node_free(struct node *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		node_free(&n->kids[i]);
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
			node_free(&n);
			continue;
		}
		add_kid(parent, &cap, &n);
	}
}

static int parse(const char *label, const char *src, size_t len, struct node *root, char *err,
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

struct tmpl_set *tmpl_set_new(void)
{
	return xcalloc(1, sizeof(struct tmpl_set));
}

void tmpl_set_free(struct tmpl_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->t[i].name);
		node_free(&s->t[i].root);
	}
	free(s->t);
	free(s);
}

static const struct node *lookup_tmpl(const struct tmpl_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].name, name) == 0)
			return &s->t[i].root;
	return NULL;
}

int tmpl_exists(const struct tmpl_set *s, const char *name)
{
	return lookup_tmpl(s, name) != NULL;
}

static int add(struct tmpl_set *s, const char *name, const char *label, const char *src, size_t len,
	       char *err, size_t errlen)
{
	struct node root;
	if (parse(label, src, len, &root, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].name, name) == 0) {
			node_free(&s->t[i].root);
			s->t[i].root = root;
			return 0;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->t = xrealloc(s->t, s->cap * sizeof(*s->t));
	}
	s->t[s->n].name = xstrdup(name);
	s->t[s->n].root = root;
	s->n++;
	return 0;
}

int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len, char *err,
		 size_t errlen)
{
	return add(s, name, name, src, len, err, errlen);
}

static int load_file(struct tmpl_set *s, const char *path, const char *rel, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot be read", path);
		return -1;
	}
	char *src = xmalloc(TMPL_MAX_SOURCE + 1);
	size_t n = fread(src, 1, TMPL_MAX_SOURCE + 1, f);
	fclose(f);
	char *name = xstrdup(rel);
	*strrchr(name, '.') = '\0';
	int rc = add(s, name, path, src, n, err, errlen);
	free(name);
	free(src);
	return rc;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int load_tree(struct tmpl_set *s, const char *root, const char *rel, int depth, char *err,
		     size_t errlen)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	int rc = 0;
	if (d == NULL || depth > 16) {
		snprintf(err, errlen, "%s: cannot open the template folder", dir);
		free(dir);
		if (d)
			closedir(d);
		return -1;
	}
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *sub = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		char *path = xasprintf("%s/%s", root, sub);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = load_tree(s, root, sub, depth + 1, err, errlen);
		else if (ends_with(sub, ".html") || ends_with(sub, ".txt"))
			rc = load_file(s, path, sub, err, errlen);
		free(sub);
		free(path);
	}
	closedir(d);
	free(dir);
	return rc;
}

int tmpl_load_dir(struct tmpl_set *s, const char *dir, char *err, size_t errlen)
{
	return load_tree(s, dir, "", 0, err, errlen);
}

struct tmpl_set *tmpl_app(void)
{
	static struct tmpl_set *app;
	if (app == NULL)
		app = tmpl_set_new();
	return app;
}

/* --- rendering ------------------------------------------------------------------------- */

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

void tmpl_escape(struct buf *out, const char *s, size_t len)
{
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '`': rep = "&#96;"; break;
		case '=': rep = "&#61;"; break;
		default: continue;
		}
		buf_append(out, s + from, i - from);
		buf_puts(out, rep);
		from = i + 1;
	}
	buf_append(out, s + from, len - from);
}

static json_t *resolve(struct rctx *c, const char *name)
{
	if (strcmp(name, ".") == 0)
		return c->nstack ? c->stack[c->nstack - 1] : NULL;
	char seg[MAX_NAME + 1];
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
		if (n->type == T_VAR)
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
	const struct node *t = lookup_tmpl(c->set, n->s);
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
	const struct node *t = lookup_tmpl(s, name);
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
