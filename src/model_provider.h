/* model_provider.h — providers (API.md 9.5): where the dispatcher sends messages
 * (sql/025_providers.sql). Validation and SQL behind the resource descriptor (resources.c); the
 * dispatcher reads the enabled rows itself (provider_set.c). */
#ifndef HERALD_MODEL_PROVIDER_H
#define HERALD_MODEL_PROVIDER_H
#include "resource.h"

#define PROVIDER_NAME_MAX 64
#define PROVIDER_URL_MAX 900          /* room for "/send/<id>" in a 1024-byte request URL */
#define PROVIDER_TOKEN_MAX 4096
#define PROVIDER_SMPP_PASSWORD_MAX 64 /* the token of kind smpp: the bind password (smpp_pdu.h) */
#define PROVIDER_SECRET_MAX 256
#define PROVIDER_CODES_MAX 1000
#define PROVIDER_WEIGHT_MAX 1000000
#define PROVIDER_RATE_MAX 10000000
#define PROVIDER_CONCURRENCY_MAX 4096
#define PROVIDER_DEFAULT "default"    /* the row HERALD_PROVIDER_URL stands for */

/* get, insert (name and url required), update (name and url required unless partial; a field
 * not given keeps its value; "token": null or "dlr_secret": null clears it), remove and list:
 * sorts "name", "-name", "id", "-id"; q is contained in the name or the url. A taken name is
 * MODEL_DUPLICATE on "name". Objects: {"id", "name", "kind", "url", "operator_codes", "weight",
 * "rate", "concurrency", "enabled", "token_set", "dlr_secret_set", "created_at", "updated_at"}:
 * token and dlr_secret are write-only, so no object, log line or history entry holds them. */
extern const struct res_model provider_model;

/* Makes the row named "default" follow the environment: with cfg.provider_url set, upserted
 * enabled with that url, cfg.provider_token, cfg.provider_rate and cfg.provider_concurrency;
 * unset, disabled. 0, or -1 (logged) when the database failed. */
int provider_default_sync(struct db *db);

/* 1 when no provider row is enabled (then, without HERALD_PROVIDER_URL, the dispatchers use
 * the log provider): read at most every 5 s, the last answer kept when db is NULL or fails. */
int provider_none_enabled(struct db *db);

#endif
