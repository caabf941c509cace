/* valid.c — validation helpers. */
#include "valid.h"
#include "i18n.h"
#include "list.h"
#include "pgarr.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *verr_text(const struct verr *v, const char *path)
{
	return i18n_text(v->lang ? v->lang : "en", path);
}

void verr_add(struct verr *v, const char *field, const char *path, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, path);
	i18n_vprint(msg, sizeof(msg), v->lang, path, ap);
	va_end(ap);
	if (v->errors == NULL)
		v->errors = json_object();
	json_t *list = json_object_get(v->errors, field);
	if (list == NULL) {
		list = json_array();
		json_object_set_new(v->errors, field, list);
	}
	json_array_append_new(list, json_string(msg));
}

int verr_any(const struct verr *v)
{
	return v->errors != NULL;
}

json_t *verr_take(struct verr *v)
{
	json_t *e = v->errors;
	v->errors = NULL;
	return e;
}

void verr_free(struct verr *v)
{
	json_decref(v->errors);
	v->errors = NULL;
}

void jv_only(json_t *obj, const char *const *allowed, struct verr *v)
{
	const char *key;
	json_t *val;
	json_object_foreach(obj, key, val) {
		if (!list_has(allowed, key))
			verr_add(v, key, "valid.unknown_field");
	}
}

static json_t *field_get(json_t *obj, const char *field, int required, struct verr *v)
{
	json_t *f = json_object_get(obj, field);
	if (f == NULL && required)
		verr_add(v, field, "valid.required");
	return f;
}

static int check_str(json_t *f, const char *field, long minlen, long maxlen, const char **out,
		     struct verr *v)
{
	if (!json_is_string(f)) {
		verr_add(v, field, "valid.string");
		return -1;
	}
	const char *s = json_string_value(f);
	size_t bytes = json_string_length(f);
	long n = utf8_length(s, bytes);
	if (n < 0 || strlen(s) != bytes) {
		verr_add(v, field, "valid.utf8");
		return -1;
	}
	if (n < minlen) {
		if (minlen == 1)
			verr_add(v, field, "valid.empty");
		else
			verr_add(v, field, "valid.min_chars", minlen);
		return -1;
	}
	if (n > maxlen) {
		verr_add(v, field, "valid.max_chars", maxlen);
		return -1;
	}
	*out = s;
	return 1;
}

int jv_str(json_t *obj, const char *field, int required, long minlen, long maxlen,
	   const char **out, struct verr *v)
{
	json_t *f = field_get(obj, field, required, v);
	if (f == NULL)
		return required ? -1 : 0;
	return check_str(f, field, minlen, maxlen, out, v);
}

int jv_str_or_null(json_t *obj, const char *field, long minlen, long maxlen, const char **out,
		   struct verr *v)
{
	json_t *f = json_object_get(obj, field);
	if (f == NULL)
		return 0;
	if (json_is_null(f)) {
		*out = NULL;
		return 1;
	}
	return check_str(f, field, minlen, maxlen, out, v);
}

int jv_i64(json_t *obj, const char *field, int required, int64_t min, int64_t max, int64_t *out,
	   struct verr *v)
{
	json_t *f = field_get(obj, field, required, v);
	if (f == NULL)
		return required ? -1 : 0;
	if (!json_is_integer(f)) {
		verr_add(v, field, "valid.integer");
		return -1;
	}
	json_int_t n = json_integer_value(f);
	if (n < min || n > max) {
		verr_add(v, field, "valid.range", (long long)min, (long long)max);
		return -1;
	}
	*out = n;
	return 1;
}

int jv_bool(json_t *obj, const char *field, int required, int *out, struct verr *v)
{
	json_t *f = field_get(obj, field, required, v);
	if (f == NULL)
		return required ? -1 : 0;
	if (!json_is_boolean(f)) {
		verr_add(v, field, "valid.boolean");
		return -1;
	}
	*out = json_is_true(f);
	return 1;
}

