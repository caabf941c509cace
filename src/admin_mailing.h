/* admin_mailing.h — what the mailing pages (admin_mailings.c, admin_mailing_view.c) share
 * besides the descriptor res_mailings (resource.h). */
#ifndef HERALD_ADMIN_MAILING_H
#define HERALD_ADMIN_MAILING_H
#include <jansson.h>
#include <stdint.h>
#include "outcome.h"

struct http_req;

#define ADMIN_MAILINGS "/admin/mailings/"

struct db;
struct res_key;
struct verr;

/* What the generic delete page (admin_res_delete) says of mailing obj after its question: its
 * state and how many messages go with it. */
const char *admin_mailing_delete_note(struct http_req *req, struct db *db, json_t *obj);
/* The question before deleting the mailings of keys (res_mailings.delete_many_question): how
 * many mailings and messages go. */
const char *admin_mailing_delete_many(struct http_req *req, struct db *db, json_t *keys);
/* The count name of a mailing's stats object. */
long long admin_mailing_count(json_t *stats, const char *name);
/* The status of a mailing object ("" when absent). */
const char *admin_mailing_status(json_t *obj);
/* res_mailings' form_in: the form's fields as the API's mailing (times typed in the user's zone
 * in UTC, the template by its name, the filter's and the send window's fields as their
 * objects), those the form gives (a running mailing's gives end_at alone); form_out: the
 * other way (times in the user's zone); add_values: the add form as a copy of mailing ?from=
 * (its text or template, filter and send window; new times), else NULL; created_page: the new
 * mailing's own page; editable: every field while scheduled, end_at alone while running, none
 * after. */
int admin_mailing_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v);
void admin_mailing_form_out(struct http_req *req, struct db *db, json_t *values);
json_t *admin_mailing_clone(struct http_req *req);
void admin_mailing_created(struct http_req *req, json_t *obj);
const char *admin_mailing_editable(struct http_req *req, json_t *obj, const char **why);
/* A comma-separated list (NULL: none) as a JSON array of trimmed, non-empty strings (new
 * reference). */
json_t *admin_mailing_split(const char *s);
/* A JSON array of strings as "a, b" (new reference). */
json_t *admin_mailing_join(json_t *a);
/* Adds what lists show of mailing obj: "excerpt" (the text's first 30 characters), its
 * message counts "total", "sent" and "failed", and "max" (the total, at least 1: a progress
 * bar's end). */
void admin_mailing_row(json_t *obj);
/* The list's row hook (res_mailings.list_row): admin_mailing_row, and the cells "state" (the
 * status as a badge) and "progress" (sent of total, with a bar). */
void admin_mailing_list_row(struct http_req *req, json_t *obj);
/* What text costs as SMS, for pages: {"segments", "encoding" ("GSM 7-bit" or "UCS-2"),
 * "length", "personal" (it has tags, so each recipient's values change it), "summary" (one
 * sentence)} (admin_composer.c). New reference. */
json_t *admin_sms_size(struct http_req *req, const char *text);

#endif
