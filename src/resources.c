/* resources.c — the resource descriptors: what each resource's fields, columns, sorts and
 * messages are, and which model serves it. Read with routes.c, whose rows name them. */
#include "admin.h"
#include "admin_client.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "model_client.h"
#include "model_mailing.h"
#include "model_operator.h"
#include "model_provider.h"
#include "model_smpp_account.h"
#include "model_stoplist.h"
#include "model_tag.h"
#include "model_template.h"
#include "model_token.h"
#include "model_user.h"
#include "model_webhook.h"
#include "session.h"
#include "util.h"
#include "webhook_admin.h"

#include <stdlib.h>

/* --- operators ------------------------------------------------------------------------- */

static const struct admin_field operator_fields[] = {
	{"code", "admin.col.code", "text", NULL, "admin.res.operator.code_hint", 1, 3, "[0-9]{3}"},
	{"name", "admin.col.name", "text", NULL, "admin.res.operator.name_hint", 0, 100, NULL},
};

static const struct admin_col operator_cols[] = {
	{"admin.col.code", "code", "code", NULL},
	{"admin.col.name", "name", "name", NULL},
	{"admin.col.updated", "updated_at", NULL, NULL},
};

static const char *const operator_sorts[] = {"code", "-code", "name", "-name", NULL};
static const char *const operator_notices[] = {"created", "admin.res.operator.created", "updated",
					       "admin.res.operator.updated", "deleted", "admin.res.operator.deleted", NULL};

const struct resource res_operators = {
	.kind = "operator", .key = "code", .model = &operator_model,
	.api_base = "/api/v1/operators/", .api_sort = "code",
	.api_in_use = "clients use this operator; move or delete them first",
	.base = "/admin/operators/",
	.fields = operator_fields, .nfields = ARRAY_LEN(operator_fields),
	.cols = operator_cols, .ncols = ARRAY_LEN(operator_cols), .sorts = operator_sorts,
	.not_found = "admin.res.operator.not_found",
	.in_use = "admin.res.operator.in_use",
	.in_use_many = "admin.res.operator.in_use_many",
	.notices = operator_notices,
};

/* --- tags ------------------------------------------------------------------------------ */

static const struct admin_field tag_fields[] = {
	{"name", "admin.col.name", "text", NULL, "admin.res.tag.name_hint", 1, 64, NULL},
};

static const struct admin_col tag_cols[] = {
	{"admin.col.name", "name", "name", NULL},
	{"admin.col.clients", "clients", NULL, NULL},
	{"admin.col.created", "created_at", "id", NULL},
	{"admin.col.updated", "updated_at", NULL, NULL},
};

static const char *const tag_sorts[] = {"name", "-name", "id", "-id", NULL};
static const char *const tag_notices[] = {"created", "admin.res.tag.created", "updated", "admin.res.tag.updated",
					  "deleted", "admin.res.tag.deleted", NULL};

/* The client list of tag obj: /admin/clients/?tag=<name>. In the request's pool. */
static const char *clients_href(struct http_req *req, json_t *obj)
{
	char *href = admin_path("/admin/clients/?tag=", json_string_value(json_object_get(obj, "name")), "");
	pool_defer(&req->pool, free, href);
	return href;
}

static void tag_edit_extra(struct http_req *req, json_t *obj, json_t *page)
{
	json_array_append_new(json_object_get(json_object_get(page, "links"), "items"),
			      json_pack("{s:s, s:s}", "href", clients_href(req, obj), "label",
					admin_format(req, "admin.res.tag.its_clients",
						     (long long)json_integer_value(json_object_get(obj, "clients")))));
}

