-- 017_queue: the dispatcher's queue beside the ledger, so a message's status changes are HOT.
--
-- messages had partial indexes on status (messages_due, messages_lease, messages_client): each
-- status change then wrote a new tuple into every index of the table, twice per message
-- (claim, outcome), and the claim walked the dead entries in front of messages_due. Measured on
-- one connection (200,000 messages, batches of 500, the dispatcher's claim and outcome
-- statements with their triggers): 28-30 us of PostgreSQL CPU per message. With no index on a
-- column that changes, and room on the page for the new version (fillfactor 50), 96 % of the
-- updates are HOT and the same statements cost 19-22 us (a bare claim and mark-sent: 7 us at
-- fillfactor 50, 12 us at 60, 14 us at 70, 21 us at 100).
--
-- Where the work is found instead:
--  * dispatch_ranges: a started mailing's messages are one range of ids (its freeze is one
--    INSERT); the claim moves the range's cursor and reads the rows by primary key;
--  * message_queue: every other pending message (direct sends, SMPP submits, retries, a send
--    window's next opening, releases and recovered leases), by due_at;
--  * dispatch_claims: the ids of each claim and its lease, so that the leases of a crashed
--    instance are found without an index on messages.lease_until.
CREATE TABLE message_queue (
    message_id  bigint PRIMARY KEY,
    due_at      timestamptz NOT NULL
);
CREATE INDEX message_queue_due ON message_queue (due_at);

CREATE TABLE dispatch_ranges (
    mailing_id  bigint PRIMARY KEY,
    next_id     bigint NOT NULL,       -- the claim's cursor: ids up to it have been claimed
    last_id     bigint NOT NULL,
    due_at      timestamptz NOT NULL   -- the mailing's start (a batch may be sent later)
);

CREATE TABLE dispatch_claims (
    id           bigserial PRIMARY KEY,
    lease_until  timestamptz NOT NULL,
    ids          bigint[] NOT NULL,       -- the ids taken from the queue
    mailing_id   bigint,                  -- and those of this mailing in (lo, hi] of its range
    lo           bigint,
    hi           bigint
);
CREATE INDEX dispatch_claims_lease ON dispatch_claims (lease_until);

INSERT INTO message_queue (message_id, due_at) SELECT id, due_at FROM messages WHERE status = 0;
INSERT INTO dispatch_claims (lease_until, ids)
SELECT coalesce(max(lease_until), now()), array_agg(id) FROM messages WHERE status = 1 HAVING count(*) > 0;

DROP INDEX messages_due;
DROP INDEX messages_lease;
DROP INDEX messages_client;
CREATE INDEX messages_client ON messages (client_id);
ALTER TABLE messages SET (fillfactor = 50);

-- Every pending message that is inserted is found by the dispatcher: a mailing's rows as a range
-- (one per mailing; rows added later extend it), others in the queue. One rule for every
-- producer: the scheduler's freeze, batches, direct sends, SMPP submits.
CREATE FUNCTION messages_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dispatch_ranges AS d (mailing_id, next_id, last_id, due_at)
    SELECT mailing_id, min(id) - 1, max(id), min(due_at) FROM new_rows
     WHERE status = 0 AND mailing_id IS NOT NULL GROUP BY mailing_id
    ON CONFLICT (mailing_id) DO UPDATE
       SET next_id = CASE WHEN d.next_id >= d.last_id THEN excluded.next_id ELSE d.next_id END,
           last_id = greatest(d.last_id, excluded.last_id), due_at = least(d.due_at, excluded.due_at);
    INSERT INTO message_queue (message_id, due_at)
    SELECT id, due_at FROM new_rows WHERE status = 0 AND mailing_id IS NULL
    ON CONFLICT (message_id) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_enqueue AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION messages_enqueue();

-- A mailing that ends, is cancelled or deleted has no range left to claim. (Queue rows of
-- messages that are no longer pending are dropped by the claim that finds them.)
CREATE FUNCTION mailings_range_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dispatch_ranges WHERE mailing_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER mailings_range_end AFTER UPDATE OF status ON mailings
    FOR EACH ROW WHEN (NEW.status IN ('finished', 'cancelled')) EXECUTE FUNCTION mailings_range_end();
CREATE TRIGGER mailings_range_delete AFTER DELETE ON mailings
    FOR EACH ROW EXECUTE FUNCTION mailings_range_end();
