/* admin_composer.c — what the admin tells while a mailing is written (issue 13, the composer):
 * how many clients its filter reaches now and what its text costs as SMS, as fragments the
 * mailing form asks for as they are typed (htmx; read-only GETs); the text a sample client
 * would get (a mailing's preview page) and a test send of it to one phone. Cloning a mailing
 * is the add form's (admin_mailings.c, ?from=). */
#include "admin.h"
#include "admin_handlers.h"
#include "admin_mailing.h"
#include "audit.h"
#include "form.h"
#include "i18n.h"
#include "model_mailing.h"
#include "model_message.h"
#include "model_stoplist.h"
#include "model_template.h"
#include "personal.h"
#include "pgarr.h"
#include "phone.h"
#include "recipients.h"
#include "sms.h"
#include "tmpl.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define R (&res_mailings)

json_t *admin_sms_size(struct http_req *req, const char *text)
{
	struct sms_size sz;
	sms_measure(text, &sz);
	int gsm = strcmp(sz.encoding, "gsm7") == 0, personal = personal_is(text);
	char *segments = i18n_plural(admin_lang(req), "admin.sms.segments", sz.segments, sz.segments);
	pool_defer(&req->pool, free, segments);
	const char *encoding = gsm ? admin_t(req, "admin.sms.gsm7") : "UCS-2";
	const char *summary = admin_format(req, "admin.sms.summary", segments, encoding, sz.units);
	if (personal)
		summary = admin_format(req, "admin.sms.personal", summary);
	return json_pack("{s:i, s:s, s:I, s:b, s:s}", "segments", sz.segments, "encoding", encoding,
			 "length", (json_int_t)sz.units, "personal", personal, "summary", summary);
}

/* GET /admin/mailings/composer/recipients?operator_codes=&tags= (comma lists, as the form
 * has them). */
void admin_composer_recipients(struct http_req *req)
{
	struct mailing_in in = {0};
	struct verr v = VERR_INIT;
	struct db *db;
	mailing_filter_validate(pool_pack(&req->pool, "{s:o, s:o}", "operator_codes",
					  admin_mailing_split(http_query(req, "operator_codes")), "tags",
					  admin_mailing_split(http_query(req, "tags"))),
				&in, &v);
	if (verr_any(&v)) {
		verr_free(&v);
		admin_page(req, 200, "admin/composer_recipients",
			   pool_pack(&req->pool, "{s:s}", "problem", admin_t(req, "admin.composer.invalid_filter")));
	} else if ((db = admin_db(req)) != NULL) {
		int64_t n = 0;
		enum model_rc rc = recipients_count(db, in.operator_codes, in.tags, &n);
		if (rc != MODEL_OK)
			http_fail(req, rc, NULL, NULL);
		else
			admin_page(req, 200, "admin/composer_recipients",
				   pool_pack(&req->pool, "{s:s}", "text", admin_plural(req, "admin.composer.recipients", n)));
	}
	mailing_in_free(&in);
}

/* GET /admin/mailings/composer/size?text=&template= (the template's text when there is no
 * text). */
void admin_composer_size(struct http_req *req)
{
	const char *text = http_query(req, "text"), *name = http_query(req, "template");
	char *owned = NULL, err[300];
	struct db *db;
	int64_t id;
	if ((text == NULL || *text == '\0') && name && *name) {
		if ((db = admin_db(req)) == NULL)
			return;
		enum model_rc rc = template_find(db, name, &id, &owned);
		pool_defer(&req->pool, free, owned);
		if (rc != MODEL_OK && rc != MODEL_NOT_FOUND) {
			http_fail(req, rc, NULL, NULL);
			return;
		}
		text = owned;
	}
	json_t *page = pool_json(&req->pool, json_object());
	if (text && *text) {
		struct tmpl_set *t = personal_is(text) ? personal_parse(text, err, sizeof(err)) : NULL;
		json_object_set_new(page, "size", admin_sms_size(req, text));
		if (personal_is(text) && t == NULL)
			json_object_set_new(page, "problem", json_string(admin_format(req, "admin.composer.not_template", err)));
		tmpl_set_free(t);
	}
	admin_page(req, 200, "admin/composer_size", page);
}

/* The preview page of mailing o: the text for phone (normalised; NULL: the first recipient of
 * its filter) with its size, a test form; error: why phone_typed was not used (a catalogue
 * path). */
