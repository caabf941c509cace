/* report.h — the daily statistics e-mail: its content (a jansson object built with SQL over the
 * last 24 hours and the running totals), its rendering (templates/email/report_text.txt and
 * report_html.html through tmpl.h) and its delivery and record in the reports table. These are also the model
 * functions of the admin Reports page: report_page, report_get_json, report_preview,
 * report_send_now. The daily schedule is src/reporter.c. */
#ifndef HERALD_REPORT_H
#define HERALD_REPORT_H
#include "db.h"

#include <jansson.h>
#include <stddef.h>

struct report_mail {
	char *subject, *text, *html;   /* malloc'ed; report_mail_free() */
};

/* The content for the 24 hours ending now, dates shown in cfg.default_timezone: the figures as
 * the database has them, in no language. New reference for the caller, or NULL with err. */
json_t *report_build(struct db *db, char *err, size_t errlen);
/* Adds to ctx (report_build's figures) what C derives, in lang (i18n.h): the headline figures
 * with their changes, latency quantiles, the hourly chart's bars, admin links (cfg.public_url),
 * the subject and the catalogue under "t" (report_figures.c). */
void report_figures(json_t *ctx, const char *lang);
/* Renders content (report_build's, borrowed) in lang into out: report_figures on a copy, then
 * the templates. 0, or -1 with err. */
int report_render(json_t *content, const char *lang, struct report_mail *out, char *err, size_t errlen);
void report_mail_free(struct report_mail *m);
/* report_build + report_render: what would be sent now. 0 or -1 with err. */
int report_preview(struct db *db, const char *lang, struct report_mail *out, char *err, size_t errlen);


/* True when HERALD_SMTP_URL and HERALD_REPORT_TO are set; otherwise why not, in why. */
int report_enabled(char *why, size_t whylen);

/* Builds, renders and sends the report for the claimed reports row id (status 'sending', its
 * Message-ID msgid), then records the outcome on the row: 'sent', or 'failed' with the error and,
 * for a daily row, next_attempt_at after an exponential backoff (cfg.retry_base_ms doubling per
 * attempt, at most 30 minutes). 0 when sent, -1 with err. */
int report_deliver(struct db *db, int64_t id, const char *msgid, char *err, size_t errlen);

/* Sends a report now as a 'manual' row (never blocks or replaces the daily one). Returns the
 * reports id, or -1 with err (disabled, rendering or SMTP failure; the row records failures). */
int64_t report_send_now(struct db *db, char *err, size_t errlen);

/* The reports sent, without their bodies, as a list (a res_list_fn: resource.h; ctx unused):
 * q->sort "newest" (the mirror "-newest" reads pages backwards), keyed by [id]. */
struct res_query;
struct res_page;
enum model_rc report_page(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out);
/* One report with its subject and bodies: *out gets JSON text (malloc'ed). 1 found, 0 no such
 * report, -1 database error. */
int report_get_json(struct db *db, int64_t id, char **out);

#endif
