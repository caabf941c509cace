/* smpp_auth.h — checks an SMPP bind (runs on the store's auth thread, never in front of
 * submits). */
#ifndef HERALD_SMPP_AUTH_H
#define HERALD_SMPP_AUTH_H
#include "db.h"
#include "smpp_job.h"

/* Looks j->system_id up and verifies j->password; sets j->status and j->reason (and j->account
 * on success). The answer and its cost do not tell whether the account exists: an unknown
 * system_id is verified against a dummy argon2id hash, and a bad address answers like a wrong
 * password (ESME_RINVPASWD); only a disabled account with the right password gets
 * ESME_RBINDFAIL. j->reason says what really happened, for the log. */
void smpp_auth_bind(struct db *db, struct smpp_job *j);

#endif
