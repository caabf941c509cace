/* reporter.h — the "report" role of `herald serve` (see reporter.c). */
#ifndef HERALD_REPORTER_H
#define HERALD_REPORTER_H
#include "worker.h"

/* The role's thread (worker_start, worker_stop): stopped, it lets a send in progress finish and
 * flushes the last provider minute. */
extern struct worker reporter_worker;

#endif
