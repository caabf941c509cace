/* smpp_store.c — the SMPP database worker (see smpp_store.h). */
#include "smpp_store.h"
#include "buf.h"
#include "db.h"
#include "log.h"
#include "message_status.h"
#include "pgarr.h"
#include "smpp_auth.h"
#include "smpp_pdu.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUBMIT_BATCH 2000       /* submits per insert statement */
#define STORE_THREADS 2         /* one statement runs while the next batch gathers */
#define AUTH_THREADS 1          /* binds (argon2id) wait here, never in front of submits */

/* A queue of jobs and the threads that take from it. */
struct queue {
	pthread_cond_t cond;
	struct smpp_job *todo, **todo_tail;
};

static struct {
	pthread_t threads[STORE_THREADS + AUTH_THREADS];
	pthread_mutex_t mu;
	struct queue store, auth;
	struct smpp_job *done, **done_tail;
	int notify_fd, stop, running;
} st = {.mu = PTHREAD_MUTEX_INITIALIZER, .store.cond = PTHREAD_COND_INITIALIZER,
	.auth.cond = PTHREAD_COND_INITIALIZER};

/* Runs q with the job's accounts as $1 (a bigint array) and, when nparams is 2, its limit as $2:
 * the result, or NULL with the job answered ESME_RSYSERR. */
static PGresult *for_accounts(struct db *db, struct smpp_job *j, const char *q, int nparams)
{
	struct buf a = BUF_INIT;
	char lim[DB_NUM_LEN];
	pgarr_start(&a);
	for (int i = 0; i < j->naccounts; i++)
		pgarr_int(&a, j->accounts[i]);
	pgarr_end(&a);
	const char *p[] = {a.data, db_num(lim, j->limit)};
	PGresult *r = db_exec(db, q, nparams, p);
	buf_free(&a);
	if (r == NULL)
		j->status = ESME_RSYSERR;
	return r;
}

/* v, or the NULL element for 0 (a time not given). */
static void arr_time(struct buf *b, int64_t v)
{
	if (v)
		pgarr_int(b, v);
	else
		pgarr_null(b);
}

/* Stores jobs[0..n) with one statement: ids come from the sequence in input order, the
 * messages and their smpp_messages rows are inserted together, and the statement's commit is
 * what makes every answer OK. A submit to a phone on the stop list stores nothing and gets
 * SMPP_STOPLIST_STATUS. 0, or -1 when every job got ESME_RSYSERR. */
static int insert_submits(struct db *db, struct smpp_job **jobs, int n)
{
	static const char q[] =
	    "WITH v AS MATERIALIZED ("
	    "  SELECT nextval('messages_id_seq') AS id, u.*,"
	    "         EXISTS (SELECT 1 FROM stoplist sl WHERE sl.phone = u.phone) AS stop"
	    "    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::smallint[],"
	    "                $6::smallint[], $7::bigint[], $8::bigint[])"
	    "         WITH ORDINALITY AS u(phone, text, account_id, source_addr, rd, parts, due, expires, ord)"
	    "), m AS ("
	    "  INSERT INTO messages (id, phone, text, status, due_at, expires_at)"
	    "  SELECT id, phone, text, " MSG_SQL(MSG_PENDING) ", coalesce(to_timestamp(due), now()),"
	    "         coalesce(to_timestamp(expires), coalesce(to_timestamp(due), now()) + interval '24 hours')"
	    "    FROM v WHERE NOT stop"
	    "), s AS ("
	    "  INSERT INTO smpp_messages (message_id, account_id, source_addr, registered_delivery, parts)"
	    "  SELECT id, account_id, source_addr, rd, parts FROM v WHERE NOT stop"
	    ") SELECT id, stop FROM v ORDER BY ord";
	struct pgarr_cols a;
	pgarr_cols_start(&a, 8);
	for (int i = 0; i < n; i++) {
		struct smpp_job *j = jobs[i];
		pgarr_text(&a.col[0], j->phone);
		pgarr_text(&a.col[1], j->text);
		pgarr_int(&a.col[2], j->account_id);
		pgarr_text(&a.col[3], j->source_addr);
		pgarr_int(&a.col[4], j->registered_delivery);
		pgarr_int(&a.col[5], j->parts);
		arr_time(&a.col[6], j->due);
		arr_time(&a.col[7], j->expires);
	}
	pgarr_cols_end(&a);
	PGresult *r = db_exec(db, q, 8, a.param);
	pgarr_cols_free(&a);
	if (r == NULL || PQntuples(r) != n) {
		for (int i = 0; i < n; i++)
			jobs[i]->status = ESME_RSYSERR;
		log_error("smpp.store_failed", LI("messages", n), LS("error", db->err));
		PQclear(r);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(db_str(r, i, 1), "t") == 0) {
			jobs[i]->status = SMPP_STOPLIST_STATUS;
			log_info("smpp.submit_refused", LI("account_id", jobs[i]->account_id),
				 LS("reason", "the destination is on the stop list"));
			continue;
		}
		jobs[i]->message_id = db_i64(r, i, 0);
		jobs[i]->status = ESME_ROK;
	}
	PQclear(r);
	return 0;
}

