/* client_import.h — a CSV file of clients read into batches for client_bulk: the file sniffed
 * (UTF-8 with or without a BOM, or Windows-1251; ',', ';' or tab), the header mapped to the
 * client fields (a column that is none of them is an attribute, its header the key, or
 * "attributes.KEY" for a key such as "phone"), phones written as people write them normalised
 * (and counted, with examples), and every problem reported with its line. */
#ifndef HERALD_CLIENT_IMPORT_H
#define HERALD_CLIENT_IMPORT_H
#include <jansson.h>
#include "csv.h"
#include "csv_sniff.h"
#include "db.h"

#define CLIENT_IMPORT_EXAMPLES 3
#define CLIENT_IMPORT_ATTR 4   /* map: the cell is an attribute's value (an empty cell: none) */

struct client_import {
	struct csv_text text;
	struct csv_reader rd;
	int map[CSV_MAX_CELLS];   /* header cell -> client field (-1: ignored, CLIENT_IMPORT_ATTR) */
	json_t *keys;             /* the attribute key of each header cell (null for the others) */
	size_t ncols;
	long rows;                /* records read after the header (empty lines not counted) */
	long invalid;             /* of them, refused by the CSV reader or by validation */
	long created, updated;
	long normalised;          /* phones stored other than written (+7 (916) ... -> 7916...) */
	json_t *examples;         /* ["+7 (916) 123-45-67 → 79161234567", ...], at most CLIENT_IMPORT_EXAMPLES */
	json_t *errors;           /* [{"line", "field", "message"}], every problem */
	const char *lang;         /* of every message (i18n.h), NULL: English */
};

/* Sniffs len bytes of data (no NUL) and reads the header; the messages of the import are in lang
 * (i18n.h; NULL: English). -1 with a sentence for the user in err
 * (the encoding, no header, a column that is no client field nor an attribute key, a repeated
 * column, no phone); im then holds nothing. */
int client_import_open(struct client_import *im, const char *data, size_t len, const char *lang, char *err,
		       size_t errlen);

/* Reads up to max further records into items (client objects for client_bulk) and lines (the
 * line of each). Returns the records read (0 at the end of the file). */
long client_import_read(struct client_import *im, long max, json_t *items, json_t *lines);

/* Stores items with client_bulk and adds its counts and refusals (with their lines) to im.
 * -1 on a database error. */
int client_import_store(struct client_import *im, struct db *db, json_t *items, json_t *lines);

/* What the import did, for a page: rows, created, updated, invalid, normalised with examples,
 * the encoding and separator read, the attribute keys of its columns ("attributes": "a, b", or
 * null), and the first `shown` errors (errors_more: how many others). */
json_t *client_import_result(const struct client_import *im, size_t shown);

void client_import_close(struct client_import *im);

/* The header of the column of attribute key in a file this import reads back: the key, or
 * "attributes.KEY" when the key is also the name of a client column (malloc'ed). */
char *client_import_attr_column(const char *key);

#endif
