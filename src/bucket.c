/* bucket.c — the provider's token bucket (see bucket.h). */
#include "bucket.h"
#include "config.h"
#include "util.h"

#include <math.h>
#include <pthread.h>

static struct {
	pthread_mutex_t mu;
	double tokens, last;
} bucket = {PTHREAD_MUTEX_INITIALIZER, 0, 0};

int bucket_take(int want)
{
	if (cfg.provider_rate <= 0)
		return want;
	double burst = fmax(1.0, cfg.provider_rate / 20.0), now = now_mono();
	pthread_mutex_lock(&bucket.mu);
	bucket.tokens = fmin(burst, bucket.tokens + (now - bucket.last) * cfg.provider_rate);
	bucket.last = now;
	int got = (int)fmin(want, floor(bucket.tokens));
	bucket.tokens -= got;
	pthread_mutex_unlock(&bucket.mu);
	return got;
}
