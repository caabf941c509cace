/* api_recipients.c — POST /api/v1/mailings/recipients (API.md 9.4): how many clients a mailing
 * with the filter given would reach now, the stop list excluded. */
#include "api_handlers.h"
#include "model_mailing.h"
#include "recipients.h"

void api_mailings_recipients(struct http_req *req)
{
	static const char *const fields[] = {"filter", NULL};
	struct verr v = VERR_INIT;
	struct mailing_in in = {0};
	struct db *db;
	json_t *body = api_body_object(req), *f;
	if (body == NULL)
		return;
	jv_only(body, fields, &v);
	mailing_filter_validate((f = json_object_get(body, "filter")) ? f : json_null(), &in, &v);
	if (verr_any(&v)) {
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	} else if ((db = api_db(req)) != NULL) {
		int64_t n = 0;
		enum model_rc rc = recipients_count(db, in.operator_codes, in.tags, &n);
		api_object(req, rc, 200, rc == MODEL_OK ? json_pack("{s:I}", "count", (json_int_t)n) : NULL);
	}
	mailing_in_free(&in);
}
