/* admin.h — what every admin page shares: the gate (session, role, CSRF), rendering a page
 * inside the layout, and the two reusable patterns: list pages (columns with sort links,
 * search, keyset "next" links, bulk checkboxes) and forms (one spec row per field; errors
 * beside each field; input kept). A resource page only builds data for templates/admin/
 * list.html or form.html (or its own template) from its model. */
#ifndef HERALD_ADMIN_H
#define HERALD_ADMIN_H
#include <jansson.h>
#include "db.h"
#include "http.h"
#include "resource.h"
#include "admin_text.h"
#include "admin_time.h"

#define ADMIN_PAGE 50
#define ADMIN_Q_MAX 100

struct admin_list_spec {
	const char *base;             /* "/admin/operators/" */
	const struct admin_col *cols;
	size_t ncols;
	const char *key_field;        /* rows link to base + this field's value (NULL: no links) */
	int bulk;                     /* checkboxes named "key" for bulk actions */
	const char *const *keep;      /* filter parameters carried by sort and page links, or NULL */
};

/* For AUTH_SESSION routes, called before the body is read: signs the request in from its
 * cookie (else 303 to /admin/login?next=...) and checks the route's role (else a 403 page).
 * 0 to go on, -1 answered. */
int admin_gate(struct http_req *req);
/* Then, with the body: for POST, parses the form and checks its csrf_token (else a 400 or
 * 403 page). 0 to go on, -1 answered. */
int admin_gate_form(struct http_req *req);

/* Renders template tmpl with data (borrowed: pages build it in the request's pool) plus "me"
 * (user, role flags), "nav", "csrf_token", "lang" and the language's catalogue as "t"
 * ({{t.admin.…}}), as text/html. */
void admin_page(struct http_req *req, int status, const char *tmpl, json_t *data);
/* An error page with status and message (a catalogue path, or a text shown as it is). */
void admin_error(struct http_req *req, int status, const char *message);
/* 303 See Other to location. */
void admin_redirect(struct http_req *req, const char *location);
/* The thread's database, or NULL after a 503 page. From here on (and from admin_gate on)
 * http_fail answers with admin_error pages. */
struct db *admin_db(struct http_req *req);
/* The POSTed form without csrf_token (borrowed; an empty object for GET). */
json_t *admin_form(struct http_req *req);

/* Field objects for templates/admin/form.html from spec rows (labels, hints and select
 * options in the request's language: admin.options.<field>.<value>), current values (a form or an
 * object; borrowed, may be NULL) and errors ({"field": ["msg"]}, borrowed, may be NULL);
 * editable: the fields that may change (comma-separated; "" none), the others read-only, or
 * NULL for all. Errors for fields not in spec are listed under "" (form-wide). datetime-local
 * fields are labelled with the user's zone (admin_time_label). New reference. */
json_t *admin_fields(struct http_req *req, const struct admin_field *f, size_t n, json_t *values,
		     json_t *errors, const char *editable);

/* Renders templates/admin/form.html: page (borrowed) carries heading, action, submit,
 * cancel_href...; fields come from spec rows f, values (borrowed, may be NULL), errors
 * (stolen into the request's pool, may be NULL) and editable (admin_fields'; "": a read-only
 * form, with no button). */
void admin_form_page(struct http_req *req, int status, json_t *page, const struct admin_field *f,
		     size_t n, json_t *values, json_t *errors, const char *editable);

/* Reads a list page's query into q: ?sort (one of sorts, NULL-terminated; default the
 * first), ?cursor (q->after) or ?before (q->before; in the request's pool, NULL for the first
 * page) and ?q (NULL when empty); q's limit and filters are left as they are. -1 after a 400
 * page. */
int admin_list_params(struct http_req *req, const char *const *sorts, struct res_query *q);
/* res_list_both(db, q, list, ctx) into page, whose keys the request's pool frees. -1 after an
 * error page (a broken cursor: 400). */
int admin_list_both(struct http_req *req, struct db *db, const struct res_query *q, res_list_fn list,
		    const void *ctx, struct res_page *page);

