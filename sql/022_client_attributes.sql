-- Clients' attributes (API.md 9.4): an object of string values that a mailing's text reads
-- per recipient ({{attributes.KEY}}). The rules on keys and values (at most 32 keys matching
-- [a-z_][a-z0-9_]{0,31}, values of 0 to 256 characters) are checked by the model, where they
-- become field errors; the table keeps only that it is an object. Adding a column with a
-- constant default rewrites nothing.
ALTER TABLE clients ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT clients_attributes_object CHECK (jsonb_typeof(attributes) = 'object');
