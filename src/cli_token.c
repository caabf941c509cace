/* cli_token.c — `herald token create|list|revoke`. */
#include "cli.h"
#include "config.h"
#include "model_token.h"
#include "resource.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>

int cli_token_create(const struct cli_args *a)
{
	char tok[TOKEN_MAX], err[256];
	struct db *db = cli_db();
	struct model_err e = MODEL_ERR_INIT;
	int64_t id = token_create(db, a->arg[0], a->opt[0] ? a->opt[0] : "cli", tok, &e);
	if (id < 0)
		return cli_done(db, cli_fail(a, "%s", model_err_text(&e, err, sizeof(err))));
	printf("%s\n", tok);
	return cli_done(db, 0);
}

int cli_token_list(const struct cli_args *a)
{
	static const struct cli_col cols[] = {{"ID", "id"}, {"USER", "username"}, {"NAME", "name"},
					      {"PREFIX", "prefix"}, {"CREATED", "created_at"},
					      {"LAST USED", "last_used_at"}, {"REVOKED", "revoked_at"}};
	int64_t user_id = 0;
	struct db *db = cli_db();
	if (a->nargs == 1 && cli_find_user(a, db, a->arg[0], &user_id) != 0)
		return cli_done(db, 1);
	char uid[DB_NUM_LEN];
	json_t *rows = cli_rows(db, &res_tokens, a->nargs == 1 ? db_num(uid, user_id) : NULL);
	if (rows == NULL)
		return cli_done(db, cli_fail(a, "%s", db->err));
	cli_table(rows, cols, ARRAY_LEN(cols));
	json_decref(rows);
	return cli_done(db, 0);
}

int cli_token_revoke(const struct cli_args *a)
{
	int64_t id;
	if (parse_i64(a->arg[0], 1, INT64_MAX, &id) < 0)
		return cli_refuse(a, "ID is a token's id, a whole number (herald token list shows them)");
	struct db *db = cli_db();
	int n = token_revoke(db, id, 0);
	if (n < 0)
		return cli_done(db, cli_fail(a, "%s", db->err));
	if (n == 0)
		return cli_done(db, cli_fail(a, "no unrevoked token with id %lld", (long long)id));
	fprintf(stderr, "revoked token %lld; it stops working within %d s\n", (long long)id, cfg.token_cache_s);
	return cli_done(db, 0);
}
