/* mail.c — MIME message and SMTP delivery. */
#include "mail.h"
#include "buf.h"
#include "config.h"
#include "list.h"
#include "util.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAIL_CONNECT_TIMEOUT_S 15L
#define MAIL_TIMEOUT_S 60L
#define ENCODED_WORD_BYTES 45    /* 60 base64 characters: "=?UTF-8?B?...?=" stays under 76 */

int mail_address_valid(const char *addr)
{
	size_t len = strlen(addr);
	const char *at = strchr(addr, '@');
	if (len < 3 || len > 254 || at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
		return 0;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		if (*p <= ' ' || *p == 0x7f || strchr("<>()[]\\,;:\"", *p))
			return 0;
	return 1;
}

void mail_free_list(char **list, int n)
{
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int mail_parse_list(const char *list, char ***out, char *err, size_t errlen)
{
	char **items = xcalloc(MAIL_MAX_RCPTS, sizeof(char *));
	int n = 0;
	struct list_walk w = {list};
	const char *item;
	size_t len;
	while (list_next(&w, &item, &len)) {
		char *addr = xstrndup(item, len);
		if (!mail_address_valid(addr) || n == MAIL_MAX_RCPTS) {
			if (n == MAIL_MAX_RCPTS)
				snprintf(err, errlen, "more than %d recipients", MAIL_MAX_RCPTS);
			else
				snprintf(err, errlen, "'%.80s' is not an e-mail address", addr);
			free(addr);
			mail_free_list(items, n);
			return -1;
		}
		items[n++] = addr;
	}
	*out = items;
	return n;
}

char *mail_message_id(const char *from)
{
	char hex[33];
	random_hex(hex, 16);
	const char *at = strchr(from, '@');
	return xasprintf("<%s@%s>", hex, at ? at + 1 : "localhost");
}

static void put_base64(struct buf *b, const void *data, size_t len, size_t line)
{
	size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *enc = xmalloc(n);
	sodium_bin2base64(enc, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	size_t total = strlen(enc);
	for (size_t at = 0; at < total; at += line) {
		size_t take = total - at < line ? total - at : line;
		buf_append(b, enc + at, take);
		if (at + take < total)
			buf_puts(b, "\r\n");
	}
	free(enc);
}

/* Subject: as is when it is printable ASCII, else RFC 2047 "B" encoded words, folded, each
 * holding whole UTF-8 characters. */
static void put_subject(struct buf *b, const char *subject)
{
	char *s = xstrdup(subject);
	int ascii = 1;
	for (unsigned char *p = (unsigned char *)s; *p; p++) {
		if (*p < ' ' || *p == 0x7f)
			*p = ' ';
		if (*p >= 0x80)
			ascii = 0;
	}
	buf_puts(b, "Subject: ");
	if (ascii && strlen(s) <= 900) {
		buf_puts(b, s);
	} else {
		size_t len = strlen(s);
		for (size_t at = 0; at < len;) {
			size_t take = len - at < ENCODED_WORD_BYTES ? len - at : ENCODED_WORD_BYTES;
			while (take > 1 && at + take < len && ((unsigned char)s[at + take] & 0xC0) == 0x80)
				take--;
			buf_puts(b, at ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
			put_base64(b, s + at, take, 1000);
			buf_puts(b, "?=");
			at += take;
		}
	}
	buf_puts(b, "\r\n");
	free(s);
}

static void put_part(struct buf *b, const char *boundary, const char *type, const char *body)
{
	buf_printf(b, "--%s\r\nContent-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		   boundary, type);
	put_base64(b, body, strlen(body), 76);
	buf_puts(b, "\r\n");
}

char *mail_build(const struct mail *m)
{
	struct buf b = BUF_INIT;
	char date[64], boundary[40];
	struct tm tm;
	gmtime_r(&m->date, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	memcpy(boundary, "=_", 2);
	random_hex(boundary + 2, 16);
	buf_printf(&b, "Date: %s\r\nFrom: herald <%s>\r\nTo: ", date, m->from);
	for (int i = 0; i < m->nto; i++)
		buf_printf(&b, "%s%s", i ? ",\r\n " : "", m->to[i]);
	buf_printf(&b, "\r\nMessage-ID: %s\r\n", m->message_id);
	put_subject(&b, m->subject);
	buf_printf(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
		       "This is a MIME message with text and HTML versions.\r\n", boundary);
	put_part(&b, boundary, "text/plain", m->text);
	put_part(&b, boundary, "text/html", m->html);
	buf_printf(&b, "--%s--\r\n", boundary);
	return buf_steal(&b);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t take = size * n < r->left ? size * n : r->left;
	memcpy(dst, r->p, take);
	r->p += take;
	r->left -= take;
	return take;
}

int mail_url_has_credentials(const char *url)
{
	const char *host = strstr(url, "://");
	if (host == NULL)
		return 0;
	host += 3;
	return host[strcspn(host, "@/?#")] == '@';
}

int mail_send(const char *url, const char *from, char *const *rcpts, int n, const char *msg,
	      char *err, size_t errlen)
{
	int tls = strncmp(url, "smtps://", 8) == 0;
	if (!tls && strncmp(url, "smtp://", 7) != 0) {
		snprintf(err, errlen, "the SMTP URL must start with smtp:// or smtps://");
		return -1;
	}
	CURL *c = curl_easy_init();
	if (c == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE] = "", *mail_from = xasprintf("<%s>", from);
	struct curl_slist *to = NULL;
	for (int i = 0; i < n; i++)
		to = curl_slist_append(to, rcpts[i]);
	struct reader rd = {msg, strlen(msg)};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* smtp:// with credentials: STARTTLS or nothing, so the password never crosses in clear,
	 * unless smtp_require_tls is off (a trusted local relay) */
	if (!tls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, mail_url_has_credentials(url) && strcmp(cfg.smtp_require_tls, "off") != 0
							   ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rd.left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, MAIL_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, MAIL_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	char *why = url_redact(*errbuf ? errbuf : curl_easy_strerror(rc));
	if (rc != CURLE_OK && code > 0)
		snprintf(err, errlen, "%s (SMTP reply %ld)", why, code);
	else if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", why);
	free(why);
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	free(mail_from);
	return rc == CURLE_OK ? 0 : -1;
}
