/* routes.c — the whole HTTP surface of herald, one row per (methods, path). Read it top to
 * bottom: the handler, how the caller is authenticated, the least role, the query parameters
 * accepted and the body limit. */
#include "admin.h"
#include "admin_handlers.h"
#include "api_handlers.h"
#include "audit.h"
#include "model_token.h"
#include "resource.h"
#include "route.h"
#include "util.h"
#include "webhook_admin.h"

#define LIST_Q "limit,cursor,count"
#define ADMIN_LIST_Q "q,sort,cursor,before,done"   /* admin_list_params; before: previous pages */
#define GET HTTP_GET
#define POST HTTP_POST
#define PUT_PATCH (HTTP_PUT | HTTP_PATCH)
#define DELETE HTTP_DELETE
#define V ROLE_VIEWER
#define O ROLE_OPERATOR
#define A ROLE_ADMIN

/* A resource's JSON API (api_resource.c): the collection at path, taking the query parameters q,
 * and each object at path "/" key. Role view reads them, role change writes them. */
#define API_RES(path, key, q, view, change, res) \
	{GET, path, api_res_list, AUTH_TOKEN, view, q, 0, NULL, res}, \
	{POST, path, api_res_create, AUTH_TOKEN, change, "", 0, NULL, res}, \
	{GET, path "/" key, api_res_get, AUTH_TOKEN, view, "", 0, NULL, res}, \
	{PUT_PATCH, path "/" key, api_res_update, AUTH_TOKEN, change, "", 0, NULL, res}, \
	{DELETE, path "/" key, api_res_delete, AUTH_TOKEN, change, "", 0, NULL, res}

/* A resource's admin pages (admin_resource.c): the list at path "/", taking the query
 * parameters q, the add page, each object's page at path "/" key and its delete page. Role view
 * sees them, role change changes them. The first matching row answers, so the rows a resource
 * adds under path ("/bulk", "/import") stand before these. */
#define ADMIN_RES(path, key, q, view, change, res) \
	{GET, path "/", admin_res_list, AUTH_SESSION, view, q, 0, NULL, res}, \
	{GET | POST, path "/add", admin_res_add, AUTH_SESSION, change, "", 0, NULL, res}, \
	{GET, path "/" key, admin_res_edit, AUTH_SESSION, view, "", 0, NULL, res}, \
	{POST, path "/" key, admin_res_edit, AUTH_SESSION, change, "", 0, NULL, res}, \
	{GET | POST, path "/" key "/delete", admin_res_delete, AUTH_SESSION, change, "", 0, NULL, res}

