-- 011_stoplist: phones that receive nothing (API.md 9.3). Mailings and batches freeze a
-- stop-listed recipient's message as cancelled ("stop list"), a direct send to it is refused
-- (422), an SMPP submit to it is refused (ESME_RINVDSTADR), and the dispatcher cancels a
-- pending message whose phone was added after it was queued.
CREATE TABLE stoplist (
    phone       text COLLATE "C" PRIMARY KEY CHECK (phone ~ '^7[0-9]{10}$'),
    reason      text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 256),
    created_at  timestamptz NOT NULL DEFAULT now()
);
