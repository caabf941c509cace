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
/* Adds what lists show of mailing obj: "excerpt" (the text's first 30 characters), its
 * message counts "total", "sent" and "failed", and "max" (the total, at least 1: a progress
 * bar's end). */
void admin_mailing_row(json_t *obj);

#endif
