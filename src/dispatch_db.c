/* dispatch_db.c — a dispatch worker's database side: its connection, the claim, the outcome
 * write with its fence (lease recovery and the checks of queued messages' mailings:
 * dispatch_maintain.c). The claim
 * and the write are sent asynchronously (PQsendQueryPrepared) and completed by dw_wait(), so
 * the provider's transfers go on while PostgreSQL works. See dispatch.c for the design. */
#include "dispatch_worker.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "model_stoplist.h"
#include "pgarr.h"
#include "util.h"
#include "window.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#define IDLE_MAX_MS 1000            /* longest sleep when nothing is due */
#define IDLE_MIN_MS 20

/* $1 how many, $2 lease in ms, $3 whether the routing needs the operator codes. Due messages come from two places (sql/017_queue.sql): first
 * the queue (SKIP LOCKED: each worker takes other rows), then, for what is left of $1, the next
 * ids of the earliest due range (its row lock orders the workers: each moves the cursor past
 * the ids it took). The candidates still pending are locked with SKIP LOCKED, as every claim
 * did, so a claim never waits behind a cancel; a candidate another statement holds goes back
 * to the queue, where the next claim sees what became of it. The window of a claimed row's
 * mailing is checked against its client's zone: outside it the row waits in the queue for the
 * next opening (status stays 0), or expires when that is at or past expires_at. Only mailings
 * with a window pay for the client lookup. A row whose phone was put on the stop list after
 * it was queued is cancelled ("stop list"): one primary-key probe of the list per claimed row.
 * The ids taken are recorded with the lease (dispatch_claims), so that lease recovery finds
 * them. With $3, each row comes with its client's operator code (a message without a client:
 * the phone's digits 2-4), one primary-key probe of clients per row. */
