/* admin_dashboard.c — /admin/: totals of messages (from the message_counts counters, never
 * from the messages table) and of mailings by status. */
#include "admin.h"
#include "admin_handlers.h"

void admin_dashboard(struct http_req *req)
{
	static const char q[] =
	    "SELECT json_build_object("
	    " 'messages', (SELECT json_build_object('total', coalesce(sum(n), 0),"
	    "   'pending', coalesce(sum(n) FILTER (WHERE status = 0), 0),"
	    "   'sending', coalesce(sum(n) FILTER (WHERE status = 1), 0),"
	    "   'sent', coalesce(sum(n) FILTER (WHERE status = 2), 0),"
	    "   'failed', coalesce(sum(n) FILTER (WHERE status = 3), 0),"
	    "   'expired', coalesce(sum(n) FILTER (WHERE status = 4), 0),"
	    "   'cancelled', coalesce(sum(n) FILTER (WHERE status = 5), 0)) FROM message_counts),"
	    " 'mailings', (SELECT json_build_object('total', count(*),"
	    "   'scheduled', count(*) FILTER (WHERE status = 'scheduled'),"
	    "   'running', count(*) FILTER (WHERE status = 'running'),"
	    "   'finished', count(*) FILTER (WHERE status = 'finished'),"
	    "   'cancelled', count(*) FILTER (WHERE status = 'cancelled')) FROM mailings WHERE kind = 'mailing'))::text";
	struct db *db = admin_db(req);
	if (db == NULL)
		return;
	PGresult *r = db_exec(db, q, 0, NULL);
	if (r == NULL) {
		admin_db_error(req, db);
		return;
	}
	json_t *stats = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	admin_page(req, 200, "admin/dashboard", json_pack("{s:o}", "stats", stats ? stats : json_object()));
}
