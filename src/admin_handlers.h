/* admin_handlers.h — every /admin page handler named in routes.c. */
#ifndef HERALD_ADMIN_HANDLERS_H
#define HERALD_ADMIN_HANDLERS_H
#include "http.h"

#define ADMIN_IMPORT_LIMIT (64 * 1024 * 1024)        /* the file of a CSV import */
#define ADMIN_IMPORT_BODY (ADMIN_IMPORT_LIMIT + 1024 * 1024)   /* the form around it (nginx: 65m) */

/* admin_auth.c */
void admin_login(struct http_req *req);
/* The sign-in page with an error (may be NULL) and the name typed (may be NULL); with the
 * "Sign in with …" button when OpenID Connect is configured. */
void admin_login_page(struct http_req *req, int status, const char *next, const char *username,
		      const char *error);
/* A same-site admin path to return to after signing in, or "/admin/". */
const char *admin_safe_next(const char *next);
/* OpenID Connect sign-in (admin_oidc.c): to the issuer, and back. */
void admin_oidc_login(struct http_req *req);
void admin_oidc_callback(struct http_req *req);
void admin_logout(struct http_req *req);
void admin_password(struct http_req *req);
/* admin_account.c */
void admin_account(struct http_req *req);
void admin_root(struct http_req *req);

/* admin_dashboard.c */
void admin_dashboard(struct http_req *req);

/* admin_users.c */
void admin_users_password(struct http_req *req);

/* admin_history.c */
void admin_history_list(struct http_req *req);

/* admin_tokens.c: res_tokens' list_extra (everyone creates tokens; no search) and created_page
 * (the new token, shown once, then wiped from memory) */
void admin_tokens_list_extra(struct http_req *req, json_t *page);
void admin_tokens_created(struct http_req *req, json_t *obj);

/* admin_providers.c: res_providers' form_in (codes split at commas, numbers as numbers, the
 * checkbox as a boolean, an empty secret not given: the one stored is kept), form_out and
 * list_row (its codes, "any" for none; its rate, "no limit" for 0; whether its token is set) */
int admin_providers_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v);
void admin_providers_form_out(struct http_req *req, struct db *db, json_t *values);
void admin_providers_list_row(struct http_req *req, json_t *obj);

/* admin_mailings.c */
void admin_mailings_view(struct http_req *req);
void admin_mailings_preview(struct http_req *req);
void admin_mailings_test(struct http_req *req);
void admin_composer_recipients(struct http_req *req);
void admin_composer_size(struct http_req *req);
void admin_mailings_live(struct http_req *req);
void admin_mailings_export(struct http_req *req);   /* export_messages.c */

/* admin_clients.c */
void admin_clients_import(struct http_req *req);
void admin_clients_export(struct http_req *req);
/* admin_import_jobs.c: background imports */
struct client_import;
struct db;
void admin_import_queue(struct http_req *req, const struct client_import *im);
json_t *admin_import_recent(struct http_req *req, struct db *db);
void admin_import_job(struct http_req *req);
void admin_import_cancel(struct http_req *req);

/* admin_messages.c */
void admin_messages_list(struct http_req *req);
void admin_messages_show(struct http_req *req);

/* admin_reports.c */
void admin_reports_list(struct http_req *req);
void admin_reports_show(struct http_req *req);
void admin_reports_html(struct http_req *req);
void admin_reports_preview(struct http_req *req);
void admin_reports_preview_html(struct http_req *req);
void admin_reports_send(struct http_req *req);

#endif
