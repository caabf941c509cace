/* resource.c — the writes of a resource with their history, keys and cursors. */
#include "resource.h"
#include "audit.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum model_rc res_row(struct db *db, PGresult *r, json_t **out)
{
	*out = NULL;
	if (r == NULL)
		return model_db_rc(db);
	if (PQntuples(r) > 0)
		*out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	return *out ? MODEL_OK : MODEL_NOT_FOUND;
}

enum model_rc res_written(struct db *db, PGresult *r, struct model_err *e, const char *field, const char *taken,
			  json_t **out)
{
	if (r == NULL && model_err_db(e, db) == MODEL_DUPLICATE)
		return model_err_field(e, MODEL_DUPLICATE, field, taken);
	return e->rc = res_row(db, r, out);
}

enum model_rc res_rows(struct db *db, PGresult *r, int limit, struct res_page *out)
{
	*out = (struct res_page){NULL, NULL, NULL, NULL};
	if (r == NULL)
		return model_db_rc(db);
	int n = PQntuples(r), shown = n > limit ? limit : n;
	out->objs = json_array();
	for (int i = 0; i < shown; i++) {
		json_t *obj = json_loads(PQgetvalue(r, i, 0), 0, NULL);
		json_array_append_new(out->objs, obj ? obj : json_object());
	}
	if (shown > 0)
		out->first = xstrdup(PQgetvalue(r, 0, 1));
	if (n > limit)
		out->next = xstrdup(PQgetvalue(r, shown - 1, 1));
	PQclear(r);
	return MODEL_OK;
}

enum model_rc res_changed(struct db *db, PGresult *r, int *n)
{
	if (r == NULL)
		return model_db_rc(db);
	*n = atoi(PQcmdTuples(r));
	PQclear(r);
	return *n ? MODEL_OK : MODEL_NOT_FOUND;
}

enum model_rc res_count(struct db *db, PGresult *r, int64_t *n)
{
	if (r == NULL)
		return model_db_rc(db);
	*n = db_i64(r, 0, 0);
	PQclear(r);
	return MODEL_OK;
}

enum model_rc res_model_get(const struct res_model *m, struct db *db, const struct res_key *k, json_t **out)
{
	const char *p[] = {k->text};
	return m->get ? m->get(db, k, out) : res_row(db, db_exec(db, m->get_sql, 1, p), out);
}

enum model_rc res_model_remove(const struct res_model *m, struct db *db, const struct res_key *k)
{
	if (m->remove)
		return m->remove(db, k);
	const char *p[] = {k->text};
	int n;
	enum model_rc rc = res_changed(db, db_exec(db, m->remove_sql, 1, p), &n);
	if (rc == MODEL_OK)
		log_info(m->removed, LS(m->removed_key, k->text));
	return rc;
}

enum model_rc res_model_list(const struct res_model *m, struct db *db, const struct res_query *q,
			     struct res_page *out)
{
	return m->list ? m->list(db, q, out) : res_list(db, m->orders, m->norders, q, out);
}

enum model_rc res_model_count(const struct res_model *m, struct db *db, int64_t *n)
{
	return m->count ? m->count(db, n) : res_count(db, db_exec(db, m->count_sql, 0, NULL), n);
}

int res_model_removes(const struct res_model *m)
{
	return m->remove != NULL || m->remove_sql != NULL;
}

enum model_rc res_list_filtered(struct db *db, const struct res_order *orders, size_t n, const struct res_query *q,
				size_t nfilters, struct res_page *out)
{
	size_t i = 0;
	while (i < n - 1 && strcmp(orders[i].sort, q->sort) != 0)
		i++;
	if (!res_key_fits(q->after, orders[i].key_types) || nfilters > RES_FILTERS_MAX)
		return MODEL_INVALID;
	char lim[DB_NUM_LEN];
	const char *p[3 + RES_FILTERS_MAX] = {q->after, q->q, db_num(lim, q->limit + 1)};
	for (size_t f = 0; f < nfilters; f++)
		p[3 + f] = q->filter[f];
	return res_rows(db, db_exec(db, orders[i].sql, 3 + (int)nfilters, p), q->limit, out);
}

