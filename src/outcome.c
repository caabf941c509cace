/* outcome.c — the outcome table. */
#include "outcome.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct outcome model_rows[] = {
	[MODEL_OK] = {200, "ok", "", ""},
	[MODEL_NOT_FOUND] = {404, "not-found", "no such object", "admin.outcome.not_found"},
	[MODEL_INVALID] = {422, "validation-failed", "some fields are not valid", "admin.outcome.invalid"},
	[MODEL_DUPLICATE] = {409, "conflict", "an object with that key already exists",
			     "admin.outcome.duplicate"},
	[MODEL_IN_USE] = {409, "conflict", "the object is in use, or refers to one that does not exist",
			  "admin.outcome.in_use"},
	[MODEL_CHECK] = {422, "validation-failed", "a value breaks a rule of the database",
			 "admin.outcome.check"},
	[MODEL_CONFLICT] = {409, "conflict", "the object's state does not allow this",
			    "admin.outcome.conflict"},
	[MODEL_UNAVAILABLE] = {503, "unavailable", "the database is unreachable",
			       "admin.outcome.unavailable"},
	[MODEL_ERROR] = {500, "internal-error", "the database failed; see the log with this request id",
			 "admin.outcome.error"},
};

/* The statuses the web layer answers by itself, before or around a model call. */
static const struct outcome web_rows[] = {
	{400, "bad-request", "", "admin.outcome.bad_request"},
	{401, "unauthorized", "", "admin.error.role"},
	{403, "forbidden", "", "admin.error.role"},
	{405, "method-not-allowed", "", "admin.outcome.method"},
	{413, "payload-too-large", "", "admin.outcome.too_large"},
	{415, "unsupported-media-type", "", "admin.outcome.media_type"},
	{429, "too-many-requests", "", "admin.outcome.too_many"},
};

const struct outcome *outcome_of(enum model_rc rc)
{
	return &model_rows[(size_t)rc < ARRAY_LEN(model_rows) ? rc : MODEL_ERROR];
}

/* The first row of status in either table; NULL when there is none. */
static const struct outcome *row_of_status(int status)
{
	for (size_t i = 1; i < ARRAY_LEN(model_rows); i++)
		if (model_rows[i].status == status)
			return &model_rows[i];
	for (size_t i = 0; i < ARRAY_LEN(web_rows); i++)
		if (web_rows[i].status == status)
			return &web_rows[i];
	return NULL;
}

const char *outcome_slug(int status)
{
	const struct outcome *o = row_of_status(status);
	return o ? o->slug : status >= 500 ? "internal-error" : "error";
}

const char *outcome_admin(int status)
{
	const struct outcome *o = row_of_status(status);
	return o ? o->admin : model_rows[MODEL_ERROR].admin;
}

enum model_rc model_db_rc(const struct db *db)
{
	if (db_is_unique(db))
		return MODEL_DUPLICATE;
	if (db_is_fk(db))
		return MODEL_IN_USE;
	if (db_is_check(db))
		return MODEL_CHECK;
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return MODEL_UNAVAILABLE;
	return MODEL_ERROR;
}

enum model_rc model_err_db(struct model_err *e, const struct db *db)
{
	return e->rc = model_db_rc(db);
}

enum model_rc model_err_field(struct model_err *e, enum model_rc rc, const char *field, const char *path, ...)
{
	e->rc = rc;
	if (field) {
		char msg[512];
		va_list ap;
		va_start(ap, path);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		vsnprintf(msg, sizeof(msg), verr_text(&e->fields, path), ap);
#pragma GCC diagnostic pop
		va_end(ap);
		json_t *list = json_object_get(e->fields.errors, field);
		if (e->fields.errors == NULL)
			e->fields.errors = json_object();
		if (list == NULL)
			json_object_set_new(e->fields.errors, field, list = json_array());
		json_array_append_new(list, json_string(msg));
	}
	return rc;
}

const char *model_err_text(struct model_err *e, char *out, size_t outlen)
{
	size_t n = 0;
	const char *field;
	json_t *msgs, *m;
	size_t i;
	out[0] = '\0';
	json_object_foreach(e->fields.errors, field, msgs)
		json_array_foreach(msgs, i, m)
			n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0, "%s%s", n ? "; " : "",
					      json_string_value(m));
	if (n == 0)
		snprintf(out, outlen, "%s", outcome_of(e->rc)->api);
	verr_free(&e->fields);
	return out;
}
