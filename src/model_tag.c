/* model_tag.c — tags. Clients refer to a tag by id, so a rename reaches them by itself; the
 * "clients" column is kept by triggers on clients (sql/001_core.sql). */
#include "model_tag.h"
#include "log.h"
#include "util.h"


#define TAG_JSON \
	"json_build_object('id', id, 'name', name, 'clients', clients, 'created_at', api_ts(created_at)," \
	" 'updated_at', api_ts(updated_at))::text"

/* The name of in: required unless partial (NULL then when not given). 0 or -1 with errors. */
static int validate(json_t *in, int partial, const char **name, struct model_err *e)
{
	static const char *const fields[] = {"name", NULL};
	jv_only(in, fields, &e->fields);
	*name = NULL;
	jv_str(in, "name", !partial, 1, TAG_NAME_MAX, name, &e->fields);
	if (verr_any(&e->fields)) {
		e->rc = MODEL_INVALID;
		return -1;
	}
	return 0;
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	static const char q[] = "INSERT INTO tags (name) VALUES ($1) RETURNING " TAG_JSON;
	const char *name;
	if (validate(in, 0, &name, e) < 0)
		return e->rc;
	const char *p[] = {name};
	if (res_written(db, db_exec(db, q, 1, p), e, "name", "valid.tag_exists", out) == MODEL_OK)
		log_info("tag.created", LI("tag_id", json_integer_value(json_object_get(*out, "id"))), LS("name", name));
	return e->rc;
}

static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	static const char q[] = "UPDATE tags SET name = coalesce($2, name), updated_at = now()"
				" WHERE id = $1::bigint RETURNING " TAG_JSON;
	const char *name;
	if (validate(in, partial, &name, e) < 0)
		return e->rc;
	const char *p[] = {k->text, name};
	if (res_written(db, db_exec(db, q, 2, p), e, "name", "valid.tag_exists", out) == MODEL_OK)
		log_info("tag.updated", LS("tag_id", k->text));
	return e->rc;
}

RES_NAME_ID_MODEL(tag_model, insert, update, TAG_JSON, "tags", "strpos(lower(name), lower($2)) > 0", "tag.deleted", "tag_id");
