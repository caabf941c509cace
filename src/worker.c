/* worker.c — starting and stopping a background thread. */
#include "worker.h"
#include "log.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* The thread's start: its nice value raised by WORKER_NICE (per thread on Linux; at most 19),
 * then run. */
static void *start(void *arg)
{
	struct worker *w = arg;
	id_t tid = (id_t)gettid();
	int nice = getpriority(PRIO_PROCESS, tid) + WORKER_NICE;
	if (setpriority(PRIO_PROCESS, tid, nice > 19 ? 19 : nice) < 0)
		log_warn("worker.nice_failed", LS("worker", w->failed));
	return w->run(NULL);
}

int worker_start(struct worker *w)
{
	w->stopping = 0;
	if (pthread_create(&w->thread, NULL, start, w) != 0) {
		log_error(w->failed, LS("error", "pthread_create"));
		return -1;
	}
	return 0;
}

void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
}

int worker_stopping(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	int s = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return s;
}

void worker_idle(struct worker *w, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += ms % 1000 * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&w->mu);
	if (!w->stopping)
		pthread_cond_timedwait(&w->cv, &w->mu, &until);
	pthread_mutex_unlock(&w->mu);
}
