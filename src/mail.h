/* mail.h — e-mail: address lists, a MIME multipart/alternative message (text + HTML, UTF-8,
 * base64 parts, RFC 2047 Subject) and delivery over SMTP with libcurl (smtp:// with STARTTLS
 * when the server offers it, smtps://, credentials from the URL). Depends on util and buf. */
#ifndef HERALD_MAIL_H
#define HERALD_MAIL_H
#include <stddef.h>
#include <time.h>

#define MAIL_MAX_RCPTS 100

struct mail {
	const char *from;         /* an address (mail_address_valid) */
	char *const *to;          /* nto addresses (mail_parse_list) */
	int nto;
	const char *subject;      /* UTF-8; control characters become spaces */
	const char *text;         /* UTF-8 bodies */
	const char *html;
	const char *message_id;   /* "<...@...>", see mail_message_id() */
	time_t date;
};

/* True when addr is a plain addr-spec we are willing to put in headers: 3..254 bytes, one '@'
 * with text on both sides, no space, control, quote, bracket, comma or semicolon. */
int mail_address_valid(const char *addr);
/* Splits a comma-separated list (spaces around items ignored) into *out, a malloc'ed array of
 * malloc'ed addresses (free with mail_free_list). Returns the count (1..MAIL_MAX_RCPTS), or -1
 * with err naming the bad item. */
int mail_parse_list(const char *list, char ***out, char *err, size_t errlen);
void mail_free_list(char **list, int n);
/* A new Message-ID "<32 hex@domain of from>"; malloc'ed. */
char *mail_message_id(const char *from);
/* The whole message with CRLF line ends; malloc'ed. The caller validated from and to. */
char *mail_build(const struct mail *m);
/* Sends msg from from to the n addresses over url (smtp:// or smtps://). An smtp:// URL with
 * credentials needs STARTTLS unless cfg.smtp_require_tls is off; without credentials STARTTLS
 * is used when offered. 0, or -1 with err (curl's reason, without the URL's credentials, and
 * the last SMTP reply code). Blocks for at most about a minute. */
/* 1 when url carries user name or password ("smtp://user:pw@host"). */
int mail_url_has_credentials(const char *url);
int mail_send(const char *url, const char *from, char *const *rcpts, int n, const char *msg,
	      char *err, size_t errlen);

#endif
