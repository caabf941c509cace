/* admin_clients.c — what the client pages add to the generic ones of res_clients
 * (admin_resource.c): the export and import links of the list, the pending messages a deletion
 * cancels, the attributes as key=value lines in the forms, and CSV import through the API's
 * bulk upsert with a per-line report; the CSV export is admin_client_export.c. */
#include "admin.h"
#include "admin_client.h"
#include "admin_handlers.h"
#include "audit.h"
#include "csv.h"
#include "db.h"
#include "import_job.h"
#include "form.h"
#include "log.h"
#include "model_client.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/clients/"
#define IMPORT_ERRORS_SHOWN 500

/* The query string of the current filters and sort, for the export link. */
static char *filter_query(struct http_req *req)
{
	static const char *const names[] = {"sort", "q", "tag", "operator_code", "timezone"};
	struct buf b = BUF_INIT;
	buf_puts(&b, "");
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		const char *v = http_query(req, names[i]);
		if (v && *v) {
			buf_printf(&b, "%c%s=", b.len ? '&' : '?', names[i]);
			buf_urlencode(&b, v);
		}
	}
	return buf_steal(&b);
}

void admin_clients_list_extra(struct http_req *req, json_t *page)
{
	char *query = filter_query(req);
	pool_defer(&req->pool, free, query);
	const char *export = pool_printf(&req->pool, BASE "export.csv%s", query);
	json_t *actions = json_pack("[{s:s, s:s}, {s:s, s:s}]", "href", export, "label",
				    admin_t(req, "admin.mailing.export"), "href",
				    pool_printf(&req->pool, "%s%cformat=excel", export, *query ? '&' : '?'), "label",
				    admin_t(req, "admin.mailing.export_excel"));
	if (req->user.role >= ROLE_OPERATOR)
		json_array_append_new(actions, json_pack("{s:s, s:s}", "href", BASE "import", "label",
								 admin_t(req, "admin.import.import_csv")));
	json_object_set_new(page, "actions", actions);
}

const char *admin_clients_delete_note(struct http_req *req, struct db *db, json_t *obj)
{
	int64_t pending;
	enum model_rc rc = client_pending(db, json_integer_value(json_object_get(obj, "id")), &pending);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return NULL;
	}
	if (pending == 0)
		return admin_t(req, "admin.res.client.no_pending");
	return admin_plural(req, "admin.res.client.pending", (long long)pending);
}

/* --- attributes: one key=value a line in the forms; in a value, \\, \n and \r stand for a
 * backslash and line breaks ---------------------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void admin_clients_form_out(struct http_req *req, struct db *db, json_t *values)
{
	json_t *a = json_object_get(values, "attributes"), *v;
	const char *keys[CLIENT_ATTRS_MAX], *k;
	size_t n = 0;
	struct buf b = BUF_INIT;
	json_object_foreach(a, k, v)
		if (n < CLIENT_ATTRS_MAX)
			keys[n++] = k;
	qsort(keys, n, sizeof(*keys), key_cmp);
	buf_puts(&b, "");
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%s=", keys[i]);
		for (const char *s = json_string_value(json_object_get(a, keys[i])); s && *s; s++)
			if (*s == '\\' || *s == '\n' || *s == '\r')
				buf_printf(&b, "\\%c", *s == '\n' ? 'n' : *s == '\r' ? 'r' : '\\');
			else
				buf_putc(&b, *s);
		buf_putc(&b, '\n');
	}
	json_object_set_new(values, "attributes", json_string(b.data));
	buf_free(&b);
}

/* s[0..len) without the spaces around it: *len shortened, the start returned. */
static const char *trimmed(const char *s, size_t *len)
{
	while (*len && isspace((unsigned char)*s))
		s++, (*len)--;
	while (*len && isspace((unsigned char)s[*len - 1]))
		(*len)--;
	return s;
}

/* The value of a line, its escapes undone (malloc'ed). */
static char *unescaped(const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "");
	for (size_t i = 0; i < len; i++) {
		char c = s[i], e = i + 1 < len ? s[i + 1] : '\0';
		if (c == '\\' && (e == 'n' || e == 'r' || e == '\\')) {
			c = e == 'n' ? '\n' : e == 'r' ? '\r' : '\\';
			i++;
		}
		buf_putc(&b, c);
	}
	return buf_steal(&b);
}

/* Reads line no (s[0..len), not empty) into a with the model's rules; -1 with its errors in v. */
static int read_line(const char *s, size_t len, long no, json_t *a, struct verr *v)
{
	const char *eq = memchr(s, '=', len);
	if (eq == NULL) {
		verr_add(v, "attributes", "admin.attributes.not_pair", no, (int)(len > 40 ? 40 : len), s);
		return -1;
	}
	size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
	const char *k = trimmed(s, &klen), *val = trimmed(eq + 1, &vlen);
	char *key = xstrndup(k, klen), *value = unescaped(val, vlen);
	json_t *one = json_object(), *errs, *msgs, *m;
	struct verr rules = {NULL, v->lang};
	const char *field;
	size_t i;
	if (json_object_set_new(one, key, json_string(value)) < 0)
		verr_add(v, "attributes", "admin.attributes.not_utf8", no);
	else if (json_object_get(a, key))
		verr_add(v, "attributes", "admin.attributes.twice", no, key);
	client_attrs_check(one, &rules);
	errs = verr_take(&rules);
	json_object_foreach(errs, field, msgs)
		json_array_foreach(msgs, i, m)
			verr_add(v, "attributes", "admin.attributes.line", no, key, json_string_value(m));
	int rc = errs || json_object_size(one) == 0 || json_object_get(a, key) ? -1 : 0;
	if (rc == 0)
		json_object_update(a, one);
	json_decref(errs);
	json_decref(one);
	free(key);
	free(value);
	return rc;
}