#define CLAIM_STOP "w.stop"
#define CLAIM_GONE "(m.expires_at <= now() OR w.open_at >= m.expires_at)"
#define CLAIM_WAIT "(w.open_at > now())"
static const char sql_claim[] =
    "WITH q AS (DELETE FROM message_queue WHERE message_id IN (SELECT message_id FROM message_queue"
    "            WHERE due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
    "           RETURNING message_id),"
    " k AS (SELECT $1 - count(*) AS n FROM q),"
    " r AS (UPDATE dispatch_ranges d SET next_id = d.next_id + k.n"
    "        FROM k, (SELECT mailing_id FROM dispatch_ranges WHERE due_at <= now() AND next_id < last_id"
    "                 ORDER BY due_at, mailing_id LIMIT 1) p"
    "        WHERE k.n > 0 AND d.mailing_id = p.mailing_id AND d.next_id < d.last_id"
    "        RETURNING d.mailing_id, d.next_id - k.n AS lo, least(d.next_id, d.last_id) AS hi),"
    " cq AS (SELECT id, mailing_id, client_id, phone FROM messages WHERE id = ANY (ARRAY(SELECT message_id FROM q))"
    "        AND status = " MSG_SQL(MSG_PENDING) " FOR UPDATE SKIP LOCKED),"
    " cr AS (SELECT id, mailing_id, client_id, phone FROM messages WHERE id > (SELECT lo FROM r) AND id <= (SELECT hi FROM r)"
    "        AND mailing_id = (SELECT mailing_id FROM r) AND status = " MSG_SQL(MSG_PENDING) " FOR UPDATE SKIP LOCKED),"
    " c AS (SELECT * FROM cq UNION ALL SELECT * FROM cr),"
    " sq AS (INSERT INTO message_queue (message_id, due_at)"
    "        SELECT id, now() FROM messages WHERE id = ANY (ARRAY(SELECT message_id FROM q EXCEPT ALL SELECT id FROM cq))"
    "         AND status = " MSG_SQL(MSG_PENDING)
    "        UNION ALL"
    "        SELECT id, now() FROM messages WHERE id > (SELECT lo FROM r) AND id <= (SELECT hi FROM r)"
    "         AND mailing_id = (SELECT mailing_id FROM r) AND status = " MSG_SQL(MSG_PENDING) " AND id NOT IN (SELECT id FROM cr)"
    "        ON CONFLICT (message_id) DO NOTHING),"
    " w0 AS MATERIALIZED (SELECT c.id, EXISTS (SELECT 1 FROM stoplist s WHERE s.phone = c.phone) AS stop,"
    "          g.window_start AS ws, g.window_end AS we,"
    "          CASE WHEN g.id IS NOT NULL THEN"
    "            coalesce((SELECT timezone FROM clients WHERE id = c.client_id), 'UTC') END AS tz"
    "        FROM c LEFT JOIN mailings g ON g.id = c.mailing_id AND g.window_start IS NOT NULL),"
    " w AS (SELECT id, stop, tz, we, CASE WHEN ws IS NOT NULL THEN "
    SQL_WINDOW_NEXT("now()", "tz", "ws", "we") " END AS open_at FROM w0),"
    " u AS (UPDATE messages m SET"
    "   status = CASE WHEN " CLAIM_STOP " THEN " MSG_SQL(MSG_CANCELLED) " WHEN " CLAIM_GONE " THEN " MSG_SQL(MSG_EXPIRED)
    "                 WHEN " CLAIM_WAIT " THEN " MSG_SQL(MSG_PENDING) " ELSE " MSG_SQL(MSG_SENDING) " END,"
    "   due_at = CASE WHEN " CLAIM_WAIT " AND NOT " CLAIM_GONE " THEN w.open_at ELSE m.due_at END,"
    "   lease_until = CASE WHEN " CLAIM_STOP " OR " CLAIM_GONE " OR " CLAIM_WAIT " THEN NULL"
    "                 ELSE now() + $2 * interval '1 millisecond' END,"
    "   attempts = m.attempts + CASE WHEN " CLAIM_STOP " OR " CLAIM_GONE " OR " CLAIM_WAIT " THEN 0 ELSE 1 END,"
    "   last_error = CASE WHEN " CLAIM_STOP " THEN '" STOPLIST_ERROR "' WHEN " CLAIM_GONE
    "                THEN coalesce(m.last_error, 'end_at passed before it could be sent') ELSE m.last_error END"
    "   FROM w WHERE m.id = w.id"
    "   RETURNING m.id, m.mailing_id, m.client_id, m.phone, m.text, m.status, m.due_at,"
    "             extract(epoch FROM m.expires_at) AS exp, m.attempts,"
    "             CASE WHEN w.open_at IS NOT NULL THEN extract(epoch FROM "
    SQL_WINDOW_CLOSE("now()", "w.tz", "w.we") ") END AS wclose),"
    " wq AS (INSERT INTO message_queue (message_id, due_at) SELECT id, due_at FROM u WHERE status = " MSG_SQL(MSG_PENDING)
    "        ON CONFLICT (message_id) DO UPDATE SET due_at = excluded.due_at),"
    " cl AS (INSERT INTO dispatch_claims (lease_until, ids, mailing_id, lo, hi)"
    "        SELECT now() + $2 * interval '1 millisecond', ARRAY(SELECT id FROM cq), r.mailing_id, r.lo, r.hi"
    "          FROM (SELECT 1) one LEFT JOIN r ON true WHERE EXISTS (SELECT 1 FROM u WHERE status = " MSG_SQL(MSG_SENDING) ")"
    "        RETURNING id)"
    " SELECT id, mailing_id, client_id, phone, text, status, exp, attempts, wclose, (SELECT id FROM cl),"
    "  CASE WHEN $3::boolean THEN coalesce((SELECT operator_code FROM clients WHERE id = u.client_id),"
    "  substr(u.phone, 2, 3)) END FROM u";

/* One statement per batch of outcomes: $1 ids, $2 outcomes (OUT_*), $3 retry delays in ms,
 * $4 errors, $5 the attempts each claim made (the fence: a row that has been claimed again
 * since, or has left pending/sending, is not touched). A retry or a release stays inside the
 * send window of its mailing, and becomes expired when its next try would be at or past
 * expires_at; what goes back to pending waits in the queue. $6: the worker's claims whose every
 * message has its outcome written (by this statement or an earlier one) go. $7-$10: the
 * latency histogram, count and failures of the provider requests among them, added to the
 * provider_minutes row of $10 (the worker) in the same transaction as the outcomes, so that the
 * daily report never counts a message sent whose request it has not seen. $11: the texts
 * rendered for their recipients (personal.h), NULL for the others, or NULL when the batch has
 * none: an attempted message keeps the text it was sent with. $12: the provider each attempt
 * went to (NULL: none, or the log provider). $13: the provider's id of each message sent that
 * has one (provider.h: ref), NULL for the others, or NULL when the batch has none: kept in
 * provider_refs (sql/028_provider_smpp.sql), where as many rows again of the oldest past
 * REF_KEEP go. Returns how many rows it changed. */
