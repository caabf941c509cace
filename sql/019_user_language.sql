-- 019_user_language: the language each user reads the admin in (API.md 9.7). NULL: not
-- chosen, the browser's Accept-Language (else HERALD_LANGUAGE) decides.
ALTER TABLE users ADD COLUMN language text CHECK (language IN ('ru', 'en'));
