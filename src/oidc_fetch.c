/* oidc_fetch.c — the requests to the OpenID Connect issuer (see oidc_fetch.h). */
#include "oidc_fetch.h"
#include "libcurl.h"
#include "buf.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "net.h"
#include "util.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void oidc_err_set(struct oidc_err *e, const char *path, const char *fmt, ...)
{
	e->path = path;
	e->arg[0] = '\0';
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->arg, sizeof(e->arg), fmt, ap);
		va_end(ap);
	}
}

char *oidc_err_text(const struct oidc_err *e, const char *lang)
{
	return i18n_format(lang, e->path, e->arg);
}

int oidc_url_acceptable(const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	if (strncmp(url, "http://", 7) != 0)
		return 0;
	const char *h = url + 7, *end;
	char host[64];
	if (*h == '[') {
		h++;
		end = strchr(h, ']');
	} else {
		end = h + strcspn(h, ":/?#");
	}
	if (end == NULL || end == h || (size_t)(end - h) >= sizeof(host))
		return 0;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	return strcmp(host, "localhost") == 0 || net_is_loopback(host);
}

static size_t on_body(char *p, size_t size, size_t n, void *cls)
{
	struct buf *b = cls;
	if (b->len + size * n > OIDC_FETCH_MAX)
		return 0;
	buf_append(b, p, size * n);
	return size * n;
}

json_t *oidc_fetch(const char *url, const char *form, struct oidc_err *err)
{
	if (!oidc_url_acceptable(url)) {
		oidc_err_set(err, "oidc.not_https", "%.200s", url);
		return NULL;
	}
	libcurl_init();
	CURL *c = curl_easy_init();
	if (c == NULL)
		fatal("curl_easy_init failed");
	struct buf body = BUF_INIT;
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: application/json");
	char *user = NULL, *pass = NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)OIDC_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)OIDC_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)OIDC_FETCH_MAX);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (form) {
		/* client_secret_basic: the id and secret form-encoded, then Basic (RFC 6749 2.3.1) */
		user = curl_easy_escape(c, cfg.oidc_client_id, 0);
		pass = curl_easy_escape(c, cfg.oidc_client_secret, 0);
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, pass);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	}
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	json_t *v = NULL;
	if (rc != CURLE_OK) {
		oidc_err_set(err, "oidc.unreachable", "%s", curl_easy_strerror(rc));
	} else if (status != 200) {
		oidc_err_set(err, "oidc.http_status", "%ld", status);
		if (body.len > 300)
			body.data[300] = '\0';
		log_warn("oidc.fetch_status", LS("url", url), LI("status", status),
			 LS("body", body.data ? body.data : ""));
	} else if ((v = json_loadb(body.data ? body.data : "", body.len, 0, NULL)) == NULL || !json_is_object(v)) {
		json_decref(v);
		v = NULL;
		oidc_err_set(err, "oidc.not_json", NULL);
	}
	curl_free(user);
	curl_free(pass);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	buf_free(&body);
	return v;
}