enum model_rc res_list(struct db *db, const struct res_order *orders, size_t n, const struct res_query *q,
		       struct res_page *out)
{
	return res_list_filtered(db, orders, n, q, 0, out);
}

void res_page_keys_free(struct res_page *p)
{
	free(p->next);
	free(p->first);
	free(p->prev);
	p->next = p->first = p->prev = NULL;
}

/* The page of q after q->after as objects. */
static enum model_rc list_after(struct db *db, const struct resource *r, const struct res_query *q,
				struct res_page *out)
{
	if (r->list_json == NULL)
		return res_model_list(r->model, db, q, out);
	struct buf b = BUF_INIT;
	*out = (struct res_page){NULL, NULL, NULL, NULL};
	enum model_rc rc = r->list_json(db, q, &b, &out->next, &out->first);
	if (rc == MODEL_OK)
		out->objs = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	return rc;
}

enum model_rc res_list_both(struct db *db, const struct res_query *q, res_list_fn list, const void *ctx,
			    struct res_page *out)
{
	if (q->before == NULL) {
		enum model_rc rc = list(db, q, ctx, out);
		if (rc == MODEL_OK && q->after && out->first)
			out->prev = xstrdup(out->first);
		return rc;
	}
	char mirror[64];
	struct res_query m = *q;
	snprintf(mirror, sizeof(mirror), "%s%s", q->sort[0] == '-' ? "" : "-", q->sort + (q->sort[0] == '-'));
	m.sort = mirror;
	m.after = q->before;
	m.before = NULL;
	enum model_rc rc = list(db, &m, ctx, out);
	if (rc != MODEL_OK)
		return rc;
	/* read backwards: the mirror's last row is the page's first, its first the page's last */
	json_t *objs = json_array(), *obj;
	size_t i;
	json_array_foreach(out->objs, i, obj)
		json_array_insert(objs, 0, obj);
	json_decref(out->objs);
	out->objs = objs;
	out->prev = out->next;
	out->next = out->first;
	out->first = NULL;
	return MODEL_OK;
}

enum model_rc res_list_of(struct db *db, const struct res_query *q, const void *ctx, struct res_page *out)
{
	return list_after(db, ctx, q, out);
}

enum model_rc res_list_objs(struct db *db, const struct resource *r, const struct res_query *q,
			    struct res_page *out)
{
	return res_list_both(db, q, res_list_of, r, out);
}

int res_key_fits(const char *after, const char *types)
{
	if (after == NULL)
		return 1;
	json_t *k = json_loads(after, 0, NULL);
	size_t n = strlen(types), i = 0;
	int fits = json_is_array(k) && json_array_size(k) == n;
	for (; fits && i < n; i++)
		fits = types[i] == 'i' ? json_is_integer(json_array_get(k, i)) : json_is_string(json_array_get(k, i));
	json_decref(k);
	return fits;
}

const char *res_object(struct http_req *req, const struct resource *r, const char *key)
{
	return pool_printf(&req->pool, "%s %s", r->kind, key);
}

int res_key_parse(const struct resource *r, const char *text, struct res_key *k)
{
	k->text = text;
	k->id = 0;
	return r->key_is_id ? parse_i64(text, 1, INT64_MAX, &k->id) : 0;
}

/* The key text of obj. */
static const char *key_of(struct http_req *req, const struct resource *r, json_t *obj)
{
	json_t *v = json_object_get(obj, r->key);
	if (json_is_integer(v))
		return pool_printf(&req->pool, "%lld", (long long)json_integer_value(v));
	return json_is_string(v) ? json_string_value(v) : "";
}

