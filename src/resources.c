/* resources.c — the resource descriptors: what each resource's fields, columns, sorts and
 * messages are, and which model serves it. Read with routes.c, whose rows name them. */
#include "admin.h"
#include "admin_client.h"
#include "admin_handlers.h"
#include "model_client.h"
#include "model_mailing.h"
#include "model_operator.h"
#include "model_smpp_account.h"
#include "model_stoplist.h"
#include "model_tag.h"
#include "model_token.h"
#include "model_user.h"
#include "session.h"
#include "util.h"

#include <stdlib.h>

/* --- operators ------------------------------------------------------------------------- */

static const struct admin_field operator_fields[] = {
	{"code", "Code", "text", NULL, "Exactly 3 digits, e.g. 916.", 1, 3, "[0-9]{3}"},
	{"name", "Name", "text", NULL, "Up to 100 characters; may be empty.", 0, 100, NULL},
};

static const struct admin_col operator_cols[] = {
	{"Code", "code", "code"},
	{"Name", "name", "name"},
	{"Updated", "updated_at", NULL},
};

static const char *const operator_sorts[] = {"code", "-code", "name", "-name", NULL};
static const char *const operator_notices[] = {"created", "The operator was added.", "updated",
					       "The operator was saved.", "deleted", "The operator was deleted.", NULL};

const struct resource res_operators = {
	.kind = "operator", .key = "code", .model = &operator_model,
	.api_base = "/api/v1/operators/", .api_sort = "code",
	.api_in_use = "clients use this operator; move or delete them first",
	.base = "/admin/operators/", .one = "operator", .title = "Operator", .many = "Operators",
	.fields = operator_fields, .nfields = ARRAY_LEN(operator_fields),
	.cols = operator_cols, .ncols = ARRAY_LEN(operator_cols), .sorts = operator_sorts,
	.not_found = "There is no operator with this code.",
	.in_use = "Clients use this operator. Move or delete them first.",
	.in_use_many = "Clients use some of these operators; nothing was deleted.",
	.notices = operator_notices,
};

/* --- tags ------------------------------------------------------------------------------ */

static const struct admin_field tag_fields[] = {
	{"name", "Name", "text", NULL, "1 to 64 characters. Clients keep their tag when it is renamed.", 1, 64, NULL},
};

static const struct admin_col tag_cols[] = {
	{"Name", "name", "name"},
	{"Clients", "clients", NULL},
	{"Created", "created_at", "id"},
	{"Updated", "updated_at", NULL},
};

static const char *const tag_sorts[] = {"name", "-name", "id", "-id", NULL};
static const char *const tag_notices[] = {"created", "The tag was added.", "updated", "The tag was saved.",
					  "deleted", "The tag was deleted.", NULL};

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
					pool_printf(&req->pool, "Its clients (%lld)",
						    (long long)json_integer_value(json_object_get(obj, "clients")))));
}

/* A tag that clients use is not offered for deletion: a normal page says why. */
static int tag_delete_refused(struct http_req *req, json_t *obj)
{
	const char *name = json_string_value(json_object_get(obj, "name"));
	json_int_t clients = json_integer_value(json_object_get(obj, "clients"));
	if (clients == 0)
		return 0;
	const char *msg = pool_printf(&req->pool, "The tag “%s” cannot be deleted: %lld client%s use%s it. Give them "
				      "another tag or delete them first.", name, (long long)clients,
				      clients == 1 ? "" : "s", clients == 1 ? "s" : "");
	admin_page(req, 200, "admin/detail",
		   json_pack("{s:s+, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:I}], s:{s:[{s:s, s:s}]}}", "heading",
			     "Delete tag ", name, "error", msg, "back_href",
			     pool_printf(&req->pool, "/admin/tags/%lld", (long long)json_integer_value(json_object_get(obj, "id"))),
			     "back_label", "Tag", "items", "label", "Name", "value", name, "label", "Clients", "value",
			     clients, "links", "items", "href", clients_href(req, obj), "label", "Show its clients"));
	return 1;
}

const struct resource res_tags = {
	.kind = "tag", .key = "id", .key_is_id = 1, .model = &tag_model,
	.api_base = "/api/v1/tags/", .api_sort = "id", .api_taken = "a tag with this name already exists",
	.api_in_use = "clients use this tag; retag or delete them first",
	.base = "/admin/tags/", .one = "tag", .title = "Tag", .many = "Tags", .name_field = "name",
	.fields = tag_fields, .nfields = ARRAY_LEN(tag_fields),
	.cols = tag_cols, .ncols = ARRAY_LEN(tag_cols), .sorts = tag_sorts, .q_placeholder = "Part of a name",
	.not_found = "There is no such tag.",
	.in_use = "Clients use this tag, so it was not deleted. Give them another tag or delete them first.",
	.notices = tag_notices,
	.edit_extra = tag_edit_extra,
	.delete_refused = tag_delete_refused,
};

