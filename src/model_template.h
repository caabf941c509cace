/* model_template.h — templates (API.md 9.4): reusable texts a mailing takes by template_id.
 * Validation and SQL behind the resource descriptor (resources.c). */
#ifndef HERALD_MODEL_TEMPLATE_H
#define HERALD_MODEL_TEMPLATE_H
#include "resource.h"

#define TEMPLATE_NAME_MAX 64

/* get, insert, update (name and text required unless partial; a text with tags must parse,
 * personal.h), remove (a scheduled mailing uses it: MODEL_IN_USE) and list: sorts "name",
 * "-name", "id", "-id"; q is contained in the name or the text. A taken name is
 * MODEL_DUPLICATE on "name". Objects: {"id", "name", "text", "mailings" (scheduled ones that
 * use it), "created_at", "updated_at"}. */
extern const struct res_model template_model;

/* The id of the template called name, and its text (malloc'ed) when text is not NULL:
 * MODEL_OK, MODEL_NOT_FOUND or a database failure. */
enum model_rc template_find(struct db *db, const char *name, int64_t *id, char **text);
/* The name of template id (malloc'ed), NULL when there is none or it could not be read. */
char *template_name(struct db *db, int64_t id);

#endif