/* A tag that clients use is not offered for deletion: a normal page says why. */
static int tag_delete_refused(struct http_req *req, json_t *obj)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	json_int_t clients = json_integer_value(json_object_get(obj, "clients"));
	if (clients == 0)
		return 0;
	const char *msg = admin_format(req, "admin.res.tag.refused", name,
				       admin_plural(req, "admin.res.tag.clients_use", (long long)clients));
	admin_page(req, 200, "admin/detail",
		   pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:b}, {s:s, s:I}], s:{s:[{s:s, s:s}]}}", "heading",
			     admin_format(req, "admin.res.tag.delete_heading", name), "error", msg, "back_href",
			     pool_printf(&req->pool, "/admin/tags/%lld", (long long)json_integer_value(json_object_get(obj, "id"))),
			     "back_label", admin_t(req, "admin.res.tag.back"), "items", "label", admin_t(req, "admin.col.name"),
			     "value", name, "data", 1, "label", admin_t(req, "admin.col.clients"), "value", clients, "links", "items", "href",
			     clients_href(req, obj), "label", admin_t(req, "admin.res.tag.show_clients")));
	return 1;
}

const struct resource res_tags = {
	.kind = "tag", .key = "id", .key_is_id = 1, .model = &tag_model,
	.api_base = "/api/v1/tags/", .api_sort = "id", .api_taken = "a tag with this name already exists",
	.api_in_use = "clients use this tag; retag or delete them first",
	.base = "/admin/tags/", .name_field = "name",
	.fields = tag_fields, .nfields = ARRAY_LEN(tag_fields),
	.cols = tag_cols, .ncols = ARRAY_LEN(tag_cols), .sorts = tag_sorts, .q_placeholder = "admin.res.tag.q_placeholder",
	.not_found = "admin.res.tag.not_found",
	.in_use = "admin.res.tag.in_use",
	.notices = tag_notices,
	.edit_extra = tag_edit_extra,
	.delete_refused = tag_delete_refused,
};

/* --- templates: texts that mailings take by reference until they start ----------------- */

static const struct admin_field template_fields[] = {
	{"name", "admin.col.name", "text", NULL, "admin.res.template.name_hint", 1, 64, NULL},
	{"text", "admin.col.text", "textarea", NULL, "admin.res.template.text_hint", 1, 4096, NULL},
};

static const struct admin_col template_cols[] = {
	{"admin.col.name", "name", "name", NULL},
	{"admin.col.text", "text", NULL, NULL},
	{"admin.res.template.mailings", "mailings", NULL, NULL},
	{"admin.col.updated", "updated_at", "id", NULL},
};

static const char *const template_sorts[] = {"name", "-name", "id", "-id", NULL};
static const char *const template_notices[] = {"created", "admin.res.template.created", "updated",
					       "admin.res.template.updated", "deleted", "admin.res.template.deleted", NULL};

const struct resource res_templates = {
	.kind = "template", .key = "id", .key_is_id = 1, .model = &template_model,
	.api_base = "/api/v1/templates/", .api_sort = "id", .api_taken = "a template with this name already exists",
	.api_in_use = "a scheduled mailing uses this template; change or delete it first",
	.base = "/admin/templates/", .name_field = "name",
	.fields = template_fields, .nfields = ARRAY_LEN(template_fields),
	.cols = template_cols, .ncols = ARRAY_LEN(template_cols), .sorts = template_sorts,
	.q_placeholder = "admin.res.template.q_placeholder",
	.not_found = "admin.res.template.not_found",
	.in_use = "admin.res.template.in_use",
	.delete_note = "admin.res.template.delete_note",
	.notices = template_notices,
};

/* --- SMPP accounts: admins only (routes.c); disabling or deleting one closes its binds within
 * a second (smpp_check.c), other changes apply to the next bind ----------------------------- */

#define SYSTEM_ID_FIELD {"system_id", "admin.col.system_id", "text", NULL, \
	"admin.res.smpp_account.system_id_hint", 1, 16, NULL}
#define SMPP_TAIL_FIELDS \
	{"throughput", "admin.res.smpp_account.throughput", "number", NULL, "admin.res.smpp_account.throughput_hint", 1, 7, NULL}, \
	{"allowed_cidrs", "admin.col.allowed_networks", "text", NULL, \
	 "admin.res.smpp_account.cidrs_hint", 0, 4096, NULL}, \
	{"enabled", "admin.res.smpp_account.enabled", "checkbox", NULL, NULL, 0, 0, NULL}

