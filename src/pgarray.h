/* pgarray.h — PostgreSQL array literals ('{1,2,"a b",NULL}') built in a struct buf, for
 * statements that take a whole batch as one array parameter ($1::bigint[], unnest(...)). */
#ifndef HERALD_PGARRAY_H
#define HERALD_PGARRAY_H

#include "buf.h"

/* Empties b and opens the literal. */
void pgarray_start(struct buf *b);
void pgarray_int(struct buf *b, long long v);
/* A quoted element; NULL (or "") becomes the SQL NULL element. */
void pgarray_text(struct buf *b, const char *v);
/* Closes the literal; b->data is then the parameter. */
void pgarray_end(struct buf *b);

#endif
