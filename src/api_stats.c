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
	struct page pg;
	struct db *db;
	const char *status;
	if (api_page(req, &pg, 1) < 0 || api_mailing_status_query(req, &status) < 0 ||
	    (db = api_db(req)) == NULL)
		return;
	PGresult *r = stats_mailings(db, &pg, status), *c = r && pg.count ? mailing_count(db, status) : NULL;
	api_answer_list(req, db, &pg, r, c);
}

void api_mailings_stats(struct http_req *req)
{
	api_answer_id(req, stats_mailing);
}