#define REF_KEEP "7 days"
#define RETRY_AT "(now() + u.d * interval '1 millisecond')"
#define WRITE_BACK "u.s IN (" MSG_SQL(OUT_RETRY) ", " MSG_SQL(OUT_RELEASE) ")"
#define WRITE_GONE "(" WRITE_BACK " AND " RETRY_AT " >= m.expires_at)"
static const char sql_write[] =
    "WITH w AS (UPDATE messages m SET"
    " status = CASE WHEN " WRITE_GONE " THEN " MSG_SQL(MSG_EXPIRED) " WHEN " WRITE_BACK
    "   THEN " MSG_SQL(MSG_PENDING) " ELSE u.s END,"
    " due_at = CASE WHEN NOT " WRITE_BACK " THEN m.due_at ELSE least(m.expires_at, coalesce("
    "   (SELECT " SQL_WINDOW_NEXT(RETRY_AT, "c.timezone", "g.window_start", "g.window_end")
    "      FROM mailings g JOIN clients c ON c.id = m.client_id"
    "     WHERE g.id = m.mailing_id AND g.window_start IS NOT NULL), " RETRY_AT ")) END,"
    " attempts = m.attempts - CASE WHEN u.s = " MSG_SQL(OUT_RELEASE) " THEN 1 ELSE 0 END,"
    " text = coalesce(u.t, m.text),"
    " provider_id = coalesce(u.p, m.provider_id),"
    " lease_until = NULL,"
    " sent_at = CASE WHEN u.s = " MSG_SQL(OUT_SENT) " THEN now() ELSE m.sent_at END,"
    " last_error = CASE WHEN " WRITE_GONE " THEN coalesce(u.e, m.last_error, 'end_at passed before it could be sent')"
    "              WHEN u.s = " MSG_SQL(OUT_RELEASE) " THEN m.last_error ELSE u.e END"
    " FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::text[], $5::int[], $11::text[], $12::bigint[])"
    "   AS u(id, s, d, e, a, t, p)"
    " WHERE m.id = u.id AND m.status IN (" MSG_SQL(MSG_PENDING) ", " MSG_SQL(MSG_SENDING) ") AND m.attempts = u.a"
    " RETURNING m.id, m.status, m.due_at),"
    " q AS (INSERT INTO message_queue (message_id, due_at) SELECT id, due_at FROM w WHERE status = " MSG_SQL(MSG_PENDING)
    "       ON CONFLICT (message_id) DO UPDATE SET due_at = excluded.due_at),"
    " d AS (DELETE FROM dispatch_claims WHERE id = ANY ($6::bigint[])),"
    " r AS (INSERT INTO provider_refs (provider_id, ref, message_id)"
    "       SELECT x.p, x.r, x.id FROM unnest($12::bigint[], $13::text[], $1::bigint[]) x(p, r, id) WHERE x.r IS NOT NULL"
    "       ON CONFLICT (provider_id, ref) DO UPDATE SET message_id = excluded.message_id, created_at = now()),"
    " o AS (DELETE FROM provider_refs WHERE $13::text[] IS NOT NULL AND ctid = ANY (ARRAY(SELECT ctid FROM provider_refs"
    "       WHERE created_at < now() - interval '" REF_KEEP "' ORDER BY created_at"
    "       LIMIT 2 * coalesce(cardinality($13::text[]), 0)))),"
    " p AS (INSERT INTO provider_minutes AS p (minute, instance, requests, failures, hist)"
    "       SELECT date_trunc('minute', now()), $10, $8, $9, $7::bigint[] WHERE $8::bigint > 0"
    "       ON CONFLICT (minute, instance) DO UPDATE SET requests = p.requests + excluded.requests,"
    "       failures = p.failures + excluded.failures,"
    "       hist = ARRAY(SELECT a + b FROM unnest(p.hist, excluded.hist) WITH ORDINALITY u(a, b, i) ORDER BY i))"
    " SELECT count(*) FROM w";

