-- 016_message_status: the message statuses for SQL, from one list in number order that mirrors
-- src/message_status.h (test_messages checks that the two agree). The SQL that compared
-- messages.status with bare numbers names the status instead: message_status('sent') is
-- immutable, so with a constant name PostgreSQL folds it into a constant when it plans a
-- statement, and the hot triggers cost what they did. The partial indexes of messages and its
-- CHECK (status BETWEEN 0 AND 5) keep their numbers: redefining them rebuilds the indexes of the
-- largest table.
CREATE FUNCTION message_status_names() RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ARRAY['pending', 'sending', 'sent', 'failed', 'expired', 'cancelled'] $$;

-- The number of the status called p_name; an unknown name is an error, never a silent NULL.
CREATE FUNCTION message_status(p_name text) RETURNS smallint LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
STRICT AS $$
DECLARE
    i int := array_position(message_status_names(), p_name);
BEGIN
    IF i IS NULL THEN
        RAISE EXCEPTION 'there is no message status "%"', p_name;
    END IF;
    RETURN i - 1;
END $$;

CREATE OR REPLACE FUNCTION message_status_name(s smallint) RETURNS text LANGUAGE sql IMMUTABLE
PARALLEL SAFE AS
$$ SELECT (message_status_names())[s + 1] $$;

-- A count per status as one JSON object: 'total', then every status in number order.
CREATE FUNCTION message_counts_json(counts bigint[]) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT json_object_agg(k, v ORDER BY o)
      FROM (SELECT 0 AS o, 'total' AS k, (SELECT coalesce(sum(x), 0) FROM unnest(counts) x) AS v
            UNION ALL
            SELECT o, name, coalesce(counts[o], 0)
              FROM unnest(message_status_names()) WITH ORDINALITY AS s(name, o)) x
$$;

-- The counts of one mailing (001), and of all messages (007), by status; counts[status + 1].
CREATE OR REPLACE FUNCTION mailing_stats_json(p_mailing bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT message_counts_json(array_agg(n ORDER BY status)) FROM (
        SELECT s.status, coalesce(sum(c.n), 0)::bigint AS n
          FROM generate_series(0, cardinality(message_status_names()) - 1) AS s(status)
          LEFT JOIN message_counts c ON c.mailing_id = p_mailing AND c.status = s.status
         GROUP BY s.status) x
$$;
CREATE OR REPLACE FUNCTION message_totals_json() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT message_counts_json(array_agg(n ORDER BY status)) FROM (
        SELECT s.status, coalesce(sum(c.n), 0)::bigint AS n
          FROM generate_series(0, cardinality(message_status_names()) - 1) AS s(status)
          LEFT JOIN message_counts c ON c.status = s.status
         GROUP BY s.status) x
$$;

-- /metrics (010): per status, how many messages are in it now and how many entered it so far.
CREATE OR REPLACE FUNCTION message_status_totals() RETURNS TABLE (status text, now bigint, entered bigint)
LANGUAGE sql STABLE AS $$
    SELECT message_status_name(s::smallint), coalesce(sum(c.n), 0)::bigint, coalesce(sum(c.entered), 0)::bigint
      FROM generate_series(0, cardinality(message_status_names()) - 1) s
      LEFT JOIN message_counts c ON c.status = s
     GROUP BY s ORDER BY s
$$;

-- The counters' update trigger (008), its statuses named.
CREATE OR REPLACE FUNCTION messages_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM message_counts_apply(array_agg(m), array_agg(s), array_agg(n))
       FROM (SELECT m, s, sum(n)::bigint AS n FROM (
                 SELECT coalesce(mailing_id, 0) AS m, status AS s, -1 AS n FROM old_rows
                 UNION ALL
                 SELECT coalesce(mailing_id, 0), status, 1 FROM new_rows) x
             GROUP BY m, s) d;
    -- Rows that became sent or failed in this statement, per mailing (see 008).
    INSERT INTO message_minutes AS mm (mailing_id, minute, sent, failed)
    SELECT m, date_trunc('minute', now()), greatest(sum(sent), 0), greatest(sum(failed), 0)
      FROM (SELECT coalesce(mailing_id, 0) AS m, count(*) FILTER (WHERE status = message_status('sent')) AS sent,
                   count(*) FILTER (WHERE status = message_status('failed')) AS failed
              FROM new_rows WHERE status IN (message_status('sent'), message_status('failed')) GROUP BY 1
            UNION ALL
            SELECT coalesce(mailing_id, 0), -count(*) FILTER (WHERE status = message_status('sent')),
                   -count(*) FILTER (WHERE status = message_status('failed'))
              FROM old_rows WHERE status IN (message_status('sent'), message_status('failed')) GROUP BY 1) x
     GROUP BY m
    HAVING greatest(sum(sent), 0) + greatest(sum(failed), 0) > 0
     ORDER BY m
    ON CONFLICT (mailing_id, minute) DO UPDATE
       SET sent = mm.sent + excluded.sent, failed = mm.failed + excluded.failed;
    RETURN NULL;
END $$;

-- Failure reasons per minute (006), its status named.
CREATE OR REPLACE FUNCTION failure_reasons_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO failure_reasons AS f (minute, reason, n)
    SELECT date_trunc('minute', now()), left(coalesce(nullif(nw.last_error, ''), 'unknown'), 200), count(*)
      FROM new_rows nw
     WHERE nw.status = message_status('failed')
       AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.id = nw.id AND o.status = message_status('failed'))
     GROUP BY 2
     ORDER BY 2
    ON CONFLICT (minute, reason) DO UPDATE SET n = f.n + excluded.n;
    RETURN NULL;
END $$;

-- SMPP delivery receipts (005), their statuses named: every final status, or failures only.
CREATE OR REPLACE FUNCTION smpp_receipts_make() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO smpp_receipts (message_id, account_id, status)
    SELECT nw.id, sm.account_id, nw.status
      FROM new_rows nw
      JOIN old_rows o ON o.id = nw.id
      JOIN smpp_messages sm ON sm.message_id = nw.id
     WHERE nw.mailing_id IS NULL
       AND nw.status IN (message_status('sent'), message_status('failed'), message_status('expired'),
                         message_status('cancelled'))
       AND o.status IS DISTINCT FROM nw.status
       AND (sm.registered_delivery = 1 OR (sm.registered_delivery = 2 AND nw.status <> message_status('sent')))
    ORDER BY nw.id
    ON CONFLICT (message_id) DO UPDATE
       SET status = excluded.status, delivered_at = NULL, attempt_at = NULL;
    RETURN NULL;
END $$;
