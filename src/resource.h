/* resource.h — one descriptor per resource (redis' command table, h2o's handler
 * configuration): its fields and their form rules, list columns and sorts, messages, audit
 * kind and the model operations. Generic code drives the admin's list, add, edit and delete
 * pages (admin_resource.c) and the API's CRUD (api_resource.c) from it; resources.c holds the
 * descriptors. Objects are JSON objects in the API's shape; keys are text (an operator's code)
 * or positive int64 ids. */
#ifndef HERALD_RESOURCE_H
#define HERALD_RESOURCE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "db.h"
#include "outcome.h"

/* One field of a form (admin) and of the API object. The admin's texts here and in struct
 * admin_col and struct resource (label, hint, not_found, notices, ...) are paths in the language
 * catalogue (i18n.h), shown in the request's language. */
struct admin_field {
	const char *name;       /* the API's field name */
	const char *label;
	const char *type;       /* "text", "password", "number", "select", "checkbox", "textarea", ... */
	const char *options;    /* select: "a,b,c" */
	const char *hint;
	int required;
	int maxlength;          /* 0: none */
	const char *pattern;    /* HTML pattern attribute, or NULL */
};

/* One column of a list. */
struct admin_col {
	const char *label;
	const char *field;      /* key of the row object */
	const char *sort;       /* the ?sort= value ("-" prefix for descending is added), NULL: fixed */
	const char *options;    /* the option set whose labels its values show as (admin_option:
				 * admin.options.<options>.<value>), NULL: the value as data */
};

/* An object's key: text as in the path, and the id when the resource's keys are ids. */
struct res_key {
	const char *text;
	int64_t id;
};

#define RES_FILTERS_MAX 4

/* A list request: one order of the resource's sorts, after the key of the last row shown
 * (a JSON array as text, NULL: from the start), a search text (NULL: all), a row limit; for a
 * resource with filters, their values (resource.filters' order, NULL: absent) and where the
 * model reports those that are not valid (it then answers MODEL_INVALID); for res_list_objs,
 * before: the page is the rows before this key instead (NULL: after's page); zone: the IANA
 * zone whose days date filters name (NULL: UTC). */
struct res_query {
	const char *sort;
	const char *after;
	const char *q;
	int limit;
	const char *filter[RES_FILTERS_MAX];
	struct verr *bad;
	const char *before;
	const char *zone;
};

/* A list answer: up to limit objects (new reference), the key of the first one (a JSON array
 * as text, malloc'ed; NULL when there are none, and from res_list_objs for a page before a
 * key) and, when more follow, the key of the last one
 * (malloc'ed; NULL when none follow). res_list_objs also says where the page before it ends:
 * prev, the key of its first object when objects come before it (malloc'ed, else NULL). Free the
 * keys with res_page_keys_free. */
struct res_page {
	json_t *objs;
	char *next;
	char *first;
	char *prev;
};

void res_page_keys_free(struct res_page *p);

/* One order of a model's list: its ?sort= value, the SQL (parameters: $1 the key after which
 * the page starts, a JSON array or NULL; $2 the search text or NULL; $3 the row limit; rows of
 * JSON text and key as res_rows wants) and the types of its key (res_key_fits). */
struct res_order {
	const char *sort;
	const char *sql;
	const char *key_types;
};

/* What a model offers. Objects come back as new references. Writes validate in (a form or
 * an API body) and report bad fields in e->fields; a unique key that is taken is reported on
 * its field. A read that is one statement is given as its SQL instead of a function (get_sql
 * for get, ...): res_model_get, res_model_remove, res_model_list and res_model_count run
 * whichever the model has. */
struct res_model {
	enum model_rc (*get)(struct db *db, const struct res_key *k, json_t **out);
	enum model_rc (*insert)(struct db *db, json_t *in, struct model_err *e, json_t **out);
	/* partial: PATCH (only what is given); else PUT or the admin's form */
	enum model_rc (*update)(struct db *db, const struct res_key *k, json_t *in, int partial,
				struct model_err *e, json_t **out);
	enum model_rc (*remove)(struct db *db, const struct res_key *k);
	/* Removes the objects of keys (a JSON array of key texts), all or none; *n removed. NULL:
	 * no bulk delete. */
	enum model_rc (*remove_many)(struct db *db, json_t *keys, int *n);
	/* MODEL_INVALID when q->after is not a key of q->sort */
	enum model_rc (*list)(struct db *db, const struct res_query *q, struct res_page *out);
	/* the API's ?count=true (api_resource.c); neither it nor count_sql when the API is not the
	 * descriptor's */
	enum model_rc (*count)(struct db *db, int64_t *n);
	/* Removes every object that q's filters match, *n of them (the admin's "select all N
	 * matching"); MODEL_INVALID when a filter is not valid. NULL: not offered. */
	enum model_rc (*remove_matching)(struct db *db, const struct res_query *q, int64_t *n);
	const char *get_sql;          /* $1 the key's text: the object's JSON in row 0 */
	const char *remove_sql;       /* $1 the key's text */
	const char *removed;          /* the log event of a removal ("tag.deleted") and the key's */
	const char *removed_key;      /* field in it ("tag_id") */
	const struct res_order *orders;   /* the list's orders (res_list) */
	size_t norders;
	const char *count_sql;        /* no parameter: the number of objects */
};

