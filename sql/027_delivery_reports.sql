-- 027_delivery_reports: delivery reports (API.md 9.5, src/dlr.c). A provider tells whether a
-- message it accepted (sent) reached the phone: two new statuses after the others, so that no
-- stored number changes: 6 delivered and 7 undelivered (src/message_status.h).
--
-- Statistics keep "sent" as "accepted by the provider": the counts' 'sent' holds the messages in
-- sent, delivered and undelivered, and 'delivered' and 'undelivered' say what became of those;
-- sent minus both is what still awaits its report. 'total' stays the sum of the first six
-- (every message once). message_minutes and herald_messages_total{status="sent"} already count
-- each message once when it became sent: a report moves it on without taking that back.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status BETWEEN 0 AND 7);

-- When the report came (NULL: none came).
ALTER TABLE messages ADD COLUMN reported_at timestamptz;

CREATE OR REPLACE FUNCTION message_status_names() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ARRAY['pending', 'sending', 'sent', 'failed', 'expired', 'cancelled', 'delivered', 'undelivered'] $$;

-- A count per status as one JSON object: 'total', then every status in number order, 'sent'
-- with the delivered and undelivered ones in it.
CREATE OR REPLACE FUNCTION message_counts_json(counts bigint[]) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT json_object_agg(k, v ORDER BY o)
      FROM (SELECT 0 AS o, 'total' AS k, (SELECT coalesce(sum(x), 0) FROM unnest(counts) x) AS v
            UNION ALL
            SELECT o, name, coalesce(counts[o], 0)
                   + CASE WHEN name = 'sent' THEN coalesce(counts[message_status('delivered') + 1], 0)
                                                + coalesce(counts[message_status('undelivered') + 1], 0)
                          ELSE 0 END
              FROM unnest(message_status_names()) WITH ORDINALITY AS s(name, o)) x
$$;

-- Whether provider p_id sends delivery reports: it has a dlr_secret to post them with. A
-- message it accepted stays sent until its report; one of a provider without reports is final
-- when sent (the SMPP receipt then says DELIVRD, as before reports existed).
CREATE FUNCTION provider_reports(p_id bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM providers WHERE id = p_id AND dlr_secret IS NOT NULL)
$$;

-- Whether a message entering status s (a direct message of an SMPP submit that asked with
-- registered_delivery rd, sent through provider p) gets its SMPP receipt now: when s is final.
-- sent is final only for a provider without reports; delivered and sent are the successes that
-- rd 2 (failures only) leaves out. Inlined by the planner into the trigger below.
CREATE FUNCTION smpp_receipt_due(s smallint, rd smallint, p bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN s = message_status('sent') THEN rd = 1 AND NOT provider_reports(p)
        WHEN s = message_status('delivered') THEN rd = 1
        ELSE s IN (message_status('failed'), message_status('expired'), message_status('cancelled'),
                   message_status('undelivered')) AND rd IN (1, 2)
    END
$$;

-- SMPP delivery receipts (005, 016): the receipt of each status change smpp_receipt_due names.
CREATE OR REPLACE FUNCTION smpp_receipts_make() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO smpp_receipts AS r (message_id, account_id, status)
    SELECT nw.id, sm.account_id, nw.status
      FROM new_rows nw JOIN old_rows o ON o.id = nw.id JOIN smpp_messages sm ON sm.message_id = nw.id
     WHERE nw.mailing_id IS NULL AND o.status IS DISTINCT FROM nw.status
       AND smpp_receipt_due(nw.status, sm.registered_delivery, nw.provider_id)
     ORDER BY nw.id
    ON CONFLICT (message_id) DO UPDATE SET status = excluded.status, delivered_at = NULL, attempt_at = NULL;
    RETURN NULL;
END $$;
