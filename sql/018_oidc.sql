-- 018_oidc: OpenID Connect sign-in for the admin (API.md 9.7).
-- A user signed in through the issuer is keyed by (oidc_issuer, oidc_subject) and has no
-- password: the password sign-in never matches a NULL hash.
ALTER TABLE users
    ALTER COLUMN password_hash DROP NOT NULL,
    ADD COLUMN oidc_issuer   text CHECK (char_length(oidc_issuer) <= 512),
    ADD COLUMN oidc_subject  text CHECK (char_length(oidc_subject) <= 255),
    ADD CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL)),
    ADD CHECK (password_hash IS NOT NULL OR oidc_subject IS NOT NULL);
CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- Sign-ins under way: one row from the redirect to the issuer until the callback, which
-- deletes it (a state is used once). Kept here, not in memory, so the callback may reach any
-- instance. state_hash is the BLAKE2b-256 of the state; the browser holds the state itself
-- in a cookie that binds the sign-in to it.
CREATE TABLE oidc_logins (
    state_hash    bytea PRIMARY KEY,
    nonce         text NOT NULL,
    verifier      text NOT NULL,               -- the PKCE code verifier
    redirect_uri  text NOT NULL,
    next          text NOT NULL,               -- the admin path to return to
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oidc_logins_created ON oidc_logins (created_at);
