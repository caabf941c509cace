/* chart.h — charts drawn by the server as inline SVG (no script, no external file): a
 * horizontal stacked bar with a legend, and a per-minute timeline of sent and failed messages.
 * Each chart is an <svg role="img"> with <title> and <desc> saying in words what it shows, and
 * text labels with the numbers; colours come from admin.css classes (.c-<name>). Every text
 * that goes into the SVG is HTML-escaped. */
#ifndef HERALD_CHART_H
#define HERALD_CHART_H
#include <jansson.h>
#include <stddef.h>
#include "buf.h"

#define CHART_BUCKETS 120   /* bars at most on a timeline; longer spans group minutes */

struct chart_part {
	const char *name;    /* its colour (class c-<name>), e.g. "sent" */
	const char *label;   /* shown in the legend, e.g. "sent" or "отправлено" */
	long long n;
};

/* Appends a stacked bar of parts (n of them; zero parts leave no segment but stay in the
 * legend) titled title, its words in language lang (i18n.h); id (plain ASCII) names the
 * <title>/<desc> elements. */
void chart_bar(struct buf *out, const char *lang, const char *id, const char *title,
	       const struct chart_part *parts, size_t n);

/* Appends the timeline of [{"minute": RFC 3339, "sent": n, "failed": n}, ...] (borrowed,
 * ordered by minute) as stacked bars over time, or a short note (in lang) when it is empty. from
 * and to are its first and last minute as the reader's clock shows them, "YYYY-MM-DD HH:MM zone"
 * ("2026-11-23 13:00 UTC+03:00"): the axis shows their times, with to's zone. */
void chart_timeline(struct buf *out, const char *lang, const char *id, json_t *timeline, const char *from,
		    const char *to);

#endif
