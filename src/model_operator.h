/* model_operator.h — operators: validation and SQL. The API and the admin both call these. */
#ifndef HERALD_MODEL_OPERATOR_H
#define HERALD_MODEL_OPERATOR_H
#include <jansson.h>
#include "api.h"

struct operator_in {
	const char *code;   /* borrowed from the input object */
	const char *name;   /* NULL when not given */
};

/* Validates in: code required unless code_from_path is given (PUT/PATCH; a code in the body
 * must then equal it). Strings are borrowed from in. Returns 0, or -1 with errors in v. */
int operator_validate(json_t *in, const char *code_from_path, int full, struct operator_in *out,
		      struct verr *v);

/* Each returns a result whose row 0 has the operator's JSON text (column 0) and its code
 * (column 1); no rows when there is no such operator. NULL on a database error. */
PGresult *operator_get(struct db *db, const char *code);
PGresult *operator_insert(struct db *db, const struct operator_in *in);
/* PUT (full) replaces name; PATCH changes only what is given. */
PGresult *operator_update(struct db *db, const struct operator_in *in, int full);
/* 1 deleted, 0 no such operator, -1 error (db_is_fk: clients use it). */
int operator_delete(struct db *db, const char *code);
/* Deletes the operators whose codes are in codes_json (a JSON array of strings), all or
 * none. The number deleted, or -1 (db_is_fk: clients use one). */
int operator_delete_many(struct db *db, const char *codes_json);
/* A page ordered by code. */
PGresult *operator_list(struct db *db, const struct page *pg);
PGresult *operator_count(struct db *db);
/* The admin pages' list: sort is "code", "-code", "name" or "-name"; rows hold the JSON text
 * (column 0) and the key (column 1, a JSON array) after after_json (NULL: from the start);
 * q (NULL: all) keeps codes starting with it and names containing it (any case). */
PGresult *operator_search(struct db *db, const char *sort, const char *after_json, const char *q,
			  int limit);

#endif
