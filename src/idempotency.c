/* idempotency.c — Idempotency-Key of direct sends (see idempotency.h). The key's row is inserted
 * first (ON CONFLICT DO NOTHING): a concurrent request with the same key waits on that row until
 * the first transaction ends, and then finds its answer. */
#include "idempotency.h"
#include "api.h"
#include "log.h"
#include "route.h"
#include "valid.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per expiry statement, and statements per call: up to 100,000 keys a minute, each
 * statement short, so the scheduler's loop is never held long. */
#define IDEM_EXPIRE_BATCH 10000
#define IDEM_EXPIRE_STATEMENTS 10

static const char sql_claim[] =
    "INSERT INTO idempotency_keys (user_id, key, request_hash, status, response)"
    " VALUES ($1, $2, $3::bytea, 0, '') ON CONFLICT DO NOTHING";
static const char sql_first[] =
    "SELECT request_hash = $3::bytea, status, response FROM idempotency_keys WHERE user_id = $1 AND key = $2";
static const char sql_keep[] =
    "UPDATE idempotency_keys SET status = $4, response = $5 WHERE user_id = $1 AND key = $2 AND request_hash = $3::bytea";
static const char sql_expire[] =
    "DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(SELECT ctid FROM idempotency_keys"
    " WHERE created_at < now() - interval '" IDEM_KEEP "' LIMIT $1))";

/* "\x" + hex of BLAKE2b-256 over the route's pattern and the body, as a bytea literal. */
static void request_hash(const struct http_req *req, char out[3 + 2 * crypto_generichash_BYTES])
{
	unsigned char h[crypto_generichash_BYTES];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)req->route->pattern, strlen(req->route->pattern) + 1);
	if (req->body.len)
		crypto_generichash_update(&st, (const unsigned char *)req->body.data, req->body.len);
	crypto_generichash_final(&st, h, sizeof(h));
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 1 + 2 * sizeof(h), h, sizeof(h));
}

/* Answers with what the key's first request got (the row is committed: the claim waited). */
static void replay(struct http_req *req, struct db *db, const char *const *p)
{
	PGresult *r = db_exec(db, sql_first, 3, p);
	if (r == NULL) {
		http_db_fail(req, db);
		return;
	}
	if (PQntuples(r) == 0) {                /* expired between the claim and now */
		http_problem(req, 409, "the request with this Idempotency-Key ended meanwhile; send it again", NULL);
	} else if (strcmp(db_str(r, 0, 0), "t") != 0) {
		json_t *e = json_pack("{s:[s]}", "Idempotency-Key",
				      "was used with another request; a new request needs a new key");
		http_problem(req, 422, "Idempotency-Key was used with another request", e);
	} else {
		http_json_text(req, atoi(db_str(r, 0, 1)), db_str(r, 0, 2), (size_t)PQgetlength(r, 0, 2));
		http_header(req, "Idempotent-Replayed", "true");
		req->audited = 1;   /* the first request recorded its change */
	}
	PQclear(r);
}

void idem_run(struct http_req *req, struct db *db, idem_create_fn create, void *ctx)
{
	const char *key = http_header_in(req, "Idempotency-Key");
	if (key == NULL) {
		create(req, db, ctx);
		return;
	}
	if (!valid_visible(key, 1, IDEM_KEY_MAX)) {
		http_problem(req, 400, "Idempotency-Key must be 1 to 255 visible ASCII characters", NULL);
		return;
	}
	char uid[DB_NUM_LEN], hash[3 + 2 * crypto_generichash_BYTES];
	request_hash(req, hash);
	const char *p[] = {db_num(uid, req->user.id), key, hash, NULL, NULL};
	if (db_begin(db) < 0) {
		http_db_fail(req, db);
		return;
	}
	PGresult *r = db_exec(db, sql_claim, 3, p);
	if (r == NULL) {
		db_rollback(db);
		http_db_fail(req, db);
		return;
	}
	int claimed = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	if (!claimed) {
		db_rollback(db);
		replay(req, db, p);
		return;
	}
	create(req, db, ctx);
	if (req->status < 200 || req->status > 299) {
		db_rollback(db);        /* nothing was created: the key stays free */
		return;
	}
	char status[DB_NUM_LEN];
	db_num(status, req->status);
	p[3] = status;
	p[4] = req->out.data;           /* a 2xx answer of create is JSON in out (NUL-terminated) */
	if (db_run(db, sql_keep, 5, p) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		http_db_fail(req, db);
	}
}

long idem_expire(struct db *db)
{
	long total = 0, n = IDEM_EXPIRE_BATCH;
	char lim[DB_NUM_LEN];
	const char *p[] = {db_num(lim, IDEM_EXPIRE_BATCH)};
	for (int i = 0; i < IDEM_EXPIRE_STATEMENTS && n == IDEM_EXPIRE_BATCH; i++) {
		PGresult *r = db_exec(db, sql_expire, 1, p);
		if (r == NULL)
			return -1;
		n = atol(PQcmdTuples(r));
		total += n;
		PQclear(r);
	}
	if (total > 0)
		log_info("idempotency.expired", LI("keys", total));
	return total;
}