const struct admin_field *res_owner(const struct resource *r)
{
	for (size_t i = 0; i < r->nfilters; i++)
		if (strcmp(r->filters[i].type, "owner") == 0)
			return &r->filters[i];
	return NULL;
}

const char *res_owner_of(struct http_req *req, const struct resource *r)
{
	if (res_owner(r) == NULL || req->user.role >= ROLE_ADMIN)
		return NULL;
	return pool_printf(&req->pool, "%lld", (long long)req->user.id);
}

void res_record(struct http_req *req, struct db *db, const struct resource *r, const char *verb,
		const char *key, json_t *before, json_t *after)
{
	if (r->secret && json_object_get(after, r->secret)) {
		after = pool_json(&req->pool, json_copy(after));
		json_object_del(after, r->secret);
	}
	json_t *detail = before || after ? pool_json(&req->pool, audit_changes(before, after)) : NULL;
	audit(db, req, pool_printf(&req->pool, "%s.%s", r->kind, verb), res_object(req, r, key), detail);
}

enum model_rc res_get(struct http_req *req, struct db *db, const struct resource *r, const struct res_key *k,
		      json_t **out)
{
	json_t *obj = NULL;
	enum model_rc rc = res_model_get(r->model, db, k, &obj);
	*out = pool_json(&req->pool, obj);
	return rc;
}

enum model_rc res_create(struct http_req *req, struct db *db, const struct resource *r, json_t *in,
			 struct model_err *e, json_t **out)
{
	json_t *obj = NULL;
	enum model_rc rc = r->model->insert(db, in, e, &obj);
	pool_json(&req->pool, obj);
	if (rc == MODEL_OK)
		res_record(req, db, r, "created", key_of(req, r, obj), NULL, obj);
	if (out)
		*out = obj;
	return rc;
}

enum model_rc res_update(struct http_req *req, struct db *db, const struct resource *r,
			 const struct res_key *k, json_t *in, int partial, struct model_err *e, json_t **out)
{
	json_t *before, *obj = NULL;
	enum model_rc rc = res_get(req, db, r, k, &before);
	if (rc == MODEL_OK)
		rc = r->model->update(db, k, in, partial, e, &obj);
	pool_json(&req->pool, obj);
	if (rc == MODEL_OK) {
		res_record(req, db, r, "updated", k->text, before, obj);
		if (r->updated)
			r->updated(req, db, obj);
	} else
		e->rc = rc;
	if (out)
		*out = obj;
	return rc;
}

enum model_rc res_delete(struct http_req *req, struct db *db, const struct resource *r, const struct res_key *k)
{
	json_t *before;
	enum model_rc rc = res_get(req, db, r, k, &before);
	if (rc == MODEL_OK)
		rc = res_model_remove(r->model, db, k);
	if (rc == MODEL_OK)
		res_record(req, db, r, r->deleted ? r->deleted : "deleted", k->text, before, NULL);
	return rc;
}

enum model_rc res_delete_many(struct http_req *req, struct db *db, const struct resource *r, json_t *keys)
{
	int n = 0;
	enum model_rc rc = r->model->remove_many(db, keys, &n);
	size_t i;
	json_t *k;
	if (rc == MODEL_OK)
		json_array_foreach(keys, i, k)
			res_record(req, db, r, "deleted", json_string_value(k), NULL, NULL);
	return rc;
}

enum model_rc res_list_every(struct db *db, res_list_fn list, const void *ctx, const struct res_query *q,
			     size_t max, json_t **objs)
{
	struct res_query page = *q;
	struct res_page rows;
	char *after = NULL;
	enum model_rc rc;
	*objs = json_array();
	page.limit = RES_MATCHING_BATCH;
	page.before = NULL;
	do {
		page.after = after;
		rc = list(db, &page, ctx, &rows);
		free(after);
		after = NULL;
		if (rc != MODEL_OK)
			break;
		json_array_extend(*objs, rows.objs);
		json_decref(rows.objs);
		after = rows.next;
		rows.next = NULL;
		res_page_keys_free(&rows);
		if (json_array_size(*objs) > max)
			rc = MODEL_CONFLICT;
	} while (rc == MODEL_OK && after);
	free(after);
	return rc;
}

