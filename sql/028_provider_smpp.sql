-- 028_provider_smpp: providers of kind 'smpp', an upstream SMSC that herald binds to as an ESME
-- (src/provider_smpp.c): url 'smpp://SYSTEM_ID@HOST:PORT', token the bind password. A row's url
-- is of its kind's form (src/valid.c: valid_provider_url holds the same rule).
ALTER TABLE providers DROP CONSTRAINT providers_kind_check;
ALTER TABLE providers DROP CONSTRAINT providers_url_check;
ALTER TABLE providers ADD CONSTRAINT providers_url_kind CHECK (char_length(url) <= 900 AND (
    (kind = 'probe' AND url ~ '^https?://') OR (kind = 'smpp' AND url ~* '^smpp://[^@/:]+@.+:[0-9]+$')));

