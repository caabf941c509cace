-- 030_smsc_reports: an upstream SMSC (providers of kind smpp, 028) reports delivery with its
-- receipts (deliver_sm, applied by src/smsc_receipts.c through provider_refs), so a message it
-- accepted awaits its report as one of a provider with a dlr_secret does (027): sent is not final,
-- and the SMPP receipt of a message submitted to herald waits for the report.
CREATE OR REPLACE FUNCTION provider_reports(p_id bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM providers WHERE id = p_id AND (dlr_secret IS NOT NULL OR kind = 'smpp'))
$$;
