/* report.c — content, rendering, delivery and history of the statistics e-mail. */
#include "report.h"
#include "config.h"
#include "i18n.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "pgarr.h"
#include "resource.h"
#include "tmpl.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* One statement, one JSON object, one snapshot: every figure of the e-mail (C derives the rest,
 * report_figures.c). The period is the 24 hours of whole minutes ending with the current one,
 * [t0, t1); "prev" is the 24 hours before it and "week" the 7 days before it. Outcomes
 * (message_minutes) and provider requests (provider_minutes) are written by the dispatcher in
 * the same transaction, so the two never disagree. $1 is the time zone of the times shown. Each
 * part reads a counter table or an index: message_counts, message_minutes, failure_reasons and
 * provider_minutes (by minute), mailings (by status, started_at, finished_at). */
#define REPORT_WINDOW(name, a, b) \
    " ('" name "', " a ", " b ")"
static const char q_content[] =
    "WITH p AS (SELECT t1 - interval '24 hours' AS t0, t1, $1::text AS tz"
    "             FROM (SELECT date_trunc('minute', now()) + interval '1 minute' AS t1) x),"
    " mm AS (SELECT mm.* FROM message_minutes mm, p WHERE mm.minute >= p.t0 - interval '7 days' AND mm.minute < p.t1),"
    " pm AS (SELECT pm.* FROM provider_minutes pm, p WHERE pm.minute >= p.t0 - interval '7 days' AND pm.minute < p.t1)"
    " SELECT json_build_object("
    "  'day', to_char((p.t1 - interval '1 minute') AT TIME ZONE p.tz, 'YYYY-MM-DD'),"
    "  'timezone', p.tz,"
    "  'period_start', to_char(p.t0 AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI'),"
    "  'period_end', to_char(p.t1 AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI'),"
    "  'mailings', mailing_totals_json(),"
    "  'messages', message_totals_json(),"
    "  'mailings_started', (SELECT count(*) FROM mailings WHERE started_at >= p.t0 AND started_at < p.t1),"
    "  'mailings_finished', (SELECT count(*) FROM mailings WHERE finished_at >= p.t0 AND finished_at < p.t1),"
    "  'windows', (SELECT json_object_agg(w.name, json_build_object('sent', s.sent, 'failed', s.failed,"
    "      'requests', l.requests, 'failures', l.failures, 'hist', l.hist))"
    "      FROM (VALUES" REPORT_WINDOW("day", "p.t0", "p.t1") ","
    REPORT_WINDOW("prev", "p.t0 - interval '1 day'", "p.t0") ","
    REPORT_WINDOW("week", "p.t0 - interval '7 days'", "p.t0") ") w(name, a, b)"
    "      CROSS JOIN LATERAL (SELECT coalesce(sum(sent), 0) AS sent, coalesce(sum(failed), 0) AS failed"
    "            FROM mm WHERE mm.minute >= w.a AND mm.minute < w.b) s"
    "      CROSS JOIN LATERAL (SELECT coalesce(sum(requests), 0) AS requests, coalesce(sum(failures), 0) AS failures,"
    "            (SELECT coalesce(json_agg(c ORDER BY i), '[]'::json) FROM (SELECT i, sum(h)::bigint AS c"
    "               FROM pm, unnest(pm.hist) WITH ORDINALITY u(h, i) WHERE pm.minute >= w.a AND pm.minute < w.b"
    "               GROUP BY i) x) AS hist"
    "            FROM pm WHERE pm.minute >= w.a AND pm.minute < w.b) l),"
    "  'hours', (SELECT json_agg(json_build_object('hour', to_char(h AT TIME ZONE p.tz, 'HH24:MI'),"
    "      'sent', coalesce(x.sent, 0), 'failed', coalesce(x.failed, 0)) ORDER BY h)"
    "      FROM generate_series(date_trunc('hour', p.t0, p.tz), p.t1 - interval '1 minute', interval '1 hour') h"
    "      LEFT JOIN LATERAL (SELECT sum(sent) AS sent, sum(failed) AS failed FROM mm"
    "            WHERE mm.minute >= greatest(h, p.t0) AND mm.minute < h + interval '1 hour') x ON true),"
    "  'failure_reasons', (SELECT coalesce(json_agg(json_build_object('reason', reason, 'count', n)"
    "      ORDER BY n DESC, reason), '[]'::json) FROM (SELECT reason, sum(n)::bigint AS n FROM failure_reasons"
    "      WHERE minute >= p.t0 AND minute < p.t1 GROUP BY reason ORDER BY 2 DESC, 1 LIMIT 5) f),"
    "  'failing_mailings', (SELECT coalesce(json_agg(json_build_object('id', g.id, 'text', left(g.text, 80),"
    "      'sent', f.sent, 'failed', f.failed) ORDER BY f.failed DESC, g.id), '[]'::json)"
    "      FROM (SELECT mailing_id, sum(sent) AS sent, sum(failed) AS failed FROM mm"
    "            WHERE mm.minute >= p.t0 GROUP BY mailing_id HAVING sum(failed) > 0"
    "            ORDER BY 3 DESC, 1 LIMIT 5) f JOIN mailings g ON g.id = f.mailing_id),"
    "  'active_mailings', (SELECT coalesce(json_agg(json_build_object('id', m.id, 'kind', m.kind,"
    "      'status', m.status, 'text', left(m.text, 80),"
    "      'started_at', to_char(m.started_at AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI'),"
    "      'finished_at', to_char(m.finished_at AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI'),"
    "      'stats', mailing_stats_json(m.id), 'sent_period', w.sent, 'failed_period', w.failed)"
    "      ORDER BY m.id DESC), '[]'::json)"
    "      FROM (SELECT * FROM mailings m WHERE m.started_at < p.t1 AND (m.status = 'running'"
    "            OR m.started_at >= p.t0 OR m.finished_at >= p.t0) ORDER BY m.id DESC LIMIT 100) m"
    "      CROSS JOIN LATERAL (SELECT coalesce(sum(sent), 0) AS sent, coalesce(sum(failed), 0) AS failed"
    "            FROM mm WHERE mm.mailing_id = m.id AND mm.minute >= p.t0) w),"
    "  'active_mailings_total', (SELECT count(*) FROM mailings m WHERE m.started_at < p.t1"
    "      AND (m.status = 'running' OR m.started_at >= p.t0 OR m.finished_at >= p.t0))"
    " )::text FROM p";

