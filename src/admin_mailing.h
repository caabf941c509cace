/* admin_mailing.h — what the mailing pages (admin_mailings.c, admin_mailing_view.c) share
 * besides the descriptor res_mailings (resource.h). */
#ifndef HERALD_ADMIN_MAILING_H
#define HERALD_ADMIN_MAILING_H
#include <jansson.h>

#define ADMIN_MAILINGS "/admin/mailings/"

/* The count name of a mailing's stats object. */
long long admin_mailing_count(json_t *stats, const char *name);
/* The status of a mailing object ("" when absent). */
const char *admin_mailing_status(json_t *obj);
/* A JSON array of strings as "a, b" (new reference). */
json_t *admin_mailing_join(json_t *a);

#endif
