/* form.h — HTML form bodies (application/x-www-form-urlencoded and multipart/form-data) parsed
 * into a JSON object so the models' validators (which take json_t) serve the admin pages too.
 * A name given once maps to a string; a name given several times maps to an array of strings
 * in order. Every input is bounded: FORM_MAX_FIELDS fields, FORM_MAX_NAME bytes per name, and
 * the values must be UTF-8 without NUL, except that of a file part (filename=), which may hold
 * any bytes but NUL (a CSV file in Windows-1251): read it with csv_sniff, never print it. */
#ifndef HERALD_FORM_H
#define HERALD_FORM_H
#include <jansson.h>
#include <stddef.h>

#define FORM_MAX_FIELDS 2000
#define FORM_MAX_NAME 256
#define FORM_MAX_PART_HEADERS 4096

/* Each returns a new object the caller json_decrefs, or NULL with a message in err. */
json_t *form_urlencoded(const char *body, size_t len, char *err, size_t errlen);
json_t *form_multipart(const char *body, size_t len, const char *boundary, char *err, size_t errlen);
/* Picks the parser from a Content-Type header value (NULL or another type: error). */
json_t *form_parse(const char *content_type, const char *body, size_t len, char *err, size_t errlen);

/* The values of name as strings: [] when absent, [s] for one, the array for several.
 * A new reference. */
json_t *form_list(json_t *form, const char *name);
/* The value of name as a string, or NULL when absent or given several times. Borrowed. */
const char *form_str(json_t *form, const char *name);

#endif
