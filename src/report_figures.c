/* report_figures.c — what the daily e-mail derives from the figures its statement read
 * (report.c): the headline figures with their change against the previous day and against the
 * average day of the week before, latency quantiles, the hourly chart's bars, links to the admin
 * and the texts of the recipient's language. */
#include "report.h"
#include "config.h"
#include "i18n.h"
#include "metrics.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR_PX 320       /* the widest bar of the HTML chart */
#define BAR_CHARS 40     /* the widest bar of the text chart */
#define FLAT_PCT 0.5     /* a change smaller than this is shown as no change */

/* One window's figures (report.c: windows.day / prev / week), per day. */
struct window {
	double sent, failed, rate, median, p95;   /* rate: % sent of sent + failed, -1 when none */
};

static void read_window(json_t *w, double days, struct window *out)
{
	long long hist[METRICS_HIST_LEN] = {0};
	json_t *h = json_object_get(w, "hist");
	for (size_t i = 0; i < json_array_size(h) && i < METRICS_HIST_LEN; i++)
		hist[i] = json_integer_value(json_array_get(h, i));
	out->sent = (double)json_integer_value(json_object_get(w, "sent")) / days;
	out->failed = (double)json_integer_value(json_object_get(w, "failed")) / days;
	out->rate = out->sent + out->failed > 0 ? 100.0 * out->sent / (out->sent + out->failed) : -1;
	out->median = metrics_hist_quantile(hist, METRICS_HIST_LEN, 0.5);
	out->p95 = metrics_hist_quantile(hist, METRICS_HIST_LEN, 0.95);
}

static json_t *ms_text(const char *lang, double ms)
{
	if (ms < 0)
		return json_string(i18n_text(lang, "report.na"));
	int last = metrics_hist_bounds_ms[METRICS_HIST_LEN - 2];
	char *s = ms >= last ? i18n_format(lang, "report.over_ms", last)
			     : i18n_format(lang, "report.ms", ms < 10 ? 1 : 0, ms);
	json_t *j = json_string(s);
	free(s);
	return j;
}

/* The change of v against ref: an arrow and a percentage ("↑ +12.5 %"), and whether it is
 * good news (up is better when up_good) as a tone and its colour. Nothing to compare with (ref
 * unknown or 0): a dash. */
static json_t *change(const char *lang, double v, double ref, int up_good)
{
	if (v < 0 || ref <= 0)
		return json_pack("{s:s, s:s, s:s}", "text", "\xe2\x80\x94", "tone", "flat", "color", "#555");
	double pct = 100.0 * (v - ref) / ref;
	int dir = pct > FLAT_PCT ? 1 : pct < -FLAT_PCT ? -1 : 0;
	const char *arrow = dir > 0 ? "\xe2\x86\x91" : dir < 0 ? "\xe2\x86\x93" : "\xe2\x86\x92";
	const char *tone = dir == 0 ? "flat" : (dir > 0) == (up_good != 0) ? "good" : "bad";
	char *pct_text = i18n_format(lang, "report.change", pct);
	json_t *j = json_pack("{s:s++, s:s, s:s}", "text", arrow, " ", pct_text, "tone", tone, "color",
			      dir == 0 ? "#555" : strcmp(tone, "good") == 0 ? "#2e7d32" : "#c62828");
	free(pct_text);
	return j;
}

static void headline_add(json_t *list, const char *lang, const char *id, json_t *value, double now, double prev,
			 double week, int up_good)
{
	char path[64];
	snprintf(path, sizeof(path), "report.headline.%s", id);
	json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", id, "label", i18n_text(lang, path),
					      "value", value, "vs_prev", change(lang, now, prev, up_good), "vs_week",
					      change(lang, now, week, up_good)));
}

static json_t *rate_text(const char *lang, double rate)
{
	if (rate < 0)
		return json_string(i18n_text(lang, "report.na"));
	return json_sprintf("%.1f %%", rate);
}

