/* personal.h — a text per recipient (API.md 9.4). A mailing's text is a Mustache template over
 * the recipient {"phone", "tag", "attributes": {...}}, rendered without HTML escaping (an SMS
 * is not HTML): {{phone}}, {{tag}}, {{attributes.KEY}}; an unknown key renders empty, and
 * sections work as in Mustache ({{#attributes.vip}}…{{/attributes.vip}}). A text without a
 * tag is the same for everyone and is never parsed. */
#ifndef HERALD_PERSONAL_H
#define HERALD_PERSONAL_H
#include <jansson.h>
#include <stddef.h>
#include "buf.h"
#include "valid.h"

#define PERSONAL_OUT_MAX 16384    /* bytes of one rendered text */

struct tmpl_set;

/* 1 when text has Mustache tags, so that it can differ per recipient. */
int personal_is(const char *text);
/* Parses text into a set of its own (free with tmpl_set_free); NULL with the reason in err
 * ("line 2: unclosed section") when it is not a template, or names another (a partial). */
struct tmpl_set *personal_parse(const char *text, char *err, size_t errlen);
/* The rule for a text that users write: when it has tags, it must parse; else field gets the
 * reason in v. */
void personal_check(const char *text, const char *field, struct verr *v);
/* Appends t rendered for the recipient ctx to out; -1 when it could not be, or came out empty
 * or longer than PERSONAL_OUT_MAX bytes. */
int personal_render(const struct tmpl_set *t, json_t *ctx, struct buf *out);
/* The recipient's object: phone, tag (NULL: none) and attributes (an object's JSON text, NULL:
 * none). New reference. */
json_t *personal_context(const char *phone, const char *tag, const char *attributes);

#endif