/* The statements of a model of one table, by the object's JSON (json_sql), the table and the
 * condition that finds one object by its key ($1); a removal is logged as event with the key
 * under key_field. RES_ORDERS: the list's orders, an array. */
#define RES_TABLE_SQL(json_sql, table, key_cond, event, key_field) \
	.get_sql = "SELECT " json_sql " FROM " table " WHERE " key_cond, \
	.remove_sql = "DELETE FROM " table " WHERE " key_cond, \
	.count_sql = "SELECT count(*) FROM " table, .removed = event, .removed_key = key_field
#define RES_ORDERS(a) .orders = (a), .norders = sizeof(a) / sizeof((a)[0])

enum model_rc res_model_get(const struct res_model *m, struct db *db, const struct res_key *k, json_t **out);
enum model_rc res_model_remove(const struct res_model *m, struct db *db, const struct res_key *k);
enum model_rc res_model_list(const struct res_model *m, struct db *db, const struct res_query *q,
			     struct res_page *out);
enum model_rc res_model_count(const struct res_model *m, struct db *db, int64_t *n);
/* Whether objects of m can be removed one by one. */
int res_model_removes(const struct res_model *m);

struct http_req;

/* A change a list's rows offer besides deletion (the admin's bulk actions, each row changed
 * as on its own page): fn changes the object of id, *out the object after it (new reference);
 * MODEL_CONFLICT with *why (a catalogue path) when a state rule refuses. Recorded in the
 * history as "<kind>.<done>". */
struct res_action {
	const char *name;             /* the bulk form's action value: "cancel" */
	const char *label;            /* catalogue paths: the action, and what became of a row */
	const char *outcome;
	const char *done;             /* the history's verb and the ?done= notice: "cancelled" */
	enum model_rc (*fn)(struct db *db, int64_t id, json_t **out, const char **why);
};

