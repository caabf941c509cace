/* import_job.c — background CSV imports: the jobs' SQL and the worker of the "import" role. */
#include "import_job.h"
#include "i18n.h"
#include "log.h"
#include "util.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *run(void *arg);
struct worker import_worker = WORKER_INIT("import.thread_failed", run);   /* the thread, its lock and wake-up */

#define LEASE "60 seconds"   /* a running job not saved for this long is taken over */
#define IDLE_WAIT_S 1        /* between looks for a queued job */

/* --- jobs ------------------------------------------------------------------------------- */

int import_job_create(struct db *db, const struct client_import *im, const char *user, int64_t *id)
{
	static const char q[] = "INSERT INTO import_jobs (created_by, data, bytes, encoding, lang)"
				" VALUES ($1, $2, length($2::text)::bigint, $3, $4) RETURNING id";
	const char *p[] = {user, im->text.text, im->text.encoding, im->lang ? im->lang : "en"};
	PGresult *r = db_exec(db, q, 4, p);
	if (r == NULL)
		return -1;
	*id = db_i64(r, 0, 0);
	PQclear(r);
	return 0;
}

/* Share of the file done, in whole percent: 100 only when the job is done. */
#define PERCENT "(CASE WHEN status = 'done' THEN 100 WHEN bytes = 0 THEN 0" \
	" ELSE least(99, pos * 100 / bytes) END)"

