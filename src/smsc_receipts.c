/* smsc_receipts.c — an upstream SMSC's delivery receipts become delivery reports (dlr.h). The
 * dispatcher's threads, which read the SMSC links (provider_smpp.c), queue each receipt; this
 * thread, with a database session of its own so that no link waits on the database, reads them
 * in batches: one statement finds the messages by the SMSC's ids (provider_refs, written with the
 * outcome of each submit), and dlr_apply_many applies the reports. A receipt can overtake the
 * write of its message's outcome (the SMSC answers, then reports at once, while the dispatcher
 * still holds the answer in its batch): one whose id is not known yet, or whose message is not
 * sent yet, is tried again every RETRY_MS for GIVE_UP_S, then logged and dropped. */
#include "smsc_receipts.h"
#include "buf.h"
#include "db.h"
#include "dlr.h"
#include "log.h"
#include "pgarr.h"
#include "util.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX 16384        /* receipts waiting: past it the SMSC is told to send again */
#define RETRY_MS 500
#define GIVE_UP_S 120.0

struct receipt {
	int64_t provider;
	int status;
	double first;           /* monotonic: when it came */
	char ref[PROVIDER_REF_MAX + 1];
	char error[SMSC_ERROR_MAX + 1];
};

static void *run(void *arg);
static struct worker bg = WORKER_INIT("smsc_receipts.start_failed", run);
static struct receipt *queue;   /* a ring of QUEUE_MAX, guarded by bg.mu; NULL while stopped */
static int head, count;

int smsc_receipt_queue(int64_t provider_id, const char *ref, int status, const char *error)
{
	int queued = 0;
	pthread_mutex_lock(&bg.mu);
	if (queue && count < QUEUE_MAX) {
		struct receipt *r = &queue[(head + count++) % QUEUE_MAX];
		*r = (struct receipt){.provider = provider_id, .status = status, .first = now_mono()};
		snprintf(r->ref, sizeof(r->ref), "%s", ref);
		snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
		queued = 1;
		pthread_cond_signal(&bg.cv);
	}
	pthread_mutex_unlock(&bg.mu);
	return queued ? 0 : -1;
}

/* Moves up to max queued receipts to out; how many. */
static int take(struct receipt *out, int max)
{
	pthread_mutex_lock(&bg.mu);
	int n = count < max ? count : max;
	for (int i = 0; i < n; i++)
		out[i] = queue[(head + i) % QUEUE_MAX];
	head = (head + n) % QUEUE_MAX;
	count -= n;
	pthread_mutex_unlock(&bg.mu);
	return n;
}

/* The messages of the receipts' SMSC ids, in their order (NULL: not known). */
static const char sql_find[] =
    "SELECT pr.message_id FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS r(p, ref, k)"
    " LEFT JOIN provider_refs pr ON pr.provider_id = r.p AND pr.ref = r.ref ORDER BY r.k";

/* Applies the n receipts of b; those to try again are moved to the front. How many they are, or
 * n when the database failed. */
static int apply(struct db *db, struct receipt *b, int n)
{
	struct pgarr_cols a;
	pgarr_cols_start(&a, 2);
	for (int i = 0; i < n; i++) {
		pgarr_int(&a.col[0], b[i].provider);
		pgarr_text(&a.col[1], b[i].ref);
	}
	pgarr_cols_end(&a);
	PGresult *r = db_exec(db, sql_find, 2, a.param);
	pgarr_cols_free(&a);
	if (r == NULL || PQntuples(r) != n) {
		PQclear(r);
		return n;
	}
	int64_t prov[DLR_BATCH_MAX], ids[DLR_BATCH_MAX];
	int statuses[DLR_BATCH_MAX], at[DLR_BATCH_MAX], known = 0, kept = 0;
	const char *errors[DLR_BATCH_MAX];
	enum dlr_rc rcs[DLR_BATCH_MAX];
	for (int i = 0; i < n; i++) {
		if (db_null(r, i, 0))
			continue;
		prov[known] = b[i].provider;
		ids[known] = db_i64(r, i, 0);
		statuses[known] = b[i].status;
		errors[known] = b[i].error[0] ? b[i].error : NULL;
		at[known++] = i;
	}
	PQclear(r);
	dlr_apply_many(db->conn, known, prov, ids, statuses, errors, rcs);
	double now = now_mono();
	for (int i = 0, k = 0; i < n; i++) {
		int found = k < known && at[k] == i;
		enum dlr_rc rc = found ? rcs[k++] : DLR_UNKNOWN;
		if (rc == DLR_OK)
			continue;
		if (rc == DLR_DB || now - b[i].first < GIVE_UP_S) {
			b[kept++] = b[i];
			continue;
		}
		dlr_count_final(rc);
		log_warn("smsc_receipt.unmatched", LI("provider_id", b[i].provider), LS("smsc_id", b[i].ref),
			 LS("why", found ? "its message awaits no report" : "no message of that provider has that id"));
	}
	return kept;
}

static void *run(void *arg)
{
	(void)arg;
	struct receipt *b = xcalloc(DLR_BATCH_MAX, sizeof(*b));
	int n = 0;
	while (!worker_stopping(&bg)) {
		n += take(b + n, DLR_BATCH_MAX - n);
		if (n == 0) {
			worker_idle(&bg, 1000);
			continue;
		}
		struct db *db = db_thread();
		int before = n;
		if (db)
			n = apply(db, b, n);
		if (db == NULL || n == before)   /* nothing applied: what is in hand waits */
			worker_idle(&bg, RETRY_MS);
	}
	free(b);
	db_thread_close();
	return NULL;
}

int smsc_receipts_start(void)
{
	pthread_mutex_lock(&bg.mu);
	queue = xcalloc(QUEUE_MAX, sizeof(*queue));
	head = count = 0;
	pthread_mutex_unlock(&bg.mu);
	return worker_start(&bg);
}

void smsc_receipts_stop(void)
{
	worker_stop(&bg);
	pthread_mutex_lock(&bg.mu);
	if (count)
		log_warn("smsc_receipts.dropped", LI("receipts", count));
	free(queue);
	queue = NULL;
	pthread_mutex_unlock(&bg.mu);
}
