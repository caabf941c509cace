/* dispatch.h — the "dispatch" role: delivers due messages through the provider (see dispatch.c). */
#ifndef HERALD_DISPATCH_H
#define HERALD_DISPATCH_H

/* Starts cfg.dispatch_workers threads; 0, or -1 when the provider cannot be opened. */
int dispatch_start(void);
/* Stops claiming, lets in-flight requests finish for a bounded time, releases the rest to
 * pending, joins the threads and frees everything. */
void dispatch_stop(void);

#endif