json_t *import_job_get(struct db *db, const char *id, int *dberr)
{
	static const char q[] =
		"SELECT json_build_object('id', id, 'status', status, 'open', status IN ('queued', 'running'),"
		" 'percent', " PERCENT ", 'bytes', bytes, 'encoding', encoding, 'rows', rows_done,"
		" 'created', created, 'updated', updated, 'invalid', invalid,"
		" 'normalised', nullif(normalised, 0), 'examples', examples, 'errors', errors, 'error', error,"
		" 'created_by', created_by, 'created_at', api_ts(created_at), 'finished_at', api_ts(finished_at))::text"
		" FROM import_jobs WHERE id = $1";
	const char *p[] = {id};
	PGresult *r = db_exec(db, q, 1, p);
	*dberr = r == NULL;
	json_t *job = r && PQntuples(r) == 1 ? json_loads(db_str(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	return job;
}

json_t *import_job_recent(struct db *db, int n)
{
	static const char q[] =
		"SELECT coalesce(json_agg(json_build_object('id', id, 'status', status, 'rows', rows_done,"
		" 'percent', " PERCENT ", 'created_at', api_ts(created_at)) ORDER BY id DESC), '[]')::text"
		" FROM (SELECT * FROM import_jobs ORDER BY id DESC LIMIT $1) j";
	char lim[DB_NUM_LEN];
	const char *p[] = {db_num(lim, n)};
	PGresult *r = db_exec(db, q, 1, p);
	json_t *jobs = r ? json_loads(db_str(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	return jobs;
}

int import_job_cancel(struct db *db, const char *id)
{
	static const char q[] =
		"UPDATE import_jobs SET status = 'cancelled', data = '', lease_until = NULL, updated_at = now(),"
		" finished_at = now() WHERE id = $1 AND status IN ('queued', 'running') RETURNING id";
	const char *p[] = {id};
	return (int)db_rows(db, q, 1, p);
}

/* --- the worker ------------------------------------------------------------------------- */

/* Columns: 0 id, 1 data, 2 pos, 3 line, 4 rows_done, 5 created, 6 updated, 7 invalid,
 * 8 normalised, 9 examples. */
static const char sql_claim[] =
	"UPDATE import_jobs SET status = 'running', lease_until = now() + interval '" LEASE "',"
	" updated_at = now()"
	" WHERE id = (SELECT id FROM import_jobs WHERE status = 'queued'"
	"             OR (status = 'running' AND lease_until < now())"
	"             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
	" RETURNING id, data, pos, line, rows_done, created, updated, invalid, normalised, examples::text, lang";

/* Saves where the job is and what it did; $12 'running' or 'done'. The new problems ($11) join
 * the kept ones up to IMPORT_JOB_ERRORS_KEPT. No row: the job was cancelled (or taken over). */
static const char sql_save[] =
	"UPDATE import_jobs SET pos = $2, line = $3, rows_done = $4, created = $5, updated = $6,"
	" invalid = $7, normalised = $8, examples = $9::jsonb,"
	" errors = (SELECT coalesce(jsonb_agg(e ORDER BY n), '[]') FROM"
	"           (SELECT e, n FROM jsonb_array_elements(errors || $10::jsonb) WITH ORDINALITY AS a(e, n)"
	"            ORDER BY n LIMIT $11) s),"
	" status = $12, lease_until = CASE WHEN $12 = 'done' THEN NULL ELSE now() + interval '" LEASE "' END,"
	" data = CASE WHEN $12 = 'done' THEN '' ELSE data END,"
	" finished_at = CASE WHEN $12 = 'done' THEN now() END, updated_at = now()"
	" WHERE id = $1 AND status = 'running' RETURNING id";

/* Ends a job that cannot be read or gives it back for another try. */
static const char sql_fail[] =
	"UPDATE import_jobs SET status = 'failed', error = $2, data = '', lease_until = NULL,"
	" finished_at = now(), updated_at = now() WHERE id = $1 AND status = 'running'";
static const char sql_release[] =
	"UPDATE import_jobs SET status = 'queued', lease_until = NULL, updated_at = now()"
	" WHERE id = $1 AND status = 'running'";

/* 1 saved, 0 cancelled, -1 database error. */
static int save(struct db *db, const char *id, struct client_import *im, int done)
{
	long long nums[] = {(long long)(im->rd.p - im->text.text), im->rd.line, im->rows, im->created, im->updated,
			    im->invalid, im->normalised};
	char v[ARRAY_LEN(nums)][DB_NUM_LEN], kept[DB_NUM_LEN];
	for (size_t i = 0; i < ARRAY_LEN(nums); i++)
		db_num(v[i], nums[i]);
	char *examples = json_dumps(im->examples, JSON_COMPACT), *errors = json_dumps(im->errors, JSON_COMPACT);
	const char *p[] = {id, v[0], v[1], v[2], v[3], v[4], v[5], v[6], examples, errors,
			   db_num(kept, IMPORT_JOB_ERRORS_KEPT),
			   done ? "done" : "running"};
	PGresult *r = db_exec(db, sql_save, 12, p);
	free(examples);
	free(errors);
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	json_array_clear(im->errors);
	return n;
}

/* Opens the claimed job's text where its last batch ended. -1 with err when it cannot be read. */
static int resume(struct client_import *im, PGresult *job, char *err, size_t errlen)
{
	size_t len = (size_t)PQgetlength(job, 0, 1);
	int64_t pos = db_i64(job, 0, 2);
	const char *lang = i18n_name(db_str(job, 0, 10));
	if (client_import_open(im, db_str(job, 0, 1), len, lang, err, errlen) < 0)
		return -1;
	if (pos > 0) {
		if ((size_t)pos > im->text.len) {
			i18n_print(err, errlen, lang, "import.bad_position");
			client_import_close(im);
			return -1;
		}
		im->rd.p = im->text.text + pos;
		im->rd.line = (long)db_i64(job, 0, 3);
	}
	im->rows = (long)db_i64(job, 0, 4);
	im->created = (long)db_i64(job, 0, 5);
	im->updated = (long)db_i64(job, 0, 6);
	im->invalid = (long)db_i64(job, 0, 7);
	im->normalised = (long)db_i64(job, 0, 8);
	json_t *ex = json_loads(db_str(job, 0, 9), 0, NULL);
	if (json_is_array(ex))
		json_array_extend(im->examples, ex);
	json_decref(ex);
	return 0;
}

/* Runs the claimed job until it is done, cancelled, the database fails or the role stops. */
static void run_job(struct db *db, PGresult *job)
{
	const char *id = db_str(job, 0, 0);
	struct client_import im;
	char err[300];
	if (resume(&im, job, err, sizeof(err)) < 0) {
		const char *p[] = {id, err};
		db_run(db, sql_fail, 2, p);
		log_error("import.failed", LS("job", id), LS("error", err));
		return;
	}
	log_info("import.running", LS("job", id), LI("rows", im.rows));
	for (;;) {
		json_t *items = json_array(), *lines = json_array();
		long n = client_import_read(&im, IMPORT_JOB_BATCH, items, lines);
		int rc = client_import_store(&im, db, items, lines);
		json_decref(items);
		json_decref(lines);
		if (rc == 0)
			rc = save(db, id, &im, n == 0);
		if (rc <= 0 || n == 0) {
			log_info(rc == 0 ? "import.cancelled" : rc < 0 ? "import.interrupted" : "import.done", LS("job", id),
				 LI("rows", im.rows), LI("created", im.created), LI("updated", im.updated),
				 LI("invalid", im.invalid), LI("normalised", im.normalised));
			break;
		}
		if (worker_stopping(&import_worker)) {
			const char *p[] = {id};
			db_run(db, sql_release, 1, p);   /* another instance goes on from the last batch */
			log_info("import.released", LS("job", id), LI("rows", im.rows));
			break;
		}
	}
	client_import_close(&im);
}

static void *run(void *arg)
{
	(void)arg;
	while (!worker_stopping(&import_worker)) {
		struct db *db = db_thread();
		PGresult *job = db ? db_exec(db, sql_claim, 0, NULL) : NULL;
		int claimed = job && PQntuples(job) == 1;
		if (claimed)
			run_job(db, job);
		PQclear(job);
		if (!claimed)
			worker_idle(&import_worker, IDLE_WAIT_S * 1000L);
	}
	db_thread_close();
	return NULL;
}
