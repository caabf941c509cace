/* smpp_job.c — allocating and freeing SMPP jobs. */
#include "smpp_job.h"
#include "util.h"

#include <sodium.h>
#include <stdlib.h>

struct smpp_job *smpp_job_new(enum smpp_job_kind kind)
{
	struct smpp_job *j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	return j;
}

struct smpp_job *smpp_job_answering(enum smpp_job_kind kind, uint64_t conn, const struct smpp_pdu *in)
{
	struct smpp_job *j = smpp_job_new(kind);
	j->conn = conn;
	j->seq = in->seq;
	j->command_id = in->command_id;
	return j;
}

void smpp_job_free(struct smpp_job *j)
{
	if (j == NULL)
		return;
	sodium_memzero(j->password, sizeof(j->password));
	free(j->text);
	free(j->seqs);
	free(j->accounts);
	free(j->refused);
	free(j->receipts);
	free(j);
}