static int by_account(const void *a, const void *b)
{
	int64_t x = (*(struct smpp_job *const *)a)->account_id, y = (*(struct smpp_job *const *)b)->account_id;
	return (x > y) - (x < y);
}

/* Stores a batch; when it fails and holds several accounts, stores each account's jobs on its
 * own, so one account's bad job (say a submit of a bind whose account was just deleted) fails
 * that account's jobs only. */
static void do_submits(struct db *db, struct smpp_job **jobs, int n)
{
	int several = 0;
	for (int i = 1; i < n && !several; i++)
		several = jobs[i]->account_id != jobs[0]->account_id;
	if (insert_submits(db, jobs, n) == 0 || !several)
		return;
	struct smpp_job **sorted = xmalloc((size_t)n * sizeof(*sorted));
	memcpy(sorted, jobs, (size_t)n * sizeof(*sorted));
	qsort(sorted, (size_t)n, sizeof(*sorted), by_account);
	for (int i = 0, k; i < n; i = k) {
		for (k = i + 1; k < n && sorted[k]->account_id == sorted[i]->account_id; k++)
			;
		insert_submits(db, sorted + i, k - i);
	}
	free(sorted);
}

static void do_query(struct db *db, struct smpp_job *j)
{
	/* a message sent to a provider that reports (sql/027) is not final until its report: it
	 * reads as sending, ENROUTE without a final date */
	static const char q[] =
	    "SELECT x.status, CASE WHEN x.status >= " MSG_SQL(MSG_SENT) " THEN"
	    "       to_char(coalesce(x.reported_at, x.sent_at, r.created_at, now()), 'YYMMDDHH24MISS') || '000+' END"
	    "  FROM (SELECT m.id, m.reported_at, m.sent_at, CASE WHEN m.status = " MSG_SQL(MSG_SENT)
	    "               AND provider_reports(m.provider_id) THEN " MSG_SQL(MSG_SENDING) " ELSE m.status END AS status"
	    "          FROM messages m JOIN smpp_messages s ON s.message_id = m.id"
	    "         WHERE m.id = $1 AND s.account_id = $2) x"
	    "  LEFT JOIN smpp_receipts r ON r.message_id = x.id";
	char id[DB_NUM_LEN], acc[DB_NUM_LEN];
	const char *p[] = {db_num(id, j->message_id), db_num(acc, j->account_id)};
	PGresult *r = db_exec(db, q, 2, p);
	if (r == NULL) {
		j->status = ESME_RSYSERR;
		return;
	}
	if (PQntuples(r) == 0) {
		j->status = ESME_RQUERYFAIL;
	} else {
		j->status = ESME_ROK;
		j->msg_status = (int)db_i64(r, 0, 0);
		snprintf(j->final_date, sizeof(j->final_date), "%s", db_str(r, 0, 1));
	}
	PQclear(r);
}

