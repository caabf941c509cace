-- Templates (API.md 9.4): reusable texts a mailing can take instead of its own. A mailing made
-- from a template keeps text NULL and template_id set while it is scheduled, so that an edit of
-- the template reaches it; the scheduler copies the template's text into it in the transaction
-- that starts it (the text is frozen then). A template that a scheduled mailing still uses
-- cannot be deleted (23503, the API's 409); a mailing cancelled before it started takes the
-- template's text with it when the template goes.
CREATE TABLE templates (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 64),
    text        text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4096),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE mailings
    ADD COLUMN template_id bigint REFERENCES templates (id) ON DELETE SET NULL,
    ALTER COLUMN text DROP NOT NULL,
    ADD CONSTRAINT mailings_text_or_template CHECK (text IS NOT NULL OR template_id IS NOT NULL);
CREATE INDEX mailings_template ON mailings (template_id) WHERE template_id IS NOT NULL;

CREATE FUNCTION templates_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM mailings WHERE template_id = OLD.id AND status = 'scheduled') THEN
        RAISE foreign_key_violation USING MESSAGE = 'a scheduled mailing uses this template',
            CONSTRAINT = 'mailings_template_id_fkey';
    END IF;
    UPDATE mailings SET text = OLD.text WHERE template_id = OLD.id AND text IS NULL;
    RETURN OLD;
END $$;
CREATE TRIGGER templates_before_delete BEFORE DELETE ON templates
    FOR EACH ROW EXECUTE FUNCTION templates_before_delete();
