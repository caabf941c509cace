/* api_dlr.c — POST /api/v1/providers/{id}/dlr (API.md 9.5): a provider reports what became of a
 * message it accepted. The bearer is that provider's dlr_secret, checked by the statement that
 * applies the report (dlr.h), so a report costs one round trip. Answers: 200 with the message's
 * new status (also for a repeat of the report it already has), 401 a missing or wrong secret (or
 * a provider without one), 404 no such message of that provider, 409 a message not awaiting a
 * report (failed, reported otherwise, or not sent yet: pending or sending), 400/422 a bad body. */
#include "api_handlers.h"
#include "dlr.h"
#include "message_status.h"

#include <strings.h>

static void unauthorized(struct http_req *req, const char *detail)
{
	http_header(req, "WWW-Authenticate", "Bearer realm=\"herald-dlr\"");
	http_problem(req, 401, detail, NULL);
}

/* The report's fields: 0, or -1 after answering 400/422. */
static int read_report(struct http_req *req, int64_t *id, int *status, const char **error)
{
	static const char *const fields[] = {"id", "status", "error", NULL};
	struct verr v = VERR_INIT;
	const char *name = NULL;
	json_t *body = api_body_object(req);
	if (body == NULL) {
		dlr_count_refused(0);
		return -1;
	}
	*error = NULL;
	jv_only(body, fields, &v);
	jv_i64(body, "id", 1, 1, INT64_MAX, id, &v);
	if (jv_str(body, "status", 1, 1, 16, &name, &v) > 0 &&
	    (*status = message_status_code(name)) != MSG_DELIVERED && *status != MSG_UNDELIVERED)
		verr_add(&v, "status", "valid.dlr_status");
	jv_str_or_null(body, "error", 0, DLR_ERROR_MAX, error, &v);
	if (verr_any(&v)) {
		dlr_count_refused(0);
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
		return -1;
	}
	return 0;
}

void api_providers_dlr(struct http_req *req)
{
	static const char *const answers[] = {
		[DLR_UNKNOWN] = "no such message was sent by this provider",
		[DLR_NOT_SENT] = "the message is not awaiting a delivery report (not sent, or reported otherwise)",
	};
	int64_t provider, id;
	int status = -1, denied;
	const char *error, *h = http_header_in(req, "Authorization");
	struct db *db;
	if (api_path_id(req, 0, &provider) < 0)
		return;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0') {
		dlr_count_refused(1);
		unauthorized(req, "the provider's dlr_secret is required: Authorization: Bearer <dlr_secret>");
		return;
	}
	if (read_report(req, &id, &status, &error) < 0 || (db = api_db(req)) == NULL)
		return;
	enum dlr_rc rc = dlr_apply_posted(db->conn, provider, h + 7, id, status, error, &denied);
	if (denied)
		unauthorized(req, "the bearer is not this provider's dlr_secret");
	else if (rc == DLR_OK)
		http_json(req, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", message_status_name(status)));
	else if (rc == DLR_DB)
		http_fail(req, PQstatus(db->conn) == CONNECTION_OK ? MODEL_ERROR : MODEL_UNAVAILABLE, NULL, NULL);
	else
		http_problem(req, rc == DLR_UNKNOWN ? 404 : 409, answers[rc], NULL);
}
