-- 024_user_email: a user's e-mail address (optional). When it is among HERALD_REPORT_TO, the
-- daily statistics e-mail reaches it in the user's language (issue 17). One user per address.
ALTER TABLE users ADD COLUMN email text CHECK (char_length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$');
CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;
