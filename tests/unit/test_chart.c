/* Unit tests of the SVG charts: accessible names, numbers as text, escaping of every label,
 * the timeline's grouping of long spans, and their words in the language asked for. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "chart.h"
#include "i18n.h"
#include "unit.h"

TestSuite(chart, .init = unit_catalogues);

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

Test(chart, bar_has_title_desc_numbers_and_escapes_labels)
{
	struct chart_part parts[] = {{"sent", "sent", 30}, {"x", "<b>\"x\"&", 10}, {"empty", "empty", 0}};
	struct buf b = BUF_INIT;
	chart_bar(&b, "en", "c1", "Messages & <status>", parts, 3);
	cr_assert(strncmp(b.data, "<svg ", 5) == 0);
	cr_expect(strstr(b.data, "role=\"img\" aria-labelledby=\"c1-t c1-d\""));
	cr_expect(strstr(b.data, "<title id=\"c1-t\">Messages &amp; &lt;status&gt;</title>"), "%s", b.data);
	cr_expect(strstr(b.data, "<desc id=\"c1-d\">40 in all, sent 30, &lt;b&gt;&quot;x&quot;&amp; 10, empty 0</desc>"),
		  "%s", b.data);
	cr_expect_null(strstr(b.data, "<b>"));
	cr_expect(strstr(b.data, ">30</tspan> (75%)"), "%s", b.data);
	cr_expect(strstr(b.data, ">0</tspan> (0%)"));
	cr_expect_eq(count(b.data, "<rect class=\"c-sent\""), 2);   /* segment and legend key */
	cr_expect_eq(count(b.data, "<rect class=\"c-empty\""), 1);  /* legend only: no zero-width segment */
	cr_expect(strstr(b.data, "</svg>"));
	buf_free(&b);
}

Test(chart, bar_of_nothing_draws_only_the_track)
{
	struct chart_part parts[] = {{"sent", "отправлено", 0}};
	struct buf b = BUF_INIT;
	chart_bar(&b, "ru", "c2", "t", parts, 1);
	cr_expect(strstr(b.data, "всего 0, отправлено 0"), "%s", b.data);
	cr_expect_eq(count(b.data, "c-sent"), 1);
	buf_free(&b);
}

Test(chart, timeline_bars_axis_and_grouping)
{
	json_t *tl = json_loads("[{\"minute\": \"2026-01-01T10:00:00Z\", \"sent\": 5, \"failed\": 1},"
				" {\"minute\": \"2026-01-01T10:02:00Z\", \"sent\": 9, \"failed\": 0}]", 0, NULL);
	struct buf b = BUF_INIT;
	chart_timeline(&b, "en", "t1", tl, "2026-01-01 10:00 UTC", "2026-01-01 10:02 UTC");
	cr_expect(strstr(b.data, "<title id=\"t1-t\">Messages sent and failed per minute</title>"));
	cr_expect(strstr(b.data, "From 2026-01-01 10:00 UTC to 2026-01-01 10:02 UTC: 14 sent, 1 failed; at most 9 in 1 minute."),
		  "%s", b.data);
	cr_expect_eq(count(b.data, "class=\"c-sent\""), 2);
	cr_expect_eq(count(b.data, "class=\"c-failed\""), 1);
	cr_expect(strstr(b.data, ">10:00</text>") && strstr(b.data, ">10:02 UTC</text>"));
	buf_free(&b);
	/* the reader's zone: the axis names it */
	b = (struct buf)BUF_INIT;
	chart_timeline(&b, "en", "t1", tl, "2026-01-01 20:00 UTC+10:00", "2026-01-01 20:02 UTC+10:00");
	cr_expect(strstr(b.data, "From 2026-01-01 20:00 UTC+10:00 to 2026-01-01 20:02 UTC+10:00: 14 sent"), "%s", b.data);
	cr_expect(strstr(b.data, ">20:00</text>") && strstr(b.data, ">20:02 UTC+10:00</text>"));
	buf_free(&b);
	json_decref(tl);

	/* ten hours: at most CHART_BUCKETS bars, five minutes each */
	tl = json_pack("[{s:s, s:i, s:i}, {s:s, s:i, s:i}]", "minute", "2026-01-01T00:00:00Z", "sent", 1, "failed",
		       0, "minute", "2026-01-01T09:59:00Z", "sent", 1, "failed", 0);
	b = (struct buf)BUF_INIT;
	chart_timeline(&b, "en", "t2", tl, "2026-01-01 00:00 UTC", "2026-01-01 09:59 UTC");
	cr_expect(strstr(b.data, "5 min per bar"), "%s", b.data);
	buf_free(&b);
	b = (struct buf)BUF_INIT;
	chart_timeline(&b, "ru", "t2", tl, "2026-01-01 00:00 UTC", "2026-01-01 09:59 UTC");
	cr_expect(strstr(b.data, "5 мин на столбец") && strstr(b.data, "не больше 1 за 5 минут."), "%s", b.data);
	buf_free(&b);
	json_decref(tl);
}

Test(chart, empty_timeline_is_a_note)
{
	json_t *tl = json_array();
	struct buf b = BUF_INIT;
	chart_timeline(&b, "en", "t3", tl, "", "");
	cr_expect_str_eq(b.data, "<p class=\"empty\">Nothing sent or failed yet.</p>");
	buf_free(&b);
	json_decref(tl);
}
