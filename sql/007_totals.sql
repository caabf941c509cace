-- Totals as /api/v1/stats, the admin dashboard and the daily e-mail show them: mailings by
-- status, and messages by status from the counters (never by counting messages). One
-- definition for the three.
CREATE FUNCTION mailing_totals_json() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('total', count(*),
        'scheduled', count(*) FILTER (WHERE status = 'scheduled'),
        'running', count(*) FILTER (WHERE status = 'running'),
        'finished', count(*) FILTER (WHERE status = 'finished'),
        'cancelled', count(*) FILTER (WHERE status = 'cancelled'))
      FROM mailings
$$;

CREATE FUNCTION message_totals_json() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('total', coalesce(sum(n), 0),
        'pending', coalesce(sum(n) FILTER (WHERE status = 0), 0),
        'sending', coalesce(sum(n) FILTER (WHERE status = 1), 0),
        'sent', coalesce(sum(n) FILTER (WHERE status = 2), 0),
        'failed', coalesce(sum(n) FILTER (WHERE status = 3), 0),
        'expired', coalesce(sum(n) FILTER (WHERE status = 4), 0),
        'cancelled', coalesce(sum(n) FILTER (WHERE status = 5), 0))
      FROM message_counts
$$;
