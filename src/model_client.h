/* model_client.h — clients: validation and SQL. The API and the admin both call these.
 * A client refers to its operator by code and to its tag by id; an unknown operator code or
 * tag name given for a client is created in the same statement (operator name ''). */
#ifndef HERALD_MODEL_CLIENT_H
#define HERALD_MODEL_CLIENT_H
#include <jansson.h>
#include "db.h"
#include "valid.h"
#include "buf.h"
#include "phone.h"
#include "resource.h"

#define CLIENT_BULK_MAX 100000
/* A client's attributes (API.md 9.4): at most this many keys of [a-z_][a-z0-9_]{0,31}, each a
 * string of at most CLIENT_ATTR_VALUE_MAX characters. */
#define CLIENT_ATTRS_MAX 32
#define CLIENT_ATTR_VALUE_MAX 256

struct client_in {
	const char *phone;          /* NULL when not given (PATCH) */
	const char *operator_code;  /* NULL when not given (PATCH) */
	int tag_given;              /* the tag field was given (always 1 unless PATCH) */
	const char *tag;            /* NULL: no tag */
	const char *timezone;       /* NULL when not given (PATCH) */
	json_t *attributes;         /* borrowed; NULL when not given: {} unless PATCH. A null value
				     * removes its key (PATCH) or is no key at all */
	char operator_default[4];   /* storage for the default operator code */
	char phone_norm[PHONE_LEN + 1]; /* storage for the phone as stored (phone_normalise) */
};

/* Validates in. Not partial (POST, PUT, bulk items): phone is required and absent optional
 * fields take their defaults (operator_code = phone digits 2..4, tag = none, timezone =
 * cfg.default_timezone, attributes = {}), so PUT replaces every field. partial (PATCH): only
 * the fields given change, and the attributes given are merged into the client's. The phone is taken as people write it (phone_normalise) and stored as 7XXXXXXXXXX.
 * Strings are borrowed from in (or cfg, or out itself); out must outlive nothing else.
 * A bad attribute is reported on "attributes.KEY". Returns 0, or -1 with every bad field in v. */
int client_validate(json_t *in, int partial, struct client_in *out, struct verr *v);
/* The JSON text of in's attributes (malloc'ed), or NULL when they were not given. */
char *client_attrs_text(const struct client_in *in);
/* 1 when k may be the key of an attribute ([a-z_][a-z0-9_]{0,31}). */
int client_attr_key_valid(const char *k);
/* Checks the attributes object a as client_validate does: each bad key or value on
 * "attributes.KEY", too many keys or not an object on "attributes". */
void client_attrs_check(json_t *a, struct verr *v);

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
/* The filters of q (the values of res_clients.filters, in struct client_filter's order). */
void client_filter_of(const struct res_query *q, struct client_filter *f);

/* A client as a list hands it over. Strings are borrowed for the call. */
struct client_row {
	int64_t id;
	const char *phone, *operator_code;
	const char *tag;                   /* NULL: no tag */
	const char *timezone;
	int64_t created_at, updated_at;    /* epoch seconds */
	const char *attributes;            /* the JSON text of the object */
};

/* Takes one row of a list; arg is client_list's. */
typedef void (*client_put)(void *arg, const struct client_row *c);

/* The one list of clients: up to q->limit clients matching f (checked) in the order q->sort
 * ("id", "-id", "phone", "-phone"), after the key q->after (a JSON array as text: [id] for the
 * id orders, ["phone"] for the phone orders; NULL: from the start), each handed to put. *next
 * (malloc'ed) is the key of the last one when more follow, else NULL; *first (first may be
 * NULL) the key of the first one (malloc'ed; NULL when there are none). MODEL_INVALID when
 * q->after does not fit q->sort. Ordered by id, a filtered page is read from its filter's
 * index. */
enum model_rc client_list(struct db *db, const struct res_query *q, const struct client_filter *f,
			  client_put put, void *arg, char **next, char **first);
/* The static text of the statement client_list() runs for sort, f and a page of limit; tests
 * EXPLAIN it. $1..$4 the filters; $5 for "id" and "-id" the id after (before) which the page
 * starts (0, or the largest bigint, for the first page), for the phone orders the JSON key; $6
 * the limit + 1, except ordered by "id" with a page of PAGE_DEFAULT (a constant LIMIT). */
const char *client_list_sql(const char *sort, const struct client_filter *f, int limit);
/* The keys of the attributes of the clients that match f (checked), each once, in byte order: a
 * JSON array (new reference), or NULL on a database error. */
json_t *client_attr_keys(struct db *db, const struct client_filter *f);
/* Appends the time of epoch seconds t as the API writes it, "YYYY-MM-DDTHH:MM:SSZ"
 * (CLIENT_TIME_LEN characters), as a JSON string when quoted. */
#define CLIENT_TIME_LEN 20
void client_time(struct buf *b, int64_t t, int quoted);
/* A client_put: c's JSON object appended to the JSON array being written in arg (a struct buf
 * that holds at least its '['). */
void client_put_json(void *arg, const struct client_row *c);

/* The model of res_clients (resource.h): objects as the API shows them, keys the ids. Writes
 * validate as client_validate (PUT and the admin's forms are not partial); a phone that is
 * taken is reported on the phone field. Deleting a client cancels its pending messages in the
 * same statement. */
extern const struct res_model client_model;
/* res_clients' list_json and count_of: the API's page of client_list for q's filters (checked:
 * MODEL_INVALID with the bad ones in q->bad), and the number of clients that match them. */
enum model_rc client_list_json(struct db *db, const struct res_query *q, struct buf *out, char **next,
			       char **first);
enum model_rc client_count(struct db *db, const struct res_query *q, int64_t *n);
/* The pending messages of client id (cancelled if it is deleted) in *n. */
enum model_rc client_pending(struct db *db, int64_t id, int64_t *n);

struct client_bulk_result {
	long long created, updated;
	json_t *errors;   /* [{"index": i, "errors": {...}}]; the caller owns it */
	const char *lang; /* set by the caller: the errors' language (valid.h), NULL: English */
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