static void preview_page(struct http_req *req, struct admin_obj *o, int status, const char *phone,
			 const char *phone_typed, const char *error)
{
	json_t *filter = json_object_get(o->obj, "filter"), *pv = NULL;
	int sample = phone == NULL;
	if (sample) {
		char *ops = pgarr_from_json(json_object_get(filter, "operator_codes"));
		char *tags = pgarr_from_json(json_object_get(filter, "tags"));
		char first[PHONE_LEN + 1];
		pool_defer(&req->pool, free, ops);
		pool_defer(&req->pool, free, tags);
		enum model_rc rc = recipients_sample(o->db, ops, tags, first);
		if (rc != MODEL_OK && rc != MODEL_NOT_FOUND) {
			http_fail(req, rc, NULL, NULL);
			return;
		}
		phone = rc == MODEL_OK ? pool_strdup(&req->pool, first) : NULL;
	}
	enum model_rc rc = mailing_preview(o->db, o->k.id, 0, phone, &pv);
	if (rc != MODEL_OK) {
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? R->not_found : NULL, NULL);
		return;
	}
	pool_json(&req->pool, pv);
	const char *text = json_string_value(json_object_get(pv, "text"));
	json_t *page = pool_pack(&req->pool, "{s:s, s:s, s:s, s:s, s:s, s:s*, s:s, s:b, s:b, s:s*}", "heading",
				 admin_format(req, "admin.preview.heading", o->k.text), "back_href", o->self, "back_label",
				 admin_format(req, "admin.res.mailing.edit", o->k.text),
				 "action", pool_printf(&req->pool, "%s/preview", o->self),
				 "test_action", pool_printf(&req->pool, "%s/test", o->self), "phone",
				 phone_typed ? phone_typed : phone, "text", text ? text : "", "sample", sample,
				 "can_test", req->user.role >= ROLE_OPERATOR && text && *text && phone,
				 "error", error ? admin_t(req, error) : NULL);
	if (text && *text)
		json_object_set_new(page, "size", admin_sms_size(req, text));
	if (phone) {
		json_object_set_new(page, "recipient", json_string(phone));
		json_object_set_new(page, "what", json_string(admin_format(req, "admin.preview.what", phone)));
		json_object_set_new(page, "test_note", json_string(admin_format(req, "admin.preview.test_note", phone)));
		json_object_set_new(page, "test_button", json_string(admin_format(req, "admin.preview.test_button", phone)));
	}
	const char *done = http_query(req, "message");
	if (done && *done)
		json_object_set_new(page, "notice", json_string(admin_format(req, "admin.preview.queued", done)));
	admin_page(req, status, "admin/mailing_preview", page);
}

void admin_mailings_preview(struct http_req *req)
{
	struct admin_obj o;
	char phone[PHONE_LEN + 1];
	if (admin_res_open(req, R, &o) < 0)
		return;
	const char *typed = http_query(req, "phone");
	if (typed == NULL || *typed == '\0')
		preview_page(req, &o, 200, NULL, NULL, NULL);
	else if (phone_normalise(typed, phone) < 0)
		preview_page(req, &o, 422, NULL, typed, "admin.preview.not_phone");
	else
		preview_page(req, &o, 200, pool_strdup(&req->pool, phone), NULL, NULL);
}

/* POST /admin/mailings/{id}/test: the text for that phone, sent as a direct message. */
void admin_mailings_test(struct http_req *req)
{
	struct admin_obj o;
	char phone[PHONE_LEN + 1];
	json_t *pv;
	if (admin_res_open(req, R, &o) < 0)
		return;
	const char *typed = form_str(admin_form(req), "phone");
	if (typed == NULL || phone_normalise(typed, phone) < 0) {
		preview_page(req, &o, 422, NULL, typed ? typed : "", "admin.preview.not_phone");
		return;
	}
	int stopped = stoplist_has(o.db, phone);
	enum model_rc rc = stopped < 0 ? model_db_rc(o.db) : mailing_preview(o.db, o.k.id, 0, phone, &pv);
	if (rc != MODEL_OK) {
		http_fail(req, rc, rc == MODEL_NOT_FOUND ? R->not_found : NULL, NULL);
		return;
	}
	pool_json(&req->pool, pv);
	const char *text = json_string_value(json_object_get(pv, "text"));
	if (stopped || text == NULL || *text == '\0') {
		preview_page(req, &o, 422, pool_strdup(&req->pool, phone), NULL,
			     stopped ? "admin.preview.stopped" : "admin.preview.empty_text");
		return;
	}
	struct message_in in = {.phone = phone, .text = text};
	json_t *m = NULL;
	rc = message_send(o.db, &in, req->user.id, &m);
	pool_json(&req->pool, m);
	if (rc != MODEL_OK) {
		http_fail(req, rc, NULL, NULL);
		return;
	}
	const char *mid = pool_printf(&req->pool, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
	audit_outcome(o.db, req, res_object(req, R, o.k.text),
		      pool_pack(&req->pool, "{s:s, s:s}", "phone", phone, "message_id", mid));
	admin_redirect(req, pool_printf(&req->pool, "%s/preview?phone=%s&message=%s", o.self, phone, mid));
}
