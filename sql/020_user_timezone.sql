-- 020_user_timezone: each admin user's time zone (API.md 9.7). The admin's forms read times
-- in it and its pages show times in it; NULL is HERALD_DEFAULT_TIMEZONE. herald checks a name
-- against the zones PostgreSQL knows (pg_timezone_names) before it stores one, as it does a
-- client's timezone.
ALTER TABLE users ADD COLUMN timezone text CHECK (timezone <> '' AND char_length(timezone) <= 64);

-- How far zone's wall clock is from UTC at t, as the admin shows it: "UTC" when not at all,
-- else "UTC+03:00", "UTC-04:00", "UTC+05:45".
CREATE FUNCTION utc_offset_text(t timestamptz, zone text) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN d = interval '0' THEN 'UTC'
              WHEN d < interval '0' THEN 'UTC' || to_char(d, 'HH24:MI')
              ELSE 'UTC+' || to_char(d, 'HH24:MI') END
   FROM (SELECT (t AT TIME ZONE zone) - (t AT TIME ZONE 'UTC') AS d) s $$;
