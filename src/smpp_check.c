/* smpp_check.c — closes the binds of accounts that were disabled or deleted (in the admin
 * pages, the CLI or SQL): twice a second the SMPP thread asks the store which of the accounts
 * with a bind are gone or disabled, and unbinds their links, so a change takes effect within
 * a second. Runs on the SMPP thread only. */
#include "log.h"
#include "smpp_conn.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define CHECK_EVERY 0.5     /* seconds */

static int in_flight;
static double last;

void smpp_check_accounts(double now)
{
	if (in_flight || now - last < CHECK_EVERY)
		return;
	last = now;
	int64_t *ids = NULL;
	int n = 0, slot = 0;
	for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;) {
		if (c->acct == NULL || c->closing)
			continue;
		int seen = 0;
		for (int i = 0; i < n && !seen; i++)
			seen = ids[i] == c->acct->id;
		if (!seen) {
			ids = xrealloc(ids, (size_t)(n + 1) * sizeof(*ids));
			ids[n++] = c->acct->id;
		}
	}
	if (n == 0) {
		free(ids);
		return;
	}
	struct smpp_job *j = smpp_job_new(SJ_CHECK);
	j->accounts = ids;
	j->naccounts = n;
	in_flight = 1;
	smpp_conn_store(j);
}

void smpp_check_result(const struct smpp_job *j)
{
	in_flight = 0;
	for (int i = 0; i < j->nrefused; i++) {
		int slot = 0;
		for (struct smpp_conn *c; (c = smpp_conn_next(&slot)) != NULL;) {
			if (c->acct == NULL || c->acct->id != j->refused[i] || c->closing)
				continue;
			log_warn("smpp.account_revoked", LI("conn", (uint32_t)c->id), LS("system_id", c->system_id),
				 LS("ip", c->ip));
			struct smpp_pdu u = {0};
			u.command_id = SMPP_UNBIND;
			u.seq = c->next_seq++;
			smpp_conn_send(c, &u);
			smpp_conn_close_after(c);
		}
	}
}
