/* admin_client.h — what the client pages (admin_clients.c, admin_client_export.c) share. */
#ifndef HERALD_ADMIN_CLIENT_H
#define HERALD_ADMIN_CLIENT_H
#include <jansson.h>
#include "http.h"
#include "model_client.h"

/* The ?sort= values of the client list, NULL-terminated; the first is the default. */
extern const char *const admin_client_sorts[];
/* The list's filters from ?q (a phone prefix), ?tag, ?operator_code and ?timezone; empty
 * values are absent. -1 with the problems in v. */
int admin_client_filter(struct http_req *req, struct client_filter *f, struct verr *v);
/* The filter problems (errs, borrowed) as one sentence for the list page (malloc'ed). */
char *admin_client_filter_problems(json_t *errs);

#endif
