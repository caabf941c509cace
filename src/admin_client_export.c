/* admin_client_export.c — /admin/clients/export.csv: the filtered list as CSV (or for Excel),
 * streamed in keyset batches through export.c. */
#include "admin.h"
#include "admin_handlers.h"
#include "csv.h"
#include "export.h"
#include "log.h"
#include "model_client.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

#define EXPORT_BATCH 2000

struct clients_export {
	char *f_vals[4];           /* tag, operator_code, phone_prefix, timezone (owned, may be NULL) */
	char sort[8];
	char *after;               /* the key of the last row written, or NULL */
	long long rows;
	struct buf *out;           /* the batch being written, and its separator */
	char sep;
};

static void clients_export_free(void *cls)
{
	struct clients_export *x = cls;
	for (int i = 0; i < 4; i++)
		free(x->f_vals[i]);
	free(x->after);
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
	buf_puts(out, "\r\n");
	x->rows++;
}

/* The next batch of the export (an export_fill). */
static int clients_export_fill(void *cls, struct db *db, struct buf *out, char sep)
{
	struct clients_export *x = cls;
	struct client_filter f = {x->f_vals[0], x->f_vals[1], x->f_vals[2], x->f_vals[3], ""};
	struct res_query q = {x->sort, x->after, NULL, EXPORT_BATCH, {NULL}, NULL};
	char *next;
	x->out = out;
	x->sep = sep;
	if (client_list(db, &q, &f, put_line, x, &next) != MODEL_OK)
		return -1;
	free(x->after);
	x->after = next;
	return next != NULL;
}

void admin_clients_export(struct http_req *req)
{
	struct verr v = VERR_INIT;
	v.lang = admin_lang(req);
	struct res_query q = {NULL, NULL, NULL, EXPORT_BATCH, {NULL}, &v};
	struct client_filter f;
	if (admin_res_query(req, &res_clients, &q) < 0)
		return;
	client_filter_of(&q, &f);
	if (client_filter_check(&f, &v) < 0) {
		json_t *errs = verr_take(&v);
		char *msg = admin_res_problems(req, &res_clients, errs);
		json_decref(errs);
		admin_error(req, 400, msg);
		free(msg);
		return;
	}
	static const char *const header[] = {"id", "phone", "operator_code", "tag", "timezone", "created_at",
					     "updated_at", NULL};
	char sep;
	if (export_format(req, &sep) < 0 || admin_db(req) == NULL)
		return;
	struct clients_export *x = xcalloc(1, sizeof(*x));
	const char *vals[4] = {f.tag, f.operator_code, f.phone_prefix, f.timezone};
	for (int i = 0; i < 4; i++)
		x->f_vals[i] = vals[i] ? xstrdup(vals[i]) : NULL;
	snprintf(x->sort, sizeof(x->sort), "%s", q.sort);
	export_stream(req, "clients.csv", sep, header, clients_export_fill, x, clients_export_free);
}
