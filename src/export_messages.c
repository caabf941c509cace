/* export_messages.c — /admin/mailings/{id}/messages.csv: a mailing's messages (status, attempts,
 * last error, times) in id order, streamed in keyset batches (export.c), optionally of one
 * status. */
#include "admin.h"
#include "admin_handlers.h"
#include "csv.h"
#include "export.h"
#include "log.h"
#include "model_message.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 5000
#define BATCH_SQL "5000"
#define NOT_FOUND "admin.res.mailing.not_found"

struct messages_export {
	char mailing[DB_NUM_LEN];
	char status[16];       /* its name, or "" for every status */
	char after[24];        /* the id of the last row written */
	long long rows;
};

static void messages_export_free(void *cls)
{
	struct messages_export *x = cls;
	log_info("admin.messages_exported", LS("mailing_id", x->mailing), LI("rows", x->rows));
	free(x);
}

static int messages_export_fill(void *cls, struct db *db, struct buf *out, char sep)
{
	static const char q[] =
		"SELECT g.id, g.phone, message_status_name(g.status), g.attempts, g.last_error,"
		" api_ts(g.created_at), api_ts(g.sent_at) FROM messages g"
		" WHERE g.mailing_id = $1 AND (g.mailing_id, g.id) > ($1, $2::bigint)"
		" AND ($3::text IS NULL OR g.status = message_status($3)) ORDER BY g.mailing_id, g.id LIMIT " BATCH_SQL;
	struct messages_export *x = cls;
	const char *p[] = {x->mailing, x->after, *x->status ? x->status : NULL};
	PGresult *r = db_exec(db, q, 3, p);
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		/* id, phone, status, attempts and times are plain; the last error is any text */
		buf_printf(out, "%s%c%s%c%s%c%s%c", db_str(r, i, 0), sep, db_str(r, i, 1), sep, db_str(r, i, 2), sep,
			   db_str(r, i, 3), sep);
		csv_cell(out, db_null(r, i, 4) ? NULL : db_str(r, i, 4), sep);
		buf_printf(out, "%c%s%c%s\r\n", sep, db_str(r, i, 5), sep, db_null(r, i, 6) ? "" : db_str(r, i, 6));
	}
	if (n)
		snprintf(x->after, sizeof(x->after), "%s", db_str(r, n - 1, 0));
	x->rows += n;
	PQclear(r);
	return n == BATCH;
}

void admin_mailings_export(struct http_req *req)
{
	static const char *const header[] = {"id", "phone", "status", "attempts", "last_error", "created_at",
					     "sent_at", NULL};
	const char *st = http_query(req, "status");
	int64_t id;
	char sep;
	struct db *db;
	if (st && *st == '\0')
		st = NULL;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, NOT_FOUND);
		return;
	}
	if (st && message_status_code(st) < 0) {
		admin_error(req, 400, "admin.messages.bad_status");
		return;
	}
	if (export_format(req, &sep) < 0 || (db = admin_db(req)) == NULL)
		return;
	const char *p[] = {req->params[0]};
	PGresult *r = db_exec(db, "SELECT 1 FROM mailings WHERE id = $1", 1, p);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	int found = PQntuples(r) == 1;
	PQclear(r);
	if (!found) {
		admin_error(req, 404, NOT_FOUND);
		return;
	}
	struct messages_export *x = xcalloc(1, sizeof(*x));
	db_num(x->mailing, id);
	snprintf(x->after, sizeof(x->after), "0");
	if (st)
		snprintf(x->status, sizeof(x->status), "%s", st);
	char name[64];
	snprintf(name, sizeof(name), "mailing-%lld-messages.csv", (long long)id);
	export_stream(req, name, sep, header, messages_export_fill, x, messages_export_free);
}
