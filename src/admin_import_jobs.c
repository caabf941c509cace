/* admin_import_jobs.c — the admin's background imports: a large upload queued as a job
 * (import_job.c), its page with progress (refreshed by htmx while it runs; a Refresh link
 * without JavaScript), and its cancel button. */
#include "admin.h"
#include "admin_handlers.h"
#include "audit.h"
#include "import_job.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/admin/clients/import/"
#define RECENT_JOBS 10
#define NOT_FOUND "admin.import.not_found"

void admin_import_queue(struct http_req *req, const struct client_import *im)
{
	struct db *db = admin_db(req);
	int64_t id;
	if (db == NULL)
		return;
	if (import_job_create(db, im, req->user.username, &id) < 0) {
		http_db_fail(req, db);
		return;
	}
	audit_route(db, req, "clients", pool_pack(&req->pool, "{s:I, s:I, s:s}", "job", (json_int_t)id, "bytes",
						  (json_int_t)im->text.len, "encoding", im->text.encoding));
	log_info("admin.import_queued", LI("job", id), LI("bytes", im->text.len));
	admin_redirect(req, pool_printf(&req->pool, BASE "%lld?done=queued", (long long)id));
}

json_t *admin_import_recent(struct http_req *req, struct db *db)
{
	json_t *jobs = import_job_recent(db, RECENT_JOBS), *job;
	size_t i;
	json_array_foreach(jobs, i, job)
		json_object_set_new(job, "created_at", admin_time(req, json_string_value(json_object_get(job, "created_at"))));
	return jobs;
}

/* The job of the path's {id} (in the request's pool), or NULL after a page. */
static json_t *load(struct http_req *req, struct db **db)
{
	int64_t id;
	int dberr;
	if (parse_i64(req->params[0], 1, INT64_MAX, &id) < 0) {
		admin_error(req, 404, NOT_FOUND);
		return NULL;
	}
	if ((*db = admin_db(req)) == NULL)
		return NULL;
	json_t *job = pool_json(&req->pool, import_job_get(*db, req->params[0], &dberr));
	if (job == NULL && dberr)
		http_db_fail(req, *db);
	else if (job == NULL)
		admin_error(req, 404, NOT_FOUND);
	return job;
}

void admin_import_job(struct http_req *req)
{
	static const char *const notices[] = {"queued", "admin.import.queued", "cancelled", "admin.import.cancelled", NULL};
	struct db *db;
	json_t *job = load(req, &db);
	if (job == NULL)
		return;
	const char *notice = admin_notice(req, notices);
	if (notice)
		json_object_set_new(job, "notice", json_string(notice));
	json_object_set_new(job, "status_label", json_string(admin_option(req, "import_status",
									  json_string_value(json_object_get(job, "status")))));
	json_object_set_new(job, "encoding", json_string(admin_option(req, "encoding",
								      json_string_value(json_object_get(job, "encoding")))));
	json_object_set_new(job, "self", json_sprintf(BASE "%s", req->params[0]));
	json_object_set_new(job, "can_cancel", json_boolean(json_is_true(json_object_get(job, "open")) &&
							   req->user.role >= ROLE_OPERATOR));
	json_object_set_new(job, "has_errors", json_boolean(json_array_size(json_object_get(job, "errors")) > 0));
	json_object_set_new(job, "created_at", admin_time(req, json_string_value(json_object_get(job, "created_at"))));
	json_object_set_new(job, "finished_at", admin_time(req, json_string_value(json_object_get(job, "finished_at"))));
	json_object_set_new(job, "errors_kept", json_integer(IMPORT_JOB_ERRORS_KEPT));
	admin_page(req, 200, "admin/import_job", job);
}

void admin_import_cancel(struct http_req *req)
{
	struct db *db;
	json_t *job = load(req, &db);
	if (job == NULL)
		return;
	int rc = import_job_cancel(db, req->params[0]);
	if (rc < 0) {
		http_db_fail(req, db);
		return;
	}
	if (rc == 0) {
		admin_error(req, 409, "admin.import.ended");
		return;
	}
	audit_route(db, req, "clients", pool_pack(&req->pool, "{s:s}", "job", req->params[0]));
	admin_redirect(req, pool_printf(&req->pool, BASE "%s?done=cancelled", req->params[0]));
}
