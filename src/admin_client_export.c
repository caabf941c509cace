/* admin_client_export.c — /admin/clients/export.csv: the filtered list as CSV, streamed in
 * keyset batches after the handler returned. */
#include "admin.h"
#include "admin_client.h"
#include "admin_handlers.h"
#include "csv.h"
#include "log.h"
#include "model_client.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_BATCH 2000

struct export {
	char *f_vals[4];           /* tag, operator_code, phone_prefix, timezone (owned, may be NULL) */
	char sort[8];
	char *after;               /* the key of the last row written, or NULL */
	struct buf out;            /* written, not yet sent from off */
	size_t off;
	int done;
	long long rows;
};

static void export_free(void *cls)
{
	struct export *x = cls;
	for (int i = 0; i < 4; i++)
		free(x->f_vals[i]);
	free(x->after);
	buf_free(&x->out);
	log_info("admin.clients_exported", LI("rows", x->rows));
	free(x);
}

/* Fetches the next batch into x->out. -1 on a database error. */
static int export_fill(struct export *x)
{
	struct db *db = db_thread();
	struct client_filter f = {x->f_vals[0], x->f_vals[1], x->f_vals[2], x->f_vals[3]};
	PGresult *r = db ? client_page(db, x->sort, x->after, &f, EXPORT_BATCH) : NULL;
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	buf_reset(&x->out);
	x->off = 0;
	if (x->rows == 0 && x->after == NULL)
		buf_puts(&x->out, "id,phone,operator_code,tag,timezone,created_at,updated_at\r\n");
	for (int i = 0; i < n; i++) {
		/* id, phone and operator_code are digits; tag and time zone are any text */
		buf_printf(&x->out, "%s,%s,%s,", db_str(r, i, 0), db_str(r, i, 1), db_str(r, i, 2));
		csv_cell(&x->out, db_null(r, i, 3) ? NULL : db_str(r, i, 3));
		buf_putc(&x->out, ',');
		csv_cell(&x->out, db_str(r, i, 4));
		buf_putc(&x->out, ',');
		client_time(&x->out, db_str(r, i, 5), 0);
		buf_putc(&x->out, ',');
		client_time(&x->out, db_str(r, i, 6), 0);
		buf_puts(&x->out, "\r\n");
	}
	x->rows += n;
	if (n < EXPORT_BATCH) {
		x->done = 1;
	} else {
		struct buf k = BUF_INIT;
		client_key(&k, r, n - 1, x->sort);
		free(x->after);
		x->after = buf_steal(&k);
	}
	PQclear(r);
	return 0;
}

static ssize_t export_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct export *x = cls;
	(void)pos;
	while (x->off == x->out.len) {
		if (x->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (export_fill(x) < 0) {
			log_error("admin.export_failed", LI("rows", x->rows));
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	size_t n = x->out.len - x->off < max ? x->out.len - x->off : max;
	memcpy(dst, x->out.data + x->off, n);
	x->off += n;
	return (ssize_t)n;
}

void admin_clients_export(struct http_req *req)
{
	const char *sort, *q, *after;
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
	if (admin_db(req) == NULL)
		return;
	struct export *x = xcalloc(1, sizeof(*x));
	const char *vals[4] = {f.tag, f.operator_code, f.phone_prefix, f.timezone};
	for (int i = 0; i < 4; i++)
		x->f_vals[i] = vals[i] ? xstrdup(vals[i]) : NULL;
	snprintf(x->sort, sizeof(x->sort), "%s", sort);
	http_stream(req, 200, "text/csv; charset=utf-8", export_read, x, export_free);
	http_header(req, "Content-Disposition", "attachment; filename=\"clients.csv\"");
	http_header(req, "Cache-Control", "no-store");
}
