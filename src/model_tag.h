/* model_tag.h — tags: validation and SQL. The API and the admin both call these. */
#ifndef HERALD_MODEL_TAG_H
#define HERALD_MODEL_TAG_H
#include <jansson.h>
#include "api.h"

#define TAG_NAME_MAX 64

struct tag_in {
	const char *name;   /* borrowed from the input object; NULL when not given (PATCH) */
};

/* Validates in: name is required unless partial (PATCH). Strings are borrowed from in.
 * Returns 0, or -1 with errors in v. */
int tag_validate(json_t *in, int partial, struct tag_in *out, struct verr *v);

/* Each returns a result whose row 0 has the tag's JSON text (column 0) and its id (column 1);
 * no rows when there is no such tag. NULL on a database error (db_is_unique: name taken). */
PGresult *tag_get(struct db *db, const char *id);
PGresult *tag_insert(struct db *db, const struct tag_in *in);
/* Changes the name when in->name is set; always touches updated_at. */
PGresult *tag_update(struct db *db, const char *id, const struct tag_in *in);
/* 1 deleted, 0 no such tag, -1 error (db_is_fk: clients use it). */
int tag_delete(struct db *db, const char *id);
/* A page ordered by id (pg->after is a numeric key). */
PGresult *tag_list(struct db *db, const struct page *pg);
PGresult *tag_count(struct db *db);
/* The admin's list: the tag's JSON text (column 0) and its keyset key (column 1), in sort
 * order ("name", "-name", "id", "-id"), after the key after_json (NULL: from the start), with q
 * (may be NULL) contained in the name; up to limit rows. */
PGresult *tag_search(struct db *db, const char *sort, const char *after_json, const char *q, int limit);

#endif
