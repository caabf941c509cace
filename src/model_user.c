/* model_user.c — users. */
#include "model_user.h"
#include "i18n.h"
#include "log.h"
#include "mail.h"
#include "tz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PWHASH_OPS 2
#define PWHASH_MEM (19u * 1024 * 1024)

static const char *const role_names[] = {"none", "viewer", "operator", "admin"};

enum role role_parse(const char *s)
{
	for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++)
		if (s && strcmp(s, role_names[r]) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *role_name(enum role r)
{
	return r >= ROLE_NONE && r <= ROLE_ADMIN ? role_names[r] : "none";
}

enum model_rc user_of_row(struct db *db, PGresult *r, struct user *u)
{
	if (r == NULL)
		return model_db_rc(db);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MODEL_NOT_FOUND;
	}
	*u = (struct user){.id = db_i64(r, 0, 0), .role = role_parse(db_str(r, 0, 2))};
	snprintf(u->username, sizeof(u->username), "%s", db_str(r, 0, 1));
	return MODEL_OK;
}

int user_password_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str_alg(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM,
				     crypto_pwhash_ALG_ARGON2ID13);
}

int user_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

static int valid_username(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@-") == n;
}

/* Hashes a valid password into hash; 0, or -1 with the error on field in e. */
static int password_hash(const char *password, const char *field, char hash[crypto_pwhash_STRBYTES],
			 struct model_err *e)
{
	size_t plen = strlen(password);
	if (plen < PASSWORD_MIN || plen > PASSWORD_MAX || utf8_length(password, plen) < 0) {
		model_err_field(e, MODEL_INVALID, field, "valid.password", PASSWORD_MIN, PASSWORD_MAX);
		return -1;
	}
	if (user_password_hash(password, hash) < 0) {
		model_err_field(e, MODEL_ERROR, field, "valid.hash_memory");
		return -1;
	}
	return 0;
}

int64_t user_create(struct db *db, const char *username, const char *password, const char *role,
		    struct model_err *e)
{
	static const char q[] =
	    "INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3) RETURNING id";
	char hash[crypto_pwhash_STRBYTES];
	if (!valid_username(username))
		model_err_field(e, MODEL_INVALID, "username", "valid.username");
	if (role_parse(role) == ROLE_NONE)
		model_err_field(e, MODEL_INVALID, "role", "valid.role");
	if (e->rc != MODEL_OK || password_hash(password, "password", hash, e) < 0)
		return -1;
	const char *p[] = {username, hash, role};
	PGresult *r = db_exec(db, q, 3, p);
	if (r == NULL) {
		if (model_err_db(e, db) == MODEL_DUPLICATE)
			model_err_field(e, MODEL_DUPLICATE, "username", "valid.username_taken");
		return -1;
	}
	int64_t id = db_i64(r, 0, 0);
	PQclear(r);
	log_info("user.created", LI("user_id", id), LS("username", username), LS("role", role));
	return id;
}

#define USER_JSON \
	"json_build_object('id', id, 'username', username, 'role', role, 'is_active', is_active," \
	" 'created_at', api_ts(created_at), 'last_login_at', api_ts(last_login_at), 'timezone', timezone," \
	" 'language', language, 'email', email)::text"

/* By username after the key $1 (cmp ">", dir "") or, the admin's previous pages, before it (cmp
 * "<", dir " DESC"). */
#define USER_LIST(cmp, dir) \
    "SELECT " USER_JSON ", json_build_array(username)::text FROM users" \
    " WHERE ($1::json IS NULL OR username " cmp " $1::json->>0) AND ($2::text IS NULL OR strpos(lower(username), lower($2)) > 0)" \
    " ORDER BY username" dir " LIMIT $3"

static const char list_sql[] = USER_LIST(">", "");

int64_t user_find(struct db *db, const char *username)
{
	static const char sql[] = "SELECT id FROM users WHERE username = $1";
	const char *p[] = {username};
	PGresult *r = db_exec(db, sql, 1, p);
	if (r == NULL)
		return -1;
	int64_t id = PQntuples(r) == 1 ? db_i64(r, 0, 0) : 0;
	PQclear(r);
	return id;
}

static PGresult *user_get(struct db *db, int64_t id)
{
	static const char sql[] = "SELECT " USER_JSON " FROM users WHERE id = $1";
	return db_exec_id(db, sql, id);
}

int user_update(struct db *db, int64_t id, const char *role, int active, int set_zone, const char *zone)
{
	static const char sql[] = "UPDATE users SET role = $2, is_active = $3, updated_at = now(),"
				  " timezone = CASE WHEN $4 THEN $5 ELSE timezone END WHERE id = $1";
	char sid[DB_NUM_LEN];
	const char *p[] = {db_num(sid, id), role, active ? "true" : "false", set_zone ? "true" : "false", zone};
	PGresult *r = db_exec(db, sql, 5, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n)
		log_info("user.updated", LI("user_id", id), LS("role", role), LI("is_active", active));
	return n;
}

/* MODEL_OK when language is none (NULL or "") or one of I18N_LANGUAGES, else MODEL_INVALID on
 * the field language. */
static enum model_rc language_check(const char *language, struct model_err *e)
{
	if (language == NULL || *language == '\0' || i18n_known(language))
		return MODEL_OK;
	return model_err_field(e, MODEL_INVALID, "language", "valid.language");
}

