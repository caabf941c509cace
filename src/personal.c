/* personal.c — texts per recipient (see personal.h). */
#include "personal.h"
#include "tmpl.h"

#include <stdio.h>
#include <string.h>

#define NAME "text"

int personal_is(const char *text)
{
	return text != NULL && strstr(text, "{{") != NULL;
}

struct tmpl_set *personal_parse(const char *text, char *err, size_t errlen)
{
	char why[256];
	int line, off = 0;
	struct tmpl_set *t = tmpl_set_new();
	tmpl_set_plain(t);
	if (tmpl_set_add(t, NAME, text, strlen(text), why, sizeof(why)) < 0) {
		/* "text:2: unclosed section" */
		if (sscanf(why, NAME ":%d:%n", &line, &off) == 1 && off > 0)
			snprintf(err, errlen, "line %d:%s", line, why + off);
		else
			snprintf(err, errlen, "%s", why);
		tmpl_set_free(t);
		return NULL;
	}
	if (tmpl_includes(t, NAME)) {
		snprintf(err, errlen, "partials and parents ({{>name}}, {{<name}}) are not allowed");
		tmpl_set_free(t);
		return NULL;
	}
	return t;
}

void personal_check(const char *text, const char *field, struct verr *v)
{
	char err[300];
	struct tmpl_set *t;
	if (!personal_is(text))
		return;
	if ((t = personal_parse(text, err, sizeof(err))) == NULL)
		verr_add(v, field, "valid.not_template", err);
	else
		tmpl_set_free(t);
}

int personal_render(const struct tmpl_set *t, json_t *ctx, struct buf *out)
{
	size_t start = out->len;
	if (tmpl_render(t, NAME, ctx, out) < 0 || out->len == start || out->len - start > PERSONAL_OUT_MAX)
		return -1;
	return 0;
}

json_t *personal_context(const char *phone, const char *tag, const char *attributes)
{
	json_t *attrs = attributes ? json_loads(attributes, 0, NULL) : NULL;
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	return json_pack("{s:s, s:s?, s:o}", "phone", phone, "tag", tag, "attributes", attrs);
}