json_t *report_build(struct db *db, char *err, size_t errlen)
{
	const char *p[] = {cfg.default_timezone};
	PGresult *r = db_exec(db, q_content, 1, p);
	if (r == NULL) {
		snprintf(err, errlen, "database: %s", db->err);
		return NULL;
	}
	json_error_t jerr;
	json_t *ctx = json_loads(db_str(r, 0, 0), 0, &jerr);
	PQclear(r);
	if (ctx == NULL) {
		snprintf(err, errlen, "report content: %s", jerr.text);
		return NULL;
	}
	return ctx;
}

void report_mail_free(struct report_mail *m)
{
	free(m->subject);
	free(m->text);
	free(m->html);
	memset(m, 0, sizeof(*m));
}

int report_render(json_t *content, const char *lang, struct report_mail *out, char *err, size_t errlen)
{
	json_t *ctx = json_deep_copy(content);
	report_figures(ctx, lang);
	memset(out, 0, sizeof(*out));
	out->subject = xstrdup(json_string_value(json_object_get(ctx, "subject")));
	struct buf text = BUF_INIT, html = BUF_INIT;
	if (tmpl_render(tmpl_app(), "email/report_text", ctx, &text) < 0 ||
	    tmpl_render(tmpl_app(), "email/report_html", ctx, &html) < 0) {
		snprintf(err, errlen, "templates email/report_text and email/report_html must load and render");
		buf_free(&text);
		buf_free(&html);
		report_mail_free(out);
		json_decref(ctx);
		return -1;
	}
	out->text = buf_steal(&text);
	out->html = buf_steal(&html);
	json_decref(ctx);
	return 0;
}

int report_preview(struct db *db, const char *lang, struct report_mail *out, char *err, size_t errlen)
{
	json_t *ctx = report_build(db, err, errlen);
	int rc = ctx ? report_render(ctx, lang, out, err, errlen) : -1;
	json_decref(ctx);
	return rc;
}

