/* export.c — streamed CSV downloads. */
#include "export.h"
#include "admin.h"
#include "csv.h"
#include "log.h"
#include "util.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct export {
	export_fill fill;
	void *ctx;
	void (*free_ctx)(void *ctx);
	char sep;
	int done;
	struct buf out;   /* what the client has not taken yet, from off */
	size_t off;
	char filename[64];
};

int export_format(struct http_req *req, char *sep)
{
	const char *f = http_query(req, "format");
	if (f == NULL || strcmp(f, "csv") == 0) {
		*sep = ',';
		return 0;
	}
	if (strcmp(f, "excel") == 0) {
		*sep = ';';
		return 0;
	}
	admin_error(req, 400, "admin.export.format");
	return -1;
}

static ssize_t export_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	struct export *x = cls;
	(void)pos;
	while (x->off == x->out.len) {
		if (x->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		struct db *db = db_thread();
		buf_reset(&x->out);
		x->off = 0;
		int rc = db ? x->fill(x->ctx, db, &x->out, x->sep) : -1;
		if (rc < 0) {
			log_error("admin.export_failed", LS("file", x->filename));
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		x->done = rc == 0;
	}
	size_t n = x->out.len - x->off < max ? x->out.len - x->off : max;
	memcpy(dst, x->out.data + x->off, n);
	x->off += n;
	return (ssize_t)n;
}

static void export_free(void *cls)
{
	struct export *x = cls;
	x->free_ctx(x->ctx);
	buf_free(&x->out);
	free(x);
}

void export_stream(struct http_req *req, const char *filename, char sep, const char *const *header,
		   export_fill fill, void *ctx, void (*free_ctx)(void *ctx))
{
	struct export *x = xcalloc(1, sizeof(*x));
	*x = (struct export){fill, ctx, free_ctx, sep, 0, BUF_INIT, 0, ""};
	snprintf(x->filename, sizeof(x->filename), "%s", filename);
	if (sep == ';')
		buf_puts(&x->out, "\xEF\xBB\xBF");
	for (size_t i = 0; header[i]; i++) {
		if (i)
			buf_putc(&x->out, sep);
		buf_puts(&x->out, header[i]);
	}
	buf_puts(&x->out, "\r\n");
	char *disposition = xasprintf("attachment; filename=\"%s\"", x->filename);
	http_stream(req, 200, "text/csv; charset=utf-8", export_read, x, export_free);
	http_header(req, "Content-Disposition", disposition);
	http_header(req, "Cache-Control", "no-store");
	free(disposition);
}
