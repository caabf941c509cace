/* scheduler.h — the "scheduler" role: starts, ends and finishes mailings (see scheduler.c). */
#ifndef HERALD_SCHEDULER_H
#define HERALD_SCHEDULER_H

/* Starts the scheduler thread; 0 or -1. */
int scheduler_start(void);
/* Stops it and closes its connection (releasing leadership). */
void scheduler_stop(void);

#endif
