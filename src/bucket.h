/* bucket.h — the token bucket behind cfg.provider_rate (provider requests per second, 0 =
 * unlimited), shared by the dispatch workers of one process; its burst is 1/20 s of the rate. */
#ifndef HERALD_BUCKET_H
#define HERALD_BUCKET_H

/* Takes up to want tokens; returns how many it got (want when the rate is unlimited). */
int bucket_take(int want);

#endif
