/* client_import.c — CSV rows to client_bulk batches. */
#include "client_import.h"
#include "buf.h"
#include "i18n.h"
#include "model_client.h"
#include "phone.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const char *const columns[] = {"phone", "operator_code", "tag", "timezone"};
_Static_assert(ARRAY_LEN(columns) == CLIENT_IMPORT_ATTR, "CLIENT_IMPORT_ATTR follows the columns");
static const char *const ignored_columns[] = {"id", "created_at", "updated_at"};

static int column_index(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return (int)i;
	return -1;
}

/* 1 when the attribute key is in keys already. */
static int key_seen(json_t *keys, const char *key)
{
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k)
		if (json_is_string(k) && strcmp(json_string_value(k), key) == 0)
			return 1;
	return 0;
}

/* Maps the header cells to columns (-1: ignored) and attributes, whose keys go to keys. -1 with
 * the reason in err. */
static int read_header(json_t *cells, int map[CSV_MAX_CELLS], json_t *keys, const char *lang, char *err,
		       size_t errlen)
{
	size_t i;
	json_t *c;
	int seen[ARRAY_LEN(columns)] = {0};
	json_array_foreach(cells, i, c) {
		const char *name = json_string_value(c);
		const char *key = strncmp(name, "attributes.", 11) == 0 ? name + 11 : NULL;
		map[i] = key ? CLIENT_IMPORT_ATTR : column_index(name, columns, ARRAY_LEN(columns));
		if (map[i] < 0 && column_index(name, ignored_columns, ARRAY_LEN(ignored_columns)) < 0 &&
		    client_attr_key_valid(name)) {
			map[i] = CLIENT_IMPORT_ATTR;
			key = name;
		}
		if (map[i] < 0 && column_index(name, ignored_columns, ARRAY_LEN(ignored_columns)) < 0) {
			i18n_print(err, errlen, lang, "import.unknown_column", name);
			return -1;
		}
		if (key && !client_attr_key_valid(key)) {
			i18n_print(err, errlen, lang, "import.bad_key", name);
			return -1;
		}
		if ((map[i] >= 0 && map[i] < CLIENT_IMPORT_ATTR && seen[map[i]]++) || (key && key_seen(keys, key))) {
			i18n_print(err, errlen, lang, "import.twice", name);
			return -1;
		}
		json_array_append_new(keys, key ? json_string(key) : json_null());
	}
	if (!seen[0]) {
		i18n_print(err, errlen, lang, "import.no_phone");
		return -1;
	}
	return 0;
}

static void report_error(struct client_import *im, long line, const char *field, const char *message)
{
	json_array_append_new(im->errors, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line, "field", field,
						    "message", message));
}

int client_import_open(struct client_import *im, const char *data, size_t len, const char *lang, char *err,
		       size_t errlen)
{
	memset(im, 0, sizeof(*im));
	if (csv_sniff(data, len, lang, &im->text, err, errlen) < 0)
		return -1;
	im->lang = lang;
	im->rd = (struct csv_reader){im->text.text, im->text.text + im->text.len, 1, im->text.sep, lang};
	json_t *cells = NULL;
	long line;
	im->keys = json_array();
	if (csv_next(&im->rd, &cells, &line, err, errlen) <= 0 || read_header(cells, im->map, im->keys, lang, err, errlen) < 0) {
		if (cells == NULL)
			i18n_print(err, errlen, lang, "import.no_phone");
		json_decref(cells);
		json_decref(im->keys);
		csv_text_free(&im->text);
		return -1;
	}
	im->ncols = json_array_size(cells);
	json_decref(cells);
	im->examples = json_array();
	im->errors = json_array();
	return 0;
}

/* The phone cell as stored when it is written another way (counted, with examples); else as
 * written, for client_validate to refuse or take. */
static const char *phone_cell(struct client_import *im, const char *s, char out[PHONE_LEN + 1])
{
	if (phone_normalise(s, out) < 0 || strcmp(s, out) == 0)
		return s;
	if (im->normalised++ < CLIENT_IMPORT_EXAMPLES)
		json_array_append_new(im->examples, json_sprintf("%s → %s", s, out));
	return out;
}

