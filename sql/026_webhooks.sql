-- 026_webhooks: webhooks (API.md 9.6) and their durable queue of deliveries.
--
-- A webhook belongs to a user and receives the events of what that user started: the messages
-- of mailings they created (mailings.created_by) and their direct messages (messages.created_by,
-- added here: NULL for mailings' rows and for SMPP submits). The secret signs each delivery
-- (HMAC-SHA256) and is never read back by the API or the admin.
CREATE TABLE webhooks (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2048),
    events      text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 6),
    secret      text NOT NULL CHECK (char_length(secret) BETWEEN 16 AND 256),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_user ON webhooks (user_id, id);

ALTER TABLE messages ADD COLUMN created_by bigint;

-- One row per (event, subscribed webhook), made in the transaction of the change that caused
-- it; its id is the event id (X-Herald-Event-Id) on every attempt. status: pending until an
-- answer 2xx (delivered) or until retries ran out (failed). A sender claims due rows (FOR UPDATE
-- SKIP LOCKED) by setting lease_until past its request's timeout, so no other instance takes a
-- row while its attempt is in flight; attempts fences the write of the answer. Neither column
-- is indexed and pages are kept half free, so the claim is a HOT update (as messages', 017).
CREATE TABLE webhook_deliveries (
    id            bigserial PRIMARY KEY,
    webhook_id    bigint NOT NULL,              -- no foreign key: see webhooks_drop_deliveries
    event         text NOT NULL,
    object_id     bigint,                       -- the message or mailing; NULL for a test event
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    next_at       timestamptz NOT NULL DEFAULT now(),
    lease_until   timestamptz,
    last_code     integer,                      -- the HTTP status of the last answer, 0: none
    last_answer   text,                         -- its first bytes, or why there was none
    created_at    timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz
) WITH (fillfactor = 50);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);

-- A deleted webhook's deliveries go with it. A foreign key would lock the webhook's row (FOR KEY
-- SHARE) once per event in every dispatcher's outcome write, where two workers sharing a
-- webhook would make a MultiXact of each lock.
CREATE FUNCTION webhooks_drop_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM webhook_deliveries WHERE webhook_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER webhooks_drop_deliveries AFTER DELETE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION webhooks_drop_deliveries();

-- Message events come from a statement-level trigger with transition tables, as the SMPP
-- receipts do (005_smpp.sql): one set-based INSERT per status-changing statement, whatever
-- path changed the status (the dispatcher's outcome write, the claim's and the scheduler's
-- expiry, delivery reports). The event is "message." and the status' name; with no enabled
-- webhook the statement pays one probe of an empty index.
CREATE FUNCTION webhook_message_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_deliveries (webhook_id, event, object_id)
    SELECT h.id, e.event, nw.id
      FROM new_rows nw
      JOIN old_rows o ON o.id = nw.id AND o.status <> nw.status
      CROSS JOIN LATERAL (SELECT 'message.' || message_status_name(nw.status) AS event) e
      LEFT JOIN mailings g ON g.id = nw.mailing_id
      JOIN webhooks h ON h.user_id = coalesce(nw.created_by, g.created_by) AND h.enabled
                     AND e.event = ANY (h.events)
     ORDER BY nw.id, h.id;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_webhook_events AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_message_events();

-- mailing.finished: when a mailing's status becomes finished (every message final, end_at
-- passed, or it could not start), in the scheduler's transaction.
CREATE FUNCTION webhook_mailing_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (webhook_id, event, object_id)
    SELECT h.id, 'mailing.finished', nw.id
      FROM new_rows nw
      JOIN old_rows o ON o.id = nw.id AND o.status <> 'finished'
      JOIN webhooks h ON h.user_id = nw.created_by AND h.enabled AND 'mailing.finished' = ANY (h.events)
     WHERE nw.status = 'finished'
     ORDER BY nw.id, h.id;
    RETURN NULL;
END $$;
CREATE TRIGGER mailings_webhook_events AFTER UPDATE ON mailings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_mailing_events();