/* The "list" object for templates/admin/list.html: objs (stolen) holds the objects shown (at
 * most a page; a column's value that is an object is its cell as given: {"text", "badge",
 * "bar", "data"}, a text of a column with options the label of its value, any other value
 * as admin_cell shows it); next_key (JSON text, may be NULL) is the key of the last one when more follow,
 * prev_key (may be NULL) the key of the first one when objects come before it (a link with
 * ?before=). New reference. */
json_t *admin_list_objs(struct http_req *req, const struct admin_list_spec *spec, json_t *objs,
			const char *next_key, const char *prev_key, const char *sort, const char *q);

/* A value as a list cell or detail shows it: yes/no, "—" for null or absent, API times as
 * admin_time shows them, numbers as text. New reference. */
json_t *admin_cell(struct http_req *req, json_t *v);

/* A filter select for templates/admin/list.html ("filters" array): query parameter name,
 * its label, the options whose labels the values take (admin_option) and the values offered
 * (NULL-terminated; "" first means "any"). The current value of ?name is selected. New
 * reference. */
json_t *admin_filter(struct http_req *req, const char *name, const char *label, const char *options,
		     const char *const *values);

/* A free-text filter for the "filters" array of templates/admin/list.html: query parameter
 * name, its label and a placeholder; shows the current value of ?name. New reference. */
json_t *admin_filter_input(struct http_req *req, const char *name, const char *label, const char *placeholder);
/* A day filter (YYYY-MM-DD) for the "date_filters" array of templates/admin/list.html: query
 * parameter name, its label (a catalogue path), naming the user's zone when zoned (the first
 * of a range: its days are that zone's); shows the current value of ?name. New reference. */
json_t *admin_date_filter(struct http_req *req, const char *name, const char *label, int zoned);

/* A row of a detail page (templates/admin/detail.html): the object's field and its label (a
 * catalogue path); options: the choices its value's label is taken from (admin_option), NULL
 * when the value is data (admin_cell); link: a path prefix that an integer value links to
 * ("/admin/mailings/"), or NULL. */
struct admin_prop {
	const char *field, *label, *options, *link;
};
/* The "items" of templates/admin/detail.html: the fields of obj (borrowed) that props names
 * (n of them), those obj lacks left out. New reference. */
json_t *admin_detail_items(struct http_req *req, json_t *obj, const struct admin_prop *props, size_t n);

/* After reading what "select all that match" takes (res_list_keys, res_count_matching): 0 when
 * rc is MODEL_OK; else -1 after a 400 page saying more than RES_MATCHING_MAX match (too_many, a
 * catalogue format with that number as its %d) or the failure's page. */
int admin_matching_read(struct http_req *req, enum model_rc rc, const char *too_many);

/* The fields of form (borrowed) that were filled in: empty text fields left out, so the
 * validators see them as not given (defaults apply). New reference. */
json_t *admin_form_given(json_t *form);

/* The notice for ?done= in the request's language: pairs is "key", "path", ..., NULL. NULL when
 * none applies. */
const char *admin_notice(struct http_req *req, const char *const *pairs);

/* base + key percent-encoded + suffix, malloc'ed ("/admin/tags/" "7" "/delete"). */
char *admin_path(const char *base, const char *key, const char *suffix);

/* The pages of a resource, driven by the descriptor of the route (route.res; admin_resource.c):
 * the list (with bulk delete when the model has it), add, edit (read-only below operator) and
 * delete (a confirmation, then the deletion). */
void admin_res_list(struct http_req *req);
/* The catalogue path of r's text called what: admin.res.<kind>.<what>, in the request's pool. */
const char *admin_res_path(struct http_req *req, const struct resource *r, const char *what);
/* The text of r's pages called what (admin_res_path), with its %s as arg when given. */
const char *admin_res_text(struct http_req *req, const struct resource *r, const char *what, const char *arg);
/* r's list page (admin_res_list's) with the outcomes of a bulk change above it ([{"text",
 * "ok", "id", "href", "linked"}], borrowed; may be NULL). */
