/* admin_text.c — the texts of a request's admin pages: its language and the catalogue's texts
 * in it (i18n.h), formatted, in plural forms and as option labels. */
#include "admin_text.h"
#include "config.h"
#include "i18n.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *admin_lang(struct http_req *req)
{
	if (req->lang == NULL && i18n_known(req->user.language))
		req->lang = req->user.language;
	if (req->lang == NULL)
		req->lang = i18n_accept(http_header_in(req, "Accept-Language"));
	if (req->lang == NULL)
		req->lang = cfg.language;
	return req->lang;
}

const char *admin_t(struct http_req *req, const char *path)
{
	return i18n_text(admin_lang(req), path);
}

const char *admin_t_opt(struct http_req *req, const char *path)
{
	const char *t = admin_t(req, path);
	return t == path ? NULL : t;
}

const char *admin_format(struct http_req *req, const char *path, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;
	va_start(ap, path);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	buf_vprintf(&b, admin_t(req, path), ap);
#pragma GCC diagnostic pop
	va_end(ap);
	const char *out = pool_strdup(&req->pool, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

const char *admin_plural(struct http_req *req, const char *path, long long n)
{
	char *s = i18n_plural(admin_lang(req), path, n, n);
	const char *out = pool_strdup(&req->pool, s);
	free(s);
	return out;
}

const char *admin_count(struct http_req *req, const char *path, long long n)
{
	char digits[32], grouped[64];
	const char *sep = admin_t(req, "admin.common.thousands");
	size_t len = (size_t)snprintf(digits, sizeof(digits), "%lld", n), k = 0, slen = strlen(sep);
	for (size_t i = 0; i < len && k + slen + 2 < sizeof(grouped); i++) {
		if (i && digits[i - 1] != '-' && (len - i) % 3 == 0) {
			memcpy(grouped + k, sep, slen);
			k += slen;
		}
		grouped[k++] = digits[i];
	}
	grouped[k] = '\0';
	char *s = i18n_plural(admin_lang(req), path, n, grouped);
	const char *out = pool_strdup(&req->pool, s);
	free(s);
	return out;
}

const char *admin_option(struct http_req *req, const char *name, const char *value)
{
	char path[128];
	if (value == NULL)
		return "—";
	snprintf(path, sizeof(path), "admin.options.%s.%s", name, *value ? value : "_");
	const char *t = admin_t_opt(req, path);
	return t ? t : value;
}