struct resource {
	const char *kind;             /* "operator": actions "operator.created", objects "operator 916" */
	const char *key;              /* the key field of objects: "code", "id" */
	int key_is_id;                /* keys are positive int64 ids */
	const struct res_model *model;
	/* the API */
	const char *api_base;         /* "/api/v1/operators/": Location of a created object */
	const char *api_sort;         /* the API's order, one of sorts */
	const char *api_taken;        /* the 409 detail for a taken key, NULL: the outcome table's */
	const char *api_in_use;       /* the 409 detail when references keep it from deletion */
	int api_own;                  /* the API shows and changes only the caller's own objects (its
				       * owner filter), whatever the caller's role */
	/* the admin */
	const char *base;             /* "/admin/operators/"; the catalogue's admin.res.<kind> holds
				       * the pages' texts: many, add, edit, delete_heading,
				       * delete_question, delete_submit and, when the add form's
				       * button says more than add, create (admin_resource.c) */
	const char *name_field;       /* the field an object's heading shows, NULL: the key */
	const struct admin_field *fields;   /* the add form; the key field, when it is one, first:
					     * edit forms leave it out */
	size_t nfields;
	const struct admin_field *edit_fields;   /* the edit form when it differs, else NULL */
	size_t nedit_fields;
	const char *add_defaults;     /* the add form's first values (JSON object text), or NULL */
	const char *delete_note;      /* a sentence after the deletion question, or NULL */
	const struct admin_col *cols;
	size_t ncols;
	const char *const *sorts;     /* the ?sort= values offered, NULL-terminated; the first is default */
	const char *q_placeholder;    /* the search box's hint, or NULL */
	const char *not_found;        /* "admin.res.operator.not_found" */
	const char *in_use;           /* the 409 page when references keep it from deletion */
	const char *in_use_many;      /* the same for a bulk delete */
	const char *const *notices;   /* ?done= texts: "created", "admin.res.operator.created", ..., NULL */
	/* Runs after obj was changed (may be NULL). */
	void (*updated)(struct http_req *req, struct db *db, json_t *obj);
	/* Adds to the edit page of obj (links to related pages); may be NULL. */
	void (*edit_extra)(struct http_req *req, json_t *obj, json_t *page);
	/* A page explaining why obj cannot be deleted, answered instead of the confirmation; 0
	 * when it can be. May be NULL. */
	int (*delete_refused)(struct http_req *req, json_t *obj);
	/* The list's filters: query parameters named as the fields, each shown in the admin as an
	 * input with its label (hint: the placeholder); type "search": the admin's search box (?q)
	 * gives it; type "owner": the request's user's id (res_owner_of), never the query's, the
	 * field of objects that names their user; type "select": one of options ("a,b,c"; any
	 * first), labelled by the catalogue's admin.options.<hint>; type "date": a day
	 * (YYYY-MM-DD) of the request's zone (res_query.zone), the first date filter's label
	 * naming that zone. At most RES_FILTERS_MAX; NULL: none. */
	const struct admin_field *filters;
	size_t nfilters;
	/* The model's list for pages of many cheap rows (clients), set instead of model->list: the
	 * page as the API's JSON text, its objects appended to out as a JSON array with no object
	 * made per row, and *next and *first (may be NULL) as list's (res_list_objs reads it back
	 * for the admin). */
	enum model_rc (*list_json)(struct db *db, const struct res_query *q, struct buf *out, char **next,
				   char **first);
	/* The model's count for a resource with filters: the objects that match q's. */
	enum model_rc (*count_of)(struct db *db, const struct res_query *q, int64_t *n);
	int form_given;               /* an empty field of the admin's forms is not given (its
				       * default applies) */
	const char *bulk_done;        /* the ?done= notice of a bulk delete, NULL: "deleted" */
	/* Adds to the list page (actions); may be NULL. */
	void (*list_extra)(struct http_req *req, json_t *page);
	/* The sentence after the deletion question of obj, in the request's pool, when it depends
	 * on obj (delete_note else); NULL after answering a failure. May be NULL. */
	const char *(*delete_note_of)(struct http_req *req, struct db *db, json_t *obj);
	const char *secret;           /* a field of a created object that is shown once (created_page)
				       * and never recorded in the history, or NULL */
	/* Answers the add form's success with the object created instead of going back to the
	 * list (the page that shows the secret); may be NULL. */
	void (*created_page)(struct http_req *req, json_t *obj);
	const char *deleted;          /* the history's and ?done='s word for a deletion ("revoked"),
				       * NULL: "deleted" */
	/* The admin's form given to the model, changed in place where a field's text stands for
	 * an object (a client's attributes as key=value lines, a mailing's template by its name):
	 * -1 with the bad fields in v, and the form is shown again (-1 with none: the database
	 * failed). NULL: as it is. */
	int (*form_in)(struct http_req *req, struct db *db, json_t *in, struct verr *v);
	/* An object's values (a copy) changed in place into the texts its form shows. NULL: as
	 * they are. */
	void (*form_out)(struct http_req *req, struct db *db, json_t *values);
	/* The changes the list's rows offer besides deletion (res_action), each row changed on
	 * its own, and each object's page by a route of its own (admin_res_act); NULL: none. */
	const struct res_action *actions;
	size_t nactions;
	/* The question before deleting the objects of keys (a JSON array of key texts) one by one,
	 * as a model without remove_many does, in the request's pool (it may count what goes
	 * with them); NULL after answering a failure. Such a model's descriptor sets it. */
	const char *(*delete_many_question)(struct http_req *req, struct db *db, json_t *keys);
	/* Adds to a list row's object what its columns show (admin_list_objs: an object value is
	 * a cell as given); may be NULL. */
	void (*list_row)(struct http_req *req, json_t *obj);
	/* A field the add form sets to the id of the user who adds the object (a mailing's
	 * created_by), or NULL. */
	const char *creator;
	/* The form's names of the fields the model reports errors on under others: "filter.tags",
	 * "tags", ..., NULL (the form shows the filter's tags in a field of its own); or NULL. */
	const char *const *form_names;
	/* The add form's first values, in the request's pool, when they depend on the request (a
	 * copy of another object), NULL to use add_defaults; may be NULL. */
	json_t *(*add_values)(struct http_req *req);
	int composer;                 /* its forms carry the text composer (admin/composer.html) */
	int own_page;                 /* its objects have a page of their own at base + key, not
				       * these (a mailing's): the edit form is at base + key + "/edit",
				       * headed by the catalogue's edit_heading, and goes back there */
	/* The fields of obj its edit form may change now, by obj's state: NULL all of them, else
	 * a comma-separated list (a running mailing's "end_at", changed alone; "": none, and a
	 * POST is refused), with the reason in *why (a text in the request's language). NULL:
	 * all, always. */
	const char *(*editable)(struct http_req *req, json_t *obj, const char **why);
};

