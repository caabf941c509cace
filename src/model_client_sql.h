/* model_client_sql.h — SQL fragments the clients' single writes (model_client.c) and their bulk
 * upsert (client_bulk.c) share; not for other callers. */
#ifndef HERALD_MODEL_CLIENT_SQL_H
#define HERALD_MODEL_CLIENT_SQL_H

/* The attributes a write stores from the object param (JSON text): its keys whose values are not
 * null. */
#define ATTRS_OF(param) "jsonb_strip_nulls(" param "::jsonb)"
/* Inserting only missing tags keeps ON CONFLICT from burning a tag id per known name. */
#define TAG_MISSING(name) " AND NOT EXISTS (SELECT 1 FROM tags WHERE name = " name "::text)"

#endif
