/* smpp_bind.c — binds: admission, throttling and results. Runs on the SMPP thread only.
 *
 * Attempts are counted when they arrive, per system_id and per address: a bind may go to the
 * password check only while that key's failures in the last minute plus its checks in flight
 * are below FAIL_MAX (and fewer than CHECKS_MAX checks run in all); otherwise it waits here
 * (parked, in arrival order) until a check ends. A key with FAIL_MAX failures in the window
 * gets ESME_RBINDFAIL without a check until the window is over. So parallel binds on many links
 * get at most FAIL_MAX guesses a minute per system_id and per address, and the checks that run
 * at once are bounded; a success gives its place back at once, so 50 sessions of one client
 * still bind quickly (the store remembers a verified password). */
#include "log.h"
#include "metrics.h"
#include "smpp_conn.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_SLOTS 1024
#define FAIL_MAX 10                 /* failed binds per system_id or address ... */
#define FAIL_WINDOW 60.0            /* ... within this many seconds, then refused for it */
#define CHECKS_MAX 16               /* password checks in flight, all keys together */

/* Keyed "s:<system_id>" or "i:<ip>"; free when fails and checks are 0. */
static struct key {
	char key[72];
	int fails, checks;
	double since;                   /* first failure of the window */
} keys[KEY_SLOTS];

static int checks;                  /* in flight, all keys */
static struct smpp_job *parked, **parked_tail = &parked;

static struct key *key_find(const char *name, double now, int create)
{
	struct key *free_key = NULL, *oldest = NULL;
	for (int i = 0; i < KEY_SLOTS; i++) {
		struct key *k = &keys[i];
		if (k->fails && now - k->since > FAIL_WINDOW)
			k->fails = 0;
		if ((k->fails || k->checks) && strcmp(k->key, name) == 0)
			return k;
		if (!k->fails && !k->checks && free_key == NULL)
			free_key = k;
		if (!k->checks && (oldest == NULL || k->since < oldest->since))
			oldest = k;
	}
	if (!create)
		return NULL;
	struct key *k = free_key ? free_key : oldest;   /* full: forget the oldest failures */
	snprintf(k->key, sizeof(k->key), "%s", name);
	k->fails = k->checks = 0;
	k->since = now;
	return k;
}

static void key_names(const struct smpp_job *j, char s[72], char i[72])
{
	snprintf(s, 72, "s:%s", j->system_id);
	snprintf(i, 72, "i:%s", j->ip);
}

/* 1: refuse without a check; 0: may be checked when there is room. */
static int blocked(const struct smpp_job *j, double now)
{
	char s[72], i[72];
	key_names(j, s, i);
	struct key *a = key_find(s, now, 0), *b = key_find(i, now, 0);
	return (a && a->fails >= FAIL_MAX) || (b && b->fails >= FAIL_MAX);
}

/* Starts j's check when there is room (counting it), else 0. */
static int admit(struct smpp_job *j, double now)
{
	char s[72], i[72];
	key_names(j, s, i);
	struct key *a = key_find(s, now, 0), *b = key_find(i, now, 0);
	if (checks >= CHECKS_MAX || (a && a->fails + a->checks >= FAIL_MAX) ||
	    (b && b->fails + b->checks >= FAIL_MAX))
		return 0;
	key_find(s, now, 1)->checks++;
	key_find(i, now, 1)->checks++;
	checks++;
	j->admitted = 1;
	smpp_conn_store(j);
	return 1;
}

/* A check is over: gives its place back, counting a failure. */
static void checked(const struct smpp_job *j, double now)
{
	char s[72], i[72];
	key_names(j, s, i);
	struct key *k[2] = {key_find(s, now, 1), key_find(i, now, 1)};
	checks--;
	for (int n = 0; n < 2; n++) {
		k[n]->checks--;
		if (j->status == ESME_RINVPASWD && k[n]->fails++ == 0)
			k[n]->since = now;
	}
}

static void refuse(struct smpp_conn *c, struct smpp_job *j)
{
	j->status = ESME_RBINDFAIL;
	j->reason = "throttled";
	smpp_bind_result(c, j);
	smpp_job_free(j);
}

void smpp_bind_release(double now)
{
	struct smpp_job *list = parked;
	parked = NULL;
	parked_tail = &parked;
	for (struct smpp_job *j = list, *next; j; j = next) {
		next = j->next;
		j->next = NULL;
		struct smpp_conn *c = smpp_conn_find(j->conn);
		if (c == NULL) {
			smpp_job_free(j);
		} else if (blocked(j, now)) {
			refuse(c, j);
		} else if (!admit(j, now)) {
			*parked_tail = j;
			parked_tail = &j->next;
		}
	}
}

void smpp_bind_reset(void)
{
	while (parked) {
		struct smpp_job *j = parked;
		parked = j->next;
		smpp_job_free(j);
	}
	parked_tail = &parked;
	memset(keys, 0, sizeof(keys));
	checks = 0;
}

void smpp_bind_pdu(struct smpp_conn *c, const struct smpp_pdu *in)
{
	if (c->bound || c->binding) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RALYBND);
		return;
	}
	if (in->interface_version > 0x34 && in->interface_version != 0x50) {
		smpp_conn_reply(c, in->command_id, in->seq, ESME_RBINDFAIL);
		return;
	}
	struct smpp_job *j = smpp_job_answering(SJ_BIND, c->id, in);
	j->interface_version = in->interface_version;
	snprintf(j->system_id, sizeof(j->system_id), "%s", in->system_id);
	snprintf(j->password, sizeof(j->password), "%s", in->password);
	snprintf(j->ip, sizeof(j->ip), "%s", c->ip);
	c->binding = 1;
	c->pending++;
	double now = smpp_now();
	if (blocked(j, now)) {
		refuse(c, j);
	} else if (!admit(j, now)) {
		*parked_tail = j;
		parked_tail = &j->next;
	}
}

void smpp_bind_result(struct smpp_conn *c, struct smpp_job *j)
{
	if (j->admitted) {
		checked(j, smpp_now());
		smpp_bind_release(smpp_now());
	}
	if (c == NULL)
		return;
	c->binding = 0;
	c->pending--;
	struct smpp_pdu r = {0};
	r.command_id = j->command_id | SMPP_RESP;
	r.seq = j->seq;
	r.status = j->status;
	snprintf(r.system_id, sizeof(r.system_id), "herald");
	if (j->status == ESME_ROK) {
		c->bound = j->command_id;
		metrics_smpp_links(0, 1);
		snprintf(c->system_id, sizeof(c->system_id), "%s", j->system_id);
		c->acct = smpp_account_state(j->account.id);
		if (c->acct->tps != j->account.tps) {
			c->acct->tps = j->account.tps;
			c->acct->tokens = j->account.tps;
		}
		if (smpp_is_receiver(c->bound))
			c->acct->receivers++;
		if (j->interface_version >= 0x34) {
			r.has_sc_version = 1;
			r.sc_version = 0x34;
		}
		log_info("smpp.bound", LI("conn", (uint32_t)c->id), LS("system_id", j->system_id),
			 LS("ip", c->ip), LS("mode", smpp_cmd_name(j->command_id)));
	} else {
		metrics_smpp(MS_BIND_FAILED, 1);
		log_warn("smpp.bind_failed", LS("system_id", j->system_id), LS("ip", c->ip),
			 LI("status", j->status), LS("reason", j->reason ? j->reason : "unknown"));
	}
	smpp_conn_send(c, &r);
	smpp_conn_window(c);
}
