/* pool.c — the request arena: a list of items, each either memory of its own or an object
 * with its dispose callback. */
#include "pool.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool_item {
	struct pool_item *next;
	void (*dispose)(void *obj);
	void *obj;               /* the object to dispose of, or the memory after the item */
	max_align_t data[];
};

static struct pool_item *push(struct pool *p, size_t extra)
{
	struct pool_item *it = xcalloc(1, sizeof(*it) + extra);
	it->next = p->items;
	p->items = it;
	return it;
}

void *pool_alloc(struct pool *p, size_t n)
{
	return push(p, n)->data;
}

char *pool_strdup(struct pool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(pool_alloc(p, n), s, n);
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = pool_alloc(p, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}

void pool_defer(struct pool *p, void (*dispose)(void *obj), void *obj)
{
	struct pool_item *it = push(p, 0);
	it->dispose = dispose;
	it->obj = obj;
}

static void json_dispose(void *v)
{
	json_decref(v);
}

static void pg_dispose(void *r)
{
	PQclear(r);
}

json_t *pool_json(struct pool *p, json_t *v)
{
	if (v)
		pool_defer(p, json_dispose, v);
	return v;
}

json_t *pool_pack(struct pool *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *v = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	return pool_json(p, v);
}

PGresult *pool_pg(struct pool *p, PGresult *r)
{
	if (r)
		pool_defer(p, pg_dispose, r);
	return r;
}

void pool_release(struct pool *p)
{
	while (p->items) {
		struct pool_item *it = p->items;
		p->items = it->next;
		if (it->dispose)
			it->dispose(it->obj);
		free(it);
	}
}