static const struct admin_field smpp_fields[] = {
	SYSTEM_ID_FIELD,
	{"password", "admin.col.password", "password", NULL,
	 "admin.res.smpp_account.password_hint", 1, 64, NULL},
	SMPP_TAIL_FIELDS,
};

static const struct admin_field smpp_edit_fields[] = {
	SYSTEM_ID_FIELD,
	{"password", "admin.col.new_password", "password", NULL, "admin.res.smpp_account.new_password_hint", 0, 64, NULL},
	SMPP_TAIL_FIELDS,
};

static const struct admin_col smpp_cols[] = {
	{"admin.col.system_id", "system_id", NULL, NULL},
	{"admin.res.smpp_account.throughput_col", "throughput", NULL, NULL},
	{"admin.col.allowed_networks", "allowed_cidrs", NULL, NULL},
	{"admin.col.enabled", "enabled", NULL, NULL},
	{"admin.col.updated", "updated_at", NULL, NULL},
};

static const char *const smpp_sorts[] = {"system_id", NULL};
static const char *const smpp_notices[] = {
	"created", "admin.res.smpp_account.created",
	"updated", "admin.res.smpp_account.updated",
	"deleted", "admin.res.smpp_account.deleted", NULL};

const struct resource res_smpp_accounts = {
	.kind = "smpp_account", .key = "id", .key_is_id = 1, .model = &smpp_account_model,
	.base = "/admin/smpp-accounts/",
	.name_field = "system_id",
	.fields = smpp_fields, .nfields = ARRAY_LEN(smpp_fields),
	.edit_fields = smpp_edit_fields, .nedit_fields = ARRAY_LEN(smpp_edit_fields),
	.add_defaults = "{\"throughput\": 100, \"enabled\": true}",
	.delete_note = "admin.res.smpp_account.delete_note",
	.cols = smpp_cols, .ncols = ARRAY_LEN(smpp_cols), .sorts = smpp_sorts,
	.q_placeholder = "admin.res.smpp_account.q_placeholder",
	.not_found = "admin.res.smpp_account.not_found",
	.notices = smpp_notices,
};

/* --- providers: admins only (routes.c); the dispatcher follows a change within a second
 * (provider_set.c); token and dlr_secret are write-only: an empty field keeps the value ------ */

#define PROVIDER_HEAD_FIELDS \
	{"name", "admin.col.name", "text", NULL, "admin.res.provider.name_hint", 1, PROVIDER_NAME_MAX, NULL}, \
	{"kind", "admin.res.provider.kind", "select", "probe,smpp", "admin.res.provider.kind_hint", 1, 0, NULL}, \
	{"url", "admin.res.provider.url", "url", NULL, "admin.res.provider.url_hint", 1, PROVIDER_URL_MAX, NULL}
#define PROVIDER_TAIL_FIELDS \
	{"operator_codes", "admin.res.provider.operator_codes", "text", NULL, "admin.res.provider.operator_codes_hint", 0, 0, NULL}, \
	{"weight", "admin.res.provider.weight", "number", NULL, "admin.res.provider.weight_hint", 1, 7, NULL}, \
	{"rate", "admin.res.provider.rate", "number", NULL, "admin.res.provider.rate_hint", 1, 8, NULL}, \
	{"concurrency", "admin.res.provider.concurrency", "number", NULL, "admin.res.provider.concurrency_hint", 1, 4, NULL}, \
	{"enabled", "admin.res.provider.enabled", "checkbox", NULL, NULL, 0, 0, NULL}

static const struct admin_field provider_fields[] = {
	PROVIDER_HEAD_FIELDS,
	{"token", "admin.res.provider.token", "password", NULL, "admin.res.provider.token_hint", 0, PROVIDER_TOKEN_MAX, NULL},
	{"dlr_secret", "admin.res.provider.dlr_secret", "password", NULL, "admin.res.provider.secret_hint", 0,
	 PROVIDER_SECRET_MAX, NULL},
	PROVIDER_TAIL_FIELDS,
};