static void do_poll(struct db *db, struct smpp_job *j)
{
	static const char q[] =
	    "WITH c AS ("
	    "  SELECT message_id FROM smpp_receipts"
	    "   WHERE delivered_at IS NULL AND account_id = ANY ($1::bigint[])"
	    "     AND (attempt_at IS NULL OR attempt_at < now() - interval '30 seconds')"
	    "   ORDER BY account_id, message_id LIMIT $2 FOR UPDATE SKIP LOCKED)"
	    " UPDATE smpp_receipts r SET attempt_at = now(), attempts = r.attempts + 1"
	    "   FROM c, messages m, smpp_messages s"
	    "  WHERE r.message_id = c.message_id AND m.id = r.message_id AND s.message_id = r.message_id"
	    " RETURNING r.message_id, r.account_id, r.status, s.source_addr, m.phone,"
	    "   to_char(s.submitted_at, 'YYMMDDHH24MI'),"
	    "   to_char(coalesce(m.reported_at, m.sent_at, r.created_at), 'YYMMDDHH24MI'), left(coalesce(m.text, ''), 20)";
	PGresult *r = for_accounts(db, j, q, 2);
	if (r == NULL)
		return;
	j->nreceipts = PQntuples(r);
	j->receipts = xcalloc((size_t)j->nreceipts + 1, sizeof(*j->receipts));
	for (int i = 0; i < j->nreceipts; i++) {
		struct smpp_receipt *rc = &j->receipts[i];
		rc->message_id = db_i64(r, i, 0);
		rc->account_id = db_i64(r, i, 1);
		rc->status = (int)db_i64(r, i, 2);
		snprintf(rc->source_addr, sizeof(rc->source_addr), "%s", db_str(r, i, 3));
		snprintf(rc->phone, sizeof(rc->phone), "%s", db_str(r, i, 4));
		snprintf(rc->submit_date, sizeof(rc->submit_date), "%s", db_str(r, i, 5));
		snprintf(rc->done_date, sizeof(rc->done_date), "%s", db_str(r, i, 6));
		snprintf(rc->text, sizeof(rc->text), "%s", db_str(r, i, 7));
	}
	PQclear(r);
	j->status = ESME_ROK;
}

/* Which of the accounts with a bind were deleted or disabled since they bound. */
static void do_check(struct db *db, struct smpp_job *j)
{
	static const char q[] =
	    "SELECT u.id FROM unnest($1::bigint[]) u(id) LEFT JOIN smpp_accounts a ON a.id = u.id"
	    " WHERE a.id IS NULL OR NOT a.enabled";
	PGresult *r = for_accounts(db, j, q, 1);
	if (r == NULL)
		return;
	j->nrefused = PQntuples(r);
	j->refused = xcalloc((size_t)j->nrefused + 1, sizeof(*j->refused));
	for (int i = 0; i < j->nrefused; i++)
		j->refused[i] = db_i64(r, i, 0);
	PQclear(r);
	j->status = ESME_ROK;
}

static void do_acks(struct db *db, struct smpp_job **jobs, int n)
{
	static const char q[] = "UPDATE smpp_receipts SET delivered_at = now()"
				" WHERE message_id = ANY ($1::bigint[]) AND delivered_at IS NULL";
	struct buf a = BUF_INIT;
	pgarr_start(&a);
	for (int i = 0; i < n; i++)
		pgarr_int(&a, jobs[i]->message_id);
	pgarr_end(&a);
	const char *p[] = {a.data};
	int rc = db_run(db, q, 1, p);
	buf_free(&a);
	for (int i = 0; i < n; i++)
		jobs[i]->status = rc == 0 ? ESME_ROK : ESME_RSYSERR;
}

