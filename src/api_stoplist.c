/* api_stoplist.c — the stop list's API beyond its CRUD (API.md 9.3; the CRUD is the resource
 * descriptor's, res_stoplist): the CSV import, and the refusal of a direct send to a listed
 * phone. */
#include "api_handlers.h"
#include "audit.h"
#include "csv.h"
#include "csv_sniff.h"
#include "i18n.h"
#include "phone.h"
#include "model_stoplist.h"
#include "pgarr.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define IMPORT_ERRORS 100       /* bad rows named one by one; the rest are counted */

int api_stoplist_refuse(struct http_req *req, struct db *db, const char *phone)
{
	int on = stoplist_has(db, phone);
	if (on < 0)
		http_db_fail(req, db);
	else if (on)
		http_problem(req, 422, "the phone is on the stop list", json_pack("{s:[s]}", "phone", "is on the stop list"));
	return on != 0;
}

/* The import's columns: where "phone" and "reason" are in the header (-1: absent). */
struct columns {
	int phone, reason;
	size_t n;
};

static int read_header(struct csv_reader *rd, struct columns *c)
{
	json_t *cells = NULL;
	long line;
	char err[120];
	c->phone = c->reason = -1;
	if (csv_next(rd, &cells, &line, err, sizeof(err)) <= 0)
		return -1;
	c->n = json_array_size(cells);
	for (size_t i = 0; i < c->n; i++) {
		const char *s = json_string_value(json_array_get(cells, i));
		if (strcasecmp(s, "phone") == 0 && c->phone < 0)
			c->phone = (int)i;
		else if (strcasecmp(s, "reason") == 0 && c->reason < 0)
			c->reason = (int)i;
	}
	json_decref(cells);
	return c->phone < 0 ? -1 : 0;
}

static void row_error(json_t *errors, long *bad, long line, const char *msg)
{
	if ((*bad)++ < IMPORT_ERRORS)
		json_array_append_new(errors, json_pack("{s:I, s:s}", "line", (json_int_t)line, "error", msg));
}

/* Reads the rows into the phones and reasons literals; bad rows go to errors. The number of
 * rows, or -1 when there are more than STOPLIST_IMPORT_MAX. */
static long read_rows(struct csv_reader *rd, const struct columns *c, struct buf *phones, struct buf *reasons,
		      json_t *errors, long *bad)
{
	char norm[PHONE_LEN + 1];
	json_t *cells;
	long line, rows = 0;
	char err[120];
	int rc;
	while ((rc = csv_next(rd, &cells, &line, err, sizeof(err))) != 0) {
		if (rc < 0) {
			rows++;
			row_error(errors, bad, line, err);
			continue;
		}
		if (json_array_size(cells) == 1 && json_string_length(json_array_get(cells, 0)) == 0) {
			json_decref(cells);   /* an empty line */
			continue;
		}
		if (++rows > STOPLIST_IMPORT_MAX) {
			json_decref(cells);
			return -1;
		}
		const char *phone = json_string_value(json_array_get(cells, (size_t)c->phone));
		const char *reason = c->reason >= 0 ? json_string_value(json_array_get(cells, (size_t)c->reason)) : "";
		if (json_array_size(cells) != c->n)
			row_error(errors, bad, line, "has another number of cells than the header");
		else if (phone_normalise(phone, norm) < 0)
			row_error(errors, bad, line, i18n_text("en", PHONE_REFUSED));
		else if (utf8_length(reason, strlen(reason)) < 0 ||
			 utf8_length(reason, strlen(reason)) > STOPLIST_REASON_MAX)
			row_error(errors, bad, line, "the reason must be UTF-8 text of at most 256 characters");
		else {
			pgarr_text(phones, norm);
			pgarr_text(reasons, csv_unguard(reason));
		}
		json_decref(cells);
	}
	return rows;
}

/* POST /stoplist/import: text/csv with a header naming "phone" (and "reason"); valid rows are
 * added in one statement even when others are bad. 200 {"rows", "added", "existing", "invalid",
 * "errors": [{"line", "error"}]}. */
void api_stoplist_import(struct http_req *req)
{
	const char *ct = http_header_in(req, "Content-Type");
	if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] != '\0' && ct[8] != ';')) {
		http_problem(req, 415, "the body must be text/csv", NULL);
		return;
	}
	struct csv_text text;
	char err[160];
	if (csv_sniff(req->body.data, req->body.len, NULL, &text, err, sizeof(err)) < 0) {
		http_problem(req, 422, err, NULL);
		return;
	}
	struct csv_reader rd = {text.text, text.text + text.len, 1, text.sep, NULL};
	struct columns cols;
	if (text.len == 0 || read_header(&rd, &cols) < 0) {
		csv_text_free(&text);
		http_problem(req, 422, "the first line must name the columns, and one must be \"phone\"", NULL);
		return;
	}
	struct buf phones = BUF_INIT, reasons = BUF_INIT;
	json_t *errors = json_array();
	long bad = 0, added = 0;
	struct db *db;
	pgarr_start(&phones);
	pgarr_start(&reasons);
	long rows = read_rows(&rd, &cols, &phones, &reasons, errors, &bad);
	pgarr_end(&phones);
	pgarr_end(&reasons);
	if (rows < 0) {
		char d[96];
		snprintf(d, sizeof(d), "the file has more than %d rows; split it", STOPLIST_IMPORT_MAX);
		http_problem(req, 422, d, NULL);
	} else if ((db = api_db(req)) == NULL) {
		/* answered */
	} else if (rows > bad && (added = stoplist_import(db, phones.data, reasons.data)) < 0) {
		http_db_fail(req, db);
	} else {
		json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:O}", "rows", (json_int_t)rows, "added", (json_int_t)added,
					"existing", (json_int_t)(rows - bad - added), "invalid", (json_int_t)bad,
					"errors", errors);
		audit_outcome(db, req, "", out);
		http_json(req, 200, out);
	}
	json_decref(errors);
	buf_free(&phones);
	buf_free(&reasons);
	csv_text_free(&text);
}
