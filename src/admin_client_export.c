/* admin_client_export.c — /admin/clients/export.csv: the filtered list as CSV (or for Excel),
 * streamed in keyset batches through export.c, with a column for each attribute key the
 * clients exported have (client_import.c reads the file back). */
#include "admin.h"
#include "admin_handlers.h"
#include "client_import.h"
#include "csv.h"
#include "export.h"
#include "log.h"
#include "model_client.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_BATCH 2000

struct clients_export {
	char *f_vals[4];           /* tag, operator_code, phone_prefix, timezone (owned, may be NULL) */
	char sort[8];
	char *after;               /* the key of the last row written, or NULL */
	long long rows;
	struct buf *out;           /* the batch being written, and its separator */
	char sep;
	json_t *keys;              /* the attribute keys, one column each after the fixed ones */
	const char **header;       /* the header cells, NULL-ended: the fixed ones, then heads */
	char **heads;              /* the attribute columns' names as made (malloc'ed) */
};

static void clients_export_free(void *cls)
{
	struct clients_export *x = cls;
	for (int i = 0; i < 4; i++)
		free(x->f_vals[i]);
	free(x->after);
	for (size_t i = 0; i < json_array_size(x->keys); i++)
		free(x->heads[i]);
	free(x->heads);
	free(x->header);
	json_decref(x->keys);
	log_info("admin.clients_exported", LI("rows", x->rows));
	free(x);
}

/* A client's CSV line (a client_put). */
static void put_line(void *cls, const struct client_row *c)
{
	struct clients_export *x = cls;
	struct buf *out = x->out;
	char sep = x->sep;
	/* id, phone and operator_code are digits; tag and time zone are any text */
	buf_printf(out, "%lld%c%s%c%s%c", (long long)c->id, sep, c->phone, sep, c->operator_code, sep);
	csv_cell(out, c->tag, sep);
	buf_putc(out, sep);
	csv_cell(out, c->timezone, sep);
	buf_putc(out, sep);
	client_time(out, c->created_at, 0);
	buf_putc(out, sep);
	client_time(out, c->updated_at, 0);
	json_t *attrs = json_array_size(x->keys) ? json_loads(c->attributes, 0, NULL) : NULL, *k;
	size_t i;
	json_array_foreach(x->keys, i, k) {
		buf_putc(out, sep);
		csv_cell(out, json_string_value(json_object_get(attrs, json_string_value(k))), sep);
	}
	json_decref(attrs);
	buf_puts(out, "\r\n");
	x->rows++;
}

/* The next batch of the export (an export_fill). */
static int clients_export_fill(void *cls, struct db *db, struct buf *out, char sep)
{
	struct clients_export *x = cls;
	struct client_filter f = {x->f_vals[0], x->f_vals[1], x->f_vals[2], x->f_vals[3], ""};
	struct res_query q = {x->sort, x->after, NULL, EXPORT_BATCH, {NULL}, NULL, NULL, NULL};
	char *next;
	x->out = out;
	x->sep = sep;
	if (client_list(db, &q, &f, put_line, x, &next, NULL) != MODEL_OK)
		return -1;
	free(x->after);
	x->after = next;
	return next != NULL;
}

/* x's header: the client's columns, then a column for each of keys (taken). */
static void make_header(struct clients_export *x, json_t *keys)
{
	static const char *const fixed[] = {"id", "phone", "operator_code", "tag", "timezone", "created_at",
					    "updated_at"};
	size_t n = json_array_size(keys), i;
	json_t *k;
	x->keys = keys;
	x->heads = xcalloc(n + 1, sizeof(*x->heads));
	x->header = xcalloc(ARRAY_LEN(fixed) + n + 1, sizeof(*x->header));
	memcpy(x->header, fixed, sizeof(fixed));
	json_array_foreach(keys, i, k) {
		x->heads[i] = client_import_attr_column(json_string_value(k));
		x->header[ARRAY_LEN(fixed) + i] = x->heads[i];
	}
}

void admin_clients_export(struct http_req *req)
{
	struct verr v = VERR_INIT;
	v.lang = admin_lang(req);
	struct res_query q = {NULL, NULL, NULL, EXPORT_BATCH, {NULL}, &v, NULL, NULL};
	struct client_filter f;
	if (admin_res_query(req, &res_clients, &q) < 0)
		return;
	client_filter_of(&q, &f);
	if (client_filter_check(&f, &v) < 0) {
		admin_error(req, 400, admin_res_problems(req, &res_clients, &v));
		return;
	}
	char sep;
	struct db *db;
	json_t *keys;
	if (export_format(req, &sep) < 0 || (db = admin_db(req)) == NULL)
		return;
	if ((keys = client_attr_keys(db, &f)) == NULL) {
		http_db_fail(req, db);
		return;
	}
	struct clients_export *x = xcalloc(1, sizeof(*x));
	make_header(x, keys);
	const char *vals[4] = {f.tag, f.operator_code, f.phone_prefix, f.timezone};
	for (int i = 0; i < 4; i++)
		x->f_vals[i] = vals[i] ? xstrdup(vals[i]) : NULL;
	snprintf(x->sort, sizeof(x->sort), "%s", q.sort);
	export_stream(req, "clients.csv", sep, x->header, clients_export_fill, x, clients_export_free);
}
