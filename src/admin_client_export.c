/* admin_client_export.c — /admin/clients/export.csv: the filtered list as CSV (or for Excel),
 * streamed in keyset batches through export.c. */
#include "admin.h"
#include "admin_client.h"
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

/* The next batch of the export (an export_fill). */
static int clients_export_fill(void *cls, struct db *db, struct buf *out, char sep)
{
	struct clients_export *x = cls;
	struct client_filter f = {x->f_vals[0], x->f_vals[1], x->f_vals[2], x->f_vals[3], ""};
	PGresult *r = client_page(db, x->sort, x->after, &f, EXPORT_BATCH);
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		/* id, phone and operator_code are digits; tag and time zone are any text */
		buf_printf(out, "%s%c%s%c%s%c", db_str(r, i, 0), sep, db_str(r, i, 1), sep, db_str(r, i, 2), sep);
		csv_cell(out, db_null(r, i, 3) ? NULL : db_str(r, i, 3), sep);
		buf_putc(out, sep);
		csv_cell(out, db_str(r, i, 4), sep);
		buf_putc(out, sep);
		client_time(out, db_str(r, i, 5), 0);
		buf_putc(out, sep);
		client_time(out, db_str(r, i, 6), 0);
		buf_puts(out, "\r\n");
	}
	x->rows += n;
	if (n == EXPORT_BATCH) {
		struct buf k = BUF_INIT;
		client_key(&k, r, n - 1, x->sort);
		free(x->after);
		x->after = buf_steal(&k);
	}
	PQclear(r);
	return n == EXPORT_BATCH;
}

void admin_clients_export(struct http_req *req)
{
	const char *sort, *q, *after;   /* an export starts at the beginning */
	struct client_filter f;
	struct verr v = VERR_INIT;
	if (admin_list_params(req, admin_client_sorts, &sort, &after, &q) < 0)
		return;
	if (admin_client_filter(req, &f, &v) < 0) {
		json_t *errs = verr_take(&v);
		char *msg = admin_client_filter_problems(errs);
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
	snprintf(x->sort, sizeof(x->sort), "%s", sort);
	export_stream(req, "clients.csv", sep, header, clients_export_fill, x, clients_export_free);
}