long client_import_read(struct client_import *im, long max, json_t *items, json_t *lines)
{
	json_t *cells;
	long line, n = 0;
	char err[120], phone[PHONE_LEN + 1];
	int rc;
	while (n < max && (rc = csv_next(&im->rd, &cells, &line, err, sizeof(err))) != 0) {
		if (rc > 0 && json_array_size(cells) == 1 && json_string_length(json_array_get(cells, 0)) == 0) {
			json_decref(cells);   /* an empty line */
			continue;
		}
		n++;
		im->rows++;
		if (rc < 0) {
			im->invalid++;
			report_error(im, line, "", err);
			continue;
		}
		if (json_array_size(cells) != im->ncols) {
			i18n_print(err, sizeof(err), im->lang, "import.cells", json_array_size(cells), im->ncols);
			im->invalid++;
			report_error(im, line, "", err);
			json_decref(cells);
			continue;
		}
		json_t *item = json_object(), *attrs = json_object();
		for (size_t i = 0; i < im->ncols; i++) {
			const char *s = csv_unguard(json_string_value(json_array_get(cells, i)));
			if (im->map[i] == 0 && *s)
				s = phone_cell(im, s, phone);
			if (im->map[i] == CLIENT_IMPORT_ATTR && *s)
				json_object_set_new(attrs, json_string_value(json_array_get(im->keys, i)), json_string(s));
			else if (im->map[i] >= 0 && *s)
				json_object_set_new(item, columns[im->map[i]], json_string(s));
		}
		if (json_object_size(attrs))
			json_object_set(item, "attributes", attrs);
		json_decref(attrs);
		json_array_append_new(items, item);
		json_array_append_new(lines, json_integer(line));
		json_decref(cells);
	}
	return n;
}

int client_import_store(struct client_import *im, struct db *db, json_t *items, json_t *lines)
{
	struct client_bulk_result res = {0, 0, NULL, im->lang};
	if (json_array_size(items) == 0)
		return 0;
	if (client_bulk(db, items, &res) < 0) {
		json_decref(res.errors);
		return -1;
	}
	size_t i;
	json_t *e, *msgs, *m;
	const char *field;
	json_array_foreach(res.errors, i, e) {
		long l = (long)json_integer_value(json_array_get(lines, (size_t)json_integer_value(json_object_get(e, "index"))));
		json_object_foreach(json_object_get(e, "errors"), field, msgs) {
			size_t j;
			json_array_foreach(msgs, j, m)
				report_error(im, l, field, json_string_value(m));
		}
	}
	im->invalid += (long)json_array_size(res.errors);
	im->created += res.created;
	im->updated += res.updated;
	json_decref(res.errors);
	return 0;
}

json_t *client_import_result(const struct client_import *im, size_t shown)
{
	static const char *const seps[] = {",", "comma", ";", "semicolon", "\t", "tab"};
	const char *sep = "comma";
	for (size_t i = 0; i < ARRAY_LEN(seps); i += 2)
		if (seps[i][0] == im->text.sep)
			sep = seps[i + 1];
	size_t n = json_array_size(im->errors);
	json_t *errors = json_array();
	for (size_t i = 0; i < n && i < shown; i++)
		json_array_append(errors, json_array_get(im->errors, i));
	/* normalised is null when 0: a template section shows for any number */
	json_t *r = json_pack("{s:I, s:I, s:I, s:I, s:o, s:O, s:s, s:s, s:b, s:o}", "rows", (json_int_t)im->rows,
			      "created", (json_int_t)im->created, "updated", (json_int_t)im->updated, "invalid",
			      (json_int_t)im->invalid, "normalised",
			      im->normalised ? json_integer((json_int_t)im->normalised) : json_null(), "examples",
			      im->examples, "encoding", im->text.encoding, "separator", sep, "has_errors", n > 0,
			      "errors", errors);
	if (n > shown)
		json_object_set_new(r, "errors_more", json_integer((json_int_t)(n - shown)));
	struct buf keys = BUF_INIT;
	json_t *k;
	json_array_foreach(im->keys, n, k)
		if (json_is_string(k))
			buf_printf(&keys, "%s%s", keys.len ? ", " : "", json_string_value(k));
	json_object_set_new(r, "attributes", keys.len ? json_string(keys.data) : json_null());
	buf_free(&keys);
	return r;
}

char *client_import_attr_column(const char *key)
{
	int taken = column_index(key, columns, ARRAY_LEN(columns)) >= 0 ||
		    column_index(key, ignored_columns, ARRAY_LEN(ignored_columns)) >= 0;
	return xasprintf("%s%s", taken ? "attributes." : "", key);
}

void client_import_close(struct client_import *im)
{
	csv_text_free(&im->text);
	json_decref(im->examples);
	json_decref(im->errors);
	json_decref(im->keys);
	im->examples = im->errors = im->keys = NULL;
}