static const struct admin_field provider_edit_fields[] = {
	PROVIDER_HEAD_FIELDS,
	{"token", "admin.res.provider.new_token", "password", NULL, "admin.res.provider.keep_hint", 0, PROVIDER_TOKEN_MAX, NULL},
	{"dlr_secret", "admin.res.provider.new_dlr_secret", "password", NULL, "admin.res.provider.keep_hint", 0,
	 PROVIDER_SECRET_MAX, NULL},
	PROVIDER_TAIL_FIELDS,
};

static const struct admin_col provider_cols[] = {
	{"admin.col.name", "name", "name", NULL},
	{"admin.res.provider.url", "url", NULL, NULL},
	{"admin.res.provider.operator_codes", "codes_cell", NULL, NULL},   /* admin_providers_list_row's */
	{"admin.res.provider.weight", "weight", NULL, NULL},
	{"admin.res.provider.rate", "rate_cell", NULL, NULL},
	{"admin.res.provider.token", "token_cell", NULL, NULL},
	{"admin.col.enabled", "enabled", NULL, NULL},
	{"admin.col.updated", "updated_at", "id", NULL},
};

static const char *const provider_sorts[] = {"name", "-name", "id", "-id", NULL};
static const char *const provider_notices[] = {"created", "admin.res.provider.created", "updated",
					       "admin.res.provider.updated", "deleted", "admin.res.provider.deleted", NULL};

const struct resource res_providers = {
	.kind = "provider", .key = "id", .key_is_id = 1, .model = &provider_model,
	.api_base = "/api/v1/providers/", .api_sort = "id", .api_taken = "a provider with this name already exists",
	.base = "/admin/providers/", .name_field = "name",
	.fields = provider_fields, .nfields = ARRAY_LEN(provider_fields),
	.edit_fields = provider_edit_fields, .nedit_fields = ARRAY_LEN(provider_edit_fields),
	.add_defaults = "{\"kind\": \"probe\", \"weight\": 1, \"rate\": 0, \"concurrency\": 64, \"enabled\": true}",
	.delete_note = "admin.res.provider.delete_note",
	.cols = provider_cols, .ncols = ARRAY_LEN(provider_cols), .sorts = provider_sorts,
	.q_placeholder = "admin.res.provider.q_placeholder",
	.not_found = "admin.res.provider.not_found",
	.notices = provider_notices,
	.list_row = admin_providers_list_row,
	.form_in = admin_providers_form_in, .form_out = admin_providers_form_out,
};

/* --- users: admins only (routes.c); the password page is admin_users.c ------------------- */

static const struct admin_field user_fields[] = {
	{"username", "admin.res.user.username", "text", NULL, "admin.res.user.username_hint", 1, 64, NULL},
	{"password", "admin.col.password", "password", NULL, "admin.res.user.password_hint", 1, PASSWORD_MAX, NULL},
	{"role", "admin.col.role", "select", "viewer,operator,admin", "admin.res.user.role_hint", 1, 0, NULL},
	{"language", "admin.users.language", "select", ",ru,en", "admin.users.language_hint", 0, 0, NULL},
};

static const struct admin_field user_edit_fields[] = {
	{"role", "admin.col.role", "select", "viewer,operator,admin", NULL, 1, 0, NULL},
	{"is_active", "admin.res.user.active", "checkbox", NULL, NULL, 0, 0, NULL},
	{"timezone", "admin.col.timezone", "text", NULL, "admin.res.user.timezone_hint", 0, 64, NULL},
	{"language", "admin.users.language", "select", ",ru,en", "admin.users.language_hint", 0, 0, NULL},
	{"email", "admin.res.user.email", "email", NULL, "admin.res.user.email_hint", 0, 254, NULL},
};

