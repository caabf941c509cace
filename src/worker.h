/* worker.h — a background thread that waits on its condition until woken or told to stop:
 * the analyzer, the reporter, the import worker, the webhook sender and the SMSC receipts'
 * applier each run one. It runs at a lower CPU priority (WORKER_NICE) than the threads that
 * answer requests and send messages: on busy cores, they come first, and its work waits. */
#ifndef HERALD_WORKER_H
#define HERALD_WORKER_H
#include <pthread.h>

struct worker {
	const char *failed;     /* the log event when the thread cannot start */
	pthread_mutex_t mu;     /* guards stopping and the owner's shared state */
	pthread_cond_t cv;      /* signalled to wake the thread */
	int stopping;
	pthread_t thread;
	void *(*run)(void *);
};

#define WORKER_NICE 10   /* added to the nice value of the process (at most 19) */

#define WORKER_INIT(failed_event, run_fn) \
	{.failed = failed_event, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .run = run_fn}

/* Starts w->run on its thread (stopping cleared): 0, or -1 logged. */
int worker_start(struct worker *w);
/* Sets stopping, wakes the thread and waits for it to end. */
void worker_stop(struct worker *w);
/* For the thread: 1 once worker_stop() was called. */
int worker_stopping(struct worker *w);
/* For the thread: waits up to ms, or until woken or told to stop. */
void worker_idle(struct worker *w, long ms);

#endif
