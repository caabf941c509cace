/* model_client.h — clients: validation and SQL. The API and the admin both call these.
 * A client refers to its operator by code and to its tag by id; an unknown operator code or
 * tag name given for a client is created in the same statement (operator name ''). */
#ifndef HERALD_MODEL_CLIENT_H
#define HERALD_MODEL_CLIENT_H
#include <jansson.h>
#include "db.h"
#include "page.h"
#include "valid.h"
#include "buf.h"
#include "phone.h"

#define CLIENT_BULK_MAX 100000

struct client_in {
	const char *phone;          /* NULL when not given (PATCH) */
	const char *operator_code;  /* NULL when not given (PATCH) */
	int tag_given;              /* the tag field was given (always 1 unless PATCH) */
	const char *tag;            /* NULL: no tag */
	const char *timezone;       /* NULL when not given (PATCH) */
	char operator_default[4];   /* storage for the default operator code */
	char phone_norm[PHONE_LEN + 1]; /* storage for the phone as stored (phone_normalise) */
};

/* Validates in. Not partial (POST, PUT, bulk items): phone is required and absent optional
 * fields take their defaults (operator_code = phone digits 2..4, tag = none, timezone =
 * cfg.default_timezone), so PUT replaces every field. partial (PATCH): only the fields given
 * change. The phone is taken as people write it (phone_normalise) and stored as 7XXXXXXXXXX.
 * Strings are borrowed from in (or cfg, or out itself); out must outlive nothing else.
 * Returns 0, or -1 with every bad field in v. */
int client_validate(json_t *in, int partial, struct client_in *out, struct verr *v);

/* List filters, each NULL when absent. Strings are borrowed from the caller. */
struct client_filter {
	const char *tag;
	const char *operator_code;
	const char *phone_prefix;
	const char *timezone;
	char phone_prefix_norm[PHONE_LEN + 1];   /* storage for phone_prefix as stored */
};

/* Checks each filter value and writes phone_prefix as stored (+7 916 -> 7916); -1 with the bad
 * ones in v (the API answers 400). */
int client_filter_check(struct client_filter *f, struct verr *v);

/* Each returns a result whose row 0 holds the client for client_json() (its id in column 0);
 * no rows when there is no such client. NULL on a database error (db_is_unique: the phone
 * is taken). */
PGresult *client_get(struct db *db, const char *id);
PGresult *client_insert(struct db *db, const struct client_in *in);
PGresult *client_update(struct db *db, const char *id, const struct client_in *in);
/* Appends the time of epoch seconds s (a time column of these results) as the API writes it,
 * "YYYY-MM-DDTHH:MM:SSZ", as a JSON string when quoted. */
void client_time(struct buf *b, const char *s, int quoted);
/* Appends the JSON object of the client in row of r (a result of the functions below). */
void client_json(struct buf *b, const PGresult *r, int row);

/* Deletes the client and cancels its pending messages in the same statement.
 * 1 deleted, 0 no such client, -1 error. */
int client_delete(struct db *db, const char *id);
/* A page ordered by id (pg->after is a numeric key) of the clients matching f. */
PGresult *client_list(struct db *db, const struct page *pg, const struct client_filter *f);
/* The static text of the statement client_list() runs for f and a page of limit ($1..$4 the
 * filters, $5 the key, and $6 the limit + 1 unless limit is PAGE_DEFAULT); tests EXPLAIN it. */
const char *client_list_sql(const struct client_filter *f, int limit);
PGresult *client_count(struct db *db, const struct client_filter *f);

/* The admin's list: up to limit clients matching f in sort order ("id", "-id", "phone",
 * "-phone"), after the row whose key (client_key) is after_json (NULL: from the start).
 * Rows as client_list's; ordered by id, a filtered page is read from its filter's index as
 * client_list's is. */
PGresult *client_page(struct db *db, const char *sort, const char *after_json,
		      const struct client_filter *f, int limit);
/* The static text of the statement client_page() runs for sort and f; tests EXPLAIN it.
 * $1..$4 the filters, $6 the limit; $5 for "id" and "-id" the id after (before) which the page
 * starts (0, or the largest bigint, for the first page), for the phone sorts the JSON key. */
const char *client_page_sql(const char *sort, const struct client_filter *f);
/* The keyset key of row of a client_page result for sort, as JSON text appended to b. */
void client_key(struct buf *b, const PGresult *r, int row, const char *sort);
/* Pending messages of client id (cancelled if it is deleted); -1 on a database error. */
long long client_pending(struct db *db, const char *id);
/* Deletes the clients whose ids are in ids_json (a JSON array of ids) and cancels their pending
 * messages, in one statement. The number deleted, or -1. */
long long client_delete_many(struct db *db, const char *ids_json);

struct client_bulk_result {
	long long created, updated;
	json_t *errors;   /* [{"index": i, "errors": {...}}]; the caller owns it */
};

/* Upserts by phone every valid item of the array items (at most CLIENT_BULK_MAX; the caller
 * checks). Items that fail validation are reported in res->errors with their index; the others
 * are stored in one transaction, set-based. When a phone occurs more than once in items, the
 * last valid item with it wins. Existing clients are replaced as PUT does (a field not given
 * takes its default); one whose fields all stay the same is not written (updated_at kept).
 * created counts new phones, updated the phones that existed. 0, or -1 on a database error
 * (res->errors is still set). */
int client_bulk(struct db *db, json_t *items, struct client_bulk_result *res);

#endif
