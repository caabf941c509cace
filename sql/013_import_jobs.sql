-- 013_import_jobs: CSV imports of clients that run in the background (src/import_job.c). The
-- upload is stored here as UTF-8 text (already read as UTF-8 or Windows-1251 by csv_sniff); an
-- instance with the import role claims a queued job (or one whose lease ran out: its instance
-- died) with FOR UPDATE SKIP LOCKED and imports it in batches, saving after each batch where it
-- is (pos, line) and what it did, so that the page shows progress and another instance can go
-- on from there. Cancelling sets status 'cancelled'; the worker sees it after its batch. The
-- text is dropped when the job ends.
CREATE TABLE import_jobs (
    id           bigserial PRIMARY KEY,
    created_by   text NOT NULL,
    data         text NOT NULL,
    bytes        bigint NOT NULL,                   -- the length of data when it was stored
    encoding     text NOT NULL,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    pos          bigint NOT NULL DEFAULT 0,         -- byte offset of the next record (0: the header)
    line         bigint NOT NULL DEFAULT 1,         -- the line it starts on
    rows_done    bigint NOT NULL DEFAULT 0,
    created      bigint NOT NULL DEFAULT 0,
    updated      bigint NOT NULL DEFAULT 0,
    invalid      bigint NOT NULL DEFAULT 0,
    normalised   bigint NOT NULL DEFAULT 0,
    examples     jsonb NOT NULL DEFAULT '[]',       -- a few phones normalised
    errors       jsonb NOT NULL DEFAULT '[]',       -- the first problems: [{line, field, message}]
    error        text,                              -- why a failed job failed
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX import_jobs_open ON import_jobs (id) WHERE status IN ('queued', 'running');

-- The admin's messages list filters by a date range (message_search.c). Messages are written in
-- created_at order, so a BRIN index finds a range's blocks for a few pages of index, and costs
-- the dispatcher's million-row inserts next to nothing (a btree would cost each insert).
CREATE INDEX messages_created_brin ON messages USING brin (created_at);