int report_enabled(char *why, size_t whylen)
{
	char **list;
	int n;
	if (*cfg.smtp_url == '\0' || *cfg.report_to == '\0') {
		snprintf(why, whylen, "%s is not set", *cfg.smtp_url == '\0' ? "HERALD_SMTP_URL" : "HERALD_REPORT_TO");
		return 0;
	}
	if (strncmp(cfg.smtp_url, "smtp://", 7) != 0 && strncmp(cfg.smtp_url, "smtps://", 8) != 0) {
		snprintf(why, whylen, "HERALD_SMTP_URL must start with smtp:// or smtps://");
		return 0;
	}
	if (!mail_address_valid(cfg.report_from)) {
		snprintf(why, whylen, "HERALD_REPORT_FROM: '%.80s' is not an e-mail address", cfg.report_from);
		return 0;
	}
	char inner[200];
	if ((n = mail_parse_list(cfg.report_to, &list, inner, sizeof(inner))) < 0) {
		snprintf(why, whylen, "HERALD_REPORT_TO: %s", inner);
		return 0;
	}
	mail_free_list(list, n);
	return 1;
}

/* Records the outcome of an attempt on row id; the bodies may be NULL (nothing was rendered). */
static void record(struct db *db, int64_t id, const struct report_mail *m, const char *error)
{
	static const char q_sent[] =
	    "UPDATE reports SET status = 'sent', sent_at = now(), lease_until = NULL, next_attempt_at = NULL,"
	    " subject = $2, body_text = $3, body_html = $4 WHERE id = $1";
	static const char q_failed[] =
	    "UPDATE reports SET status = 'failed', last_error = left($5, 1000), lease_until = NULL,"
	    " subject = $2, body_text = $3, body_html = $4,"
	    " next_attempt_at = CASE WHEN kind = 'daily' THEN now() + least(interval '30 minutes',"
	    "     $6::bigint * interval '1 millisecond' * power(2, least(attempts - 1, 30))) END"
	    " WHERE id = $1";
	char ids[DB_NUM_LEN], base[DB_NUM_LEN];
	const char *p[] = {db_num(ids, id), m->subject, m->text, m->html, error,
			   db_num(base, cfg.retry_base_ms)};
	if (db_run(db, error ? q_failed : q_sent, error ? 6 : 4, p) < 0)
		log_error("report.record_failed", LI("report_id", id), LS("error", db->err));
}

/* Each recipient's language (n of them; addresses compared without case): the language of the active
 * user with that address who chose one, else HERALD_LANGUAGE. -1 on a database error. */
static int languages_of(struct db *db, char *const *rcpts, int n, const char **langs)
{
	static const char q[] =
	    "SELECT email, language FROM users WHERE lower(email) IN (SELECT lower(a) FROM unnest($1::text[]) a)"
	    " AND is_active AND language IS NOT NULL";
	struct buf arr = BUF_INIT;
	pgarr_start(&arr);
	for (int i = 0; i < n; i++)
		pgarr_text(&arr, rcpts[i]);
	pgarr_end(&arr);
	const char *p[] = {arr.data};
	PGresult *r = db_exec(db, q, 1, p);
	buf_free(&arr);
	if (r == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		langs[i] = cfg.language;
		for (int j = 0; j < PQntuples(r); j++)
			if (strcasecmp(rcpts[i], db_str(r, j, 0)) == 0 && i18n_name(db_str(r, j, 1)))
				langs[i] = i18n_name(db_str(r, j, 1));
	}
	PQclear(r);
	return 0;
}

/* Renders content (report_build's) in lang and sends it to the recipients of rcpts whose
 * language (langs) it is, with Message-ID msgid. *m gets the rendering. 0, or -1 with err. */
static int send_in(json_t *content, const char *lang, char *const *rcpts, const char **langs, int n,
		   const char *msgid, struct report_mail *m, char *err, size_t errlen)
{
	char **to = xcalloc((size_t)n, sizeof(*to));
	int nto = 0, rc = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(langs[i], lang) == 0)
			to[nto++] = rcpts[i];
	if (report_render(content, lang, m, err, errlen) == 0) {
		struct mail mail = {.from = cfg.report_from, .to = to, .nto = nto, .subject = m->subject,
				    .text = m->text, .html = m->html, .message_id = msgid, .date = time(NULL)};
		char *msg = mail_build(&mail);
		rc = mail_send(cfg.smtp_url, cfg.report_from, to, nto, msg, err, errlen);
		free(msg);
	}
	free(to);
	return rc;
}