/* --- SMPP accounts: admins only (routes.c); disabling or deleting one closes its binds within
 * a second (smpp_check.c), other changes apply to the next bind ----------------------------- */

#define SYSTEM_ID_FIELD {"system_id", "System ID", "text", NULL, \
	"1 to 16 printable ASCII characters without spaces; the ESME binds with it.", 1, 16, NULL}
#define SMPP_TAIL_FIELDS \
	{"throughput", "Throughput", "number", NULL, "submit_sm per second, 1 to 1000000.", 1, 7, NULL}, \
	{"allowed_cidrs", "Allowed networks", "text", NULL, \
	 "Comma-separated CIDRs such as 10.0.0.0/8, 192.0.2.7; empty: any address.", 0, 4096, NULL}, \
	{"enabled", "Enabled (may bind)", "checkbox", NULL, NULL, 0, 0, NULL}

static const struct admin_field smpp_fields[] = {
	SYSTEM_ID_FIELD,
	{"password", "Password", "password", NULL,
	 "1 to 64 printable ASCII characters without spaces (SMPP 3.4 clients send at most 8).", 1, 64, NULL},
	SMPP_TAIL_FIELDS,
};

static const struct admin_field smpp_edit_fields[] = {
	SYSTEM_ID_FIELD,
	{"password", "New password", "password", NULL, "Leave empty to keep the current one.", 0, 64, NULL},
	SMPP_TAIL_FIELDS,
};

static const struct admin_col smpp_cols[] = {
	{"System ID", "system_id", NULL},
	{"Throughput /s", "throughput", NULL},
	{"Allowed networks", "allowed_cidrs", NULL},
	{"Enabled", "enabled", NULL},
	{"Updated", "updated_at", NULL},
};

static const char *const smpp_sorts[] = {"system_id", NULL};
static const char *const smpp_notices[] = {
	"created", "The SMPP account was added.",
	"updated", "The SMPP account was saved; a disabled account's binds close within a second, other changes "
		   "apply to the next bind.",
	"deleted", "The SMPP account was deleted.", NULL};

const struct resource res_smpp_accounts = {
	.kind = "smpp_account", .key = "id", .key_is_id = 1, .model = &smpp_account_model,
	.base = "/admin/smpp-accounts/", .one = "SMPP account", .title = "SMPP account", .many = "SMPP accounts",
	.name_field = "system_id",
	.fields = smpp_fields, .nfields = ARRAY_LEN(smpp_fields),
	.edit_fields = smpp_edit_fields, .nedit_fields = ARRAY_LEN(smpp_edit_fields),
	.add_defaults = "{\"throughput\": 100, \"enabled\": true}",
	.delete_note = "Clients can no longer bind with it; receipts not yet delivered to it are dropped.",
	.cols = smpp_cols, .ncols = ARRAY_LEN(smpp_cols), .sorts = smpp_sorts,
	.q_placeholder = "Part of a system ID",
	.not_found = "There is no such SMPP account.",
	.notices = smpp_notices,
};

/* --- users: admins only (routes.c); the password page is admin_users.c ------------------- */

static const struct admin_field user_fields[] = {
	{"username", "User name", "text", NULL, "1 to 64 letters, digits or _ . @ -", 1, 64, NULL},
	{"password", "Password", "password", NULL, "At least 8 characters.", 1, PASSWORD_MAX, NULL},
	{"role", "Role", "select", "viewer,operator,admin", "Viewers read; operators also change data; admins also manage users.", 1, 0, NULL},
	{"language", "admin.users.language", "select", ",ru,en", "admin.users.language_hint", 0, 0, NULL},
};

static const struct admin_field user_edit_fields[] = {
	{"role", "Role", "select", "viewer,operator,admin", NULL, 1, 0, NULL},
	{"is_active", "Active (may sign in and use API tokens)", "checkbox", NULL, NULL, 0, 0, NULL},
	{"language", "admin.users.language", "select", ",ru,en", "admin.users.language_hint", 0, 0, NULL},
};

static const struct admin_col user_cols[] = {
	{"User name", "username", NULL},   /* one order only: no sort link that would offer another */
	{"Role", "role", NULL},
	{"Active", "is_active", NULL},
	{"Last sign-in", "last_login_at", NULL},
	{"Created", "created_at", NULL},
};

static const char *const user_sorts[] = {"username", NULL};
static const char *const user_notices[] = {"created", "The user was added.", "updated", "The user was saved.",
					   "password", "The password was reset; the user was signed out everywhere.", NULL};

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
					"label", "Reset password…"));
}

