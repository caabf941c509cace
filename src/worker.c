/* worker.c — starting and stopping a background thread. */
#include "worker.h"
#include "log.h"

int worker_start(struct worker *w, void *(*run)(void *))
{
	w->stopping = 0;
	if (pthread_create(&w->thread, NULL, run, NULL) != 0) {
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
