/* session.c — admin sessions. */
#include "session.h"
#include "config.h"
#include "log.h"
#include "model_user.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int session_tls(struct http_req *req)
{
	return req->tls;
}

static const char *cookie_name(struct http_req *req)
{
	return session_tls(req) ? SESSION_COOKIE_TLS : SESSION_COOKIE;
}

static struct session *session_new(const char *id)
{
	struct session *s = xcalloc(1, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", id);
	snprintf(s->zone, sizeof(s->zone), "%s", cfg.default_timezone);
	csrf_token(s->id, s->csrf);
	return s;
}

static void detach(void *cls)
{
	struct http_req *req = cls;
	session_free(req->session);
	req->session = NULL;
}

/* Gives req a new session object for cookie value id; the request's pool frees it. */
static void attach(struct http_req *req, const char *id)
{
	if (req->session == NULL)
		pool_defer(&req->pool, detach, req);
	session_free(req->session);
	req->session = session_new(id);
}

enum model_rc session_load(struct http_req *req)
{
	static const char q[] =
	    "UPDATE admin_sessions s SET last_seen_at = now() FROM users u"
	    " WHERE s.id_hash = $1::bytea AND u.id = s.user_id AND u.is_active"
	    "   AND s.last_seen_at > now() - interval '" SESSION_IDLE "'"
	    "   AND s.created_at > now() - interval '" SESSION_ABSOLUTE "'"
	    " RETURNING u.id, u.username, u.role, u.password_hash IS NOT NULL, coalesce(u.timezone, $2),"
	    "   utc_offset_text(now(), coalesce(u.timezone, $2)), coalesce(u.language, '')";
	const char *id = http_cookie(req, cookie_name(req));
	char h[HASH_PARAM_LEN];
	if (id == NULL || strlen(id) != 43 || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != 43)
		return MODEL_NOT_FOUND;
	struct db *db = db_thread();
	if (db == NULL)
		return MODEL_UNAVAILABLE;
	secret_hash_param(id, h);
	const char *p[] = {h, cfg.default_timezone};
	PGresult *r = db_exec(db, q, 2, p);
	enum model_rc rc = user_of_row(db, r, &req->user);
	if (rc != MODEL_OK)
		return rc;
	req->user.has_password = db_str(r, 0, 3)[0] == 't';
	snprintf(req->user.language, sizeof(req->user.language), "%s", db_str(r, 0, 6));
	attach(req, id);
	struct session *s = req->session;
	snprintf(s->zone, sizeof(s->zone), "%s", db_str(r, 0, 4));
	snprintf(s->zone_offset, sizeof(s->zone_offset), "%s", db_str(r, 0, 5));
	PQclear(r);
	return MODEL_OK;
}

static void set_cookie(struct http_req *req, const char *value, int expire)
{
	int secure = session_tls(req) || strcmp(cfg.cookie_secure, "off") != 0;
	char *c = xasprintf("%s=%s; HttpOnly; SameSite=Strict; Path=/%s%s", cookie_name(req), value,
			    secure ? "; Secure" : "", expire ? "; Max-Age=0" : "");
	http_header(req, "Set-Cookie", c);
	free(c);
}

static void delete_by_cookie(struct http_req *req, struct db *db)
{
	static const char q[] = "DELETE FROM admin_sessions WHERE id_hash = $1::bytea";
	const char *id = http_cookie(req, cookie_name(req));
	char h[HASH_PARAM_LEN];
	if (id == NULL || strlen(id) > 64)
		return;
	secret_hash_param(id, h);
	const char *p[] = {h};
	db_run(db, q, 1, p);
}

int session_start(struct http_req *req, struct db *db, int64_t user_id)
{
	static const char q_expired[] =
	    "DELETE FROM admin_sessions WHERE last_seen_at < now() - interval '" SESSION_IDLE "'"
	    " OR created_at < now() - interval '" SESSION_ABSOLUTE "'";
	static const char q_new[] = "INSERT INTO admin_sessions (id_hash, user_id) VALUES ($1::bytea, $2)";
	unsigned char raw[32];
	char id[48], h[HASH_PARAM_LEN], uid[DB_NUM_LEN];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(id, sizeof(id), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	secret_hash_param(id, h);
	delete_by_cookie(req, db);
	db_run(db, q_expired, 0, NULL);
	const char *p[] = {h, db_num(uid, user_id)};
	if (db_run(db, q_new, 2, p) < 0)
		return -1;
	set_cookie(req, id, 0);
	attach(req, id);
	return 0;
}

void session_end(struct http_req *req, struct db *db)
{
	delete_by_cookie(req, db);
	set_cookie(req, "", 1);
}

int session_drop_user(struct db *db, int64_t user_id, const struct session *keep)
{
	static const char q[] = "DELETE FROM admin_sessions WHERE user_id = $1 AND id_hash <> $2::bytea";
	char uid[DB_NUM_LEN], h[HASH_PARAM_LEN] = "\\x00";
	if (keep)
		secret_hash_param(keep->id, h);
	const char *p[] = {db_num(uid, user_id), h};
	return db_run(db, q, 2, p);
}

void session_free(struct session *s)
{
	if (s == NULL)
		return;
	json_decref(s->form);
	json_decref(s->times);
	sodium_memzero(s, sizeof(*s));
	free(s);
}
