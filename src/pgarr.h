/* pgarr.h — PostgreSQL array literals ('{1,"a b",NULL}') built in a struct buf, for passing a
 * batch as one array parameter ($1::bigint[], unnest(...)), so that a set of values reaches SQL
 * in one statement and never in the SQL text. The one place herald writes array literals. */
#ifndef HERALD_PGARR_H
#define HERALD_PGARR_H

#include "buf.h"

#include <jansson.h>

/* Empties b and opens the literal; pgarr_end() closes it, and b->data is the parameter. */
void pgarr_start(struct buf *b);
void pgarr_int(struct buf *b, long long v);
/* s quoted, its '"' and '\' escaped; s == NULL is the NULL element. */
void pgarr_text(struct buf *b, const char *s);
void pgarr_null(struct buf *b);
void pgarr_end(struct buf *b);

/* The columns of a batch: n literals built side by side, one per column, each the parameter
 * of an unnest(...) of the statement. pgarr_cols_start opens them (col[0] .. col[n - 1]),
 * pgarr_cols_end closes them and sets param[k] to column k, pgarr_cols_free frees them. */
#define PGARR_COLS_MAX 8
struct pgarr_cols {
	struct buf col[PGARR_COLS_MAX];
	const char *param[PGARR_COLS_MAX];
	int n;
};
void pgarr_cols_start(struct pgarr_cols *c, int n);
void pgarr_cols_end(struct pgarr_cols *c);
void pgarr_cols_free(struct pgarr_cols *c);

/* The text[] literal of the strings in arr (non-strings are skipped). The caller frees it. */
char *pgarr_from_json(json_t *arr);

#endif
