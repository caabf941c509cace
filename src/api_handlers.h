/* api_handlers.h — every HTTP handler named in routes.c. */
#ifndef HERALD_API_HANDLERS_H
#define HERALD_API_HANDLERS_H
#include "api.h"
#include "http.h"
#include "resource.h"

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
/* What a list of the API reads: ?limit, ?cursor (into q; the one format of resource.h) and
 * ?count; -1 after answering 400. */
int api_list_query(struct http_req *req, struct res_query *q, int *count);
/* Answers a list's page (rc: the model's list, then its count; MODEL_INVALID: a cursor that
 * does not fit the list) with the count when total is given; page's parts go to the pool. */
void api_list_answer(struct http_req *req, enum model_rc rc, struct res_page *page, const int64_t *total);
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
void api_mailings_preview(struct http_req *req);
void api_mailings_cancel(struct http_req *req);
void api_mailings_retry_failed(struct http_req *req);
/* ?status= of mailing lists (also api_stats.c): 0 (*out NULL when absent), -1 after a 400. */
int api_mailing_status_query(struct http_req *req, const char **out);

/* api_recipients.c */
void api_mailings_recipients(struct http_req *req);

/* api_messages.c */
void api_messages_list(struct http_req *req);
void api_messages_get(struct http_req *req);
void api_messages_send(struct http_req *req);
void api_messages_batch(struct http_req *req);
void api_mailings_messages(struct http_req *req);

/* api_stoplist.c */
void api_stoplist_import(struct http_req *req);
/* 1 after answering 422 (or the database error) when phone is on the stop list; else 0. */
int api_stoplist_refuse(struct http_req *req, struct db *db, const char *phone);

/* api_stats.c */
void api_stats(struct http_req *req);
void api_stats_mailings(struct http_req *req);
void api_mailings_stats(struct http_req *req);

/* api_clients.c */
void api_clients_bulk(struct http_req *req);

#endif
