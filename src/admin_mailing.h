/* admin_mailing.h — what the mailing pages (admin_mailings.c, admin_mailing_view.c) share. */
#ifndef HERALD_ADMIN_MAILING_H
#define HERALD_ADMIN_MAILING_H
#include <jansson.h>
#include <stdint.h>
#include "db.h"
#include "http.h"

#define ADMIN_MAILINGS "/admin/mailings/"
#define ADMIN_MAILING_NOT_FOUND "There is no mailing with this id."

/* The notice for ?done= (created, updated, deleted, cancelled, retried), or NULL. */
const char *admin_mailing_notice(const char *done);
/* "/admin/mailings/ID" (malloc'ed). */
char *admin_mailing_path(int64_t id);
/* The mailing of the path's {id} (new reference) and the database, or NULL after a page. */
json_t *admin_mailing_load(struct http_req *req, struct db **db, int64_t *id);
/* The count name of a mailing's stats object. */
long long admin_mailing_count(json_t *stats, const char *name);
/* The status of a mailing object ("" when absent). */
const char *admin_mailing_status(json_t *obj);
/* A JSON array of strings as "a, b" (new reference). */
json_t *admin_mailing_join(json_t *a);

#endif
