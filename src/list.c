/* list.c — lists of names (list.h). */
#include "list.h"

#include <string.h>

int list_has(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

int list_next(struct list_walk *w, const char **item, size_t *len)
{
	const char *p = w->next;
	if (p == NULL)
		return 0;
	size_t seg = strcspn(p, ",");
	const char *b = p, *e = p + seg;
	while (b < e && blank(*b))
		b++;
	while (e > b && blank(e[-1]))
		e--;
	*item = b;
	*len = (size_t)(e - b);
	w->next = p[seg] == ',' ? p + seg + 1 : NULL;
	return 1;
}

int list_text_has(const char *text, const char *s)
{
	struct list_walk w = {text};
	const char *item;
	size_t len, n = strlen(s);
	while (list_next(&w, &item, &len))
		if (len == n && memcmp(item, s, n) == 0)
			return 1;
	return 0;
}
