/* reporter.h — the "report" role of `herald serve` (see reporter.c). */
#ifndef HERALD_REPORTER_H
#define HERALD_REPORTER_H

/* Starts the role's thread: 0, or -1 (logged). */
int reporter_start(void);
/* Asks the thread to stop, lets a send in progress finish, flushes the last provider minute and
 * joins it. */
void reporter_stop(void);

#endif
