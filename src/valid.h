/* valid.h — field validation of JSON input, collecting every error as
 * {"field": ["message", ...]} for problem+json (API) or beside the field (admin). Messages are
 * paths in the language catalogue (i18n.h, "valid.required"), written in the verr's language:
 * English for the API and the command line, the user's in the admin. */
#ifndef HERALD_VALID_H
#define HERALD_VALID_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct verr {
	json_t *errors;   /* NULL until the first error */
	const char *lang; /* of the messages (i18n.h); NULL: "en" */
};

#define VERR_INIT {NULL, NULL}

/* Adds to field the text at path in v's language, formatted with the arguments given. */
void verr_add(struct verr *v, const char *field, const char *path, ...);
/* The text at path in v's language (to put inside another message). */
const char *verr_text(const struct verr *v, const char *path);
int verr_any(const struct verr *v);
/* Hands the errors object over (NULL when none) and empties v. */
json_t *verr_take(struct verr *v);
void verr_free(struct verr *v);

/* Adds an "unknown field" error for each key of obj not in allowed (NULL-terminated). */
void jv_only(json_t *obj, const char *const *allowed, struct verr *v);

/* Field getters. Each returns 1 when the field is present and valid (value stored), 0 when it
 * is absent (an error is added when required), -1 when it is invalid (error added).
 * Strings are borrowed from obj. Lengths count characters (UTF-8 code points). */
int jv_str(json_t *obj, const char *field, int required, long minlen, long maxlen,
	   const char **out, struct verr *v);
/* Like jv_str, but JSON null is accepted and stores NULL. */
int jv_str_or_null(json_t *obj, const char *field, long minlen, long maxlen, const char **out,
		   struct verr *v);
int jv_i64(json_t *obj, const char *field, int required, int64_t min, int64_t max, int64_t *out,
	   struct verr *v);
int jv_bool(json_t *obj, const char *field, int required, int *out, struct verr *v);
/* A list of at most max strings of minlen..maxlen characters, each passing rule (may be NULL;
 * it returns NULL or a message's path); absent means empty. Returns the text[] literal
 * (malloc'ed), or NULL with the errors under field (at most VALID_LIST_ERRORS items named, so
 * one bad list cannot flood the answer). */
#define VALID_LIST_ERRORS 20
char *jv_str_list(json_t *obj, const char *key, const char *field, long minlen, long maxlen, size_t max,
		  const char *(*rule)(const char *), struct verr *v);
/* RFC 3339 date-time with an offset. */
int jv_time(json_t *obj, const char *field, int required, const char **out, struct verr *v);

/* Rules shared by every entry point (API, admin, SMPP). Each returns NULL when s is valid, else
 * the message's path. */
const char *valid_phone(const char *s);
const char *valid_operator_code(const char *s);
/* An http:// or https:// URL (either case) of at most max characters, all visible ASCII, with
 * a host after the scheme: NULL, or "valid.url" (its %d: max). */
const char *valid_http_url(const char *s, size_t max);
/* An upstream SMSC's address (a provider of kind smpp): "smpp://SYSTEM_ID@HOST:PORT", SYSTEM_ID
 * 1..15 visible ASCII characters without '@', '/', ':'; HOST a name, an IPv4 address or an
 * IPv6 address in brackets; PORT 1..65535. */
struct smpp_url {
	char system_id[16];
	char host[256];
	char port[6];
};
/* Splits s into u: 0, or -1 when s is not of that form. */
int smpp_url_parse(const char *s, struct smpp_url *u);
/* A provider's url for its kind ("probe": valid_http_url, "smpp": smpp_url_parse) of at most max
 * characters: NULL, or the message's path (its %d: max). */
const char *valid_provider_url(const char *kind, const char *s, size_t max);
/* 1 when s is min..max visible ASCII characters (no space, no control): what may go into an
 * HTTP header, a URL or an SMPP field as it is. */
int valid_visible(const char *s, size_t min, size_t max);

#endif
