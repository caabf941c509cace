-- herald core schema: directory (operators, tags, clients), mailings, the message queue/ledger,
-- counters, users and API tokens. Times are timestamptz; sessions run in UTC.

-- RFC 3339 UTC text of a timestamp, as the API prints it.
CREATE FUNCTION api_ts(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE TABLE operators (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{3}$'),
    name        text NOT NULL DEFAULT '' CHECK (char_length(name) <= 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tags (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 64),
    clients     bigint NOT NULL DEFAULT 0,        -- maintained by the clients triggers below
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clients (
    id            bigserial PRIMARY KEY,
    phone         text COLLATE "C" NOT NULL UNIQUE CHECK (phone ~ '^7[0-9]{10}$'),
    operator_code text NOT NULL REFERENCES operators (code),
    tag_id        bigint REFERENCES tags (id),
    timezone      text NOT NULL CHECK (timezone <> ''),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_tag ON clients (tag_id, id);
CREATE INDEX clients_operator ON clients (operator_code, id);
CREATE INDEX clients_timezone ON clients (timezone, id);

-- tags.clients follows the clients table, set-based per statement (bulk upserts stay cheap).
CREATE FUNCTION tags_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags t SET clients = t.clients + d.n
      FROM (SELECT tag_id, count(*) AS n FROM new_rows WHERE tag_id IS NOT NULL GROUP BY tag_id) d
     WHERE t.id = d.tag_id;
    RETURN NULL;
END $$;
CREATE FUNCTION tags_count_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags t SET clients = t.clients - d.n
      FROM (SELECT tag_id, count(*) AS n FROM old_rows WHERE tag_id IS NOT NULL GROUP BY tag_id) d
     WHERE t.id = d.tag_id;
    RETURN NULL;
END $$;
CREATE FUNCTION tags_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tags t SET clients = t.clients + d.n
      FROM (SELECT tag_id, sum(n) AS n FROM (
                SELECT tag_id, 1 AS n FROM new_rows WHERE tag_id IS NOT NULL
                UNION ALL
                SELECT tag_id, -1 FROM old_rows WHERE tag_id IS NOT NULL) x
             GROUP BY tag_id) d
     WHERE t.id = d.tag_id AND d.n <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER clients_tags_ins AFTER INSERT ON clients REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tags_count_ins();
CREATE TRIGGER clients_tags_del AFTER DELETE ON clients REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tags_count_del();
CREATE TRIGGER clients_tags_upd AFTER UPDATE ON clients REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tags_count_upd();

CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    username       text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    is_active      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);

CREATE TABLE api_tokens (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    token_hash    bytea NOT NULL UNIQUE,            -- BLAKE2b-256 of the token; the token is shown once
    prefix        text NOT NULL,                    -- first characters, to recognise it in lists
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- kind: 'mailing' (a filter over clients, recipients frozen by the scheduler at start_at) or
-- 'batch' (POST /messages/batch: its messages are inserted with it). Single direct messages
-- (POST /messages) belong to no mailing: mailing_id NULL.
CREATE TABLE mailings (
    id                     bigserial PRIMARY KEY,
    kind                   text NOT NULL DEFAULT 'mailing' CHECK (kind IN ('mailing', 'batch')),
    start_at               timestamptz NOT NULL,
    end_at                 timestamptz NOT NULL,
    text                   text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4096),
    filter_operator_codes  text[] NOT NULL DEFAULT '{}',
    filter_tags            text[] NOT NULL DEFAULT '{}',
    window_start           time,
    window_end             time,
    status                 text NOT NULL DEFAULT 'scheduled'
                           CHECK (status IN ('scheduled', 'running', 'finished', 'cancelled')),
    started_at             timestamptz,
    finished_at            timestamptz,
    created_by             bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (start_at < end_at),
    CHECK ((window_start IS NULL) = (window_end IS NULL)),
    CHECK (window_start IS NULL OR window_start <> window_end)
);
CREATE INDEX mailings_status ON mailings (status, id);
CREATE INDEX mailings_due ON mailings (start_at) WHERE status = 'scheduled';
CREATE INDEX mailings_running ON mailings (end_at) WHERE status = 'running';

-- The queue and the ledger at once. status: 0 pending, 1 sending, 2 sent, 3 failed, 4 expired,
-- 5 cancelled. client_id has no foreign key (a deleted client's sent messages keep their phone);
-- mailing_id has none either (deleting a mailing deletes its messages in the same transaction):
-- each key is paid per row when a mailing of a million starts.
CREATE TABLE messages (
    id           bigserial PRIMARY KEY,
    mailing_id   bigint,
    client_id    bigint,
    phone        text COLLATE "C" NOT NULL,
    text         text,                              -- NULL: the mailing's text
    status       smallint NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 5),
    attempts     integer NOT NULL DEFAULT 0,
    due_at       timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    lease_until  timestamptz,
    sent_at      timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (mailing_id, client_id)
);
CREATE INDEX messages_due ON messages (due_at) WHERE status = 0;
CREATE INDEX messages_lease ON messages (lease_until) WHERE status = 1;
CREATE INDEX messages_client ON messages (client_id) WHERE status = 0;

-- Counts per (mailing, status); mailing_id 0 holds direct messages. Kept by statement-level
-- triggers on messages, so every path (API, scheduler, dispatcher) updates them set-based.
CREATE TABLE message_counts (
    mailing_id  bigint NOT NULL,
    status      smallint NOT NULL,
    n           bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (mailing_id, status)
);

-- Outcomes per minute for the timelines: rows that became sent (2) or failed (3).
CREATE TABLE message_minutes (
    mailing_id  bigint NOT NULL,
    minute      timestamptz NOT NULL,
    sent        bigint NOT NULL DEFAULT 0,
    failed      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (mailing_id, minute)
);

CREATE FUNCTION message_counts_apply(d_mailing bigint[], d_status smallint[], d_n bigint[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO message_counts AS c (mailing_id, status, n)
    SELECT m, s, n FROM unnest(d_mailing, d_status, d_n) AS u(m, s, n) WHERE n <> 0
    ORDER BY m, s
    ON CONFLICT (mailing_id, status) DO UPDATE SET n = c.n + excluded.n
$$;

CREATE FUNCTION messages_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM message_counts_apply(array_agg(m), array_agg(s), array_agg(n))
       FROM (SELECT coalesce(mailing_id, 0) AS m, status AS s, count(*) AS n
               FROM new_rows GROUP BY 1, 2) d;
    RETURN NULL;
END $$;
CREATE FUNCTION messages_count_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM message_counts_apply(array_agg(m), array_agg(s), array_agg(n))
       FROM (SELECT coalesce(mailing_id, 0) AS m, status AS s, -count(*) AS n
               FROM old_rows GROUP BY 1, 2) d;
    RETURN NULL;
END $$;
CREATE FUNCTION messages_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM message_counts_apply(array_agg(m), array_agg(s), array_agg(n))
       FROM (SELECT m, s, sum(n)::bigint AS n FROM (
                 SELECT coalesce(o.mailing_id, 0) AS m, o.status AS s, -1 AS n
                   FROM old_rows o JOIN new_rows nw USING (id) WHERE o.status <> nw.status
                 UNION ALL
                 SELECT coalesce(nw.mailing_id, 0), nw.status, 1
                   FROM old_rows o JOIN new_rows nw USING (id) WHERE o.status <> nw.status) x
             GROUP BY m, s) d;
    INSERT INTO message_minutes AS mm (mailing_id, minute, sent, failed)
    SELECT coalesce(nw.mailing_id, 0), date_trunc('minute', now()),
           count(*) FILTER (WHERE nw.status = 2), count(*) FILTER (WHERE nw.status = 3)
      FROM old_rows o JOIN new_rows nw USING (id)
     WHERE o.status <> nw.status AND nw.status IN (2, 3)
     GROUP BY 1
     ORDER BY 1
    ON CONFLICT (mailing_id, minute) DO UPDATE
       SET sent = mm.sent + excluded.sent, failed = mm.failed + excluded.failed;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_counts_ins AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION messages_count_ins();
CREATE TRIGGER messages_counts_del AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION messages_count_del();
CREATE TRIGGER messages_counts_upd AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION messages_count_upd();

-- A mailing's counts as one JSON object with every status present.
CREATE FUNCTION mailing_stats_json(p_mailing bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'total', coalesce(sum(n), 0),
        'pending', coalesce(sum(n) FILTER (WHERE status = 0), 0),
        'sending', coalesce(sum(n) FILTER (WHERE status = 1), 0),
        'sent', coalesce(sum(n) FILTER (WHERE status = 2), 0),
        'failed', coalesce(sum(n) FILTER (WHERE status = 3), 0),
        'expired', coalesce(sum(n) FILTER (WHERE status = 4), 0),
        'cancelled', coalesce(sum(n) FILTER (WHERE status = 5), 0))
      FROM message_counts WHERE mailing_id = p_mailing
$$;

CREATE FUNCTION message_status_name(s smallint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (ARRAY['pending', 'sending', 'sent', 'failed', 'expired', 'cancelled'])[s + 1] $$;