const struct resource res_users = {
	.kind = "user", .key = "id", .key_is_id = 1, .model = &user_model,
	.base = "/admin/users/", .one = "user", .title = "User", .many = "Users", .name_field = "username",
	.fields = user_fields, .nfields = ARRAY_LEN(user_fields),
	.edit_fields = user_edit_fields, .nedit_fields = ARRAY_LEN(user_edit_fields),
	.add_defaults = "{\"role\": \"viewer\"}",
	.cols = user_cols, .ncols = ARRAY_LEN(user_cols), .sorts = user_sorts,
	.not_found = "There is no such user.",
	.notices = user_notices,
	.updated = user_updated,
	.edit_extra = user_edit_extra,
};

/* --- the stop list: phones that receive nothing (model_stoplist.h); the API adds them in bulk
 * from CSV (POST /api/v1/stoplist/import) -------------------------------------------------- */

static const struct admin_field stoplist_fields[] = {
	{"phone", "Phone", "tel", NULL, "79161234567, +7 (916) 123-45-67 or 8 916 123 45 67; stored as 79161234567.", 1,
	 PHONE_INPUT_MAX, NULL},
	{"reason", "Reason", "text", NULL, "Up to 256 characters; may be empty.", 0, STOPLIST_REASON_MAX, NULL},
};

static const struct admin_col stoplist_cols[] = {
	{"Phone", "phone", "phone"},
	{"Reason", "reason", NULL},
	{"Added", "created_at", NULL},
};

static const char *const stoplist_sorts[] = {"phone", "-phone", NULL};
static const char *const stoplist_notices[] = {"created", "The phone was added to the stop list.", "updated",
					       "The reason was saved.", "deleted",
					       "The phone was taken off the stop list.", NULL};

const struct resource res_stoplist = {
	.kind = "stoplist", .key = "phone", .model = &stoplist_model,
	.base = "/admin/stoplist/", .one = "phone", .title = "Stop list:", .many = "Stop list",
	.fields = stoplist_fields, .nfields = ARRAY_LEN(stoplist_fields),
	.delete_note = "Mailings and direct sends reach it again.",
	.cols = stoplist_cols, .ncols = ARRAY_LEN(stoplist_cols), .sorts = stoplist_sorts,
	.q_placeholder = "Part of a phone, e.g. 7916",
	.not_found = "This phone is not on the stop list.",
	.notices = stoplist_notices,
};

/* --- clients: filtered lists read from their filter's index (model_client.c); the list links
 * to the CSV export and import (admin_client_export.c, admin_clients.c); the API upserts in
 * bulk (POST /api/v1/clients/bulk) ---------------------------------------------------------- */

static const struct admin_field client_fields[] = {
	{"phone", "Phone", "tel", NULL, "79161234567, +7 (916) 123-45-67 or 8 916 123 45 67; stored as 79161234567.", 1,
	 PHONE_INPUT_MAX, NULL},
	{"operator_code", "Operator code", "text", NULL,
	 "3 digits; empty: digits 2 to 4 of the phone. An unknown code creates the operator.", 0, 3, "[0-9]{3}"},
	{"tag", "Tag", "text", NULL, "Up to 64 characters; empty: no tag. An unknown name creates the tag.", 0, 64, NULL},
	{"timezone", "Time zone", "text", NULL, "An IANA name such as Europe/Moscow; empty: the default time zone.", 0, 64, NULL},
};

/* in struct client_filter's order */
static const struct admin_field client_filters[] = {
	{"tag", "Tag", "text", NULL, "any", 0, 0, NULL},
	{"operator_code", "Operator", "text", NULL, "any", 0, 0, NULL},
	{"phone_prefix", "Search (a phone prefix)", "search", NULL, NULL, 0, 0, NULL},
	{"timezone", "Time zone", "text", NULL, "any", 0, 0, NULL},
};

static const struct admin_col client_cols[] = {
	{"Phone", "phone", "phone"},
	{"Operator", "operator_code", NULL},
	{"Tag", "tag", NULL},
	{"Time zone", "timezone", NULL},
	{"Created", "created_at", "id"},
};

static const char *const client_sorts[] = {"-id", "id", "phone", "-phone", NULL};
static const char *const client_notices[] = {
	"created", "The client was added.", "updated", "The client was saved.",
	"deleted", "The client was deleted; its pending messages were cancelled.",
	"bulk_deleted", "The selected clients were deleted; their pending messages were cancelled.", NULL};

