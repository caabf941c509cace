/* session.h — admin sign-in sessions kept in PostgreSQL (admin_sessions). The cookie holds a
 * random 256-bit id (base64url); the table holds only its BLAKE2b hash. Sessions end after 30
 * idle minutes or 12 hours, get a new id at every sign-in and are deleted at sign-out. The
 * cookie is HttpOnly, SameSite=Strict, Path=/ and Secure (unless cookie_secure is off, which
 * only a loopback listen address allows), with the __Host- prefix when the request came over
 * TLS (X-Forwarded-Proto: https from a trusted proxy). */
#ifndef HERALD_SESSION_H
#define HERALD_SESSION_H
#include <jansson.h>
#include <stdint.h>
#include "csrf.h"
#include "db.h"
#include "http.h"

#define SESSION_COOKIE "herald_session"
#define SESSION_COOKIE_TLS "__Host-herald_session"
#define SESSION_IDLE "30 minutes"
#define SESSION_ABSOLUTE "12 hours"

struct session {
	char id[48];                 /* the cookie value */
	char csrf[CSRF_TOKEN_LEN];   /* the CSRF token of this session */
	json_t *form;                /* the POSTed form without csrf_token, or NULL */
	char zone[65];               /* the user's time zone (HERALD_DEFAULT_TIMEZONE when unset) */
	char zone_offset[16];        /* its offset from UTC now: "UTC+03:00" (utc_offset_text) */
	json_t *times;               /* the page's times waiting for the zone (admin_time.c), or NULL */
};

/* 1 when the request came over TLS. */
int session_tls(struct http_req *req);
/* Finds the request's session: fills req->user and req->session with the user's zone (freed
 * with the request's pool). MODEL_OK, MODEL_NOT_FOUND (none or expired) or a database failure. */
enum model_rc session_load(struct http_req *req);
/* Starts a new session for user_id (deleting the request's old one), sets the cookie and
 * req->session. 0 or -1. */
int session_start(struct http_req *req, struct db *db, int64_t user_id);
/* Deletes the request's session and expires the cookie. */
void session_end(struct http_req *req, struct db *db);
/* Deletes every session of user_id (after a password change or deactivation) except keep
 * (may be NULL). */
int session_drop_user(struct db *db, int64_t user_id, const struct session *keep);
void session_free(struct session *s);

#endif
