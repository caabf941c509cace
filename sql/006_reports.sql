-- Daily statistics e-mail: provider latency per minute and instance, failure reasons per minute,
-- and one row per report sent (the daily row is what makes a day's report once-only).

-- Upper bounds (milliseconds) of the provider latency histogram in provider_minutes.hist; the
-- last element of hist counts requests slower than the last bound. src/metrics.c holds the same
-- list (REPORT_BOUNDS_MS); tests/integration/test_report.c checks that they agree.
CREATE FUNCTION provider_hist_bounds_ms() RETURNS int[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT '{1,2,3,5,7,10,15,20,30,50,70,100,150,200,300,500,700,1000,1500,2000,3000,5000,7000,10000,15000,20000,30000,60000}'::int[] $$;

-- Written once a minute by every instance's reporter role: what that instance's provider
-- requests did during that minute.
CREATE TABLE provider_minutes (
    minute    timestamptz NOT NULL,
    instance  text NOT NULL CHECK (char_length(instance) BETWEEN 1 AND 200),
    requests  bigint NOT NULL DEFAULT 0,
    failures  bigint NOT NULL DEFAULT 0,
    hist      bigint[] NOT NULL,
    PRIMARY KEY (minute, instance)
);

-- Messages that became failed, per minute and reason, kept by a statement-level trigger like
-- message_minutes: the report reads a few hundred rows instead of the failed messages.
CREATE TABLE failure_reasons (
    minute  timestamptz NOT NULL,
    reason  text NOT NULL,
    n       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, reason)
);

CREATE FUNCTION failure_reasons_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO failure_reasons AS f (minute, reason, n)
    SELECT date_trunc('minute', now()), left(coalesce(nullif(nw.last_error, ''), 'unknown'), 200), count(*)
      FROM new_rows nw
     WHERE nw.status = 3
       AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.id = nw.id AND o.status = 3)
     GROUP BY 2
     ORDER BY 2
    ON CONFLICT (minute, reason) DO UPDATE SET n = f.n + excluded.n;
    RETURN NULL;
END $$;
CREATE TRIGGER messages_failure_reasons AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION failure_reasons_upd();

-- The report reads message_minutes and mailings by time.
CREATE INDEX message_minutes_minute ON message_minutes (minute);
CREATE INDEX mailings_started ON mailings (started_at) WHERE started_at IS NOT NULL;
CREATE INDEX mailings_finished ON mailings (finished_at) WHERE finished_at IS NOT NULL;

-- kind 'daily': at most one per day (the day in the report time zone), claimed with
-- INSERT ... ON CONFLICT before sending; kind 'manual': `herald report send` and the admin's
-- "send now", never blocking the daily one. A 'sending' row whose lease ended belongs to an
-- instance that died while sending: it may be claimed again (same Message-ID).
CREATE TABLE reports (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('daily', 'manual')),
    day              date NOT NULL,
    status           text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    lease_until      timestamptz,
    next_attempt_at  timestamptz,
    last_error       text,
    message_id       text NOT NULL,
    recipients       text NOT NULL,
    subject          text,
    body_text        text,
    body_html        text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE UNIQUE INDEX reports_daily ON reports (day) WHERE kind = 'daily';

-- A report as the admin Reports page and `herald report` show it (bodies left out).
CREATE FUNCTION report_json(r reports) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', r.id, 'kind', r.kind, 'day', r.day::text, 'status', r.status,
        'attempts', r.attempts, 'last_error', r.last_error, 'message_id', r.message_id,
        'recipients', r.recipients, 'subject', r.subject, 'created_at', api_ts(r.created_at),
        'sent_at', api_ts(r.sent_at), 'next_attempt_at', api_ts(r.next_attempt_at))
$$;
