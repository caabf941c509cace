/* dispatch_maintain.c — what a dispatch worker does beside claiming and writing, on its own
 * connection while no statement of its own is in flight: once a second, lease recovery, the
 * exhausted ranges and the providers' table and health (dw_maintain); every MAILING_CHECK_S,
 * what became of the mailings of the messages it holds queued (dw_check_mailings). */
#include "dispatch_worker.h"
#include "log.h"
#include "pgarr.h"
#include "provider_set.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAINTAIN_EVERY_S 1.0        /* lease recovery */
#define MAILING_CHECK_S 0.2         /* queued messages of cancelled mailings are dropped, and a
				     * shortened end_at is followed, this fast */

/* The claims whose lease ran out (a worker ends its own claims when their outcomes are
 * written, so these are a stopped or stalled instance's): their messages still sending go back
 * to pending, in the queue. */
static const char sql_recover[] =
    "WITH c AS (DELETE FROM dispatch_claims WHERE id IN (SELECT id FROM dispatch_claims"
    "            WHERE lease_until < now() ORDER BY lease_until LIMIT 100 FOR UPDATE SKIP LOCKED)"
    "           RETURNING ids, mailing_id, lo, hi),"
    " u AS (UPDATE messages m SET status = " MSG_SQL(MSG_PENDING) ", lease_until = NULL"
    "        WHERE m.id = ANY (ARRAY(SELECT unnest(ids) FROM c UNION ALL"
    "                       SELECT x.id FROM c, LATERAL (SELECT id FROM messages"
    "                         WHERE id > c.lo AND id <= c.hi AND mailing_id = c.mailing_id) x))"
    "          AND m.status = " MSG_SQL(MSG_SENDING) " AND m.lease_until < now() RETURNING m.id),"
    " q AS (INSERT INTO message_queue (message_id, due_at) SELECT id, now() FROM u"
    "       ON CONFLICT (message_id) DO UPDATE SET due_at = excluded.due_at)"
    " SELECT count(*) FROM u";

/* Whether a lease ran out: sql_recover is planned at every call (the sessions' custom plans,
 * about 3 ms for its statement and its triggers on messages), and is run only when so. */
static const char sql_expired[] = "SELECT EXISTS (SELECT 1 FROM dispatch_claims WHERE lease_until < now())";

/* Exhausted ranges: every id has been claimed. */
static const char sql_ranges_done[] = "DELETE FROM dispatch_ranges WHERE next_id >= last_id";

/* The mailings of queued messages that may still send: cancelled and deleted ones are absent. */
static const char sql_mailings[] =
    "SELECT id, extract(epoch FROM end_at) FROM mailings WHERE id = ANY($1::bigint[]) AND status <> 'cancelled'";

void dw_maintain(struct worker *w)
{
	double now = now_mono();
	if (now - w->last_maintain < MAINTAIN_EVERY_S || w->pending != P_NONE)
		return;
	w->last_maintain = now;
	PGresult *r = db_exec(w->db, sql_expired, 0, NULL);
	int expired = r && strcmp(db_str(r, 0, 0), "t") == 0;
	if (r)
		PQclear(r);
	r = expired ? db_exec(w->db, sql_recover, 0, NULL) : NULL;
	if (r && db_i64(r, 0, 0) > 0)
		log_info("dispatch.leases_recovered", LI("worker", w->idx), LI("messages", db_i64(r, 0, 0)));
	if (r)
		PQclear(r);
	db_run(w->db, sql_ranges_done, 0, NULL);
	provider_set_refresh(w->db);
	provider_set_report(w->db);
}

/* Follows what happened to the mailings of queued messages (the API cancels and expires pending
 * messages only; these were already claimed): those of a cancelled or deleted mailing are
 * dropped, and a shortened end_at applies, within MAILING_CHECK_S. */
void dw_check_mailings(struct worker *w)
{
	double now = now_mono();
	if (w->qlen == 0 || now - w->last_mailing_check < MAILING_CHECK_S || w->pending != P_NONE)
		return;
	w->last_mailing_check = now;
	int64_t ids[TEXT_CACHE];
	int n = 0;
	pgarr_start(&w->a_ids);
	for (int i = 0; i < w->qlen && n < TEXT_CACHE; i++) {
		int64_t id = w->queue[(w->qhead + i) % w->cap]->mailing_id, seen = 0;
		for (int j = 0; j < n && !seen; j++)
			seen = ids[j] == id;
		if (!seen && id) {
			ids[n++] = id;
			pgarr_int(&w->a_ids, id);
		}
	}
	pgarr_end(&w->a_ids);
	if (n == 0)
		return;
	const char *p[] = {w->a_ids.data};
	PGresult *r = db_exec(w->db, sql_mailings, 1, p);
	if (r == NULL)
		return;
	int keep = w->qlen;
	for (int i = 0; i < keep; i++) {
		struct provider_msg *m = queue_pop(w);
		int live = m->mailing_id == 0, checked = 0;
		for (int j = 0; j < n && !checked; j++)
			checked = ids[j] == m->mailing_id;
		for (int j = 0; j < PQntuples(r) && !live; j++) {
			if (db_i64(r, j, 0) == m->mailing_id) {
				live = 1;
				double end = strtod(db_str(r, j, 1), NULL);
				if (end < m->expires_at)
					m->expires_at = end;
			}
		}
		if (checked && !live) {
			snprintf(m->error, sizeof(m->error), "mailing cancelled");
			add_result(w, m, OUT_CANCELLED, 0);
		} else {
			queue_push(w, m);
		}
	}
	PQclear(r);
}