void admin_res_list_page(struct http_req *req, const struct resource *r, json_t *outcomes);
void admin_res_add(struct http_req *req);
void admin_res_edit(struct http_req *req);
void admin_res_delete(struct http_req *req);
void admin_res_bulk(struct http_req *req);
/* POST base + key + "/" + name: r's change called name (res_action) on that object, recorded as
 * every change is; back to the list (or the object's own page) with its notice, or a 409 page
 * with the state rule that refused it (the catalogue's admin.res.<kind>.change_refused). */
void admin_res_act(struct http_req *req);
/* The object of r whose key is the path's first parameter (in the request's pool, key in *k)
 * and the database, or NULL after a page (404 with r->not_found). */
json_t *admin_res_load(struct http_req *req, const struct resource *r, struct res_key *k, struct db **db);
/* What the form (borrowed) of r gives its model, in the request's pool: with r->form_given,
 * its fields filled in; an owned object is the request's user's, and so is one added (adding)
 * of a resource with a creator; r->form_in makes its objects. NULL with e->rc and the bad
 * fields in e. */
json_t *admin_res_given(struct http_req *req, struct db *db, const struct resource *r, json_t *form, int adding,
			struct model_err *e);
/* The values of obj as its form shows them (r->form_out's, on a copy in the request's pool). */
json_t *admin_res_shown(struct http_req *req, struct db *db, const struct resource *r, json_t *obj);
/* The errors of a write of r (e's fields, taken) under the names of its form's fields
 * (r->form_names). New reference. */
json_t *admin_res_errors(const struct resource *r, struct model_err *e);
/* The list request of r's page from the query string: sort, cursor and search (admin_list_params),
 * ?before (the previous pages') and r's filters (empty values absent). -1 after a 400 page. */
int admin_res_query(struct http_req *req, const struct resource *r, struct res_query *q);
/* Runs act (NULL: deletion) on the object of k, recorded as every change of r is: MODEL_OK, or
 * why a state rule refused it in *why (MODEL_CONFLICT). */
enum model_rc admin_res_run(struct http_req *req, struct db *db, const struct resource *r, const struct res_action *act,
			    const struct res_key *k, const char **why);
/* A bulk change object by object (admin_res_each.c): act (NULL: deletion) on the objects of
 * keys, the ones selected (in NULL) or all the list's filters match (in: their hidden inputs).
 * Unless confirmed, a deletion or a change of all asks first; then r's list says what became
 * of each. */
void admin_res_each(struct http_req *req, const struct resource *r, struct db *db, const struct res_action *act,
		    json_t *keys, json_t *in, int confirmed);
/* The list request of a bulk form for "all that match" into q: r's filters and search as the
 * form gives them, r's first sort, the request's zone; the model reports bad filters in bad. */
void admin_res_form_query(struct http_req *req, const struct resource *r, json_t *form, struct verr *bad,
			  struct res_query *q);
/* The filters of q that are given as hidden inputs ({"name", "value"}), the search as "q"; NULL
 * when none is (a list of everything offers no "select all"). In the request's pool. */
json_t *admin_res_matching(struct http_req *req, const struct resource *r, const struct res_query *q);
/* The filter problems (the model's fields in v, taken) as one sentence for the list page, with
 * r's filter labels, in the request's pool. */
const char *admin_res_problems(struct http_req *req, const struct resource *r, struct verr *v);
/* An object's own page: its key, the database, the object (in the request's pool) and its
 * paths, base + key (self) and + "/delete" (del). */
struct admin_obj {
	struct res_key k;
	struct db *db;
	json_t *obj;
	const char *self, *del;
};
/* admin_res_load into o with the paths: 0, or -1 after a page. */
int admin_res_open(struct http_req *req, const struct resource *r, struct admin_obj *o);

/* The last changes of object ("operator 916"; NULL: of everything) as {"rows": [...]} for the
 * "history" section of templates/admin/form.html, actions and objects in the request's
 * language, or NULL when there are none (admin_history.c). */
json_t *admin_history(struct http_req *req, struct db *db, const char *object);

#endif
