/* webhook_admin.h — the admin's webhook pages beyond the descriptor's (resources.c): the
 * events as a line of names in the forms, the recent deliveries on a webhook's page and its
 * "send a test event" button. */
#ifndef HERALD_WEBHOOK_ADMIN_H
#define HERALD_WEBHOOK_ADMIN_H
#include "http.h"
#include "valid.h"

/* res_webhooks' form_in: "events" as names separated by commas or spaces into an array, the
 * "enabled" checkbox into a boolean, an empty "secret" left out (the one stored is kept). */
int webhook_admin_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v);
/* res_webhooks' form_out: the events as one line. */
void webhook_admin_form_out(struct http_req *req, struct db *db, json_t *values);
/* res_webhooks' edit_extra: the webhook's last deliveries and the test event's form. */
void webhook_admin_edit_extra(struct http_req *req, json_t *obj, json_t *page);
/* POST /admin/webhooks/{id}/test: queues a test event, back to the webhook's page. */
void webhook_admin_test(struct http_req *req);

#endif
