/* tmpl_tree.h — the parsed form of a Mustache template, shared by the parser (tmpl_parse.c),
 * the set that holds templates by name (tmpl_set.c) and the renderer (tmpl_render.c). Internal to
 * the template engine: other modules use tmpl.h. */
#ifndef HERALD_TMPL_TREE_H
#define HERALD_TMPL_TREE_H
#include <stddef.h>
#include "tmpl.h"

#define TMPL_MAX_NAME 128     /* characters in a tag name */

enum ttype {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_PARTIAL, T_PARENT,
	T_BLOCK, T_DELIM
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
	int plain;              /* variables are not HTML-escaped (tmpl_set_plain) */
};

/* Parses src[0..len) into root's children. On a syntax error returns -1 and writes
 * "label:line: message" into err. */
int tmpl_parse(const char *label, const char *src, size_t len, struct node *root, char *err,
	       size_t errlen);

/* Frees what n holds (not n itself). */
void tmpl_node_free(struct node *n);

/* The root of the template called name in s, or NULL. */
const struct node *tmpl_lookup(const struct tmpl_set *s, const char *name);

#endif
