-- Providers as data (API.md 9.5): where the dispatcher sends messages. Each enabled row is a
-- provider; a message goes to one whose operator_codes hold its client's operator code (empty:
-- any), chosen by weight, with its own circuit breaker, rate and concurrency in every instance
-- (src/provider_set.c). HERALD_PROVIDER_URL, when set, is the row named 'default' (upserted at
-- start; unset, that row is disabled). token and dlr_secret are write-only: herald never shows
-- them (src/model_provider.c).
CREATE TABLE providers (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 64),
    kind            text NOT NULL DEFAULT 'probe' CHECK (kind IN ('probe')),
    url             text NOT NULL CHECK (url ~ '^https?://' AND char_length(url) <= 900),
    token           text CHECK (char_length(token) BETWEEN 1 AND 4096),
    dlr_secret      text CHECK (char_length(dlr_secret) BETWEEN 1 AND 256),
    operator_codes  text[] NOT NULL DEFAULT '{}',
    weight          integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 1000000),
    rate            integer NOT NULL DEFAULT 0 CHECK (rate BETWEEN 0 AND 10000000),
    concurrency     integer NOT NULL DEFAULT 64 CHECK (concurrency BETWEEN 1 AND 4096),
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Which provider took a message: set by the dispatcher's outcome write of its last attempt
-- (NULL: the log provider, or not attempted). No foreign key: a deleted provider's messages keep
-- its id, and the hot write pays no check.
ALTER TABLE messages ADD COLUMN provider_id bigint;

-- Each instance's view of its providers, upserted every few seconds by its dispatcher: the
-- circuit state and the requests and failures since the row's instance started. The dashboard
-- shows the rows of live instances (updated_at recent).
CREATE TABLE provider_health (
    instance     text NOT NULL CHECK (char_length(instance) BETWEEN 1 AND 200),
    provider_id  bigint NOT NULL,
    state        text NOT NULL CHECK (state IN ('closed', 'open', 'half-open')),
    requests     bigint NOT NULL DEFAULT 0,
    failures     bigint NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance, provider_id)
);
