/* routes.c — the whole HTTP surface of herald, one row per (methods, path). Read it top to
 * bottom: the handler, how the caller is authenticated, the least role, the query parameters
 * accepted and the body limit. */
#include "api_handlers.h"
#include "route.h"
#include "util.h"

#define LIST_Q "limit,cursor,count"
#define GET HTTP_GET
#define POST HTTP_POST
#define PUT_PATCH (HTTP_PUT | HTTP_PATCH)
#define DELETE HTTP_DELETE
#define V ROLE_VIEWER
#define O ROLE_OPERATOR
#define A ROLE_ADMIN

const struct route routes[] = {
	/* service */
	{GET, "/healthz", web_healthz, AUTH_PUBLIC, ROLE_NONE, "", 0},
	{GET, "/metrics", web_metrics, AUTH_PUBLIC, ROLE_NONE, "", 0},

	/* operators */
	{GET, "/api/v1/operators", api_operators_list, AUTH_TOKEN, V, LIST_Q, 0},
	{POST, "/api/v1/operators", api_operators_create, AUTH_TOKEN, O, "", 0},
	{GET, "/api/v1/operators/{code}", api_operators_get, AUTH_TOKEN, V, "", 0},
	{PUT_PATCH, "/api/v1/operators/{code}", api_operators_update, AUTH_TOKEN, O, "", 0},
	{DELETE, "/api/v1/operators/{code}", api_operators_delete, AUTH_TOKEN, O, "", 0},

	/* tags */
	{GET, "/api/v1/tags", api_tags_list, AUTH_TOKEN, V, LIST_Q, 0},
	{POST, "/api/v1/tags", api_tags_create, AUTH_TOKEN, O, "", 0},
	{GET, "/api/v1/tags/{id}", api_tags_get, AUTH_TOKEN, V, "", 0},
	{PUT_PATCH, "/api/v1/tags/{id}", api_tags_update, AUTH_TOKEN, O, "", 0},
	{DELETE, "/api/v1/tags/{id}", api_tags_delete, AUTH_TOKEN, O, "", 0},

	/* clients */
	{GET, "/api/v1/clients", api_clients_list, AUTH_TOKEN, V, LIST_Q ",tag,operator_code,phone_prefix,timezone", 0},
	{POST, "/api/v1/clients", api_clients_create, AUTH_TOKEN, O, "", 0},
	{POST, "/api/v1/clients/bulk", api_clients_bulk, AUTH_TOKEN, O, "", HTTP_BULK_LIMIT},
	{GET, "/api/v1/clients/{id}", api_clients_get, AUTH_TOKEN, V, "", 0},
	{PUT_PATCH, "/api/v1/clients/{id}", api_clients_update, AUTH_TOKEN, O, "", 0},
	{DELETE, "/api/v1/clients/{id}", api_clients_delete, AUTH_TOKEN, O, "", 0},
};

const size_t routes_len = ARRAY_LEN(routes);
