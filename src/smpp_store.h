/* smpp_store.h — the SMPP server's database workers: two threads, each with its own
 * connection, that take jobs from the SMPP event loop (submits, queries, receipt polls, acks
 * and account checks), and one more for binds (argon2id, smpp_auth.c), so password checks
 * never wait in front of submits. A free worker takes every job queued at that moment and runs its submits as ONE
 * insert statement (one transaction), so one batch executes while the next gathers; finished
 * jobs go back to the loop, signalled through an eventfd. The loop never waits for PostgreSQL.
 * Answers may come back out of request order, which SMPP allows (sequence numbers match). */
#ifndef HERALD_SMPP_STORE_H
#define HERALD_SMPP_STORE_H
#include "smpp_job.h"
#include "smpp_pdu.h"

/* A submit_sm to a phone on the stop list (API.md 9.3): SMPP 3.4 has no status of its own for a
 * barred destination; "Invalid Dest Addr" is the permanent refusal of this destination that
 * ESMEs do not retry. The log says why (smpp.submit_refused). */
#define SMPP_STOPLIST_STATUS ESME_RINVDSTADR

/* Starts the workers; finished jobs are announced by writing 1 to notify_fd (an eventfd). */
int smpp_store_start(int notify_fd);
/* Queues j (ownership passes to the store until it comes back from smpp_store_done). */
void smpp_store_push(struct smpp_job *j);
/* Takes every finished job, oldest first (NULL when none). */
struct smpp_job *smpp_store_done(void);
/* Finishes the queued jobs, then stops the threads. Finished jobs not yet taken are freed. */
void smpp_store_stop(void);

#endif