static void process(struct smpp_job *list)
{
	struct db *db = db_thread();
	struct smpp_job *submits[SUBMIT_BATCH], *acks[SUBMIT_BATCH];
	int ns = 0, na = 0;
	for (struct smpp_job *j = list; j; j = j->next) {
		if (db == NULL) {
			j->status = j->kind == SJ_BIND ? ESME_RBINDFAIL : ESME_RSYSERR;
			continue;
		}
		switch (j->kind) {
		case SJ_BIND: smpp_auth_bind(db, j); break;
		case SJ_QUERY: do_query(db, j); break;
		case SJ_POLL: do_poll(db, j); break;
		case SJ_CHECK: do_check(db, j); break;
		case SJ_SUBMIT:
			submits[ns++] = j;
			if (ns == SUBMIT_BATCH) {
				do_submits(db, submits, ns);
				ns = 0;
			}
			break;
		case SJ_ACK:
			acks[na++] = j;
			if (na == SUBMIT_BATCH) {
				do_acks(db, acks, na);
				na = 0;
			}
			break;
		}
	}
	if (ns)
		do_submits(db, submits, ns);
	if (na)
		do_acks(db, acks, na);
}

static void *worker(void *arg)
{
	struct queue *q = arg;
	pthread_mutex_lock(&st.mu);
	for (;;) {
		while (q->todo == NULL && !st.stop)
			pthread_cond_wait(&q->cond, &st.mu);
		if (q->todo == NULL)
			break;
		struct smpp_job *list = q->todo;
		q->todo = NULL;
		q->todo_tail = &q->todo;
		pthread_mutex_unlock(&st.mu);
		process(list);
		pthread_mutex_lock(&st.mu);
		*st.done_tail = list;
		while (*st.done_tail)
			st.done_tail = &(*st.done_tail)->next;
		pthread_mutex_unlock(&st.mu);
		uint64_t one = 1;
		if (write(st.notify_fd, &one, sizeof(one)) < 0)
			log_warn("smpp.notify_failed", LS("error", "eventfd write"));
		pthread_mutex_lock(&st.mu);
	}
	pthread_mutex_unlock(&st.mu);
	db_thread_close();
	return NULL;
}

int smpp_store_start(int notify_fd)
{
	st.store.todo = st.auth.todo = st.done = NULL;
	st.store.todo_tail = &st.store.todo;
	st.auth.todo_tail = &st.auth.todo;
	st.done_tail = &st.done;
	st.notify_fd = notify_fd;
	st.stop = 0;
	for (int i = 0; i < STORE_THREADS + AUTH_THREADS; i++) {
		if (pthread_create(&st.threads[i], NULL, worker, i < STORE_THREADS ? &st.store : &st.auth) != 0) {
			smpp_store_stop();
			return -1;
		}
		st.running = i + 1;
	}
	return 0;
}

void smpp_store_push(struct smpp_job *j)
{
	j->next = NULL;
	struct queue *q = j->kind == SJ_BIND ? &st.auth : &st.store;
	pthread_mutex_lock(&st.mu);
	*q->todo_tail = j;
	q->todo_tail = &j->next;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&st.mu);
}

struct smpp_job *smpp_store_done(void)
{
	pthread_mutex_lock(&st.mu);
	struct smpp_job *list = st.done;
	st.done = NULL;
	st.done_tail = &st.done;
	pthread_mutex_unlock(&st.mu);
	return list;
}

void smpp_store_stop(void)
{
	if (!st.running)
		return;
	pthread_mutex_lock(&st.mu);
	st.stop = 1;
	pthread_cond_broadcast(&st.store.cond);
	pthread_cond_broadcast(&st.auth.cond);
	pthread_mutex_unlock(&st.mu);
	for (int i = 0; i < st.running; i++)
		pthread_join(st.threads[i], NULL);
	st.running = 0;
	for (struct smpp_job *j = smpp_store_done(), *next; j; j = next) {
		next = j->next;
		smpp_job_free(j);
	}
}
