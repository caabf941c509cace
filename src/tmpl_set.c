/* tmpl_set.c — a set of parsed templates held by name, loaded from strings or a folder of
 * files, and the process-wide set the web pages use. */
#include "tmpl_tree.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
		tmpl_node_free(&s->t[i].root);
	}
	free(s->t);
	free(s);
}

void tmpl_set_plain(struct tmpl_set *s)
{
	s->plain = 1;
}

static int includes(const struct node *n)
{
	if (n->type == T_PARTIAL || n->type == T_PARENT)
		return 1;
	for (size_t i = 0; i < n->nkids; i++)
		if (includes(&n->kids[i]))
			return 1;
	return 0;
}

int tmpl_includes(const struct tmpl_set *s, const char *name)
{
	const struct node *t = tmpl_lookup(s, name);
	return t != NULL && includes(t);
}

const struct node *tmpl_lookup(const struct tmpl_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].name, name) == 0)
			return &s->t[i].root;
	return NULL;
}

int tmpl_exists(const struct tmpl_set *s, const char *name)
{
	return tmpl_lookup(s, name) != NULL;
}

static int add(struct tmpl_set *s, const char *name, const char *label, const char *src, size_t len,
	       char *err, size_t errlen)
{
	struct node root;
	if (tmpl_parse(label, src, len, &root, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->t[i].name, name) == 0) {
			tmpl_node_free(&s->t[i].root);
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

