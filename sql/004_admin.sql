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