static const struct admin_col user_cols[] = {
	{"admin.res.user.username", "username", NULL, NULL},   /* one order only: no sort link that would offer another */
	{"admin.col.role", "role", NULL, "role"},
	{"admin.res.user.active_col", "is_active", NULL, NULL},
	{"admin.res.user.last_login", "last_login_at", NULL, NULL},
	{"admin.col.created", "created_at", NULL, NULL},
};

static const char *const user_sorts[] = {"username", NULL};
static const char *const user_notices[] = {"created", "admin.res.user.created", "updated", "admin.res.user.updated",
					   "password", "admin.res.user.password", NULL};

/* A user made inactive is signed out everywhere. */
static void user_updated(struct http_req *req, struct db *db, json_t *obj)
{
	if (!json_is_true(json_object_get(obj, "is_active")))
		session_drop_user(db, json_integer_value(json_object_get(obj, "id")), NULL);
}

static void user_edit_extra(struct http_req *req, json_t *obj, json_t *page)
{
	json_array_append_new(json_object_get(json_object_get(page, "links"), "items"),
			      json_pack("{s:s, s:s}", "href",
					pool_printf(&req->pool, "/admin/users/%lld/password",
						    (long long)json_integer_value(json_object_get(obj, "id"))),
					"label", admin_t(req, "admin.res.user.reset_password")));
}

const struct resource res_users = {
	.kind = "user", .key = "id", .key_is_id = 1, .model = &user_model,
	.base = "/admin/users/", .name_field = "username",
	.fields = user_fields, .nfields = ARRAY_LEN(user_fields),
	.edit_fields = user_edit_fields, .nedit_fields = ARRAY_LEN(user_edit_fields),
	.add_defaults = "{\"role\": \"viewer\"}",
	.cols = user_cols, .ncols = ARRAY_LEN(user_cols), .sorts = user_sorts,
	.not_found = "admin.res.user.not_found",
	.notices = user_notices,
	.updated = user_updated,
	.edit_extra = user_edit_extra,
};

/* --- the stop list: phones that receive nothing (model_stoplist.h); the API adds them in bulk
 * from CSV (POST /api/v1/stoplist/import) -------------------------------------------------- */

static const struct admin_field stoplist_fields[] = {
	{"phone", "admin.col.phone", "tel", NULL, "admin.res.stoplist.phone_hint", 1,
	 PHONE_INPUT_MAX, NULL},
	{"reason", "admin.col.reason", "text", NULL, "admin.res.stoplist.reason_hint", 0, STOPLIST_REASON_MAX, NULL},
};

static const struct admin_col stoplist_cols[] = {
	{"admin.col.phone", "phone", "phone", NULL},
	{"admin.col.reason", "reason", NULL, NULL},
	{"admin.col.added", "created_at", NULL, NULL},
};

static const char *const stoplist_sorts[] = {"phone", "-phone", NULL};
static const char *const stoplist_notices[] = {"created", "admin.res.stoplist.created", "updated",
					       "admin.res.stoplist.updated", "deleted",
					       "admin.res.stoplist.deleted", NULL};

const struct resource res_stoplist = {
	.kind = "stoplist", .key = "phone", .model = &stoplist_model,
	.api_base = "/api/v1/stoplist/", .api_sort = "phone", .api_taken = "the phone is on the stop list already",
	.base = "/admin/stoplist/",
	.fields = stoplist_fields, .nfields = ARRAY_LEN(stoplist_fields),
	.delete_note = "admin.res.stoplist.delete_note",
	.cols = stoplist_cols, .ncols = ARRAY_LEN(stoplist_cols), .sorts = stoplist_sorts,
	.q_placeholder = "admin.res.stoplist.q_placeholder",
	.not_found = "admin.res.stoplist.not_found",
	.notices = stoplist_notices,
};

/* --- clients: filtered lists read from their filter's index (model_client.c); the list links
 * to the CSV export and import (admin_client_export.c, admin_clients.c); the API upserts in
 * bulk (POST /api/v1/clients/bulk) ---------------------------------------------------------- */

