/* api_stats.c — /api/v1/stats, /api/v1/stats/mailings and /api/v1/mailings/{id}/stats. */
#include "api_handlers.h"
#include "model_mailing.h"
#include "model_stats.h"

void api_stats(struct http_req *req)
{
	struct db *db = api_db(req);
	if (db == NULL)
		return;
	PGresult *r = stats_overview(db);
	api_answer(req, db, 200, r, NULL);
}

void api_stats_mailings(struct http_req *req)
{
	api_mailing_pages(req, stats_mailings);
}

void api_mailings_stats(struct http_req *req)
{
	int64_t id;
	struct db *db;
	if (api_path_id(req, 0, &id) < 0 || (db = api_db(req)) == NULL)
		return;
	PGresult *r = stats_mailing(db, id);
	api_answer(req, db, 200, r, NULL);
}