/* For models: row 0 of r (the object's JSON text in column 0) as *out; MODEL_NOT_FOUND when
 * r has no rows, a database failure when r is NULL. Clears r. */
enum model_rc res_row(struct db *db, PGresult *r, json_t **out);
/* For models: the outcome of a write that returns its object (res_row of r): a unique
 * violation is MODEL_DUPLICATE on field with the catalogue message taken; another failure is
 * the database's. Sets e->rc. */
enum model_rc res_written(struct db *db, PGresult *r, struct model_err *e, const char *field, const char *taken,
			  json_t **out);
/* For models: rows of r (JSON text in column 0, the keyset key in column 1) as a page of up
 * to limit objects. Clears r. */
enum model_rc res_rows(struct db *db, PGresult *r, int limit, struct res_page *out);
/* For models: the number of deleted or changed rows of r (a command result); a database
 * failure when r is NULL, MODEL_NOT_FOUND when none. Clears r. */
enum model_rc res_changed(struct db *db, PGresult *r, int *n);
/* For models: the count in row 0 column 0 of r. Clears r. */
enum model_rc res_count(struct db *db, PGresult *r, int64_t *n);

/* The SQL of one order of a model's list: objects as json_sql (column 0) from from_sql, with
 * the key (column 1, a JSON array of key), after $1 as keycmp compares it, matching the
 * search condition match on $2 when it is given, by order, at most $3. */
#define RES_LIST_SQL(json_sql, from_sql, match, keycmp, key, order) \
	"SELECT " json_sql ", json_build_array(" key ")::text FROM " from_sql \
	" WHERE ($1::json IS NULL OR " keycmp ") AND ($2::text IS NULL OR " match ")" \
	" ORDER BY " order " LIMIT $3"
/* The model named model of table, a resource with a unique name and bigint ids: objects as
 * json_sql, the four orders "name", "-name", "id", "-id" matching match on $2, written by
 * insert_fn and update_fn, removal logged as event with the id under key_field. */