static const char sql_next_due[] =
    "SELECT extract(epoch FROM least((SELECT min(due_at) FROM message_queue),"
    "  (SELECT min(due_at) FROM dispatch_ranges WHERE next_id < last_id)) - now()) * 1000";

static void end_write(struct worker *w, PGresult *r, int ok);

/* How long a claim is held: a message submitted within HOLD_S of its claim has its answer or
 * its timeout within the provider timeout, and its outcome written within WRITE_GRACE_S. */
long dw_lease_ms(void)
{
	return (long)((HOLD_S + WRITE_GRACE_S) * 1000) + cfg.provider_timeout_ms;
}

int dw_connect(struct worker *w)
{
	char err[512];
	if (w->db && PQstatus(w->db->conn) == CONNECTION_OK)
		return 0;
	if (w->pending == P_WRITE)      /* its outcome is unknown: write those outcomes again */
		end_write(w, NULL, 0);
	w->pending = P_NONE;
	db_close(w->db);
	w->db = db_connect(cfg.database_url, err, sizeof(err));
	if (w->db == NULL) {
		log_error("dispatch.db_unreachable", LI("worker", w->idx), LS("error", err));
		return -1;
	}
	/* Every statement here reaches rows by key. A generic plan of the claim guesses its LIMIT
	 * at a tenth of the table and hash-joins a sequential scan of messages (measured 40-190 ms
	 * per claim at 100k rows); custom plans keep the claim on the indexes. Past a few hundred
	 * thousand messages the claim's estimated cost passes jit_above_cost, and compiling it took
	 * 255 ms of every 260 ms claim (auto_explain, 1M messages): no JIT for statements that
	 * touch a few hundred rows. No sequential scans either: statistics of messages taken
	 * while its rows were sent (any table that has sent a mailing) say pending and sending
	 * rows are rare, and a mailing started since then had each outcome write join its batch
	 * to a sequential scan of messages (estimated 1 row): 8 s a write of 500 at 50,000
	 * messages (auto_explain), 300 µs of PostgreSQL a message in all. */
	if (db_simple(w->db, "SET application_name = 'herald-dispatch'; SET plan_cache_mode = force_custom_plan;"
			     " SET jit = off; SET enable_seqscan = off; LISTEN herald_messages") < 0)
		return -1;
	/* claim and write run asynchronously (PQsendQueryPrepared) so that the provider's
	 * transfers go on while the database works */
	PGresult *r1 = PQprepare(w->db->conn, "dispatch_claim", sql_claim, 3, NULL);
	PGresult *r2 = PQprepare(w->db->conn, "dispatch_write", sql_write, 13, NULL);
	int ok = PQresultStatus(r1) == PGRES_COMMAND_OK && PQresultStatus(r2) == PGRES_COMMAND_OK;
	PQclear(r1);
	PQclear(r2);
	if (!ok) {
		log_error("dispatch.prepare_failed", LI("worker", w->idx), LS("error", PQerrorMessage(w->db->conn)));
		db_close(w->db);
		w->db = NULL;
		return -1;
	}
	w->db->wait = dw_db_wait;
	w->db->wait_arg = w;
	w->pending = P_NONE;
	w->next_claim = 0;
	return 0;
}

/* Reads pending notifications; 1 when there was at least one. */
int dw_notified(struct worker *w)
{
	int got = 0;
	PGnotify *n;
	PQconsumeInput(w->db->conn);
	while ((n = PQnotifies(w->db->conn)) != NULL) {
		got = 1;
		PQfreemem(n);
	}
	return got;
}

/* Sends every collected outcome as one statement (asynchronously); the outcomes move to wres
 * until end_write(). 0, or -1 when it could not be sent (they stay collected). */
