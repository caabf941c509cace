/* api_stats.c — /api/v1/stats, /api/v1/stats/mailings and /api/v1/mailings/{id}/stats. */
#include "api_handlers.h"
#include "model_mailing.h"
#include "model_stats.h"

void api_stats(struct http_req *req)
{
	json_t *obj = NULL;
	struct db *db = api_db(req);
	if (db == NULL)
		return;
	enum model_rc rc = stats_overview(db, &obj);
	api_object(req, rc, 200, obj);
}

void api_stats_mailings(struct http_req *req)
{
	struct res_query q = {"id", NULL, NULL, 0, {NULL}, NULL, NULL, NULL};
	struct res_page page;
	struct db *db;
	int count;
	int64_t total = 0;
	if (api_list_query(req, &q, &count) < 0 || api_mailing_status_query(req, &q.filter[0]) < 0 ||
	    (db = api_db(req)) == NULL)
		return;
	enum model_rc rc = stats_mailings(db, &q, NULL, &page);
	if (rc == MODEL_OK && count)
		rc = mailing_count(db, q.filter[0], &total);
	api_list_answer(req, rc, &page, count ? &total : NULL);
}

void api_mailings_stats(struct http_req *req)
{
	api_object_id(req, stats_mailing);
}
