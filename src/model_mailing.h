/* model_mailing.h — mailings: validation, state rules and SQL. The API and the admin both call
 * these. Starting a mailing (freezing its recipients) and sending belong to the engine; here a
 * mailing is stored and managed, and every change the scheduler must notice is announced with
 * pg_notify('herald_mailings', id) in the same transaction. */
#ifndef HERALD_MODEL_MAILING_H
#define HERALD_MODEL_MAILING_H
#include <jansson.h>
#include "db.h"
#include "outcome.h"
#include "resource.h"

#define MAILING_TEXT_MAX 4096
#define MAILING_FILTER_MAX 1000

/* The MODEL_INVALID reason of a write that names a template that does not exist (template_id). */
extern const char mailing_no_template[];
/* The field a MODEL_INVALID reason of the writes below is about. */
const char *mailing_why_field(const char *why);

struct mailing_in {
	const char *start_at, *end_at, *text;   /* borrowed from the input; NULL when not given */
	int64_t template_id;                    /* 0: not given; else the text is the template's */
	char template_text[DB_NUM_LEN];         /* template_id as text */
	char *operator_codes, *tags;            /* owned text[] literals; NULL: filter not given */
	int window_given;                       /* send_window given (an object or null) */
	const char *window_start, *window_end;  /* borrowed "HH:MM"; NULL with window_given: none */
};

/* Validates in. full (POST, PUT): start_at, end_at and text or template_id (exactly one; a text
 * with tags must parse, personal.h) are required and a missing filter
 * or send_window means none; otherwise (PATCH) only the fields given change. Checks start_at <
 * end_at when both are given. Returns 0, or -1 with every bad field in v. out is filled either
 * way; release it with mailing_in_free. */
int mailing_validate(json_t *in, int full, struct mailing_in *out, struct verr *v);
void mailing_in_free(struct mailing_in *in);
/* Validates a "filter" value (an object, or null for none) into out->operator_codes and
 * out->tags (text[] literals, "{}" when not filtered); errors go to v under "filter...". */
void mailing_filter_validate(json_t *f, struct mailing_in *out, struct verr *v);

/* Parses a ?status= value; 0, or -1 when it names no mailing status. */
int mailing_status_valid(const char *s);

/* The mailing object (new reference) in *out on MODEL_OK; MODEL_NOT_FOUND, or the database's
 * failure (model_db_rc). */
enum model_rc mailing_get(struct db *db, int64_t id, json_t **out);
/* MODEL_INVALID with *why mailing_no_template when in's template does not exist. */
enum model_rc mailing_insert(struct db *db, const struct mailing_in *in, int64_t created_by, json_t **out,
			     const char **why);
/* A list of mailings (resource.h's struct res_query: sorts "id", "-id", "start_at",
 * "-start_at", the search text in text) and its filters, each NULL for any: status, from and
 * to (dates YYYY-MM-DD in zone, NULL: UTC, on start_at, both inclusive). */
struct mailing_query {
	struct res_query page;
	const char *status, *from, *to;
	const char *zone;
};

/* The one list of mailings, for the API and the admin: a page of mailing objects as
 * mailing_get's. MODEL_INVALID when the cursor's key does not fit the sort. */
enum model_rc mailing_list(struct db *db, const struct mailing_query *q, struct res_page *out);
/* The mailing's text for client_id, or for phone (a client's, or a phone no client has; NULL
 * with client_id 0: a recipient with no phone, tag or attributes) as it would be sent, with its
 * SMS encoding and segments: {"text", "encoding", "segments", "length"} (length: septets or
 * UTF-16 units). MODEL_NOT_FOUND when there is no such mailing, or no such client_id. */
enum model_rc mailing_preview(struct db *db, int64_t id, int64_t client_id, const char *phone, json_t **out);
/* The number of mailings of status (NULL: all) into *n. */
enum model_rc mailing_count(struct db *db, const char *status, int64_t *n);

/* The next four run in one transaction each. On MODEL_OK *out holds the mailing as for
 * mailing_get. On MODEL_CONFLICT and MODEL_INVALID *why is a static message (INVALID: about
 * end_at, or mailing_no_template). MODEL_ERROR: see db (model_db_rc). */
/* PUT/PATCH: scheduled -> anything (a text replaces the template and the template the text); running -> only end_at (which moves the expiry of its
 * pending and sending messages); finished or cancelled -> conflict. */
enum model_rc mailing_update(struct db *db, int64_t id, const struct mailing_in *in, json_t **out,
			     const char **why);
/* Status cancelled; its pending messages become cancelled. */
enum model_rc mailing_cancel(struct db *db, int64_t id, json_t **out, const char **why);
/* Failed messages back to pending (due now); a finished mailing runs again. Conflict once
 * end_at has passed or when cancelled. */
enum model_rc mailing_retry_failed(struct db *db, int64_t id, json_t **out, const char **why);
/* Removes the mailing, its messages and its counters (a running one is cancelled first).
 * MODEL_OK or MODEL_NOT_FOUND or MODEL_ERROR. */
enum model_rc mailing_delete(struct db *db, int64_t id);

/* *n: the number of messages of the mailings whose ids keys (a JSON array of id strings or
 * numbers) holds. */
enum model_rc mailing_message_total(struct db *db, json_t *keys, int64_t *n);

/* The descriptor's model (resources.c): the admin's writes; the API's are api_mailings.c's. */
extern const struct res_model mailing_model;

#endif
