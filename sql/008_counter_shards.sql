-- Counter rows per shard. Every dispatch worker's claims and outcome writes used to update the
-- same (mailing, status) row of message_counts and the same (mailing, minute) row of
-- message_minutes, so their transactions waited for each other's commits on those row locks.
-- Each backend now adds into its own shard (pg_backend_pid() % 8); readers sum the shards (they
-- all aggregate with sum() already, except where changed below). A shard's n may go negative
-- (rows counted in by one backend, out by another): only the sums mean anything.
ALTER TABLE message_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE message_counts DROP CONSTRAINT message_counts_pkey;
ALTER TABLE message_counts ADD PRIMARY KEY (mailing_id, status, shard);

ALTER TABLE message_minutes ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE message_minutes DROP CONSTRAINT message_minutes_pkey;
ALTER TABLE message_minutes ADD PRIMARY KEY (mailing_id, minute, shard);

CREATE OR REPLACE FUNCTION message_counts_apply(d_mailing bigint[], d_status smallint[], d_n bigint[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO message_counts AS c (mailing_id, status, shard, n)
    SELECT m, s, (pg_backend_pid() % 8)::smallint, n
      FROM unnest(d_mailing, d_status, d_n) AS u(m, s, n) WHERE n <> 0
     ORDER BY m, s
    ON CONFLICT (mailing_id, status, shard) DO UPDATE SET n = c.n + excluded.n
$$;

CREATE OR REPLACE FUNCTION messages_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM message_counts_apply(array_agg(m), array_agg(s), array_agg(n))
       FROM (SELECT m, s, sum(n)::bigint AS n FROM (
                 SELECT coalesce(o.mailing_id, 0) AS m, o.status AS s, -1 AS n
                   FROM old_rows o JOIN new_rows nw USING (id) WHERE o.status <> nw.status
                 UNION ALL
                 SELECT coalesce(nw.mailing_id, 0), nw.status, 1
                   FROM old_rows o JOIN new_rows nw USING (id) WHERE o.status <> nw.status) x
             GROUP BY m, s) d;
    INSERT INTO message_minutes AS mm (mailing_id, minute, shard, sent, failed)
    SELECT coalesce(nw.mailing_id, 0), date_trunc('minute', now()), (pg_backend_pid() % 8)::smallint,
           count(*) FILTER (WHERE nw.status = 2), count(*) FILTER (WHERE nw.status = 3)
      FROM old_rows o JOIN new_rows nw USING (id)
     WHERE o.status <> nw.status AND nw.status IN (2, 3)
     GROUP BY 1
     ORDER BY 1
    ON CONFLICT (mailing_id, minute, shard) DO UPDATE
       SET sent = mm.sent + excluded.sent, failed = mm.failed + excluded.failed;
    RETURN NULL;
END $$;