int admin_clients_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v)
{
	const char *text = json_string_value(json_object_get(in, "attributes"));
	if (text == NULL)
		return 0;
	json_t *a = json_object();
	long no = 0, given = 0;
	for (const char *p = text; *p && given <= CLIENT_ATTRS_MAX; no++) {
		size_t len = strcspn(p, "\n");
		const char *s = trimmed(p, &len);
		p += strcspn(p, "\n");
		p += *p == '\n';
		if (len && ++given <= CLIENT_ATTRS_MAX)
			read_line(s, len, no + 1, a, v);
	}
	if (given > CLIENT_ATTRS_MAX)
		verr_add(v, "attributes", "admin.attributes.too_many", CLIENT_ATTRS_MAX);
	json_object_set_new(in, "attributes", a);
	return verr_any(v) ? -1 : 0;
}

/* --- import ----------------------------------------------------------------------------- */

static void import_page(struct http_req *req, int status, const char *error, json_t *result)
{
	json_t *page = pool_pack(&req->pool, "{s:s*, s:i, s:i, s:i}", "error", error, "max_rows", CLIENT_BULK_MAX,
				 "max_mb", ADMIN_IMPORT_LIMIT / (1024 * 1024), "job_mb",
				 IMPORT_JOB_MIN_BYTES / (1024 * 1024));
	struct db *db = db_thread();
	json_t *jobs = db ? admin_import_recent(req, db) : NULL, *job;
	size_t i;
	json_array_foreach(jobs, i, job)
		json_object_set_new(job, "status_label", json_string(admin_option(req, "import_status",
										  json_string_value(json_object_get(job, "status")))));
	json_object_set_new(page, "has_jobs", json_boolean(json_array_size(jobs) > 0));
	if (jobs)
		json_object_set_new(page, "jobs", jobs);
	if (result)
		json_object_set_new(page, "result", result);
	admin_page(req, status, "admin/import", page);
}

void admin_clients_import(struct http_req *req)
{
	if (req->method != HTTP_POST) {
		import_page(req, 200, NULL, NULL);
		return;
	}
	const char *file = form_str(admin_form(req), "file");
	struct client_import im;
	char err[300];
	struct db *db;
	if (file == NULL || *file == '\0') {
		import_page(req, 422, admin_t(req, "admin.import.empty"), NULL);
		return;
	}
	if (strlen(file) > ADMIN_IMPORT_LIMIT) {
		import_page(req, 413, admin_format(req, "admin.import.too_large", ADMIN_IMPORT_LIMIT / (1024 * 1024)), NULL);
		return;
	}
	if (client_import_open(&im, file, strlen(file), admin_lang(req), err, sizeof(err)) < 0) {
		import_page(req, 422, err, NULL);
		return;
	}
	if (im.text.len > IMPORT_JOB_MIN_BYTES) {
		admin_import_queue(req, &im);
		client_import_close(&im);
		return;
	}
	json_t *items = pool_json(&req->pool, json_array()), *lines = pool_json(&req->pool, json_array());
	if (client_import_read(&im, CLIENT_BULK_MAX + 1, items, lines) > CLIENT_BULK_MAX) {
		import_page(req, 422, admin_format(req, "admin.import.too_many_rows", CLIENT_BULK_MAX), NULL);
	} else if ((db = admin_db(req)) == NULL) {
		/* answered */
	} else if (client_import_store(&im, db, items, lines) < 0) {
		http_db_fail(req, db);
	} else {
		audit_route(db, req, "clients", pool_pack(&req->pool, "{s:I, s:I, s:I, s:I, s:I}", "rows",
							  (json_int_t)im.rows, "created", (json_int_t)im.created, "updated", (json_int_t)im.updated, "invalid",
							  (json_int_t)im.invalid, "normalised", (json_int_t)im.normalised));
		log_info("admin.clients_imported", LI("rows", im.rows), LI("created", im.created),
			 LI("updated", im.updated), LI("invalid", im.invalid), LI("normalised", im.normalised));
		json_t *result = client_import_result(&im, IMPORT_ERRORS_SHOWN);
		json_object_set_new(result, "read_as", json_string(admin_format(req, "admin.import.read_as",
			admin_option(req, "encoding", json_string_value(json_object_get(result, "encoding"))),
			admin_option(req, "separator", json_string_value(json_object_get(result, "separator"))))));
		import_page(req, 200, NULL, result);
	}
	client_import_close(&im);
}
