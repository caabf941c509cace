-- 012_idempotency: Idempotency-Key of direct sends (API.md 9.2). A row is inserted in the same
-- transaction as the messages it answers for: a second request with the key waits on the first
-- one's row (the primary key) and then replays its answer, so parallel requests create one
-- message across every instance. request_hash is BLAKE2b-256 of the route and the body; the
-- scheduler leader deletes rows older than 24 hours.
CREATE TABLE idempotency_keys (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text COLLATE "C" NOT NULL CHECK (key ~ '^[!-~]{1,255}$'),
    request_hash  bytea NOT NULL,
    status        smallint NOT NULL,
    response      text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