int report_deliver(struct db *db, int64_t id, const char *msgid, char *err, size_t errlen)
{
	struct report_mail m = {0};
	char **rcpts = NULL;
	const char **langs = NULL, **order = NULL;
	json_t *content = NULL;
	int n = -1, rc = -1, nl = 0;
	if (!report_enabled(err, errlen) || (n = mail_parse_list(cfg.report_to, &rcpts, err, errlen)) < 0)
		goto out;
	langs = xcalloc((size_t)n, sizeof(*langs));
	if (languages_of(db, rcpts, n, langs) < 0) {
		snprintf(err, errlen, "database: %s", db->err);
		goto out;
	}
	/* one message per language: HERALD_LANGUAGE's first (the history keeps its text, and it
	 * carries the report's Message-ID), then the others in the order recipients name them */
	order = xcalloc((size_t)n + 1, sizeof(*order));
	for (int i = -1; i < n; i++) {
		const char *l = i < 0 ? cfg.language : langs[i];
		int seen = 0, used = 0;
		for (int j = 0; j < nl; j++)
			seen |= strcmp(order[j], l) == 0;
		for (int j = 0; j < n; j++)
			used |= strcmp(langs[j], l) == 0;
		if (!seen && used)
			order[nl++] = l;
	}
	/* one reading of the database for every language: the same figures in each message */
	if ((content = report_build(db, err, errlen)) == NULL)
		goto out;
	rc = 0;
	for (int k = 0; k < nl && rc == 0; k++) {
		struct report_mail other = {0};
		char *own = k ? mail_message_id(cfg.report_from) : NULL;
		rc = send_in(content, order[k], rcpts, langs, n, k ? own : msgid, k ? &other : &m, err, errlen);
		free(own);
		report_mail_free(&other);
	}
out:
	record(db, id, &m, rc == 0 ? NULL : err);
	if (rc == 0)
		log_info("report.sent", LI("report_id", id), LS("message_id", msgid), LI("recipients", n),
			 LI("languages", nl));
	else
		log_warn("report.send_failed", LI("report_id", id), LS("error", err));
	report_mail_free(&m);
	free(langs);
	free(order);
	json_decref(content);
	if (n > 0)
		mail_free_list(rcpts, n);
	return rc;
}

int64_t report_send_now(struct db *db, char *err, size_t errlen)
{
	static const char q[] =
	    "INSERT INTO reports (kind, day, status, attempts, lease_until, message_id, recipients)"
	    " VALUES ('manual', (now() AT TIME ZONE $1)::date, 'sending', 1, now() + interval '10 minutes', $2, $3)"
	    " RETURNING id";
	if (!report_enabled(err, errlen))
		return -1;
	char *msgid = mail_message_id(cfg.report_from);
	const char *p[] = {cfg.default_timezone, msgid, cfg.report_to};
	PGresult *r = db_exec(db, q, 3, p);
	int64_t id = -1;
	if (r == NULL)
		snprintf(err, errlen, "database: %s", db->err);
	else if (report_deliver(db, db_i64(r, 0, 0), msgid, err, errlen) == 0)
		id = db_i64(r, 0, 0);
	PQclear(r);
	free(msgid);
	return id;
}

enum model_rc report_page(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out)
{
	/* no search ($2): "true" */
	static const struct res_order orders[] = {
		{"newest", RES_LIST_SQL("report_json(r)::text", "reports r", "true", "id < ($1::json->>0)::bigint", "id", "id DESC"), "i"},
		{"-newest", RES_LIST_SQL("report_json(r)::text", "reports r", "true", "id > ($1::json->>0)::bigint", "id", "id"), "i"},
	};
	(void)ctx;
	return res_list(db, orders, ARRAY_LEN(orders), q, out);
}

int report_get_json(struct db *db, int64_t id, char **out)
{
	static const char q[] =
	    "SELECT (report_json(r)::jsonb || jsonb_build_object('body_text', r.body_text,"
	    " 'body_html', r.body_html))::text FROM reports r WHERE r.id = $1";
	PGresult *r = db_exec_id(db, q, id);
	if (r == NULL)
		return -1;
	int found = PQntuples(r) > 0;
	*out = found ? xstrdup(db_str(r, 0, 0)) : NULL;
	PQclear(r);
	return found;
}
