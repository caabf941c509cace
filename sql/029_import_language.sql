-- 029_import_language: a background import writes its problems in the language of the admin
-- who started it (the admin's language when the file was sent; i18n.h), as an import done at
-- once does. Jobs queued before this migration keep English.
ALTER TABLE import_jobs ADD COLUMN lang text NOT NULL DEFAULT 'en' CHECK (length(lang) BETWEEN 2 AND 8);