const struct resource res_clients = {
	.kind = "client", .key = "id", .key_is_id = 1, .model = &client_model,
	.api_base = "/api/v1/clients/", .api_sort = "id", .api_taken = "a client with this phone already exists",
	.base = "/admin/clients/", .one = "client", .title = "Client", .many = "Clients", .name_field = "phone",
	.fields = client_fields, .nfields = ARRAY_LEN(client_fields), .form_given = 1,
	.cols = client_cols, .ncols = ARRAY_LEN(client_cols), .sorts = client_sorts,
	.filters = client_filters, .nfilters = ARRAY_LEN(client_filters),
	.list_json = client_list_json, .count_of = client_count,
	.q_placeholder = "Phone prefix, e.g. 7916",
	.not_found = "There is no such client.",
	.notices = client_notices, .bulk_done = "bulk_deleted",
	.list_extra = admin_clients_list_extra,
	.delete_note_of = admin_clients_delete_note,
};

/* --- API tokens: everyone manages their own, admins everyone's; a new token is shown once
 * (admin_tokens.c), herald keeps its hash (model_token.h); deleting revokes ---------------- */

static const struct admin_field token_fields[] = {
	{"name", "Name", "text", NULL, "What the token is for, e.g. “billing export”.", 1, 100, NULL},
};

static const struct admin_field token_filters[] = {
	{"user_id", "User", "owner", NULL, NULL, 0, 0, NULL},
};

static const struct admin_col token_cols[] = {
	{"Name", "name", NULL},
	{"Starts with", "prefix", NULL},
	{"User", "username", NULL},
	{"Created", "created_at", NULL},
	{"Last used", "last_used_at", NULL},
	{"Revoked", "revoked_at", NULL},
};

static const char *const token_sorts[] = {"newest", NULL};
static const char *const token_notices[] = {"revoked", "The token was revoked.", NULL};

const struct resource res_tokens = {
	.kind = "token", .key = "id", .key_is_id = 1, .model = &token_model,
	.base = "/admin/tokens/", .one = "API token", .title = "API token", .many = "API tokens", .name_field = "name",
	.fields = token_fields, .nfields = ARRAY_LEN(token_fields),
	.filters = token_filters, .nfilters = ARRAY_LEN(token_filters),
	.cols = token_cols, .ncols = ARRAY_LEN(token_cols), .sorts = token_sorts,
	.not_found = "There is no such active token of yours.",
	.notices = token_notices,
	.delete_note = "Programs using this token will be refused from now on. This cannot be undone.",
	.secret = "token", .created_page = admin_tokens_created, .list_extra = admin_tokens_list_extra,
	.delete_verb = "Revoke", .deleted = "revoked",
};

/* --- mailings: the pages are admin_mailings.c's (filters, progress, state rules); times in
 * the forms are UTC ----------------------------------------------------------------------- */

static const struct admin_field mailing_fields[] = {
	{"start_at", "Start (UTC)", "datetime-local", NULL,
	 "Coordinated Universal Time. A start already past starts the mailing at once.", 1, 0, NULL},
	{"end_at", "End (UTC)", "datetime-local", NULL,
	 "Coordinated Universal Time. Nothing is sent after it; what is left expires.", 1, 0, NULL},
	{"text", "Text", "textarea", NULL, "1 to 4096 characters.", 1, MAILING_TEXT_MAX, NULL},
	{"operator_codes", "Operator codes", "text", NULL,
	 "Comma-separated, e.g. 916, 926. Empty: clients of every operator.", 0, 0, NULL},
	{"tags", "Tags", "text", NULL, "Comma-separated tag names. Empty: clients with any tag or none.", 0, 0, NULL},
	{"window_start", "Send window from", "time", NULL,
	 "In each client's own time zone. Leave both empty to send at any hour.", 0, 0, NULL},
	{"window_end", "Send window until", "time", NULL,
	 "Earlier than the start wraps midnight (22:00 to 06:00).", 0, 0, NULL},
};

static const struct admin_col mailing_cols[] = {
	{"ID", "id", "id"},
	{"Status", "status", NULL},
	{"Start", "start_at", "start_at"},
	{"End", "end_at", NULL},
	{"Text", "excerpt", NULL},
	{"Sent / total", "progress", NULL},
};

static const char *const mailing_sorts[] = {"-id", "id", "start_at", "-start_at", NULL};
static const char *const mailing_notices[] = {
	"created", "The mailing was created.", "updated", "The mailing was saved.",
	"deleted", "The mailing was deleted with its messages.",
	"cancelled", "The mailing was cancelled; its pending messages are cancelled.",
	"retried", "Failed messages are pending again.", NULL};

const struct resource res_mailings = {
	.kind = "mailing", .key = "id", .key_is_id = 1, .model = &mailing_model,
	.base = "/admin/mailings/", .one = "mailing", .title = "Mailing", .many = "Mailings",
	.fields = mailing_fields, .nfields = ARRAY_LEN(mailing_fields),
	.cols = mailing_cols, .ncols = ARRAY_LEN(mailing_cols), .sorts = mailing_sorts,
	.not_found = "There is no mailing with this id.",
	.notices = mailing_notices,
};
