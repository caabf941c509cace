-- 009_login_throttle: sign-in throttling per (client address, user name) and per client
-- address, in place of the count per user name (which let anyone lock an account out).
-- One row per key: 'u:<address> <user name>' or 'a:<address>'. Every attempt is counted before
-- the password is checked, in the one statement that also decides, so parallel attempts
-- cannot pass the limit; a successful sign-in gives its attempts back. A key over its limit is
-- blocked for 1 minute, doubling with each further block (strikes) up to 64 minutes.
DROP TABLE login_failures;

CREATE TABLE login_throttle (
    key            text PRIMARY KEY,
    attempts       int NOT NULL DEFAULT 0,       -- counted since updated_at's window began
    strikes        int NOT NULL DEFAULT 0,       -- blocks so far
    blocked_until  timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);