enum model_rc user_set_email(struct db *db, int64_t id, const char *email, struct model_err *e)
{
	static const char sql[] = "UPDATE users SET email = $2, updated_at = now() WHERE id = $1";
	char sid[DB_NUM_LEN];
	if (email && *email == '\0')
		email = NULL;
	if (email && (strlen(email) > 254 || !mail_address_valid(email)))
		return model_err_field(e, MODEL_INVALID, "email", "valid.email");
	const char *p[] = {db_num(sid, id), email};
	PGresult *r = db_exec(db, sql, 2, p);
	if (r == NULL && model_err_db(e, db) == MODEL_DUPLICATE)
		return model_err_field(e, MODEL_INVALID, "email", "valid.email_taken");
	if (r == NULL)
		return e->rc;
	PQclear(r);
	return MODEL_OK;
}

enum model_rc user_set_language(struct db *db, int64_t id, const char *language, struct model_err *e)
{
	static const char sql[] = "UPDATE users SET language = $2, updated_at = now() WHERE id = $1";
	char sid[DB_NUM_LEN];
	if (language_check(language, e) != MODEL_OK)
		return e->rc;
	if (language && *language == '\0')
		language = NULL;
	const char *p[] = {db_num(sid, id), language};
	PGresult *r = db_exec(db, sql, 2, p);
	if (r == NULL)
		return model_err_db(e, db);
	int n = atoi(PQcmdTuples(r));
	PQclear(r);
	if (n == 0)
		return e->rc = MODEL_NOT_FOUND;
	log_info("user.language_set", LI("user_id", id), LS("language", language ? language : ""));
	return MODEL_OK;
}

int user_set_password(struct db *db, int64_t id, const char *password, const char *field,
		      struct model_err *e)
{
	static const char sql[] = "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1";
	char hash[crypto_pwhash_STRBYTES], sid[DB_NUM_LEN];
	if (password_hash(password, field, hash, e) < 0)
		return -1;
	const char *p[] = {db_num(sid, id), hash};
	if (db_run(db, sql, 2, p) < 0) {
		model_err_db(e, db);
		return -1;
	}
	log_info("user.password_set", LI("user_id", id));
	return 0;
}

enum model_rc user_check_password(struct db *db, int64_t id, const char *password)
{
	static const char sql[] = "SELECT password_hash FROM users WHERE id = $1";
	PGresult *r = db_exec_id(db, sql, id);
	if (r == NULL)
		return model_db_rc(db);
	enum model_rc rc = PQntuples(r) == 1 && user_password_verify(db_str(r, 0, 0), password) == 0
			   ? MODEL_OK : MODEL_NOT_FOUND;
	PQclear(r);
	return rc;
}

int64_t user_count_admins(struct db *db)
{
	static const char q[] = "SELECT count(*) FROM users WHERE role = 'admin' AND is_active";
	PGresult *r = db_exec(db, q, 0, NULL);
	if (r == NULL)
		return -1;
	int64_t n = db_i64(r, 0, 0);
	PQclear(r);
	return n;
}

/* --- the admin's users (resources.c) ---------------------------------------------------- */

static enum model_rc get(struct db *db, const struct res_key *k, json_t **out)
{
	return res_row(db, user_get(db, k->id), out);
}

static const char *form_text(json_t *in, const char *name)
{
	const char *s = json_string_value(json_object_get(in, name));
	return s ? s : "";
}

static enum model_rc insert(struct db *db, json_t *in, struct model_err *e, json_t **out)
{
	const char *lang = form_text(in, "language");
	if (language_check(lang, e) != MODEL_OK)
		return e->rc;
	int64_t id = user_create(db, form_text(in, "username"), form_text(in, "password"), form_text(in, "role"), e);
	if (id < 0 || user_set_language(db, id, lang, e) != MODEL_OK)
		return e->rc;
	return e->rc = res_row(db, user_get(db, id), out);
}

/* The role, the active flag (the checkbox sent or not), the time zone (empty: the default) and
 * the language. The last active admin keeps the role and the flag. */
static enum model_rc update(struct db *db, const struct res_key *k, json_t *in, int partial,
			    struct model_err *e, json_t **out)
{
	const char *role = form_text(in, "role"), *zone = form_text(in, "timezone");
	json_t *active_v = json_object_get(in, "is_active"), *before;
	int active = active_v != NULL && !json_is_false(active_v);
	const char *lang = form_text(in, "language");
	if (role_parse(role) == ROLE_NONE)
		model_err_field(e, MODEL_INVALID, "role", "valid.choose_role");
	if (*zone && !tz_valid(zone))
		model_err_field(e, MODEL_INVALID, "timezone", "valid.timezone");
	language_check(lang, e);
	if (e->rc != MODEL_OK)
		return e->rc;
	if ((e->rc = get(db, k, &before)) != MODEL_OK)
		return e->rc;
	int was_admin = strcmp(json_string_value(json_object_get(before, "role")), "admin") == 0 &&
			json_is_true(json_object_get(before, "is_active"));
	json_decref(before);
	if (was_admin && (strcmp(role, "admin") != 0 || !active) && user_count_admins(db) <= 1)
		return model_err_field(e, MODEL_INVALID, "role", "valid.last_admin");
	int n = user_update(db, k->id, role, active, 1, *zone ? zone : NULL);
	if (n <= 0)
		return e->rc = n < 0 ? model_db_rc(db) : MODEL_NOT_FOUND;
	if (user_set_language(db, k->id, lang, e) != MODEL_OK || user_set_email(db, k->id, form_text(in, "email"), e) != MODEL_OK)
		return e->rc;
	return e->rc = get(db, k, out);
}

static enum model_rc list(struct db *db, const struct res_query *rq, struct res_page *out)
{
	static const struct res_order orders[] = {{"username", list_sql, "s"}, {"-username", USER_LIST("<", " DESC"), "s"}};
	return res_list(db, orders, ARRAY_LEN(orders), rq, out);
}

const struct res_model user_model = {
	.get = get, .insert = insert, .update = update, .list = list, .count_sql = "SELECT count(*) FROM users",
};
