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
		PGresult *r = recipients_count(db, in.operator_codes, in.tags);
		if (r == NULL) {
			http_db_fail(req, db);
		} else {
			http_json(req, 200, json_pack("{s:I}", "count", (json_int_t)db_i64(r, 0, 0)));
			PQclear(r);
		}
	}
	mailing_in_free(&in);
}
