/* import_job.h — large CSV imports of clients as background jobs (table import_jobs, 013): the
 * admin stores the upload, and the "import" role of any instance claims it (FOR UPDATE SKIP
 * LOCKED), imports it IMPORT_JOB_BATCH rows at a time with the code of the synchronous import
 * (client_import.c, client_bulk's set-based upsert), and saves its progress after each batch.
 * A job whose instance died is taken over once its lease has run out, from the last batch
 * saved; a cancelled one stops after the batch in hand (the clients stored so far stay). */
#ifndef HERALD_IMPORT_JOB_H
#define HERALD_IMPORT_JOB_H
#include <jansson.h>
#include <stdint.h>
#include "client_import.h"
#include "db.h"
#include "worker.h"

#define IMPORT_JOB_MIN_BYTES (1024 * 1024)   /* larger files are imported as a job */
#define IMPORT_JOB_BATCH 5000
#define IMPORT_JOB_ERRORS_KEPT 500   /* problems kept for the page; all are counted */

/* Stores the file im has opened (its text, already UTF-8) as a queued job of user; *id is the
 * new job's. 0, or -1 on a database error. */
int import_job_create(struct db *db, const struct client_import *im, const char *user, int64_t *id);

/* The job for its page: {"id", "status", "open", "percent", "bytes", "encoding", "rows",
 * "created", "updated", "invalid", "normalised", "examples", "errors", "error", "created_by",
 * "created_at", "finished_at"}; NULL when there is none (*dberr 0) or on a database error
 * (*dberr 1). */
json_t *import_job_get(struct db *db, const char *id, int *dberr);

/* The newest jobs (at most n) as [{"id", "status", "rows", "percent", "created_at"}]; NULL on a
 * database error. */
json_t *import_job_recent(struct db *db, int n);

/* Cancels a queued or running job: 1 cancelled, 0 not open (or none), -1 database error. */
int import_job_cancel(struct db *db, const char *id);

/* The "import" role: a thread that runs the jobs (worker_start, worker_stop). */
extern struct worker import_worker;

#endif
