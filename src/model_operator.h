/* model_operator.h — operators: validation and SQL behind the resource descriptor
 * (resources.c); the API and the admin both reach them through it. */
#ifndef HERALD_MODEL_OPERATOR_H
#define HERALD_MODEL_OPERATOR_H
#include <jansson.h>
#include "resource.h"

struct operator_in {
	const char *code;   /* borrowed from the input object */
	const char *name;   /* NULL when not given */
};

/* Validates in: code required unless code_from_path is given (PUT/PATCH; a code in the body
 * must then equal it). Strings are borrowed from in. Returns 0, or -1 with errors in v. */
int operator_validate(json_t *in, const char *code_from_path, struct operator_in *out, struct verr *v);

/* get, insert, update (PUT replaces the name, PATCH changes what is given), remove,
 * remove_many (references keep them: MODEL_IN_USE) and list: sorts "code", "-code", "name",
 * "-name"; q keeps codes starting with it and names containing it (any case). */
extern const struct res_model operator_model;

#endif
