/* model_template.c — templates. A scheduled mailing reads its template's text until it starts
 * (sql/023_templates.sql), so an edit reaches the mailings that have not started. */
#include "model_template.h"
#include "log.h"
#include "model_mailing.h"
#include "personal.h"
#include "util.h"

#define TEMPLATE_JSON \
	"json_build_object('id', id, 'name', name, 'text', text, 'mailings', (SELECT count(*) FROM mailings g" \
	" WHERE g.template_id = templates.id AND g.status = 'scheduled'), 'created_at', api_ts(created_at)," \
	" 'updated_at', api_ts(updated_at))::text"

struct template_in {
	const char *name, *text;     /* NULL: not given (partial) */
};

static int validate(json_t *in, int partial, struct template_in *t, struct model_err *e)
{
	static const char *const fields[] = {"name", "text", NULL};
	jv_only(in, fields, &e->fields);
	t->name = t->text = NULL;
	jv_str(in, "name", !partial, 1, TEMPLATE_NAME_MAX, &t->name, &e->fields);
	if (jv_str(in, "text", !partial, 1, MAILING_TEXT_MAX, &t->text, &e->fields) == 1)
		personal_check(t->text, "text", &e->fields);
	if (verr_any(&e->fields))
		return e->rc = MODEL_INVALID, -1;
	return 0;
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	static const char q[] = "INSERT INTO templates (name, text) VALUES ($1, $2) RETURNING " TEMPLATE_JSON;
	struct template_in t;
	if (validate(in, 0, &t, e) < 0)
		return e->rc;
	const char *p[] = {t.name, t.text};
	if (res_written(db, db_exec(db, q, 2, p), e, "name", "valid.template_exists", out) == MODEL_OK)
		log_info("template.created", LI("template_id", json_integer_value(json_object_get(*out, "id"))),
			 LS("name", t.name));
	return e->rc;
}

static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	static const char q[] = "UPDATE templates SET name = coalesce($2, name), text = coalesce($3, text),"
				" updated_at = now() WHERE id = $1::bigint RETURNING " TEMPLATE_JSON;
	struct template_in t;
	if (validate(in, partial, &t, e) < 0)
		return e->rc;
	const char *p[] = {k->text, t.name, t.text};
	if (res_written(db, db_exec(db, q, 3, p), e, "name", "valid.template_exists", out) == MODEL_OK)
		log_info("template.updated", LS("template_id", k->text));
	return e->rc;
}

enum model_rc template_find(struct db *db, const char *name, int64_t *id, char **text)
{
	const char *p[] = {name};
	PGresult *r = db_exec(db, "SELECT id, text FROM templates WHERE name = $1", 1, p);
	if (r == NULL)
		return model_db_rc(db);
	enum model_rc rc = PQntuples(r) ? MODEL_OK : MODEL_NOT_FOUND;
	if (rc == MODEL_OK)
		*id = db_i64(r, 0, 0);
	if (rc == MODEL_OK && text)
		*text = xstrdup(db_str(r, 0, 1));
	PQclear(r);
	return rc;
}

char *template_name(struct db *db, int64_t id)
{
	PGresult *r = db_exec_id(db, "SELECT name FROM templates WHERE id = $1", id);
	char *name = r && PQntuples(r) ? xstrdup(db_str(r, 0, 0)) : NULL;
	if (r)
		PQclear(r);
	return name;
}

RES_NAME_ID_MODEL(template_model, insert, update, TEMPLATE_JSON, "templates",
		  "strpos(lower(name || ' ' || text), lower($2)) > 0", "template.deleted", "template_id");
