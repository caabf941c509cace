-- 031_webhook_events: the message events of one statement are one row per (webhook, event), the
-- messages' ids an array; the webhook sender turns such rows into webhook_deliveries (026), one
-- per message, when it has room for them (src/webhook.c, "expand").
--
-- Inserting one webhook_deliveries row per event inside the dispatcher's outcome write cost
-- PostgreSQL 12 us an event (a sequence value, a heap tuple and three index entries), most of what
-- a webhook added to sending a message. A statement's events now cost one row; the delivery rows
-- are made by the sender, at its pace, so a backlog of events waits here as arrays. An event keeps
-- its time (created_at, the time of the change that caused it); its id, the X-Herald-Event-Id of
-- every attempt, is its delivery's, given when it is expanded.
CREATE TABLE webhook_events (
    id          bigserial PRIMARY KEY,
    webhook_id  bigint NOT NULL,                -- no foreign key, as webhook_deliveries' (026)
    event       text NOT NULL,
    object_ids  bigint[] NOT NULL CHECK (cardinality(object_ids) > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- A statement's ids over 2 kB (about 250) are stored out of line as they are: compressing them
-- (pglz) cost 0.3 ms for 500 ids, more than the rest of the trigger.
ALTER TABLE webhook_events ALTER COLUMN object_ids SET STORAGE EXTERNAL;

-- The messages are grouped by (mailing, creator, new status) before the groups are matched to
-- the mailings and the webhooks: one lookup a group, not one a message. pending and sending are
-- no event: the dispatcher's claims, which make them, pass over their rows once.
CREATE OR REPLACE FUNCTION webhook_message_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhooks WHERE enabled) THEN
        RETURN NULL;
    END IF;
    INSERT INTO webhook_events (webhook_id, event, object_ids)
    SELECT h.id, e.event, e.ids
      FROM (SELECT nw.mailing_id, nw.created_by, 'message.' || message_status_name(nw.status) AS event,
                   array_agg(nw.id ORDER BY nw.id) AS ids
              FROM new_rows nw
              JOIN old_rows o ON o.id = nw.id AND o.status <> nw.status
             WHERE nw.status NOT IN (message_status('pending'), message_status('sending'))
             GROUP BY nw.mailing_id, nw.created_by, nw.status) e
      LEFT JOIN mailings g ON g.id = e.mailing_id
      JOIN webhooks h ON h.user_id = coalesce(e.created_by, g.created_by) AND h.enabled
                     AND e.event = ANY (h.events)
     ORDER BY h.id, e.event;
    RETURN NULL;
END $$;

-- A deleted webhook's events that wait go with it, as its deliveries do.
CREATE OR REPLACE FUNCTION webhooks_drop_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM webhook_deliveries WHERE webhook_id = OLD.id;
    DELETE FROM webhook_events WHERE webhook_id = OLD.id;
    RETURN OLD;
END $$;

-- What waits to be delivered, of all webhooks or of one (p_webhook NULL: all): the deliveries
-- pending and the events not yet expanded. For herald_webhook_deliveries_pending and the admin.
CREATE FUNCTION webhook_waiting(p_webhook bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM webhook_deliveries
             WHERE status = 'pending' AND (p_webhook IS NULL OR webhook_id = p_webhook))
         + (SELECT coalesce(sum(cardinality(object_ids)), 0) FROM webhook_events
             WHERE p_webhook IS NULL OR webhook_id = p_webhook)
$$;
