/* model_provider.c — providers. token and dlr_secret are written, never read back: the object
 * says only whether each is set. */
#include "model_provider.h"
#include "config.h"
#include "log.h"
#include "util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define PROVIDER_NONE_EVERY_MS 5000LL   /* provider_none_enabled() reads the table this often */

#define PROVIDER_JSON \
	"json_build_object('id', id, 'name', name, 'kind', kind, 'url', url, 'operator_codes', operator_codes," \
	" 'weight', weight, 'rate', rate, 'concurrency', concurrency, 'enabled', enabled," \
	" 'token_set', token IS NOT NULL, 'dlr_secret_set', dlr_secret IS NOT NULL," \
	" 'created_at', api_ts(created_at), 'updated_at', api_ts(updated_at))::text"

/* A write's values as SQL parameters, in the statements' order; NULL: not given. token and
 * dlr_secret are "" when given as null (cleared). */
enum { P_NAME, P_KIND, P_URL, P_TOKEN, P_SECRET, P_CODES, P_WEIGHT, P_RATE, P_CONC, P_ENABLED, P_N };

struct provider_in {
	const char *p[P_N];
	char nums[3][DB_NUM_LEN];
	char *codes;
};

static void secret_in(json_t *in, const char *field, size_t max, const char **out, struct verr *v)
{
	json_t *f = json_object_get(in, field);
	if (f == NULL)
		return;
	if (json_is_null(f))
		*out = "";
	else if (!json_is_string(f) || !valid_visible(json_string_value(f), 1, max))
		verr_add(v, field, "valid.visible", (int)max);
	else
		*out = json_string_value(f);
}

/* The url of the kind given; in a partial write without a kind, of either kind (the table's
 * check holds it to the row's kind). */
static void url_in(json_t *in, int partial, struct provider_in *t, struct verr *v)
{
	const char *url, *kind = t->p[P_KIND] ? t->p[P_KIND] : partial ? NULL : "probe";
	if (jv_str(in, "url", !partial, 1, PROVIDER_URL_MAX, &url, v) != 1)
		return;
	const char *why = valid_provider_url(kind ? kind : "probe", url, PROVIDER_URL_MAX);
	if (why && kind == NULL && valid_provider_url("smpp", url, PROVIDER_URL_MAX) == NULL)
		why = NULL;
	if (why)
		verr_add(v, "url", why, PROVIDER_URL_MAX);
	else
		t->p[P_URL] = url;
}

static void int_in(json_t *in, const char *field, int64_t min, int64_t max, struct provider_in *t, int slot,
		   struct verr *v)
{
	int64_t n;
	if (jv_i64(in, field, 0, min, max, &n, v) != 1)
		return;
	t->p[P_WEIGHT + slot] = db_num(t->nums[slot], n);
}

static int validate(json_t *in, int partial, struct provider_in *t, struct model_err *e)
{
	static const char *const fields[] = {"name", "kind", "url", "token", "dlr_secret", "operator_codes",
					     "weight", "rate", "concurrency", "enabled", NULL};
	int enabled;
	memset(t, 0, sizeof(*t));
	jv_only(in, fields, &e->fields);
	jv_str(in, "name", !partial, 1, PROVIDER_NAME_MAX, &t->p[P_NAME], &e->fields);
	if (jv_str(in, "kind", 0, 1, 16, &t->p[P_KIND], &e->fields) == 1 && strcmp(t->p[P_KIND], "probe") != 0 &&
	    strcmp(t->p[P_KIND], "smpp") != 0) {
		verr_add(&e->fields, "kind", "valid.provider_kind");
		t->p[P_KIND] = NULL;
	}
	url_in(in, partial, t, &e->fields);
	int smpp = t->p[P_KIND] && strcmp(t->p[P_KIND], "smpp") == 0;
	secret_in(in, "token", smpp ? PROVIDER_SMPP_PASSWORD_MAX : PROVIDER_TOKEN_MAX, &t->p[P_TOKEN], &e->fields);
	secret_in(in, "dlr_secret", PROVIDER_SECRET_MAX, &t->p[P_SECRET], &e->fields);
	if (json_object_get(in, "operator_codes"))   /* absent: kept */
		t->p[P_CODES] = t->codes = jv_str_list(in, "operator_codes", "operator_codes", 3, 3, PROVIDER_CODES_MAX,
						       valid_operator_code, &e->fields);
	int_in(in, "weight", 1, PROVIDER_WEIGHT_MAX, t, 0, &e->fields);
	int_in(in, "rate", 0, PROVIDER_RATE_MAX, t, 1, &e->fields);
	int_in(in, "concurrency", 1, PROVIDER_CONCURRENCY_MAX, t, 2, &e->fields);
	if (jv_bool(in, "enabled", 0, &enabled, &e->fields) == 1)
		t->p[P_ENABLED] = enabled ? "t" : "f";
	if (verr_any(&e->fields)) {
		free(t->codes);
		return e->rc = MODEL_INVALID, -1;
	}
	return 0;
}