int dw_write(struct worker *w)
{
	w->last_flush = now_mono();
	if (w->nres == 0 || w->pending != P_NONE)
		return 0;
	pgarr_start(&w->a_ids);
	pgarr_start(&w->a_st);
	pgarr_start(&w->a_delay);
	pgarr_start(&w->a_err);
	pgarr_start(&w->a_att);
	pgarr_start(&w->a_text);
	pgarr_start(&w->a_prov);
	pgarr_start(&w->a_ref);
	long long hist[METRICS_HIST_LEN] = {0}, asked = 0, failed = 0, rendered = 0, refs = 0;
	for (int i = 0; i < w->nres; i++) {
		struct result *r = &w->res[i];
		if (r->asked) {
			hist[metrics_hist_slot(r->m->latency)]++;
			asked++;
			failed += r->m->outcome != PO_SENT;
		}
		if (r->asked && r->m->via->id)
			pgarr_int(&w->a_prov, r->m->via->id);
		else
			pgarr_null(&w->a_prov);
		pgarr_int(&w->a_ids, r->m->id);
		pgarr_int(&w->a_st, r->out);
		pgarr_int(&w->a_delay, r->delay_ms);
		pgarr_text(&w->a_err, r->out == OUT_SENT || r->out == OUT_RELEASE || !r->m->error[0] ? NULL : r->m->error);
		pgarr_int(&w->a_att, r->m->attempts);
		int keep = r->m->rendered && r->out != OUT_RELEASE;
		pgarr_text(&w->a_text, keep ? r->m->text : NULL);
		rendered += keep;
		int ref = r->out == OUT_SENT && r->m->ref[0] && r->m->via->id;
		pgarr_text(&w->a_ref, ref ? r->m->ref : NULL);
		refs += ref;
	}
	pgarr_end(&w->a_ids);
	pgarr_end(&w->a_st);
	pgarr_end(&w->a_delay);
	pgarr_end(&w->a_err);
	pgarr_end(&w->a_att);
	pgarr_end(&w->a_text);
	pgarr_end(&w->a_prov);
	pgarr_end(&w->a_ref);
	pgarr_start(&w->a_hist);
	for (size_t i = 0; i < METRICS_HIST_LEN; i++)
		pgarr_int(&w->a_hist, hist[i]);
	pgarr_end(&w->a_hist);
	char n_asked[DB_NUM_LEN], n_failed[DB_NUM_LEN];
	if (w->nclaims_done == 0)
		pgarr_start(&w->a_claims);
	pgarr_end(&w->a_claims);
	w->nclaims_done = 0;     /* a claim row that a failed write leaves is lease recovery's */
	const char *p[] = {w->a_ids.data, w->a_st.data, w->a_delay.data, w->a_err.data, w->a_att.data,
			   w->a_claims.data, w->a_hist.data, db_num(n_asked, asked), db_num(n_failed, failed), w->instance,
			   rendered ? w->a_text.data : NULL, w->a_prov.data, refs ? w->a_ref.data : NULL};
	if (dw_connect(w) < 0 || !PQsendQueryPrepared(w->db->conn, "dispatch_write", 13, p, NULL, NULL, 0))
		return -1;
	struct result *t = w->wres;
	w->wres = w->res;
	w->nwres = w->nres;
	w->res = t;
	w->nres = 0;
	w->pending = P_WRITE;
	return 0;
}

/* Counts and logs one outcome that was written. */
static void written(struct worker *w, const struct result *r, double now)
{
	struct provider_msg *m = r->m;
	int final = r->out;
	if ((final == OUT_RETRY || final == OUT_RELEASE) && now + r->delay_ms / 1000.0 >= m->expires_at)
		final = OUT_EXPIRED;
	if (final == OUT_RELEASE) {
		w->n_released++;
		metrics_dispatch(MD_RELEASED, 1);
	} else if (final == OUT_RETRY) {
		w->n_retry++;
		metrics_dispatch(MD_RETRY, 1);
		log_debug("message.retry", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
			  LI("client_id", m->client_id), LI("attempts", m->attempts), LI("delay_ms", r->delay_ms),
			  LS("error", m->error));
	} else {
		long *n = final == OUT_SENT ? &w->n_sent : final == OUT_FAILED ? &w->n_failed
			  : final == OUT_EXPIRED ? &w->n_expired : &w->n_cancelled;
		(*n)++;
		metrics_dispatch(final == OUT_SENT ? MD_SENT : final == OUT_FAILED ? MD_FAILED
				 : final == OUT_EXPIRED ? MD_EXPIRED : MD_CANCELLED, 1);
		log_debug("message.final", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
			  LI("client_id", m->client_id), LS("status", message_status_name(final)),
			  LI("attempts", m->attempts), LS("error", final == OUT_SENT ? NULL : m->error));
	}
}