const struct route routes[] = {
	/* service */
	{GET, "/healthz", web_healthz, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},
	{GET, "/metrics", web_metrics, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},

	/* documentation and static files (from memory, see assets.c) */
	{GET, "/api/v1/openapi.json", web_openapi, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},
	{GET, "/docs", web_docs_redirect, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},
	{GET, "/docs/", web_docs, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},
	{GET, "/docs/problems", web_docs_problems, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},
	{GET, "/assets/*", web_assets, AUTH_PUBLIC, ROLE_NONE, NULL, 0, NULL, NULL},

	/* operators */
	API_RES("/api/v1/operators", "{code}", LIST_Q, V, O, &res_operators),

	/* mailings */
	{GET, "/api/v1/mailings", api_mailings_list, AUTH_TOKEN, V, LIST_Q ",status", 0, NULL, NULL},
	{POST, "/api/v1/mailings", api_mailings_create, AUTH_TOKEN, O, "", 0, NULL, &res_mailings},
	{POST, "/api/v1/mailings/recipients", api_mailings_recipients, AUTH_TOKEN, V, "", 0, NULL, NULL},
	{GET, "/api/v1/mailings/{id}", api_mailings_get, AUTH_TOKEN, V, "", 0, NULL, NULL},
	{PUT_PATCH, "/api/v1/mailings/{id}", api_mailings_update, AUTH_TOKEN, O, "", 0, NULL, &res_mailings},
	{DELETE, "/api/v1/mailings/{id}", api_mailings_delete, AUTH_TOKEN, O, "", 0, NULL, &res_mailings},
	{POST, "/api/v1/mailings/{id}/cancel", api_mailings_cancel, AUTH_TOKEN, O, "", 0, NULL, &res_mailings},
	{POST, "/api/v1/mailings/{id}/retry-failed", api_mailings_retry_failed, AUTH_TOKEN, O, "", 0, NULL, &res_mailings},
	{GET, "/api/v1/mailings/{id}/messages", api_mailings_messages, AUTH_TOKEN, V, LIST_Q ",status,phone", 0, NULL, NULL},
	{GET, "/api/v1/mailings/{id}/preview", api_mailings_preview, AUTH_TOKEN, V, "client_id", 0, NULL, NULL},
	{GET, "/api/v1/mailings/{id}/stats", api_mailings_stats, AUTH_TOKEN, V, "", 0, NULL, NULL},

	/* messages */
	{GET, "/api/v1/messages", api_messages_list, AUTH_TOKEN, V, LIST_Q ",status,mailing_id,phone", 0, NULL, NULL},
	{POST, "/api/v1/messages", api_messages_send, AUTH_TOKEN, O, "", 0, "message.sent", NULL},
	{POST, "/api/v1/messages/batch", api_messages_batch, AUTH_TOKEN, O, "", HTTP_BULK_LIMIT, "mailing.batch_created", NULL},
	{GET, "/api/v1/messages/{id}", api_messages_get, AUTH_TOKEN, V, "", 0, NULL, NULL},

	/* stop list */
	{GET, "/api/v1/stoplist", api_res_list, AUTH_TOKEN, V, LIST_Q, 0, NULL, &res_stoplist},
	{POST, "/api/v1/stoplist", api_res_create, AUTH_TOKEN, O, "", 0, NULL, &res_stoplist},
	{POST, "/api/v1/stoplist/import", api_stoplist_import, AUTH_TOKEN, O, "", HTTP_BULK_LIMIT, "stoplist.imported", NULL},
	{GET, "/api/v1/stoplist/{phone}", api_res_get, AUTH_TOKEN, V, "", 0, NULL, &res_stoplist},
	{DELETE, "/api/v1/stoplist/{phone}", api_res_delete, AUTH_TOKEN, O, "", 0, NULL, &res_stoplist},

	/* statistics */
	{GET, "/api/v1/stats", api_stats, AUTH_TOKEN, V, "", 0, NULL, NULL},
	{GET, "/api/v1/stats/mailings", api_stats_mailings, AUTH_TOKEN, V, LIST_Q ",status", 0, NULL, NULL},

	/* admin: sign-in */
	{GET | POST, "/admin/login", admin_login, AUTH_PUBLIC, ROLE_NONE, "next", 0, "login", NULL},
	{POST, "/admin/logout", admin_logout, AUTH_SESSION, V, "", 0, "logout", NULL},
	{GET, "/admin/oidc/login", admin_oidc_login, AUTH_PUBLIC, ROLE_NONE, "next", 0, NULL, NULL},
	{GET, "/admin/oidc/callback", admin_oidc_callback, AUTH_PUBLIC, ROLE_NONE, "code,state,iss,error,error_description", 0, "login", NULL},
	{GET | POST, "/admin/password", admin_password, AUTH_SESSION, V, "", 0, "password.changed", NULL},
	{GET | POST, "/admin/account", admin_account, AUTH_SESSION, V, "done", 0, "account.updated", NULL},
	{GET, "/admin", admin_root, AUTH_PUBLIC, ROLE_NONE, "", 0, NULL, NULL},
	{GET, "/admin/", admin_dashboard, AUTH_SESSION, V, "", 0, NULL, NULL},

	/* admin: operators */
	{POST, "/admin/operators/bulk", admin_res_bulk, AUTH_SESSION, O, "", 0, NULL, &res_operators},
	ADMIN_RES("/admin/operators", "{code}", ADMIN_LIST_Q, V, O, &res_operators),

	/* admin: users */
	{GET, "/admin/users/", admin_res_list, AUTH_SESSION, A, ADMIN_LIST_Q, 0, NULL, &res_users},
	{GET | POST, "/admin/users/add", admin_res_add, AUTH_SESSION, A, "", 0, NULL, &res_users},
	{GET | POST, "/admin/users/{id}", admin_res_edit, AUTH_SESSION, A, "", 0, NULL, &res_users},
	{GET | POST, "/admin/users/{id}/password", admin_users_password, AUTH_SESSION, A, "", 0, "user.password_reset", NULL},

	/* admin: mailings */
	{GET, "/admin/mailings/", admin_res_list, AUTH_SESSION, V, ADMIN_LIST_Q ",status,from,to", 0, NULL, &res_mailings},
	{GET | POST, "/admin/mailings/add", admin_res_add, AUTH_SESSION, O, "from", 0, NULL, &res_mailings},
	{POST, "/admin/mailings/bulk", admin_res_bulk, AUTH_SESSION, O, "", 0, NULL, &res_mailings},
	{GET, "/admin/mailings/composer/recipients", admin_composer_recipients, AUTH_SESSION, V, "operator_codes,tags", 0, NULL, NULL},
	{GET, "/admin/mailings/composer/size", admin_composer_size, AUTH_SESSION, V, "text,template", 0, NULL, NULL},
	{GET, "/admin/mailings/{id}", admin_mailings_view, AUTH_SESSION, V, "status,sort,cursor,before,done", 0, NULL, NULL},
	{GET, "/admin/mailings/{id}/live", admin_mailings_live, AUTH_SESSION, V, "", 0, NULL, NULL},
	{GET, "/admin/mailings/{id}/preview", admin_mailings_preview, AUTH_SESSION, V, "phone,message", 0, NULL, NULL},
	{POST, "/admin/mailings/{id}/test", admin_mailings_test, AUTH_SESSION, O, "", 0, "mailing.test_sent", NULL},
	{GET, "/admin/mailings/{id}/messages.csv", admin_mailings_export, AUTH_SESSION, V, "status,format", 0, NULL, NULL},
	{GET, "/admin/mailings/{id}/edit", admin_res_edit, AUTH_SESSION, V, "", 0, NULL, &res_mailings},
	{POST, "/admin/mailings/{id}/edit", admin_res_edit, AUTH_SESSION, O, "", 0, NULL, &res_mailings},
	{POST, "/admin/mailings/{id}/cancel", admin_res_act, AUTH_SESSION, O, "", 0, NULL, &res_mailings},
	{POST, "/admin/mailings/{id}/retry-failed", admin_res_act, AUTH_SESSION, O, "", 0, NULL, &res_mailings},
	{GET | POST, "/admin/mailings/{id}/delete", admin_res_delete, AUTH_SESSION, O, "", 0, NULL, &res_mailings},

	/* admin: change history */
	{GET, "/admin/history/", admin_history_list, AUTH_SESSION, A, ADMIN_LIST_Q ",action", 0, NULL, NULL},

	/* admin: API tokens */
	{GET, "/admin/tokens/", admin_res_list, AUTH_SESSION, V, ADMIN_LIST_Q, 0, NULL, &res_tokens},
	{GET | POST, "/admin/tokens/add", admin_res_add, AUTH_SESSION, V, "", 0, NULL, &res_tokens},
	{GET | POST, "/admin/tokens/{id}", admin_res_delete, AUTH_SESSION, V, "", 0, NULL, &res_tokens},
	{POST, "/admin/tokens/{id}/delete", admin_res_delete, AUTH_SESSION, V, "", 0, NULL, &res_tokens},

	/* admin: clients */
	{GET, "/admin/clients/export.csv", admin_clients_export, AUTH_SESSION, V, ADMIN_LIST_Q ",tag,operator_code,timezone,format", 0, NULL, NULL},
	{GET | POST, "/admin/clients/import", admin_clients_import, AUTH_SESSION, O, "", ADMIN_IMPORT_BODY, "client.imported", NULL},
	{GET, "/admin/clients/import/{id}", admin_import_job, AUTH_SESSION, O, "done", 0, NULL, NULL},
	{POST, "/admin/clients/import/{id}/cancel", admin_import_cancel, AUTH_SESSION, O, "", 0, "client.import_cancelled", NULL},
	{POST, "/admin/clients/bulk", admin_res_bulk, AUTH_SESSION, O, "", 0, NULL, &res_clients},
	ADMIN_RES("/admin/clients", "{id}", ADMIN_LIST_Q ",tag,operator_code,timezone", V, O, &res_clients),

	/* admin: tags */
	ADMIN_RES("/admin/tags", "{id}", ADMIN_LIST_Q, V, O, &res_tags),

	/* admin: providers (admins only: their rows hold write-only secrets) */
	ADMIN_RES("/admin/providers", "{id}", ADMIN_LIST_Q, A, A, &res_providers),

	/* admin: templates */
	ADMIN_RES("/admin/templates", "{id}", ADMIN_LIST_Q, V, O, &res_templates),

	/* admin: webhooks */
	{POST, "/admin/webhooks/{id}/test", webhook_admin_test, AUTH_SESSION, O, "", 0, "webhook.test", &res_webhooks},
	ADMIN_RES("/admin/webhooks", "{id}", ADMIN_LIST_Q, V, O, &res_webhooks),

	/* admin: messages */
	{GET, "/admin/messages/", admin_messages_list, AUTH_SESSION, V, ADMIN_LIST_Q ",status,mailing_id,phone,from,to,error", 0, NULL, NULL},
	{GET, "/admin/messages/{id}", admin_messages_show, AUTH_SESSION, V, "", 0, NULL, NULL},

	/* admin: the stop list */
	ADMIN_RES("/admin/stoplist", "{phone}", ADMIN_LIST_Q, V, O, &res_stoplist),

	/* admin: SMPP accounts */
	ADMIN_RES("/admin/smpp-accounts", "{id}", ADMIN_LIST_Q, A, A, &res_smpp_accounts),

	/* admin: reports */
	{GET, "/admin/reports/", admin_reports_list, AUTH_SESSION, V, ADMIN_LIST_Q, 0, NULL, NULL},
	{GET, "/admin/reports/preview", admin_reports_preview, AUTH_SESSION, V, "", 0, NULL, NULL},
	{GET, "/admin/reports/preview/html", admin_reports_preview_html, AUTH_SESSION, V, "", 0, NULL, NULL},
	{POST, "/admin/reports/send", admin_reports_send, AUTH_SESSION, A, "", 0, "report.sent_now", NULL},
	{GET, "/admin/reports/{id}", admin_reports_show, AUTH_SESSION, V, "done", 0, NULL, NULL},
	{GET, "/admin/reports/{id}/html", admin_reports_html, AUTH_SESSION, V, "", 0, NULL, NULL},

	/* tags */
	API_RES("/api/v1/tags", "{id}", LIST_Q, V, O, &res_tags),

	/* providers (admins only) */
	API_RES("/api/v1/providers", "{id}", LIST_Q, A, A, &res_providers),
	/* delivery reports: the provider's dlr_secret is the bearer, not an API token (api_dlr.c) */
	{POST, "/api/v1/providers/{id}/dlr", api_providers_dlr, AUTH_PUBLIC, ROLE_NONE, "", API_DLR_BODY_LIMIT, NULL, NULL},

	/* templates */
	API_RES("/api/v1/templates", "{id}", LIST_Q, V, O, &res_templates),

	/* webhooks: each caller's own (API.md 9.6) */
	API_RES("/api/v1/webhooks", "{id}", LIST_Q, V, O, &res_webhooks),

	/* clients */
	{POST, "/api/v1/clients/bulk", api_clients_bulk, AUTH_TOKEN, O, "", HTTP_BULK_LIMIT, "client.bulk", NULL},
	API_RES("/api/v1/clients", "{id}", LIST_Q ",tag,operator_code,phone_prefix,timezone", V, O, &res_clients),
};

const struct session_gate session_gate = {"/admin/", admin_gate, admin_gate_form, admin_error};
enum model_rc (*const token_gate)(const char *token, struct user *user) = token_check;

_Static_assert(ARRAY_LEN(routes) <= ROUTES_MAX, "routes[] has more rows than ROUTES_MAX");
const size_t routes_len = ARRAY_LEN(routes);
