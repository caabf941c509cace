-- 010_message_totals: a true counter of messages by status for /metrics
-- (herald_messages_total{status}): how many times messages entered each status, cluster-wide,
-- never going down. message_counts.n is how many are in a status now (a gauge, it goes down
-- when messages move on or are deleted); entered only grows.
--
-- It rides on the counters' own rows and statements, so it costs no extra lock: every change of
-- n by a positive amount adds that amount to entered. The update trigger (008) hands over the
-- net change per (mailing, status) of one statement, which is the number of rows that entered
-- as long as no statement moves rows both into and out of one (mailing, status) — the same
-- premise message_minutes rests on. Inserts add, deletes of messages leave it alone.
ALTER TABLE message_counts ADD COLUMN entered bigint NOT NULL DEFAULT 0;
-- Messages there now entered their status at least once; earlier history is not known.
UPDATE message_counts SET entered = n WHERE n > 0;

CREATE OR REPLACE FUNCTION message_counts_apply(d_mailing bigint[], d_status smallint[], d_n bigint[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO message_counts AS c (mailing_id, status, n, entered)
    SELECT m, s, n, greatest(n, 0) FROM unnest(d_mailing, d_status, d_n) AS u(m, s, n) WHERE n <> 0
    ORDER BY m, s
    ON CONFLICT (mailing_id, status) DO UPDATE SET n = c.n + excluded.n, entered = c.entered + excluded.entered
$$;

-- Deleting a mailing deletes its counter rows; what they had entered moves to the row of
-- mailing -1 (deleted mailings, n always 0), so the totals never go down.
CREATE FUNCTION message_counts_keep_entered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_counts AS c (mailing_id, status, n, entered)
    VALUES (-1, OLD.status, 0, OLD.entered)
    ON CONFLICT (mailing_id, status) DO UPDATE SET entered = c.entered + excluded.entered;
    RETURN NULL;
END $$;
CREATE TRIGGER message_counts_keep_entered AFTER DELETE ON message_counts
    FOR EACH ROW WHEN (OLD.mailing_id <> -1 AND OLD.entered > 0) EXECUTE FUNCTION message_counts_keep_entered();

-- /metrics: per status, how many messages are in it now and how many entered it so far.
CREATE FUNCTION message_status_totals() RETURNS TABLE (status text, now bigint, entered bigint)
LANGUAGE sql STABLE AS $$
    SELECT message_status_name(s::smallint), coalesce(sum(c.n), 0)::bigint, coalesce(sum(c.entered), 0)::bigint
      FROM generate_series(0, 5) s LEFT JOIN message_counts c ON c.status = s
     GROUP BY s ORDER BY s
$$;