static const struct admin_field client_fields[] = {
	{"phone", "admin.col.phone", "tel", NULL, "admin.res.stoplist.phone_hint", 1,
	 PHONE_INPUT_MAX, NULL},
	{"operator_code", "admin.res.client.operator_code", "text", NULL,
	 "admin.res.client.operator_code_hint", 0, 3, "[0-9]{3}"},
	{"tag", "admin.col.tag", "text", NULL, "admin.res.client.tag_hint", 0, 64, NULL},
	{"timezone", "admin.col.timezone", "text", NULL, "admin.res.client.timezone_hint", 0, 64, NULL},
	{"attributes", "admin.res.client.attributes", "textarea", NULL, "admin.res.client.attributes_hint", 0, 0, NULL},
};

/* in struct client_filter's order */
static const struct admin_field client_filters[] = {
	{"tag", "admin.col.tag", "text", NULL, "admin.col.any", 0, 0, NULL},
	{"operator_code", "admin.col.operator", "text", NULL, "admin.col.any", 0, 0, NULL},
	{"phone_prefix", "admin.res.client.search", "search", NULL, NULL, 0, 0, NULL},
	{"timezone", "admin.col.timezone", "text", NULL, "admin.col.any", 0, 0, NULL},
};

static const struct admin_col client_cols[] = {
	{"admin.col.phone", "phone", "phone", NULL},
	{"admin.col.operator", "operator_code", NULL, NULL},
	{"admin.col.tag", "tag", NULL, NULL},
	{"admin.col.timezone", "timezone", NULL, NULL},
	{"admin.col.created", "created_at", "id", NULL},
};

static const char *const client_sorts[] = {"-id", "id", "phone", "-phone", NULL};
static const char *const client_notices[] = {
	"created", "admin.res.client.created", "updated", "admin.res.client.updated",
	"deleted", "admin.res.client.deleted",
	"bulk_deleted", "admin.res.client.bulk_deleted", NULL};

const struct resource res_clients = {
	.kind = "client", .key = "id", .key_is_id = 1, .model = &client_model,
	.api_base = "/api/v1/clients/", .api_sort = "id", .api_taken = "a client with this phone already exists",
	.base = "/admin/clients/", .name_field = "phone",
	.fields = client_fields, .nfields = ARRAY_LEN(client_fields), .form_given = 1,
	.cols = client_cols, .ncols = ARRAY_LEN(client_cols), .sorts = client_sorts,
	.filters = client_filters, .nfilters = ARRAY_LEN(client_filters),
	.list_json = client_list_json, .count_of = client_count,
	.q_placeholder = "admin.res.client.q_placeholder",
	.not_found = "admin.res.client.not_found",
	.notices = client_notices, .bulk_done = "bulk_deleted",
	.list_extra = admin_clients_list_extra,
	.delete_note_of = admin_clients_delete_note,
	.form_in = admin_clients_form_in, .form_out = admin_clients_form_out,
};

/* --- API tokens: everyone manages their own, admins everyone's; a new token is shown once
 * (admin_tokens.c), herald keeps its hash (model_token.h); deleting revokes ---------------- */

static const struct admin_field token_fields[] = {
	{"name", "admin.col.name", "text", NULL, "admin.res.token.name_hint", 1, 100, NULL},
};

static const struct admin_field token_filters[] = {
	{"user_id", "admin.col.user", "owner", NULL, NULL, 0, 0, NULL},
};

static const struct admin_col token_cols[] = {
	{"admin.col.name", "name", NULL, NULL},
	{"admin.res.token.prefix", "prefix", NULL, NULL},
	{"admin.col.user", "username", NULL, NULL},
	{"admin.col.created", "created_at", NULL, NULL},
	{"admin.res.token.last_used", "last_used_at", NULL, NULL},
	{"admin.res.token.revoked_col", "revoked_at", NULL, NULL},
};

static const char *const token_sorts[] = {"newest", NULL};
static const char *const token_notices[] = {"revoked", "admin.res.token.revoked", NULL};

