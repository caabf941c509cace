-- SMPP server: accounts, the link from a message to the account that submitted it, and the
-- durable queue of delivery receipts.

CREATE TABLE smpp_accounts (
    id             bigserial PRIMARY KEY,
    system_id      text NOT NULL UNIQUE CHECK (system_id ~ '^[!-~]{1,16}$'),
    password_hash  text NOT NULL,                     -- argon2id (libsodium crypto_pwhash_str)
    throughput     integer NOT NULL DEFAULT 100 CHECK (throughput BETWEEN 1 AND 1000000),  -- submit_sm/s
    allowed_cidrs  cidr[] NOT NULL DEFAULT '{}',      -- empty: any address may bind
    enabled        boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per message submitted over SMPP (a concatenated message is one message). A side
-- table keeps the hot messages table untouched; the primary key makes the receipt trigger's
-- join an index probe. No foreign key to messages (as in 001): it would cost an index probe per
-- row whenever a mailing's million messages are deleted; SMPP messages belong to no mailing.
CREATE TABLE smpp_messages (
    message_id           bigint PRIMARY KEY,
    account_id           bigint NOT NULL REFERENCES smpp_accounts (id) ON DELETE CASCADE,
    source_addr          text NOT NULL,
    registered_delivery  smallint NOT NULL,          -- bits 0-1 of the submit_sm's field
    parts                smallint NOT NULL DEFAULT 1,
    submitted_at         timestamptz NOT NULL DEFAULT now()
);

-- Delivery receipts to send: filled when an SMPP message that asked for one reaches a final
-- status, emptied (delivered_at set) when the ESME acknowledges the deliver_sm. attempt_at is a
-- lease: a receipt sent but not acknowledged within 30 s is sent again.
CREATE TABLE smpp_receipts (
    message_id    bigint PRIMARY KEY,
    account_id    bigint NOT NULL REFERENCES smpp_accounts (id) ON DELETE CASCADE,
    status        smallint NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    attempt_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    delivered_at  timestamptz
);
CREATE INDEX smpp_receipts_due ON smpp_receipts (account_id, message_id) WHERE delivered_at IS NULL;

-- Receipts are made by a statement-level trigger with transition tables: one set-based INSERT
-- per status-changing statement, whatever path changed the status (dispatcher, scheduler
-- expiring, API cancelling). Rows of mailings (mailing_id NOT NULL: the bulk of the traffic)
-- are filtered out before the join, so a mailing's batches never touch smpp_messages; direct
-- messages pay one primary-key probe each. registered_delivery 1 asks for every outcome, 2 for
-- failures only.
CREATE FUNCTION smpp_receipts_make() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO smpp_receipts (message_id, account_id, status)
    SELECT nw.id, sm.account_id, nw.status
      FROM new_rows nw
      JOIN old_rows o ON o.id = nw.id
      JOIN smpp_messages sm ON sm.message_id = nw.id
     WHERE nw.mailing_id IS NULL
       AND nw.status IN (2, 3, 4, 5) AND o.status IS DISTINCT FROM nw.status
       AND (sm.registered_delivery = 1 OR (sm.registered_delivery = 2 AND nw.status <> 2))
    ORDER BY nw.id
    ON CONFLICT (message_id) DO UPDATE
       SET status = excluded.status, delivered_at = NULL, attempt_at = NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_smpp_receipts AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION smpp_receipts_make();
