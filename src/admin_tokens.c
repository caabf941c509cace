/* admin_tokens.c — what the API token pages add to the generic ones of res_tokens
 * (admin_resource.c): everyone may create tokens, and a new token is shown once, on the page
 * after creating it. */
#include "admin.h"
#include "admin_handlers.h"
#include "model_token.h"

#include <sodium.h>

void admin_tokens_list_extra(struct http_req *req, json_t *page)
{
	json_object_set_new(page, "no_search", json_true());
	json_object_set_new(page, "add_href", json_string("/admin/tokens/add"));
	json_object_set_new(page, "add_label", json_string(admin_t(req, "admin.res.token.create")));
}

void admin_tokens_created(struct http_req *req, json_t *obj)
{
	json_t *token = json_object_get(obj, "token");
	admin_page(req, 201, "admin/token_created",
		   pool_pack(&req->pool, "{s:O, s:O}", "name", json_object_get(obj, "name"), "token", token));
	sodium_memzero((char *)json_string_value(token), json_string_length(token));
}
