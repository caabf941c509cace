/* chart.c — SVG charts. */
#include "chart.h"
#include "i18n.h"
#include "rfc3339.h"
#include "tmpl.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define BAR_H 28
#define PLOT_H 160
#define PLOT_X 48      /* room for the y axis labels */
#define PLOT_W (W - PLOT_X - 8)

static void esc(struct buf *out, const char *s)
{
	tmpl_escape(out, s, strlen(s));
}

static void open_svg(struct buf *out, const char *id, int h, const char *title, const char *desc)
{
	buf_printf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
			" width=\"100%%\" role=\"img\" aria-labelledby=\"%s-t %s-d\">"
			"<title id=\"%s-t\">", W, h, id, id, id);
	esc(out, title);
	buf_printf(out, "</title><desc id=\"%s-d\">", id);
	esc(out, desc);
	buf_puts(out, "</desc>");
}

/* The text at path in lang formatted with the arguments given, appended to out. */
static void say(struct buf *out, const char *lang, const char *path, ...)
{
	va_list ap;
	va_start(ap, path);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	buf_vprintf(out, i18n_text(lang, path), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

void chart_bar(struct buf *out, const char *lang, const char *id, const char *title, const struct chart_part *parts,
	       size_t n)
{
	long long total = 0;
	struct buf desc = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		total += parts[i].n > 0 ? parts[i].n : 0;
	say(&desc, lang, "admin.chart.in_all", total);
	for (size_t i = 0; i < n; i++)
		buf_printf(&desc, ", %s %lld", parts[i].label, parts[i].n);
	size_t rows = (n + 2) / 3;
	open_svg(out, id, BAR_H + 12 + (int)rows * 24, title, desc.data);
	buf_free(&desc);
	buf_printf(out, "<rect class=\"c-track\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" rx=\"4\"/>", W, BAR_H);
	double x = 0;
	for (size_t i = 0; i < n && total > 0; i++) {
		if (parts[i].n <= 0)
			continue;
		double w = (double)W * (double)parts[i].n / (double)total;
		buf_puts(out, "<rect class=\"c-");
		esc(out, parts[i].name);
		buf_printf(out, "\" x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%d\"><title>", x, w, BAR_H);
		esc(out, parts[i].label);
		buf_printf(out, ": %lld</title></rect>", parts[i].n);
		x += w;
	}
	for (size_t i = 0; i < n; i++) {
		int lx = (int)(i % 3) * (W / 3), ly = BAR_H + 12 + (int)(i / 3) * 24;
		double pct = total > 0 ? 100.0 * (double)parts[i].n / (double)total : 0;
		buf_puts(out, "<rect class=\"c-");
		esc(out, parts[i].name);
		buf_printf(out, "\" x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" rx=\"2\"/>"
				"<text x=\"%d\" y=\"%d\">", lx, ly, lx + 20, ly + 12);
		esc(out, parts[i].label);
		buf_puts(out, " <tspan class=\"n\" data-count=\"");
		esc(out, parts[i].name);
		buf_printf(out, "\">%lld</tspan> (%.*f%%)</text>", parts[i].n, pct > 0 && pct < 1 ? 1 : 0, pct);
	}
	buf_puts(out, "</svg>");
}

struct point {
	double t;
	long long sent, failed;
};

/* The time of a label "YYYY-MM-DD HH:MM zone": "HH:MM", with the zone when zone is set (else
 * the label as it is). */
static void clock_of(struct buf *out, const char *label, int zone)
{
	if (strlen(label) >= 16)
		tmpl_escape(out, label + 11, zone ? strlen(label + 11) : 5);
	else
		esc(out, label);
}

void chart_timeline(struct buf *out, const char *lang, const char *id, json_t *timeline, const char *from,
		    const char *to)
{
	size_t n = json_array_size(timeline), i;
	struct point *pts = xcalloc(n ? n : 1, sizeof(*pts));
	size_t np = 0;
	json_t *it;
	long long sum_sent = 0, sum_failed = 0;
	json_array_foreach(timeline, i, it) {
		const char *m = json_string_value(json_object_get(it, "minute"));
		if (m == NULL || rfc3339_epoch(m, &pts[np].t) < 0)
			continue;
		pts[np].sent = json_integer_value(json_object_get(it, "sent"));
		pts[np].failed = json_integer_value(json_object_get(it, "failed"));
		sum_sent += pts[np].sent;
		sum_failed += pts[np].failed;
		np++;
	}
	if (np == 0) {
		buf_puts(out, "<p class=\"empty\">");
		say(out, lang, "admin.chart.nothing");
		buf_puts(out, "</p>");
		free(pts);
		return;
	}
	double t0 = pts[0].t, t1 = pts[np - 1].t;
	long span = (long)((t1 - t0) / 60) + 1;
	long per = (span + CHART_BUCKETS - 1) / CHART_BUCKETS;   /* minutes per bar */
	long nb = (span + per - 1) / per;
	long long *sent = xcalloc((size_t)nb, sizeof(long long)), *failed = xcalloc((size_t)nb, sizeof(long long));
	long long peak = 1;
	for (i = 0; i < np; i++) {
		long b = (long)((pts[i].t - t0) / 60) / per;
		sent[b] += pts[i].sent;
		failed[b] += pts[i].failed;
	}
	for (long b = 0; b < nb; b++)
		if (sent[b] + failed[b] > peak)
			peak = sent[b] + failed[b];
	struct buf d = BUF_INIT;
	char *minutes = i18n_plural(lang, "admin.chart.minutes", per, (long long)per);
	say(&d, lang, "admin.chart.timeline_desc", from, to, sum_sent, sum_failed, peak, minutes);
	free(minutes);
	open_svg(out, id, PLOT_H + 44, i18n_text(lang, "admin.chart.timeline_title"), d.data);
	buf_free(&d);
	/* axes: y from 0 to peak, x from the first to the last minute */
	buf_printf(out, "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
			"<line x1=\"%d\" y1=\"8\" x2=\"%d\" y2=\"%d\"/>"
			"<text x=\"%d\" y=\"16\" text-anchor=\"end\">%lld</text>"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>",
		   PLOT_X, PLOT_H + 8, W - 8, PLOT_H + 8, PLOT_X, PLOT_X, PLOT_H + 8, PLOT_X - 6, peak,
		   PLOT_X - 6, PLOT_H + 8);
	buf_printf(out, "<text x=\"%d\" y=\"%d\">", PLOT_X, PLOT_H + 26);
	clock_of(out, from, 0);
	buf_printf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", W - 8, PLOT_H + 26);
	clock_of(out, to, 1);
	buf_printf(out, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", PLOT_X + PLOT_W / 2, PLOT_H + 40);
	say(out, lang, "admin.chart.per_bar", per);
	buf_puts(out, "</text></g>");
	double bw = (double)PLOT_W / (double)nb, gap = bw > 4 ? 1 : 0;
	for (long b = 0; b < nb; b++) {
		double x = PLOT_X + 1 + (double)b * bw;
		double hs = (double)PLOT_H * (double)sent[b] / (double)peak;
		double hf = (double)PLOT_H * (double)failed[b] / (double)peak;
		if (sent[b]) {
			buf_printf(out, "<rect class=\"c-sent\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>",
				   x, PLOT_H + 8 - hs, bw - gap, hs);
			say(out, lang, "admin.chart.sent_n", sent[b]);
			buf_puts(out, "</title></rect>");
		}
		if (failed[b]) {
			buf_printf(out, "<rect class=\"c-failed\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>",
				   x, PLOT_H + 8 - hs - hf, bw - gap, hf);
			say(out, lang, "admin.chart.failed_n", failed[b]);
			buf_puts(out, "</title></rect>");
		}
	}
	buf_puts(out, "</svg>");
	free(sent);
	free(failed);
	free(pts);
}
