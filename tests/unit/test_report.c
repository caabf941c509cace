/* Unit tests of the e-mail pieces: the MIME builder, address lists and the latency quantile
 * (the templates are rendered by the engine of tmpl.h, tested in test_tmpl.c). */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>
#include "mail.h"
#include "metrics.h"
#include "report.h"
#include "util.h"

Test(mail, addresses)
{
	char **l, err[200];
	cr_assert(mail_address_valid("ops@example.com"));
	cr_assert(!mail_address_valid("ops@"));
	cr_assert(!mail_address_valid("@example.com"));
	cr_assert(!mail_address_valid("a b@example.com"));
	cr_assert(!mail_address_valid("a@b@c"));
	cr_assert(!mail_address_valid("a@example.com\r\nBcc: x@y"));
	cr_assert(!mail_address_valid("<a@example.com>"));
	int n = mail_parse_list(" a@example.com ,b@example.org", &l, err, sizeof(err));
	cr_assert_eq(n, 2);
	cr_expect_str_eq(l[0], "a@example.com");
	cr_expect_str_eq(l[1], "b@example.org");
	mail_free_list(l, n);
	cr_expect_eq(mail_parse_list("a@example.com,,b@example.org", &l, err, sizeof(err)), -1);
	cr_expect(strstr(err, "is not an e-mail address") != NULL, "%s", err);
	cr_expect_eq(mail_parse_list("", &l, err, sizeof(err)), -1);
}

/* Decodes the RFC 2047 encoded words of a Subject header value. */
static void decode_subject(const char *hdr, char *out, size_t outlen)
{
	size_t len = 0;
	for (const char *p = strstr(hdr, "=?UTF-8?B?"); p; p = strstr(p, "=?UTF-8?B?")) {
		p += 10;
		const char *end = strstr(p, "?=");
		cr_assert_not_null(end);
		cr_assert_leq(end - p + 12, 75, "encoded word longer than 75 characters");
		size_t n;
		cr_assert_eq(sodium_base642bin((unsigned char *)out + len, outlen - len - 1, p, (size_t)(end - p),
					       NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
		cr_assert(utf8_length(out + len, n) >= 0, "an encoded word splits a UTF-8 character");
		len += n;
		p = end + 2;
	}
	out[len] = '\0';
}

Test(mail, mime_message)
{
	cr_assert(sodium_init() >= 0);
	const char *subject = "Сводка herald — статистика за день, очень длинная тема письма 2026-11-23";
	char *to[] = {"a@example.com", "b@example.org"};
	struct mail m = {.from = "herald@example.com", .to = to, .nto = 2,
			 .subject = subject, .text = "Привет\nworld", .html = "<p>Привет</p>",
			 .message_id = "<abc@example.com>", .date = 1795420800};
	char *msg = mail_build(&m);
	for (const char *p = msg; (p = strchr(p, '\n')) != NULL; p++)
		cr_assert_eq(p[-1], '\r', "bare LF in the message");
	cr_expect(strstr(msg, "Date: Mon, 23 Nov 2026 08:00:00 +0000\r\n") != NULL, "%s", msg);
	cr_expect(strstr(msg, "From: herald <herald@example.com>\r\n") != NULL);
	cr_expect(strstr(msg, "To: a@example.com,\r\n b@example.org\r\n") != NULL);
	cr_expect(strstr(msg, "Message-ID: <abc@example.com>\r\n") != NULL);
	cr_expect(strstr(msg, "MIME-Version: 1.0\r\n") != NULL);
	cr_expect(strstr(msg, "Content-Type: multipart/alternative; boundary=\"=_") != NULL);
	cr_expect(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64") != NULL);
	cr_expect(strstr(msg, "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64") != NULL);
	const char *s = strstr(msg, "Subject: "), *end = s;
	cr_assert_not_null(s);
	while ((end = strstr(end, "\r\n")) != NULL && end[2] == ' ')
		end += 2;
	char hdr[1024], decoded[512];
	snprintf(hdr, sizeof(hdr), "%.*s", (int)(end - s), s);
	cr_expect(strstr(hdr, "\r\n =?UTF-8?B?") != NULL, "a long subject is folded: %s", hdr);
	decode_subject(hdr, decoded, sizeof(decoded));
	cr_expect_str_eq(decoded, subject);
	free(msg);

	m.subject = "plain\r\nBcc: evil@example.com";
	msg = mail_build(&m);
	cr_expect(strstr(msg, "Subject: plain  Bcc: evil@example.com\r\n") != NULL, "%s", msg);
	free(msg);
}

Test(mail, message_id)
{
	char *id = mail_message_id("reports@herald.example");
	cr_expect_eq(strlen(id), 1 + 32 + 1 + strlen("herald.example") + 1);
	cr_expect(id[0] == '<' && strstr(id, "@herald.example>") != NULL, "%s", id);
	free(id);
}

Test(report, quantile)
{
	long long h[METRICS_HIST_LEN] = {0};
	cr_expect_eq(metrics_hist_quantile(h, METRICS_HIST_LEN, 0.5), -1);
	/* bounds ... 10, 15, 20, 30, 50, 70, 100 (indexes 5..11) */
	h[5] = 10, h[6] = 20, h[7] = 30, h[8] = 20, h[9] = 10, h[10] = 5, h[11] = 5;
	cr_expect_float_eq(metrics_hist_quantile(h, METRICS_HIST_LEN, 0.5), 15 + 5 * 20.0 / 30, 1e-9);
	cr_expect_float_eq(metrics_hist_quantile(h, METRICS_HIST_LEN, 0.95), 70, 1e-9);
	cr_expect_float_eq(metrics_hist_quantile(h, METRICS_HIST_LEN, 0.05), 7 + 3 * 5.0 / 10, 1e-9);
	memset(h, 0, sizeof(h));
	h[METRICS_HIST_LEN - 1] = 3;   /* everything slower than the last bound */
	cr_expect_float_eq(metrics_hist_quantile(h, METRICS_HIST_LEN, 0.5), 60000, 1e-9);
}

Test(metrics, report_histogram_counts_provider_requests)
{
	struct metrics_totals a, b;
	struct metrics_provider *p = metrics_provider_of("unit");
	metrics_totals(&a);
	metrics_provider(p, MR_OK, 0.0005);     /* <= 1 ms */
	metrics_provider(p, MR_OK, 0.012);      /* (10, 15] */
	metrics_provider(p, MR_TIMEOUT, 100);   /* over the last bound */
	metrics_totals(&b);
	cr_expect_eq(b.requests - a.requests, 3);
	cr_expect_eq(b.failures - a.failures, 1);
	cr_expect_eq(b.hist[0] - a.hist[0], 1);
	cr_expect_eq(b.hist[6] - a.hist[6], 1);
	cr_expect_eq(b.hist[METRICS_HIST_LEN - 1] - a.hist[METRICS_HIST_LEN - 1], 1);
}
