/* outcome.h — what a model call came to (enum model_rc, with field errors), and the one table
 * that says how each outcome, and each status the web layer answers by itself, is shown: the
 * HTTP status, the problem type slug (/docs/problems#slug), and the message for the API and
 * for the admin pages. http.c renders it (http_fail). */
#ifndef HERALD_OUTCOME_H
#define HERALD_OUTCOME_H
#include "db.h"
#include "valid.h"

enum model_rc {
	MODEL_OK = 0,
	MODEL_NOT_FOUND,     /* no such object */
	MODEL_INVALID,       /* input breaks a rule: the fields say which */
	MODEL_DUPLICATE,     /* a unique key is taken (23505) */
	MODEL_IN_USE,        /* a reference keeps it, or the one referred to is missing (23503) */
	MODEL_CHECK,         /* a rule of the database (23514) */
	MODEL_CONFLICT,      /* the object's state refuses the change (a running mailing) */
	MODEL_UNAVAILABLE,   /* the database cannot be reached */
	MODEL_ERROR,         /* anything else: logged with the request id */
};

/* A model's failure: the outcome and, for MODEL_INVALID (and a MODEL_DUPLICATE the model
 * traced to a field), the errors by field. */
struct model_err {
	enum model_rc rc;
	struct verr fields;
};

#define MODEL_ERR_INIT {MODEL_OK, VERR_INIT}

struct outcome {
	int status;
	const char *slug;
	const char *api;       /* the problem's detail */
	const char *admin;     /* the error page's sentence: a path in the language catalogue */
};

/* The row of rc. */
const struct outcome *outcome_of(enum model_rc rc);
/* The slug of an HTTP status ("not-found"; "internal-error" for other 5xx, "error" else). */
const char *outcome_slug(int status);
/* The admin's sentence for an HTTP status (a path in the language catalogue). */
const char *outcome_admin(int status);
/* What the last failure of db was: DUPLICATE, IN_USE, CHECK, UNAVAILABLE or ERROR. */
enum model_rc model_db_rc(const struct db *db);
/* Sets e from the last failure of db and returns its rc. */
enum model_rc model_err_db(struct model_err *e, const struct db *db);
/* Sets e to rc with the text at path (valid.h), formatted with the arguments given, on field
 * (NULL: rc alone) and returns rc. */
enum model_rc model_err_field(struct model_err *e, enum model_rc rc, const char *field, const char *path, ...);
/* The messages of e's fields as one line ("a password is 8 to 1024 characters; ..."),
 * else the rc's API message; for the command line. Written into out; e's fields are freed. */
const char *model_err_text(struct model_err *e, char *out, size_t outlen);

#endif
