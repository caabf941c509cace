/* admin_providers.c — what the provider pages add to the generic ones of res_providers
 * (resources.c): the form's texts as the API's values and back, and what the list shows. */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "util.h"

#include <stdint.h>

int admin_providers_form_in(struct http_req *req, struct db *db, json_t *in, struct verr *v)
{
	static const char *const nums[] = {"weight", "rate", "concurrency"}, *const secrets[] = {"token", "dlr_secret"};
	const char *s;
	int64_t n;
	for (size_t i = 0; i < ARRAY_LEN(secrets); i++)
		if ((s = json_string_value(json_object_get(in, secrets[i]))) != NULL && *s == '\0')
			json_object_del(in, secrets[i]);
	if ((s = json_string_value(json_object_get(in, "operator_codes"))) != NULL)
		json_object_set_new(in, "operator_codes", admin_mailing_split(s));
	for (size_t i = 0; i < ARRAY_LEN(nums); i++)
		if ((s = json_string_value(json_object_get(in, nums[i]))) != NULL && parse_i64(s, INT64_MIN, INT64_MAX, &n) == 0)
			json_object_set_new(in, nums[i], json_integer(n));
	s = json_string_value(json_object_get(in, "enabled"));
	json_object_set_new(in, "enabled", json_boolean(s && *s));
	return 0;
}

void admin_providers_form_out(struct http_req *req, struct db *db, json_t *values)
{
	json_object_set_new(values, "operator_codes", admin_mailing_join(json_object_get(values, "operator_codes")));
}

void admin_providers_list_row(struct http_req *req, json_t *obj)
{
	json_t *codes = json_object_get(obj, "operator_codes"), *rate = json_object_get(obj, "rate");
	json_object_set_new(obj, "codes_cell", json_pack("{s:o, s:b}", "text", json_array_size(codes) ? admin_mailing_join(codes)
							 : json_string(admin_t(req, "admin.col.any")), "data", json_array_size(codes) > 0));
	json_object_set_new(obj, "rate_cell", json_integer_value(rate) ? json_pack("{s:o}", "text", admin_cell(req, rate))
			    : json_pack("{s:s}", "text", admin_t(req, "admin.res.provider.no_limit")));
	json_object_set_new(obj, "token_cell", json_pack("{s:s}", "text", admin_t(req, json_is_true(json_object_get(obj, "token_set"))
										  ? "admin.res.provider.set" : "admin.res.provider.not_set")));
}
