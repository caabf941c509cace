-- 004_admin: server-side admin sessions, login throttling, and the secret behind CSRF tokens.

-- A session is found by the BLAKE2b-256 hash of its random 256-bit id (the cookie value), so a
-- leaked table does not hand out sessions. Idle (30 min) and absolute (12 h) timeouts are
-- checked on every request against last_seen_at and created_at.
CREATE TABLE admin_sessions (
    id_hash       bytea PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);
CREATE INDEX admin_sessions_seen ON admin_sessions (last_seen_at);

-- One row per failed sign-in; counted per user name over the last 15 minutes, so throttling
-- holds across instances. Old rows are removed as new ones arrive.
CREATE TABLE login_failures (
    username  text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user ON login_failures (username, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- Process-wide secrets shared by every instance (the CSRF HMAC key), made on first start.
CREATE TABLE app_secrets (
    name   text PRIMARY KEY,
    value  bytea NOT NULL
);

-- Who changed what through the admin: one row per change (and per sign-in), newest last.
-- object names the thing changed ("operator 916", "user 7"); detail holds the new values.
CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    user_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    username  text NOT NULL,
    action    text NOT NULL,
    object    text NOT NULL DEFAULT '',
    detail    jsonb
);
CREATE INDEX audit_log_object ON audit_log (object, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
