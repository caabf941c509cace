-- 028_provider_smpp: providers of kind 'smpp', an upstream SMSC that herald binds to as an ESME
-- (src/provider_smpp.c): url 'smpp://SYSTEM_ID@HOST:PORT', token the bind password. A row's url
-- is of its kind's form (src/valid.c: valid_provider_url holds the same rule).
ALTER TABLE providers DROP CONSTRAINT providers_kind_check;
ALTER TABLE providers DROP CONSTRAINT providers_url_check;
ALTER TABLE providers ADD CONSTRAINT providers_url_kind CHECK (char_length(url) <= 900 AND (
    (kind = 'probe' AND url ~ '^https?://') OR (kind = 'smpp' AND url ~* '^smpp://[^@/:]+@.+:[0-9]+$')));

-- The SMSC's id of each message it accepted (submit_sm_resp's message_id), so that its receipts
-- (deliver_sm) find the message: written by the dispatcher's outcome write (src/dispatch_db.c),
-- the same statement as the message's status, which also deletes rows older than 7 days, twice as
-- many as it adds at most (an SMSC sends its receipt within the message's validity: hours, a day
-- or two).
CREATE TABLE provider_refs (
    provider_id  bigint NOT NULL,
    ref          text NOT NULL CHECK (char_length(ref) BETWEEN 1 AND 65),
    message_id   bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, ref)
);
CREATE INDEX provider_refs_created ON provider_refs (created_at);
