/* report_render.h — turns a template of templates/ and a jansson context into text. The e-mail
 * goes through the function pointer report_render_fn, so the Mustache engine of the admin UI
 * can take over; until then it points at report_render_builtin, a small Mustache subset:
 * {{name}} (HTML-escaped), {{{name}}} and {{&name}} (raw), dotted names, {{.}},
 * {{#section}}...{{/section}} (arrays repeat, objects and other true values push, false, null,
 * missing and [] skip), {{^section}}...{{/section}}, {{! comments}}, and standalone tag lines. */
#ifndef HERALD_REPORT_RENDER_H
#define HERALD_REPORT_RENDER_H
#include <jansson.h>
#include <stddef.h>

/* Renders the template named name ("email/report.txt", under cfg.root/templates/) with ctx
 * (borrowed). Returns a malloc'ed string the caller frees, or NULL with err filled. */
typedef char *(*report_render_fn_t)(const char *name, json_t *ctx, char *err, size_t errlen);
extern report_render_fn_t report_render_fn;

/* The default report_render_fn: reads the file and calls report_render_string(). */
char *report_render_builtin(const char *name, json_t *ctx, char *err, size_t errlen);
/* Renders the template text tmpl with ctx (both borrowed); malloc'ed result or NULL with err
 * (unbalanced or malformed tags, nesting deeper than 32). */
char *report_render_string(const char *tmpl, json_t *ctx, char *err, size_t errlen);

#endif
