/* admin_time.h — times on admin pages in the user's time zone (admin_time.c); the API keeps
 * RFC 3339 in UTC. */
#ifndef HERALD_ADMIN_TIME_H
#define HERALD_ADMIN_TIME_H
#include <jansson.h>
#include "http.h"

#define ADMIN_TIME_LEN 21   /* an API time, "2026-11-23T10:00:00Z", and its NUL */

/* An API time ("2026-11-23T10:00:00Z") as pages show it, in the user's zone with its offset
 * then: "2026-11-23 13:00 UTC+03:00" ("... UTC" at a zero offset). Other text as it is, NULL as
 * "—". The zone's value is filled in when the page renders (admin_times_resolve); until then,
 * and without a session, it is the UTC time. New reference. */
json_t *admin_time(struct http_req *req, const char *t);
/* An API time as a datetime-local input's value in the user's zone, "2026-11-23T13:00" (with
 * ":SS" when the seconds are not zero), filled in as admin_time's is; other text as it is,
 * NULL as "". New reference. */
json_t *admin_time_input(struct http_req *req, const char *t);
/* Fills in the admin_time and admin_time_input values made so far, with one query. 0, or -1 on
 * a database failure (they keep their UTC text). admin_page calls it before rendering. */
int admin_times_resolve(struct http_req *req);
/* A datetime-local value ("YYYY-MM-DDTHH:MM" or with ":SS") typed in the user's zone as an API
 * time in out. 0; 1 when local is no such value (left to the validator); -1 when the clocks
 * skip that wall time in the zone (why, in the request's pool, says so); -2 on a database
 * failure. A wall time that occurs twice (summer time ends) is read as PostgreSQL reads it: as
 * standard time, the later of the two. */
int admin_time_read(struct http_req *req, const char *local, char out[ADMIN_TIME_LEN], const char **why);
/* The user's zone's offset at the time of a datetime-local field's value ("UTC-04:00" for a
 * summer value in America/New_York, whatever the offset today): of the API time behind an
 * admin_time_input value, or of a wall time the user typed; today's for anything else. Filled
 * in as admin_time's is; NULL without a session. New reference. */
json_t *admin_time_offset(struct http_req *req, json_t *value);
/* The user's time zone: theirs, else HERALD_DEFAULT_TIMEZONE. */
const char *admin_zone(struct http_req *req);
/* A time field's label with the user's zone and its offset now: "Start (Europe/Moscow,
 * UTC+03:00)". In the request's pool. */
const char *admin_time_label(struct http_req *req, const char *label);

#endif
