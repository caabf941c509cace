/* model_tag.h — tags: validation and SQL behind the resource descriptor (resources.c); the
 * API and the admin both reach them through it. */
#ifndef HERALD_MODEL_TAG_H
#define HERALD_MODEL_TAG_H
#include <jansson.h>
#include "resource.h"

#define TAG_NAME_MAX 64

/* get, insert, update (name required unless partial), remove (clients keep it:
 * MODEL_IN_USE) and list: sorts "name", "-name", "id", "-id"; q is contained in the name. A
 * taken name is MODEL_DUPLICATE on "name". */
extern const struct res_model tag_model;

#endif
