/* bucket.h — a provider's token bucket (its rate: requests per second from this process, 0 =
 * unlimited), shared by the dispatch workers of one process; its burst is 1/20 s of the rate. */
#ifndef HERALD_BUCKET_H
#define HERALD_BUCKET_H
#include <pthread.h>
#include <stdatomic.h>

struct bucket {
	pthread_mutex_t mu;
	atomic_int rate;
	double tokens, last;
};

void bucket_init(struct bucket *b, int rate);
void bucket_destroy(struct bucket *b);
/* Takes up to want tokens; returns how many it got (want when the rate is unlimited). */
int bucket_take(struct bucket *b, int want);

#endif