/* One more message of claim slot c has its outcome written; the claim's last one adds its row
 * to those the next write deletes. */
static void claim_done(struct worker *w, int c)
{
	if (c < 0 || --w->claims[c].left > 0)
		return;
	if (w->nclaims_done++ == 0)
		pgarr_start(&w->a_claims);
	pgarr_int(&w->a_claims, w->claims[c].id);
	w->claim_free[w->nclaim_free++] = c;
}

/* The write of wres finished (r its result): ok, or failed (the outcomes go back to be written
 * again). Rows the fence kept out belong to a newer claim: counted, never retried. */
static void end_write(struct worker *w, PGresult *r, int ok)
{
	if (!ok) {
		memcpy(w->res + w->nres, w->wres, sizeof(*w->res) * (size_t)w->nwres);
		w->nres += w->nwres;
		w->nwres = 0;
		return;
	}
	long stale = w->nwres - (r && PQntuples(r) ? db_i64(r, 0, 0) : w->nwres);
	if (stale > 0) {
		w->n_stale += stale;
		metrics_dispatch(MD_STALE, (unsigned)stale);
		log_warn("dispatch.stale_outcomes", LI("worker", w->idx), LI("messages", stale));
	}
	double now = now_real();
	for (int i = 0; i < w->nwres; i++) {
		written(w, &w->wres[i], now);
		claim_done(w, w->wres[i].m->claim);
		msg_free(w, w->wres[i].m);
	}
	w->nwres = 0;
}

/* Sends the claim of up to n due messages (asynchronously); 0 or -1. */
int dw_claim(struct worker *w, int n)
{
	char sn[DB_NUM_LEN], sl[DB_NUM_LEN];
	const char *p[] = {db_num(sn, n), db_num(sl, dw_lease_ms()), w->need_codes ? "t" : "f"};
	w->claim_sent = now_mono();
	if (dw_connect(w) < 0 || !PQsendQueryPrepared(w->db->conn, "dispatch_claim", 3, p, NULL, NULL, 0))
		return -1;
	w->claim_want = n;
	w->pending = P_CLAIM;
	return 0;
}

/* Queues personal messages with their texts rendered; one whose text did not render fails
 * (it would fail again); when the recipients could not be read, they go back unsent. */
static void take_personal(struct worker *w, struct provider_msg **ms, const struct tmpl_set **ts, int n)
{
	int rc = dw_render(w, ms, ts, n);
	for (int i = 0; i < n; i++) {
		if (rc < 0) {
			ms[i]->text = xstrdup("");
			add_result(w, ms[i], OUT_RELEASE, 0);
		} else if (ms[i]->text == NULL) {
			ms[i]->text = xstrdup("");
			add_result(w, ms[i], OUT_FAILED, 0);
		} else {
			queue_push(w, ms[i]);
		}
	}
}

