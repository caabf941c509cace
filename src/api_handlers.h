/* api_handlers.h — every HTTP handler named in routes.c. */
#ifndef HERALD_API_HANDLERS_H
#define HERALD_API_HANDLERS_H
#include "api.h"
#include "http.h"

/* web_system.c */
void web_healthz(struct http_req *req);
void web_metrics(struct http_req *req);

/* api_operators.c */
void api_operators_list(struct http_req *req);
void api_operators_get(struct http_req *req);
void api_operators_create(struct http_req *req);
void api_operators_update(struct http_req *req);
void api_operators_delete(struct http_req *req);

/* api_tags.c */
void api_tags_list(struct http_req *req);
void api_tags_get(struct http_req *req);
void api_tags_create(struct http_req *req);
void api_tags_update(struct http_req *req);
void api_tags_delete(struct http_req *req);

/* api_clients.c */
void api_clients_list(struct http_req *req);
void api_clients_get(struct http_req *req);
void api_clients_create(struct http_req *req);
void api_clients_update(struct http_req *req);
void api_clients_delete(struct http_req *req);
void api_clients_bulk(struct http_req *req);

#endif
