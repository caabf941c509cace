-- The tags' client counters (001_core.sql) are kept by statement triggers, so a bulk import
-- updates each tag once. A statement that touches no tagged client, the usual single create
-- of the API, now returns before the aggregate and the join: measured with pgbench, the
-- counter's UPDATE was a fifth of the cost of inserting one untagged client.
CREATE OR REPLACE FUNCTION tags_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM new_rows WHERE tag_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    UPDATE tags t SET clients = t.clients + d.n
      FROM (SELECT tag_id, count(*) AS n FROM new_rows WHERE tag_id IS NOT NULL GROUP BY tag_id) d
     WHERE t.id = d.tag_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tags_count_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM old_rows WHERE tag_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    UPDATE tags t SET clients = t.clients - d.n
      FROM (SELECT tag_id, count(*) AS n FROM old_rows WHERE tag_id IS NOT NULL GROUP BY tag_id) d
     WHERE t.id = d.tag_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION tags_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM new_rows WHERE tag_id IS NOT NULL)
       AND NOT EXISTS (SELECT FROM old_rows WHERE tag_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    UPDATE tags t SET clients = t.clients + d.n
      FROM (SELECT tag_id, sum(n) AS n FROM (
                SELECT tag_id, 1 AS n FROM new_rows WHERE tag_id IS NOT NULL
                UNION ALL
                SELECT tag_id, -1 FROM old_rows WHERE tag_id IS NOT NULL) x
             GROUP BY tag_id) d
     WHERE t.id = d.tag_id AND d.n <> 0;
    RETURN NULL;
END $$;
