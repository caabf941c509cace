/* pgarr.h — PostgreSQL array literals ('{"a","b"}') for passing a list as one text[] parameter,
 * so that a set of values reaches SQL in one statement, never spliced into the SQL text. */
#ifndef HERALD_PGARR_H
#define HERALD_PGARR_H
#include <jansson.h>

/* The text[] literal of the strings in arr (non-strings are skipped). Every element is quoted
 * and its '"' and '\' escaped. The caller frees the result. */
char *pgarr_from_json(json_t *arr);

#endif
