/* pool.h — a request arena: memory and objects registered here live until pool_release(),
 * which disposes of them in reverse order (h2o's mem pool with dispose callbacks). Each
 * request has one (http_req.pool); handlers allocate from it and never free by hand. */
#ifndef HERALD_POOL_H
#define HERALD_POOL_H
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

struct pool_item;

struct pool {
	struct pool_item *items;   /* newest first */
};

/* n zeroed bytes, freed at release. Never NULL (out of memory is fatal). */
void *pool_alloc(struct pool *p, size_t n);
char *pool_strdup(struct pool *p, const char *s);
char *pool_printf(struct pool *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs dispose(obj) at release. */
void pool_defer(struct pool *p, void (*dispose)(void *obj), void *obj);
/* Registers a reference to drop (json_decref) or a result to clear (PQclear) at release and
 * returns it; NULL passes through. */
json_t *pool_json(struct pool *p, json_t *v);
/* json_pack(fmt, ...) registered as pool_json does (NULL when fmt does not match). */
json_t *pool_pack(struct pool *p, const char *fmt, ...);
PGresult *pool_pg(struct pool *p, PGresult *r);
/* Disposes of everything registered, newest first; p is empty and usable again. */
void pool_release(struct pool *p);

#endif