/* Takes the claimed rows of r into the queue; returns how many rows came back. */
static int end_claim(struct worker *w, PGresult *r)
{
	int rows = PQntuples(r), c = -1, npersonal = 0;
	if (rows > 0 && !db_null(r, 0, 9)) {
		c = w->claim_free[--w->nclaim_free];
		w->claims[c] = (struct wclaim){db_i64(r, 0, 9), 0};
		for (int i = 0; i < rows; i++)
			w->claims[c].left += db_i64(r, i, 5) == MSG_SENDING;
	}
	for (int i = 0; i < rows; i++) {
		int status = (int)db_i64(r, i, 5);
		if (status == MSG_PENDING)       /* outside its send window: moved to the next opening */
			continue;
		if (status == MSG_CANCELLED) {   /* its phone is on the stop list: the claim cancelled it */
			log_debug("message.final", LI("mailing_id", db_i64(r, i, 1)), LI("message_id", db_i64(r, i, 0)),
				  LS("status", "cancelled"), LS("reason", STOPLIST_ERROR));
			continue;
		}
		struct provider_msg *m = w->free_msgs[--w->nfree];
		memset(m, 0, sizeof(*m));
		m->id = db_i64(r, i, 0);
		m->mailing_id = db_i64(r, i, 1);
		m->client_id = db_i64(r, i, 2);
		m->phone = xstrdup(db_str(r, i, 3));
		m->expires_at = strtod(db_str(r, i, 6), NULL);
		m->attempts = (int)db_i64(r, i, 7);
		m->window_end = db_null(r, i, 8) ? 0 : strtod(db_str(r, i, 8), NULL);
		m->send_by = w->claim_sent + HOLD_S;
		m->claim = c;
		if (!db_null(r, i, 10))
			snprintf(m->op, sizeof(m->op), "%s", db_str(r, i, 10));
		if (status == MSG_EXPIRED) {     /* already past expires_at: the claim expired it */
			w->n_expired++;
			metrics_dispatch(MD_EXPIRED, 1);
			log_debug("message.final", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
				  LI("client_id", m->client_id), LS("status", "expired"), LI("attempts", m->attempts));
			msg_free(w, m);
			continue;
		}
		const struct wtext *t = db_null(r, i, 4) && m->mailing_id ? dw_text(w, m->mailing_id) : NULL;
		const char *text = db_null(r, i, 4) ? (t ? t->text : NULL) : db_str(r, i, 4);
		if (text == NULL) {      /* the mailing's text could not be read: not now, not empty */
			m->text = xstrdup("");
			add_result(w, m, OUT_RELEASE, 0);
			continue;
		}
		w->n_claimed++;
		log_debug("message.claimed", LI("mailing_id", m->mailing_id), LI("message_id", m->id),
			  LI("client_id", m->client_id), LI("attempt", m->attempts));
		if (t && t->personal) {  /* rendered below, for every such message at once */
			w->personal[npersonal] = m;
			w->personal_t[npersonal++] = t->personal;
			continue;
		}
		m->text = xstrdup(text);
		queue_push(w, m);
	}
	if (npersonal)
		take_personal(w, w->personal, w->personal_t, npersonal);
	return rows;
}

/* Milliseconds until the next pending message is due (IDLE_MIN_MS..IDLE_MAX_MS). */
static int next_due_ms(struct worker *w)
{
	PGresult *r = db_exec(w->db, sql_next_due, 0, NULL);
	double ms = IDLE_MAX_MS;
	if (r && !db_null(r, 0, 0))
		ms = strtod(db_str(r, 0, 0), NULL);
	if (r)
		PQclear(r);
	return ms < IDLE_MIN_MS ? IDLE_MIN_MS : ms > IDLE_MAX_MS ? IDLE_MAX_MS : (int)ms;
}

/* Completes the statement in flight: with block, waits for it; otherwise only when its result
 * is already here. Returns 1 when nothing is in flight any more. */
int dw_wait(struct worker *w, int block)
{
	if (w->pending == P_NONE)
		return 1;
	PGconn *c = w->db->conn;
	if (!block && (!PQconsumeInput(c) || PQisBusy(c)) && PQstatus(c) == CONNECTION_OK)
		return 0;
	PGresult *r, *first = NULL;
	int ok = 1;
	while ((r = PQgetResult(c)) != NULL) {
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			ok = 0;
			log_error("dispatch.db_error", LI("worker", w->idx), LS("error", PQresultErrorMessage(r)));
		}
		if (first == NULL)
			first = r;
		else
			PQclear(r);
	}
	if (PQstatus(c) != CONNECTION_OK || first == NULL)
		ok = 0;
	int what = w->pending;
	w->pending = P_NONE;
	if (what == P_WRITE) {
		end_write(w, first, ok);
	} else {
		int got = ok ? end_claim(w, first) : -1;
		double now = now_mono();
		if (got < 0)    /* a session that died is replaced at once; an error waits a second */
			w->next_claim = now + (PQstatus(c) == CONNECTION_OK ? 1.0 : 0);
		else if (got < w->claim_want)
			w->next_claim = now + next_due_ms(w) / 1000.0;
	}
	PQclear(first);
	return 1;
}

/* Sleeps on the connection (NOTIFY herald_messages) for at most ms. */
void dw_idle(struct worker *w, int ms)
{
	struct pollfd pfd = {PQsocket(w->db->conn), POLLIN, 0};
	if (pfd.fd >= 0 && poll(&pfd, 1, ms) > 0) {
		if (dw_notified(w))      /* new messages: claim at once, not at the next due time */
			w->next_claim = 0;
	} else if (pfd.fd < 0)
		poll(NULL, 0, ms);
}
