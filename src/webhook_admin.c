/* webhook_admin.c — the admin's webhook pages beyond the descriptor's. */
#include "webhook_admin.h"
#include "admin.h"
#include "model_webhook.h"
#include "resource.h"
#include "audit.h"
#include "route.h"

#include <string.h>

#define DELIVERIES_SHOWN 20

int webhook_admin_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v)
{
	const char *text = json_string_value(json_object_get(in, "events"));
	json_t *en = json_object_get(in, "enabled"), *events = json_array();
	const char *secret = json_string_value(json_object_get(in, "secret"));
	for (const char *p = text ? text : ""; *p;) {
		size_t n = strcspn(p, ", \t\r\n");
		if (n)
			json_array_append_new(events, json_stringn(p, n));
		p += n;
		p += strspn(p, ", \t\r\n");
	}
	json_object_set_new(in, "events", events);
	json_object_set_new(in, "enabled", json_boolean(en && !json_is_false(en)));
	if (secret && *secret == '\0')
		json_object_del(in, "secret");
	(void)v;
	return 0;
}

void webhook_admin_form_out(struct http_req *req, struct db *db, json_t *values)
{
	struct buf b = BUF_INIT;
	size_t i;
	json_t *e;
	buf_puts(&b, "");
	json_array_foreach(json_object_get(values, "events"), i, e)
		buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(e));
	json_object_set_new(values, "events", json_string(b.data));
	buf_free(&b);
}

void webhook_admin_edit_extra(struct http_req *req, json_t *obj, json_t *page)
{
	struct db *db = db_thread();
	json_int_t id = json_integer_value(json_object_get(obj, "id"));
	json_t *rows = db ? webhook_deliveries(db, id, DELIVERIES_SHOWN) : NULL;
	json_t *row;
	size_t i;
	json_array_foreach(rows, i, row) {
		json_object_set_new(row, "status_text", json_string(admin_t(req, pool_printf(&req->pool, "admin.webhook.%s",
					json_string_value(json_object_get(row, "status"))))));
		json_object_set_new(row, "created_at", admin_time(req, json_string_value(json_object_get(row, "created_at"))));
		json_object_set_new(row, "next_at", admin_time(req, json_string_value(json_object_get(row, "next_at"))));
	}
	int64_t waiting = 0;
	if (db)
		webhook_waiting(db, id, &waiting);
	json_t *d = json_pack("{s:o, s:b, s:s, s:b}", "rows", rows ? rows : json_array(), "any", json_array_size(rows) > 0,
			      "test_action", pool_printf(&req->pool, "/admin/webhooks/%lld/test", (long long)id), "can_test",
			      req->user.role >= ROLE_OPERATOR);
	if (waiting > 0)
		json_object_set_new(d, "waiting", json_string(admin_plural(req, "admin.webhook.waiting", (long long)waiting)));
	json_object_set_new(page, "deliveries", d);
}

void webhook_admin_test(struct http_req *req)
{
	const struct resource *r = req->route->res;
	struct admin_obj o;
	if (admin_res_open(req, r, &o) < 0)
		return;
	enum model_rc rc = webhook_queue_test(o.db, o.k.id);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	audit_route(o.db, req, res_object(req, r, o.k.text), NULL);
	admin_redirect(req, o.self);
}