enum model_rc res_list_keys(struct db *db, res_list_fn list, const void *ctx, const struct res_query *q,
			    const char *key, json_t **keys)
{
	json_t *objs, *obj, *k;
	size_t i;
	enum model_rc rc = res_list_every(db, list, ctx, q, RES_MATCHING_MAX, &objs);
	*keys = json_array();
	json_array_foreach(objs, i, obj) {
		k = json_object_get(obj, key);
		json_array_append_new(*keys, json_is_integer(k) ? json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(k))
							   : json_string(json_string_value(k) ? json_string_value(k) : ""));
	}
	json_decref(objs);
	return rc;
}

/* The keys of the objects of r that q's filters match, in r's first order (res_list_keys). */
static enum model_rc keys_matching(struct db *db, const struct resource *r, const struct res_query *q, json_t **keys)
{
	struct res_query first = *q;
	first.sort = r->sorts[0];
	return res_list_keys(db, res_list_of, r, &first, r->key, keys);
}

enum model_rc res_count_matching(struct db *db, const struct resource *r, const struct res_query *q, int64_t *n)
{
	if (r->count_of)
		return r->count_of(db, q, n);
	json_t *keys;
	enum model_rc rc = keys_matching(db, r, q, &keys);
	*n = (int64_t)json_array_size(keys);
	json_decref(keys);
	return rc;
}

enum model_rc res_delete_matching(struct http_req *req, struct db *db, const struct resource *r,
				  const struct res_query *q, int64_t *n)
{
	enum model_rc rc;
	json_t *keys = NULL;
	int removed = 0;
	if (r->model->remove_matching) {
		rc = r->model->remove_matching(db, q, n);
	} else if ((rc = keys_matching(db, r, q, &keys)) == MODEL_OK) {
		rc = json_array_size(keys) ? r->model->remove_many(db, keys, &removed) : MODEL_OK;
		*n = removed;
	}
	json_decref(keys);
	if (rc != MODEL_OK)
		return rc;
	json_t *filters = pool_json(&req->pool, json_object());
	int searched = 0;
	for (size_t i = 0; i < r->nfilters; i++) {
		searched |= strcmp(r->filters[i].type, "search") == 0;
		if (q->filter[i])
			json_object_set_new(filters, r->filters[i].name, json_string(q->filter[i]));
	}
	if (q->q && !searched)   /* the model's own search */
		json_object_set_new(filters, "q", json_string(q->q));
	audit(db, req, pool_printf(&req->pool, "%s.deleted_matching", r->kind), pool_printf(&req->pool, "%ss", r->kind),
	      pool_pack(&req->pool, "{s:O, s:I}", "filters", filters, "deleted", (json_int_t)*n));
	return MODEL_OK;
}

void res_cursor_encode(const char *key, char *out, size_t outlen)
{
	sodium_bin2base64(out, outlen, (const unsigned char *)key, strlen(key),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int res_cursor_decode(struct http_req *req, const char *cursor, const char **key)
{
	unsigned char bin[RES_CURSOR_MAX + 1];
	size_t n = 0;
	if (strlen(cursor) > RES_CURSOR_MAX * 2 ||
	    sodium_base642bin(bin, RES_CURSOR_MAX, cursor, strlen(cursor), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return -1;
	json_t *v = json_loadb((const char *)bin, n, 0, NULL);
	int ok = json_is_array(v) && json_array_size(v) > 0;
	json_decref(v);
	if (!ok)
		return -1;
	char *k = pool_alloc(&req->pool, n + 1);
	memcpy(k, bin, n);
	*key = k;
	return 0;
}
