/* list.h — membership in the two kinds of lists herald keeps names in: NULL-terminated arrays
 * of strings, and comma-separated text ("sent, failed"). The one place either is walked. */
#ifndef HERALD_LIST_H
#define HERALD_LIST_H
#include <stddef.h>

/* True when s is one of the strings of list (NULL-terminated). */
int list_has(const char *const *list, const char *s);

/* A walk over the items of comma-separated text: each item is what lies between two commas,
 * without the spaces and tabs around it, so "a, b," is "a", "b" and "", and "" is one empty
 * item. Start with {text}; text NULL has no items. */
struct list_walk {
	const char *next;
};

/* The next item (not NUL-terminated) in *item and *len, and 1; 0 after the last. */
int list_next(struct list_walk *w, const char **item, size_t *len);

/* True when the comma-separated text has the item s. */
int list_text_has(const char *text, const char *s);

#endif
