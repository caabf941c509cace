/* export.h — CSV downloads streamed in keyset batches, so that a million rows are never held in
 * memory: each batch is fetched when the client has taken the previous one. Plain CSV (UTF-8,
 * ',', CRLF), or with ?format=excel what Excel opens with a double click on a Russian Windows: a
 * UTF-8 byte order mark, ';' and CRLF. */
#ifndef HERALD_EXPORT_H
#define HERALD_EXPORT_H
#include "buf.h"
#include "db.h"
#include "http.h"

/* Appends the next batch of rows (each ended by CRLF, cells separated by sep) to out, and moves
 * ctx past them. Returns 1 when more may follow, 0 after the last batch, -1 on a database error. */
typedef int (*export_fill)(void *ctx, struct db *db, struct buf *out, char sep);

/* The separator the request asks for (?format=csv or absent: ',', excel: ';'); -1 after answering
 * 400 for another format. */
int export_format(struct http_req *req, char *sep);

/* Answers 200 with filename (an attachment) streamed: the BOM when sep is ';', the header cells
 * (NULL-terminated) and then fill's batches. free_ctx(ctx) runs when the response is done. */
void export_stream(struct http_req *req, const char *filename, char sep, const char *const *header,
		   export_fill fill, void *ctx, void (*free_ctx)(void *ctx));

#endif