const struct resource res_tokens = {
	.kind = "token", .key = "id", .key_is_id = 1, .model = &token_model,
	.base = "/admin/tokens/", .name_field = "name",
	.fields = token_fields, .nfields = ARRAY_LEN(token_fields),
	.filters = token_filters, .nfilters = ARRAY_LEN(token_filters),
	.cols = token_cols, .ncols = ARRAY_LEN(token_cols), .sorts = token_sorts,
	.not_found = "admin.res.token.not_found",
	.notices = token_notices,
	.delete_note = "admin.res.token.delete_note",
	.secret = "token", .created_page = admin_tokens_created, .list_extra = admin_tokens_list_extra,
	.deleted = "revoked",
};

/* --- mailings: the pages are admin_mailings.c's (filters, progress, state rules); times in
 * the forms are in the user's time zone, which their labels name (admin_time_label) -------- */

static const struct admin_field mailing_fields[] = {
	{"start_at", "admin.res.mailing.start_at", "datetime-local", NULL,
	 "admin.res.mailing.start_hint", 1, 0, NULL},
	{"end_at", "admin.res.mailing.end_at", "datetime-local", NULL,
	 "admin.res.mailing.end_hint", 1, 0, NULL},
	{"text", "admin.col.text", "textarea", NULL, "admin.res.mailing.text_hint", 0, MAILING_TEXT_MAX, NULL},
	{"template", "admin.res.mailing.template", "text", NULL, "admin.res.mailing.template_hint", 0, 64, NULL},
	{"operator_codes", "admin.res.mailing.operator_codes", "text", NULL,
	 "admin.res.mailing.operator_codes_hint", 0, 0, NULL},
	{"tags", "admin.res.mailing.tags", "text", NULL, "admin.res.mailing.tags_hint", 0, 0, NULL},
	{"window_start", "admin.res.mailing.window_start", "time", NULL,
	 "admin.res.mailing.window_start_hint", 0, 0, NULL},
	{"window_end", "admin.res.mailing.window_end", "time", NULL,
	 "admin.res.mailing.window_end_hint", 0, 0, NULL},
};

static const struct admin_field mailing_filters[] = {
	{"status", "admin.col.status", "select", "scheduled,running,finished,cancelled", "mailing_status", 0, 0, NULL},
	{"from", "admin.mailing.starts_from", "date", NULL, NULL, 0, 0, NULL},
	{"to", "admin.mailing.until", "date", NULL, NULL, 0, 0, NULL},
};

/* state and progress: cells admin_mailing_list_row makes */
static const struct admin_col mailing_cols[] = {
	{"admin.col.id", "id", "id", NULL},
	{"admin.col.status", "state", NULL, NULL},
	{"admin.col.start", "start_at", "start_at", NULL},
	{"admin.col.end", "end_at", NULL, NULL},
	{"admin.col.text", "excerpt", NULL, NULL},
	{"admin.res.mailing.progress", "progress", NULL, NULL},
};

static const char *const mailing_sorts[] = {"-id", "id", "start_at", "-start_at", NULL};
static const char *const mailing_notices[] = {
	"created", "admin.res.mailing.created", "updated", "admin.res.mailing.updated",
	"deleted", "admin.res.mailing.deleted",
	"cancelled", "admin.res.mailing.cancelled",
	"retried", "admin.res.mailing.retried", NULL};

/* the model's names of the fields the form shows under names of their own */
static const char *const mailing_form_names[] = {
	"template_id", "template", "filter", "operator_codes", "filter.operator_codes", "operator_codes",
	"filter.tags", "tags", "send_window", "window_start", "send_window.start", "window_start",
	"send_window.end", "window_end", NULL};

static const struct res_action mailing_actions[] = {
	{"cancel", "admin.mailing.act_cancel", "admin.mailing.outcome_cancelled", "cancelled", mailing_cancel},
	{"retry-failed", "admin.mailing.act_retry", "admin.mailing.outcome_retried", "retried", mailing_retry_failed},
};