int jv_time(json_t *obj, const char *field, int required, const char **out, struct verr *v)
{
	const char *s;
	int rc = jv_str(obj, field, required, 1, 64, &s, v);
	if (rc != 1)
		return rc;
	if (rfc3339_valid(s) < 0) {
		verr_add(v, field, "valid.time");
		return -1;
	}
	*out = s;
	return 1;
}

const char *valid_phone(const char *s)
{
	if (s[0] != '7' || !is_digits(s, 11))
		return "valid.phone_digits";
	return NULL;
}

const char *valid_operator_code(const char *s)
{
	return is_digits(s, 3) ? NULL : "valid.operator_code";
}

int valid_visible(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (s[i] < '!' || s[i] > '~')
			return 0;
	return n >= min && n <= max;
}

const char *valid_http_url(const char *s, size_t max)
{
	size_t scheme = strncasecmp(s, "https://", 8) == 0 ? 8 : strncasecmp(s, "http://", 7) == 0 ? 7 : 0;
	return scheme && valid_visible(s, scheme + 1, max) && s[scheme] != '/' ? NULL : "valid.url";
}

int smpp_url_parse(const char *s, struct smpp_url *u)
{
	if (strncasecmp(s, "smpp://", 7) != 0)
		return -1;
	s += 7;
	size_t id = strcspn(s, "@/:");
	if (s[id] != '@' || id >= sizeof(u->system_id))
		return -1;
	memcpy(u->system_id, s, id);
	u->system_id[id] = '\0';
	if (!valid_visible(u->system_id, 1, sizeof(u->system_id) - 1))
		return -1;
	s += id + 1;
	size_t host = s[0] == '[' ? strspn(s + 1, "0123456789abcdefABCDEF:.") + 2
				  : strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
	if (s[0] == '[' && s[host - 1] != ']')
		return -1;
	if (host < 1 || host > 255 || s[host] != ':' || (s[0] == '[' && host < 4))
		return -1;
	int64_t port;
	if (!is_digits(s + host + 1, strlen(s + host + 1)) || strlen(s + host + 1) > 5 ||
	    parse_i64(s + host + 1, 1, 65535, &port) < 0)
		return -1;
	int bracket = s[0] == '[';
	memcpy(u->host, s + bracket, host - 2 * (size_t)bracket);
	u->host[host - 2 * (size_t)bracket] = '\0';
	snprintf(u->port, sizeof(u->port), "%d", (int)port);
	return 0;
}

const char *valid_provider_url(const char *kind, const char *s, size_t max)
{
	struct smpp_url u;
	if (strcmp(kind, "smpp") == 0)
		return strlen(s) <= max && smpp_url_parse(s, &u) == 0 ? NULL : "valid.smpp_url";
	return valid_http_url(s, max);
}

char *jv_str_list(json_t *obj, const char *key, const char *field, long minlen, long maxlen, size_t max,
		  const char *(*rule)(const char *), struct verr *v)
{
	json_t *a = json_object_get(obj, key), *item;
	size_t i, bad = 0;
	if (a == NULL)
		return xstrdup("{}");
	if (!json_is_array(a)) {
		verr_add(v, field, "valid.string_list");
		return NULL;
	}
	if (json_array_size(a) > max) {
		verr_add(v, field, "valid.max_items", (int)max);
		return NULL;
	}
	json_array_foreach(a, i, item) {
		const char *why = NULL;
		long n = json_is_string(item) ? utf8_length(json_string_value(item), json_string_length(item)) : -1;
		if (!json_is_string(item))
			why = "valid.string";
		else if (n < 0 || strlen(json_string_value(item)) != json_string_length(item))
			why = "valid.utf8";
		else if (n < minlen || n > maxlen)
			why = "valid.wrong_length";
		else if (rule)
			why = rule(json_string_value(item));
		if (why && bad++ < VALID_LIST_ERRORS)
			verr_add(v, field, "valid.item", i, verr_text(v, why));
	}
	return bad ? NULL : pgarr_from_json(a);
}
