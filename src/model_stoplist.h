/* model_stoplist.h — the stop list (API.md 9.3): phones that receive nothing. Validation and
 * SQL. What honours the list lives with each
 * path: the scheduler's freeze and the batch insert (STOPLIST_CANCEL), the claim of the
 * dispatcher, the direct send (stoplist_has) and the SMPP store. The API's CRUD and the admin's
 * pages reach the list through the resource descriptor (stoplist_model, res_stoplist). */
#ifndef HERALD_MODEL_STOPLIST_H
#define HERALD_MODEL_STOPLIST_H
#include <jansson.h>
#include "message_status.h"
#include "phone.h"
#include "resource.h"

#define STOPLIST_REASON_MAX 256
#define STOPLIST_ERROR "stop list"          /* last_error of a message the list cancelled */
#define STOPLIST_IMPORT_MAX 1000000         /* rows of one CSV import */

/* SQL of an INSERT INTO messages ... SELECT that freezes recipients: STOPLIST_JOIN(ph) after the
 * FROM items (ph: the recipient's phone), and STOPLIST_STATUS and STOPLIST_LAST_ERROR as the
 * values of status and last_error. One outer join (a hash join against the list), no per-row
 * lookups: a stop-listed recipient's message is frozen cancelled. */
#define STOPLIST_JOIN(ph) " LEFT JOIN stoplist sl ON sl.phone = " ph
#define STOPLIST_STATUS "CASE WHEN sl.phone IS NULL THEN " MSG_SQL(MSG_PENDING) " ELSE " MSG_SQL(MSG_CANCELLED) " END"
#define STOPLIST_LAST_ERROR "CASE WHEN sl.phone IS NOT NULL THEN '" STOPLIST_ERROR "' END"

struct stoplist_in {
	const char *phone;      /* the stored form (phone_norm) */
	char phone_norm[PHONE_LEN + 1];   /* the phone as written, normalised (phone.h) */
	const char *reason;     /* NULL when not given */
};

/* Validates a POST body ({"phone", "reason"}). 0, or -1 with errors in v. */
int stoplist_validate(json_t *in, struct stoplist_in *out, struct verr *v);

/* 1 when phone is on the list, 0 when not, -1 error. */
int stoplist_has(struct db *db, const char *phone);
/* Adds phones[i] with reasons[i] (text[] literals of equal length) in one statement; phones on
 * the list already are left as they are. The number added, or -1. */
long stoplist_import(struct db *db, const char *phones, const char *reasons);

/* The descriptor's model: get, insert (a phone as written, normalised; one on the list is
 * MODEL_DUPLICATE on "phone"), update (the reason only), remove, count, and list: sorts "phone",
 * "-phone"; q is contained in the phone. Keys are stored phones. */
extern const struct res_model stoplist_model;

#endif
