/* admin_client.h — what the client pages (admin_clients.c, admin_client_export.c) add to the
 * generic pages of res_clients (resources.c). */
#ifndef HERALD_ADMIN_CLIENT_H
#define HERALD_ADMIN_CLIENT_H
#include <jansson.h>
#include "http.h"
#include "model_client.h"

/* The list page's actions: export (as it is filtered and sorted) and, for operators, import. */
void admin_clients_list_extra(struct http_req *req, json_t *page);
/* What deleting the client obj cancels: its pending messages (a sentence in the request's
 * pool); NULL after answering a database failure. */
const char *admin_clients_delete_note(struct http_req *req, struct db *db, json_t *obj);
/* res_clients' form_out and form_in: the attributes as key=value lines (sorted by key) and
 * back, each bad line named by its number with the model's rules. */
void admin_clients_form_out(struct http_req *req, struct db *db, json_t *values);
int admin_clients_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v);

#endif
