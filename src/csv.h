/* csv.h — CSV (RFC 4180) for the admin's client import and export: cells written with the
 * quoting the format needs and safe to open in a spreadsheet (a cell that would start a
 * formula gets a leading apostrophe), and records read back with their line numbers. */
#ifndef HERALD_CSV_H
#define HERALD_CSV_H
#include <jansson.h>
#include <stddef.h>
#include "buf.h"

/* the client columns and the attributes an export writes (admin_client_export.c) */
#define CSV_MAX_CELLS 256

/* Appends s (may be NULL: an empty cell) as one cell of a file separated by sep (',' or ';'):
 * quoted when it holds sep, a quote, CR or LF or starts or ends with a space; prefixed with '
 * when it starts with = + - @, tab or CR. */
void csv_cell(struct buf *b, const char *s, char sep);

/* Undoes csv_cell's formula guard: s without the ' that precedes = + - @, tab or CR (borrowed). */
const char *csv_unguard(const char *s);

struct csv_reader {
	const char *p, *end;
	long line;          /* the line the next record starts on (1-based) */
	char sep;           /* the cell separator: ',', ';' or '\t' (csv_sniff finds it) */
	const char *lang;   /* of csv_next's messages (i18n.h); NULL: English */
};

/* Reads the next record into *cells (a new array of strings; the caller json_decrefs) and its
 * first line into *line. 1 read, 0 at the end, -1 malformed (an unterminated quote, a quote
 * inside an unquoted cell, more than CSV_MAX_CELLS cells) with err in r's language; the reader then continues
 * at the next line. */
int csv_next(struct csv_reader *r, json_t **cells, long *line, char *err, size_t errlen);

#endif
