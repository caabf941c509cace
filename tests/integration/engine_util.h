/* engine_util.h — fixtures of the engine and delivery tests: clients and mailings made with SQL
 * in the test's own database (proc.h) as the API would make them, a herald with short retry
 * settings, and what fakeprobe received. */
#ifndef HERALD_ENGINE_UTIL_H
#define HERALD_ENGINE_UTIL_H
#include <jansson.h>
#include "message_status.h"
#include "proc.h"

/* n clients with operator op, tag (NULL: none) and time zone tz; phones 7 + op + 7 digits. */
void eng_clients(int n, const char *op, const char *tag, const char *tz);
/* A mailing starting/ending start_s/end_s seconds from now; ops/tags are array literals;
 * ws/we SQL (NULL or 'HH:MM'). The scheduler hears of it by NOTIFY, as from the API. */
long long eng_mailing(double start_s, double end_s, const char *ops, const char *tags, const char *ws, const char *we);
/* The mailing's message count with status, from the counters. */
long long eng_count(long long mid, int status);
/* Waits up to s seconds until every message of the mailing is final (sent, failed, expired,
 * cancelled); 1 when it happened. */
int eng_wait_final(long long mid, double s);
/* herald against fakeprobe fp (NULL: the log provider) with retries of 50..400 ms, a 2 s
 * provider timeout and the extra "K=V" entries given (NULL-terminated). */
struct proc eng_herald(const struct proc *fp, ...);
/* A provider row with dlr_secret secret and a fakeprobe (its extra arguments args, may be NULL)
 * that posts delivery reports of the messages it answers OK to herald h with that secret
 * (--dlr-url), the row pointed at it once it runs (providers are read within a second); its id
 * into *id. */
struct proc eng_reporting_provider(const struct proc *h, const char *secret, const char *const *args, long long *id);
/* fakeprobe's GET /received results (a new reference). */
json_t *fp_received(const struct proc *fp);
/* POST /control with the JSON body; fails the test unless 200. */
void fp_control(const struct proc *fp, const char *body);
/* The phones the provider answered 200, sorted and comma-joined (malloc'ed). */
char *fp_phones_ok(const struct proc *fp);
/* Arrival times (epoch ms) of the requests for one phone, in order; returns how many. */
int fp_arrivals(const struct proc *fp, const char *phone, long long *ts, int max);
/* The first line (1 on) of the file at path that contains needle; 0 when none does. */
long file_has(const char *path, const char *needle);

#endif
