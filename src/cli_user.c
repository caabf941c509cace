/* cli_user.c — `herald user create|passwd|list|disable|enable`. */
#include "cli.h"
#include "config.h"
#include "resource.h"
#include "session.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int cli_user_create(const struct cli_args *a)
{
	char pw[CLI_PASSWORD_BUF], err[256];
	const char *role = a->opt[0];
	if (role == NULL)
		return cli_refuse(a, "--role is required");
	if (role_parse(role) == ROLE_NONE)
		return cli_refuse(a, "--role is admin, operator or viewer");
	if (cli_password("Password: ", 1, pw, err, sizeof(err)) < 0)
		return cli_fail(a, "%s", err);
	struct db *db = cli_db();
	struct model_err e = MODEL_ERR_INIT;
	int64_t id = user_create(db, a->arg[0], pw, role, &e);
	sodium_memzero(pw, sizeof(pw));
	if (id < 0)
		return cli_done(db, cli_fail(a, "%s", model_err_text(&e, err, sizeof(err))));
	fprintf(stderr, "created user %s (id %lld)\n", a->arg[0], (long long)id);
	return cli_done(db, 0);
}

/* A new password ends every admin session of the user, as in the admin pages. */
int cli_user_passwd(const struct cli_args *a)
{
	char pw[CLI_PASSWORD_BUF], err[256];
	int64_t id;
	struct db *db = cli_db();
	if (cli_find_user(a, db, a->arg[0], &id) != 0)
		return cli_done(db, 1);
	if (cli_password("New password: ", 1, pw, err, sizeof(err)) < 0)
		return cli_done(db, cli_fail(a, "%s", err));
	struct model_err e = MODEL_ERR_INIT;
	int rc = user_set_password(db, id, pw, "password", &e);
	sodium_memzero(pw, sizeof(pw));
	if (rc < 0)
		return cli_done(db, cli_fail(a, "%s", model_err_text(&e, err, sizeof(err))));
	if (session_drop_user(db, id, NULL) < 0)
		return cli_done(db, cli_fail(a, "the password is changed, but ending the sessions failed: %s", db->err));
	fprintf(stderr, "changed the password of %s; their admin sessions are ended\n", a->arg[0]);
	return cli_done(db, 0);
}

int cli_user_list(const struct cli_args *a)
{
	static const struct cli_col cols[] = {{"NAME", "username"}, {"ROLE", "role"}, {"ACTIVE", "is_active"},
					      {"CREATED", "created_at"}, {"LAST LOGIN", "last_login_at"}};
	struct db *db = cli_db();
	json_t *rows = cli_rows(db, &res_users, NULL);
	if (rows == NULL)
		return cli_done(db, cli_fail(a, "%s", db->err));
	cli_table(rows, cols, ARRAY_LEN(cols));
	json_decref(rows);
	return cli_done(db, 0);
}

/* Disabling keeps the last active admin, as the admin pages do; it ends the user's admin
 * sessions at once, and the token checks (model_token.c) refuse their API tokens once their
 * cached results expire. */
static int set_active(const struct cli_args *a, int active)
{
	int64_t id, admins = 2;
	struct db *db = cli_db();
	if (cli_find_user(a, db, a->arg[0], &id) != 0)
		return cli_done(db, 1);
	json_t *u = NULL;
	if (res_model_get(res_users.model, db, &(struct res_key){a->arg[0], id}, &u) != MODEL_OK)
		return cli_done(db, cli_fail(a, "%s", db->err));
	char role[16];
	snprintf(role, sizeof(role), "%s", json_string_value(json_object_get(u, "role")));
	int was_active = json_is_true(json_object_get(u, "is_active"));
	json_decref(u);
	if (!active && was_active && strcmp(role, "admin") == 0 && (admins = user_count_admins(db)) <= 1)
		return cli_done(db, admins < 0 ? cli_fail(a, "%s", db->err)
					      : cli_fail(a, "%s is the last active admin; make another admin first", a->arg[0]));
	if (user_update(db, id, role, active, 0, NULL) < 0 || (!active && session_drop_user(db, id, NULL) < 0))
		return cli_done(db, cli_fail(a, "%s", db->err));
	if (active)
		fprintf(stderr, "enabled user %s\n", a->arg[0]);
	else
		fprintf(stderr, "disabled user %s: their admin sessions are ended; their API tokens stop working"
				" within %d s\n", a->arg[0], cfg.token_cache_s);
	return cli_done(db, 0);
}

int cli_user_disable(const struct cli_args *a)
{
	return set_active(a, 0);
}

int cli_user_enable(const struct cli_args *a)
{
	return set_active(a, 1);
}
