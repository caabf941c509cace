/* bucket.c — a provider's token bucket (see bucket.h). */
#include "bucket.h"
#include "util.h"

#include <math.h>

void bucket_init(struct bucket *b, int rate)
{
	pthread_mutex_init(&b->mu, NULL);
	atomic_init(&b->rate, rate);
	b->tokens = b->last = 0;
}

void bucket_destroy(struct bucket *b)
{
	pthread_mutex_destroy(&b->mu);
}

int bucket_take(struct bucket *b, int want)
{
	int rate = atomic_load(&b->rate);
	if (rate <= 0)
		return want;
	double burst = fmax(1.0, rate / 20.0), now = now_mono();
	pthread_mutex_lock(&b->mu);
	b->tokens = fmin(burst, b->tokens + (now - b->last) * rate);
	b->last = now;
	int got = (int)fmin(want, floor(b->tokens));
	b->tokens -= got;
	pthread_mutex_unlock(&b->mu);
	return got;
}
