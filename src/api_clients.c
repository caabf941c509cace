/* api_clients.c — POST /api/v1/clients/bulk, the upsert of many clients (model_client); the
 * other client routes are res_clients' (api_resource.c). */
#include "api_handlers.h"
#include "audit.h"
#include "model_client.h"

void api_clients_bulk(struct http_req *req)
{
	struct client_bulk_result res = {0, 0, NULL, NULL};
	struct db *db;
	json_t *body = http_body_json(req);
	if (body == NULL)
		return;
	if (!json_is_array(body))
		http_problem(req, 400, "the body must be a JSON array of client objects", NULL);
	else if (json_array_size(body) > CLIENT_BULK_MAX) {
		struct verr v = VERR_INIT;
		verr_add(&v, "items", "valid.bulk_items", CLIENT_BULK_MAX);
		http_fail(req, MODEL_INVALID, NULL, verr_take(&v));
	} else if ((db = api_db(req)) != NULL) {
		if (client_bulk(db, body, &res) < 0) {
			json_decref(res.errors);
			http_db_fail(req, db);
		} else {
			json_t *out = json_pack("{s:I,s:I,s:o}", "created", (json_int_t)res.created, "updated",
						(json_int_t)res.updated, "errors", res.errors);
			audit_outcome(db, req, "clients", out);
			http_json(req, 200, out);
		}
	}
}