static void headline(json_t *ctx, const char *lang)
{
	json_t *w = json_object_get(ctx, "windows"), *list = json_array();
	struct window d, p, wk;
	read_window(json_object_get(w, "day"), 1, &d);
	read_window(json_object_get(w, "prev"), 1, &p);
	read_window(json_object_get(w, "week"), 7, &wk);
	headline_add(list, lang, "sent", json_integer((json_int_t)d.sent), d.sent, p.sent, wk.sent, 1);
	headline_add(list, lang, "failed", json_integer((json_int_t)d.failed), d.failed, p.failed, wk.failed, 0);
	headline_add(list, lang, "success_rate", rate_text(lang, d.rate), d.rate, p.rate, wk.rate, 1);
	headline_add(list, lang, "median", ms_text(lang, d.median), d.median, p.median, wk.median, 0);
	headline_add(list, lang, "p95", ms_text(lang, d.p95), d.p95, p.p95, wk.p95, 0);
	json_object_set_new(ctx, "headline", list);
	json_t *day = json_object_get(w, "day");
	json_object_set_new(ctx, "latency", json_pack("{s:O, s:O, s:b}", "requests", json_object_get(day, "requests"),
						      "failures", json_object_get(day, "failures"), "has_data",
						      json_integer_value(json_object_get(day, "requests")) > 0));
	json_object_del(ctx, "windows");
}

/* Bar lengths of the hourly chart: px for HTML (false when 0, so that no empty cell is drawn)
 * and a run of '#' for the text. */
static void chart(json_t *ctx)
{
	json_t *hours = json_object_get(ctx, "hours"), *h;
	size_t i;
	long long most = 0;
	json_array_foreach(hours, i, h) {
		long long n = json_integer_value(json_object_get(h, "sent")) + json_integer_value(json_object_get(h, "failed"));
		if (n > most)
			most = n;
	}
	json_array_foreach(hours, i, h) {
		long long s = json_integer_value(json_object_get(h, "sent")), f = json_integer_value(json_object_get(h, "failed"));
		int sw = most ? (int)ceil((double)s * BAR_PX / (double)most) : 0;
		int fw = most ? (int)ceil((double)f * BAR_PX / (double)most) : 0;
		int chars = most ? (int)ceil((double)(s + f) * BAR_CHARS / (double)most) : 0;
		char bar[BAR_CHARS + 1];
		memset(bar, '#', (size_t)chars);
		bar[chars] = '\0';
		json_object_set_new(h, "sent_px", sw ? json_integer(sw) : json_false());
		json_object_set_new(h, "failed_px", fw ? json_integer(fw) : json_false());
		json_object_set_new(h, "bar", json_string(bar));
	}
	json_object_set_new(ctx, "chart_any", json_boolean(most > 0));
}

/* A mailing's kind and status in lang (report.kinds.*, report.statuses.*). */
static void mailing_words(json_t *ctx, const char *lang)
{
	json_t *m;
	size_t i;
	json_array_foreach(json_object_get(ctx, "active_mailings"), i, m) {
		char path[96];
		snprintf(path, sizeof(path), "report.kinds.%s", json_string_value(json_object_get(m, "kind")));
		json_object_set_new(m, "kind", json_string(i18n_text(lang, path)));
		snprintf(path, sizeof(path), "report.statuses.%s", json_string_value(json_object_get(m, "status")));
		json_object_set_new(m, "status", json_string(i18n_text(lang, path)));
	}
}

/* Links into the admin when cfg.public_url says where it is. */
static void links(json_t *ctx)
{
	if (*cfg.public_url == '\0')
		return;
	json_object_set_new(ctx, "dashboard_url", json_sprintf("%s/admin/", cfg.public_url));
	const char *lists[] = {"active_mailings", "failing_mailings"};
	for (size_t l = 0; l < ARRAY_LEN(lists); l++) {
		json_t *m;
		size_t i;
		json_array_foreach(json_object_get(ctx, lists[l]), i, m)
			json_object_set_new(m, "url", json_sprintf("%s/admin/mailings/%lld", cfg.public_url,
								   (long long)json_integer_value(json_object_get(m, "id"))));
	}
}

void report_figures(json_t *ctx, const char *lang)
{
	headline(ctx, lang);
	chart(ctx);
	mailing_words(ctx, lang);
	links(ctx);
	json_object_set_new(ctx, "has_failures", json_boolean(json_array_size(json_object_get(ctx, "failure_reasons")) > 0));
	json_object_set_new(ctx, "has_failing_mailings",
			    json_boolean(json_array_size(json_object_get(ctx, "failing_mailings")) > 0));
	long long shown = (long long)json_array_size(json_object_get(ctx, "active_mailings"));
	long long all = json_integer_value(json_object_get(ctx, "active_mailings_total"));
	json_object_set_new(ctx, "active_mailings_more", all > shown ? json_integer(all - shown) : json_false());
	char *subject = i18n_format(lang, "report.subject", json_string_value(json_object_get(ctx, "day")));
	json_object_set_new(ctx, "subject", json_string(subject));
	free(subject);
	json_object_set_new(ctx, "lang", json_string(lang));
	json_object_set(ctx, "t", i18n_catalogue(lang));
}