static enum model_rc written(struct db *db, PGresult *r, struct provider_in *t, struct model_err *e, json_t **out)
{
	free(t->codes);
	if (r == NULL && model_db_rc(db) == MODEL_CHECK)   /* a url of the other kind than the row's */
		return model_err_field(e, MODEL_INVALID, "url", "valid.provider_url_kind");
	return res_written(db, r, e, "name", "valid.provider_exists", out);
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	static const char q[] =
	    "INSERT INTO providers (name, kind, url, token, dlr_secret, operator_codes, weight, rate, concurrency, enabled)"
	    " VALUES ($1, coalesce($2, 'probe'), $3, nullif($4, ''), nullif($5, ''), coalesce($6::text[], '{}'),"
	    " coalesce($7::int, 1), coalesce($8::int, 0), coalesce($9::int, 64), coalesce($10::boolean, true))"
	    " RETURNING " PROVIDER_JSON;
	struct provider_in t;
	if (validate(in, 0, &t, e) < 0)
		return e->rc;
	if (written(db, db_exec(db, q, P_N, t.p), &t, e, out) == MODEL_OK)
		log_info("provider.created", LI("provider_id", json_integer_value(json_object_get(*out, "id"))),
			 LS("name", t.p[P_NAME]));
	return e->rc;
}

static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	static const char q[] =
	    "UPDATE providers SET name = coalesce($1, name), kind = coalesce($2, kind), url = coalesce($3, url),"
	    " token = CASE WHEN $4::text IS NULL THEN token ELSE nullif($4, '') END,"
	    " dlr_secret = CASE WHEN $5::text IS NULL THEN dlr_secret ELSE nullif($5, '') END,"
	    " operator_codes = coalesce($6::text[], operator_codes), weight = coalesce($7::int, weight),"
	    " rate = coalesce($8::int, rate), concurrency = coalesce($9::int, concurrency),"
	    " enabled = coalesce($10::boolean, enabled), updated_at = now()"
	    " WHERE id = $11::bigint RETURNING " PROVIDER_JSON;
	struct provider_in t;
	if (validate(in, partial, &t, e) < 0)
		return e->rc;
	const char *p[P_N + 1];
	memcpy(p, t.p, sizeof(t.p));
	p[P_N] = k->text;
	if (written(db, db_exec(db, q, P_N + 1, p), &t, e, out) == MODEL_OK)
		log_info("provider.updated", LS("provider_id", k->text), LI("token_changed", t.p[P_TOKEN] != NULL),
			 LI("dlr_secret_changed", t.p[P_SECRET] != NULL));
	return e->rc;
}

int provider_default_sync(struct db *db)
{
	static const char up[] =
	    "INSERT INTO providers AS p (name, url, token, rate, concurrency)"
	    " VALUES ('" PROVIDER_DEFAULT "', $1, nullif($2, ''), $3::int, $4::int)"
	    " ON CONFLICT (name) DO UPDATE SET url = excluded.url, token = excluded.token, rate = excluded.rate,"
	    " concurrency = excluded.concurrency, kind = 'probe', enabled = true, updated_at = now()"
	    " WHERE (p.url, p.token, p.rate, p.concurrency, p.kind, p.enabled)"
	    "   IS DISTINCT FROM (excluded.url, excluded.token, excluded.rate, excluded.concurrency, 'probe', true)";
	static const char off[] =
	    "UPDATE providers SET enabled = false, updated_at = now() WHERE name = '" PROVIDER_DEFAULT "' AND enabled";
	char rate[DB_NUM_LEN], conc[DB_NUM_LEN];
	const char *p[] = {cfg.provider_url, cfg.provider_token, db_num(rate, cfg.provider_rate),
			   db_num(conc, cfg.provider_concurrency)};
	int rc = *cfg.provider_url ? db_run(db, up, 4, p) : db_run(db, off, 0, NULL);
	if (rc < 0)
		log_error("provider.default_failed", LS("error", db->err));
	return rc < 0 ? -1 : 0;
}

int provider_none_enabled(struct db *db)
{
	static atomic_int none = 1;
	static atomic_llong checked_ms = -PROVIDER_NONE_EVERY_MS;
	long long now = (long long)(now_mono() * 1000);
	if (db && now - atomic_load(&checked_ms) >= PROVIDER_NONE_EVERY_MS) {
		atomic_store(&checked_ms, now);
		PGresult *r = db_exec(db, "SELECT NOT EXISTS (SELECT 1 FROM providers WHERE enabled)", 0, NULL);
		if (r) {
			atomic_store(&none, db_str(r, 0, 0)[0] == 't');
			PQclear(r);
		}
	}
	return atomic_load(&none);
}

RES_NAME_ID_MODEL(provider_model, insert, update, PROVIDER_JSON, "providers",
		  "strpos(lower(name || ' ' || url), lower($2)) > 0", "provider.deleted", "provider_id");