const struct resource res_mailings = {
	.kind = "mailing", .key = "id", .key_is_id = 1, .model = &mailing_model,
	.base = "/admin/mailings/",
	.fields = mailing_fields, .nfields = ARRAY_LEN(mailing_fields),
	.filters = mailing_filters, .nfilters = ARRAY_LEN(mailing_filters),
	.cols = mailing_cols, .ncols = ARRAY_LEN(mailing_cols), .sorts = mailing_sorts,
	.not_found = "admin.res.mailing.not_found",
	.notices = mailing_notices,
	.delete_note_of = admin_mailing_delete_note, .delete_many_question = admin_mailing_delete_many,
	.actions = mailing_actions, .nactions = ARRAY_LEN(mailing_actions), .list_row = admin_mailing_list_row,
	.form_in = admin_mailing_form_in, .form_out = admin_mailing_form_out, .add_values = admin_mailing_clone,
	.created_page = admin_mailing_created, .creator = "created_by", .form_names = mailing_form_names, .composer = 1,
	.own_page = 1, .editable = admin_mailing_editable,
};

/* --- webhooks: everyone manages their own, admins see everyone's in the admin (the API shows
 * each user only their own, admins too: API.md 9.6); the secret is write-only; a webhook's
 * page lists its recent deliveries and sends a test event (webhook_admin.c) ----------------- */

#define WEBHOOK_FIELDS(secret_label, secret_hint, secret_required) \
	{"url", "admin.col.url", "text", NULL, "admin.res.webhook.url_hint", 1, WEBHOOK_URL_MAX, NULL}, \
	{"events", "admin.res.webhook.events", "text", NULL, "admin.res.webhook.events_hint", 1, 0, NULL}, \
	{"secret", secret_label, "password", NULL, secret_hint, secret_required, WEBHOOK_SECRET_MAX, NULL}, \
	{"enabled", "admin.col.enabled", "checkbox", NULL, NULL, 0, 0, NULL}

static const struct admin_field webhook_fields[] = {
	WEBHOOK_FIELDS("admin.res.webhook.secret", "admin.res.webhook.secret_hint", 1),
};

static const struct admin_field webhook_edit_fields[] = {
	WEBHOOK_FIELDS("admin.res.webhook.new_secret", "admin.res.webhook.new_secret_hint", 0),
};

static const struct admin_field webhook_filters[] = {
	{"user_id", "admin.col.user", "owner", NULL, NULL, 0, 0, NULL},
};

static const struct admin_col webhook_cols[] = {
	{"admin.col.id", "id", "id", NULL},
	{"admin.col.url", "url", NULL, NULL},
	{"admin.col.enabled", "enabled", NULL, NULL},
	{"admin.col.user", "username", NULL, NULL},
	{"admin.col.updated", "updated_at", NULL, NULL},
};

static const char *const webhook_sorts[] = {"id", "-id", NULL};
static const char *const webhook_notices[] = {"created", "admin.res.webhook.created", "updated",
					      "admin.res.webhook.updated", "deleted", "admin.res.webhook.deleted", NULL};

const struct resource res_webhooks = {
	.kind = "webhook", .key = "id", .key_is_id = 1, .model = &webhook_model,
	.api_base = "/api/v1/webhooks/", .api_sort = "id", .api_own = 1,
	.base = "/admin/webhooks/", .name_field = "url",
	.fields = webhook_fields, .nfields = ARRAY_LEN(webhook_fields),
	.edit_fields = webhook_edit_fields, .nedit_fields = ARRAY_LEN(webhook_edit_fields),
	.add_defaults = "{\"enabled\": true, \"events\": \"message.sent, message.failed\"}",
	.filters = webhook_filters, .nfilters = ARRAY_LEN(webhook_filters), .count_of = webhook_count_of,
	.cols = webhook_cols, .ncols = ARRAY_LEN(webhook_cols), .sorts = webhook_sorts,
	.q_placeholder = "admin.res.webhook.q_placeholder",
	.not_found = "admin.res.webhook.not_found",
	.notices = webhook_notices,
	.edit_extra = webhook_admin_edit_extra,
	.form_in = webhook_admin_form_in, .form_out = webhook_admin_form_out,
};
