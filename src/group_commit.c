/* group_commit.c — one statement for the writes that arrive together (group_commit.h). */
#include "group_commit.h"

#include <string.h>

void group_commit(struct group_commit *g, void *conn, struct group_item *item)
{
	struct group_item *batch[GROUP_QUEUE_MAX];
	pthread_mutex_lock(&g->mu);
	while (g->n == GROUP_QUEUE_MAX)
		pthread_cond_wait(&g->cv, &g->mu);
	item->done = 0;
	g->q[g->n++] = item;
	while (!item->done) {
		if (g->writing) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		int n = g->n < g->max ? g->n : g->max;
		memcpy(batch, g->q, (size_t)n * sizeof(*batch));
		memmove(g->q, g->q + n, (size_t)(g->n - n) * sizeof(*g->q));
		g->n -= n;
		g->writing = 1;
		pthread_mutex_unlock(&g->mu);
		g->write(conn, batch, n);
		pthread_mutex_lock(&g->mu);
		for (int i = 0; i < n; i++)
			batch[i]->done = 1;
		g->writing = 0;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
}
