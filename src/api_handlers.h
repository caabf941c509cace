/* api_handlers.h — every HTTP handler named in routes.c. */
#ifndef HERALD_API_HANDLERS_H
#define HERALD_API_HANDLERS_H
#include "api.h"
#include "http.h"

/* web_system.c */
void web_healthz(struct http_req *req);
void web_metrics(struct http_req *req);

/* web_docs.c */
void web_assets(struct http_req *req);
void web_openapi(struct http_req *req);
void web_docs(struct http_req *req);
void web_docs_problems(struct http_req *req);
void web_docs_redirect(struct http_req *req);

/* api_resource.c: the CRUD of the route's resource (route.res) */
void api_res_list(struct http_req *req);
void api_res_get(struct http_req *req);
void api_res_create(struct http_req *req);
void api_res_update(struct http_req *req);
void api_res_delete(struct http_req *req);

/* api_mailings.c */
void api_mailings_list(struct http_req *req);
void api_mailings_get(struct http_req *req);
void api_mailings_create(struct http_req *req);
void api_mailings_update(struct http_req *req);
void api_mailings_delete(struct http_req *req);
void api_mailings_cancel(struct http_req *req);
void api_mailings_retry_failed(struct http_req *req);
/* A page of mailing rows (also api_stats.c): rows answers ?limit, ?cursor and ?status. */
void api_mailing_pages(struct http_req *req, PGresult *(*rows)(struct db *, const struct page *, const char *));

/* api_recipients.c */
void api_mailings_recipients(struct http_req *req);

/* api_messages.c */
void api_messages_list(struct http_req *req);
void api_messages_get(struct http_req *req);
void api_messages_send(struct http_req *req);
void api_messages_batch(struct http_req *req);
void api_mailings_messages(struct http_req *req);

/* api_stoplist.c */
void api_stoplist_list(struct http_req *req);
void api_stoplist_get(struct http_req *req);
void api_stoplist_create(struct http_req *req);
void api_stoplist_delete(struct http_req *req);
void api_stoplist_import(struct http_req *req);
/* 1 after answering 422 (or the database error) when phone is on the stop list; else 0. */
int api_stoplist_refuse(struct http_req *req, struct db *db, const char *phone);

/* api_stats.c */
void api_stats(struct http_req *req);
void api_stats_mailings(struct http_req *req);
void api_mailings_stats(struct http_req *req);

/* api_clients.c */
void api_clients_list(struct http_req *req);
void api_clients_get(struct http_req *req);
void api_clients_create(struct http_req *req);
void api_clients_update(struct http_req *req);
void api_clients_delete(struct http_req *req);
void api_clients_bulk(struct http_req *req);

#endif