#define RES_NAME_ID_MODEL(model, insert_fn, update_fn, json_sql, table, match, event, key_field) \
	static const struct res_order model##_orders[] = { \
		{"name", RES_LIST_SQL(json_sql, table, match, "name > $1::json->>0", "name", "name"), "s"}, \
		{"-name", RES_LIST_SQL(json_sql, table, match, "name < $1::json->>0", "name", "name DESC"), "s"}, \
		{"id", RES_LIST_SQL(json_sql, table, match, "id > ($1::json->>0)::bigint", "id", "id"), "i"}, \
		{"-id", RES_LIST_SQL(json_sql, table, match, "id < ($1::json->>0)::bigint", "id", "id DESC"), "i"}, \
	}; \
	const struct res_model model = { \
		.insert = insert_fn, .update = update_fn, \
		RES_TABLE_SQL(json_sql, table, "id = $1::bigint", event, key_field), \
		RES_ORDERS(model##_orders), \
	}

/* For models: runs the order of orders (n of them; the first when none matches) that q asks
 * for. MODEL_INVALID when q->after does not fit its key. */
enum model_rc res_list(struct db *db, const struct res_order *orders, size_t n, const struct res_query *q,
		       struct res_page *out);
/* The same with q's first nfilters filters as the SQL's $4, $5, ... (NULL: SQL NULL). */
enum model_rc res_list_filtered(struct db *db, const struct res_order *orders, size_t n, const struct res_query *q,
				size_t nfilters, struct res_page *out);

/* A page of r's list as objects: list's, or list_json's text read back. With q->before, the
 * page of q->limit objects that come before that key in q->sort's order: the page after it in
 * the mirror order (the sort with its "-" toggled, which every model with an admin list offers,
 * though the descriptor may not), read backwards; keyset both ways, no OFFSET. */
enum model_rc res_list_objs(struct db *db, const struct resource *r, const struct res_query *q,
			    struct res_page *out);
/* The same over any list: list(db, q, ctx, out) gives the page after q->after in q->sort's
 * order (with out->first and out->next); res_list_both answers q->before's page with it. */
typedef enum model_rc (*res_list_fn)(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out);
enum model_rc res_list_both(struct db *db, const struct res_query *q, res_list_fn list, const void *ctx,
			    struct res_page *out);
/* A resource's list as a res_list_fn: ctx is the resource (const struct resource *). */
enum model_rc res_list_of(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out);

/* For models: 1 when after (a cursor's key, a JSON array as text; NULL fits) holds the
 * values of types, one letter each: 'i' an integer, 's' a string. */
int res_key_fits(const char *after, const char *types);

/* The descriptors (resources.c). */
extern const struct resource res_operators, res_tags, res_smpp_accounts, res_users, res_stoplist;
extern const struct resource res_clients, res_tokens, res_templates, res_providers, res_webhooks;

/* The filter of r of type "owner", or NULL. */
const struct admin_field *res_owner(const struct resource *r);
/* The user whose objects of r req sees and changes: the id of req's user as text (in the
 * request's pool), or NULL for every user's (an admin, or r has no owner). */
const char *res_owner_of(struct http_req *req, const struct resource *r);
/* Mailings: the admin's pages of its own (admin_mailings.c) with the descriptor's fields,
 * columns, messages and writes; the API's handlers are api_mailings.c. */
extern const struct resource res_mailings;

/* The object's text for the change history: "operator 916". In the request's pool. */
const char *res_object(struct http_req *req, const struct resource *r, const char *key);

/* The writes both front ends share: each calls the model and, when it changed something,
 * records the change in the history under "<kind>.created|updated|deleted" with the fields
 * before and after (audit_changes). *out (may be NULL) gets the object written, in the
 * request's pool. */
enum model_rc res_create(struct http_req *req, struct db *db, const struct resource *r, json_t *in,
			 struct model_err *e, json_t **out);
enum model_rc res_update(struct http_req *req, struct db *db, const struct resource *r,
			 const struct res_key *k, json_t *in, int partial, struct model_err *e, json_t **out);
enum model_rc res_delete(struct http_req *req, struct db *db, const struct resource *r, const struct res_key *k);
/* Records a write of the object of key that the model made by other means (a mailing created
 * by its user, cancelled): "<kind>.<verb>" with the fields before and after (either may be
 * NULL; r's secret left out), as the writes above do. */
void res_record(struct http_req *req, struct db *db, const struct resource *r, const char *verb,
		const char *key, json_t *before, json_t *after);
enum model_rc res_delete_many(struct http_req *req, struct db *db, const struct resource *r, json_t *keys);
/* "All that match" for a model without remove_matching (a list of modest size): its keys are
 * read page by page, at most RES_MATCHING_MAX. */
#define RES_MATCHING_MAX 10000
#define RES_MATCHING_BATCH 500
/* Every object list (with ctx) gives for q, read RES_MATCHING_BATCH at a time, in order: a new
 * array in *objs; MODEL_CONFLICT past max objects (*objs then holds more than that). */
enum model_rc res_list_every(struct db *db, res_list_fn list, const void *ctx, const struct res_query *q,
			     size_t max, json_t **objs);
/* The keys (as text: each object's field key) of every object list (with ctx) gives for q,
 * read RES_MATCHING_BATCH at a time: a new array in *keys; MODEL_CONFLICT past
 * RES_MATCHING_MAX (*keys then holds more than that). */
enum model_rc res_list_keys(struct db *db, res_list_fn list, const void *ctx, const struct res_query *q,
			    const char *key, json_t **keys);
/* How many objects of r q's filters match: r->count_of, else counted page by page
 * (MODEL_CONFLICT past RES_MATCHING_MAX). */
enum model_rc res_count_matching(struct db *db, const struct resource *r, const struct res_query *q, int64_t *n);
/* Removes every object of r that q's filters match, *n of them: in one statement with
 * r->model->remove_matching, else their keys (res_count_matching's) with remove_many. Records
 * it once: "<kind>.deleted_matching" with the filters and the count. */
enum model_rc res_delete_matching(struct http_req *req, struct db *db, const struct resource *r,
				  const struct res_query *q, int64_t *n);
/* The object of k, in the request's pool. */
enum model_rc res_get(struct http_req *req, struct db *db, const struct resource *r, const struct res_key *k,
		      json_t **out);
/* Reads key text into k: 0, or -1 when the resource's keys are ids and text is not one. */
int res_key_parse(const struct resource *r, const char *text, struct res_key *k);

/* Keyset cursors, one format for the API and the admin: the key of the last row shown (a JSON
 * array as text) in base64url. decode: 0 with the key in the request's pool, or -1. */
void res_cursor_encode(const char *key, char *out, size_t outlen);
int res_cursor_decode(struct http_req *req, const char *cursor, const char **key);
#define RES_CURSOR_MAX 512

#endif
