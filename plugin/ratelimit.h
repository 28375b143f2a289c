/* Token buckets shared by every poller of the process, one per key (AWS
 * account and region), so all <Account> blocks that reach the same
 * account and region together stay under LookupEvents' 2 requests/s.
 * Thread-safe: the registry and each bucket are locked. */
#ifndef SW_PLUGIN_RATELIMIT_H
#define SW_PLUGIN_RATELIMIT_H

struct swp_bucket;

/* The bucket for key, created on first use with rate_per_s requests per
 * second (no burst beyond one request). Buckets live until
 * swp_ratelimit_shutdown. NULL on out of memory. */
struct swp_bucket *swp_ratelimit_get(const char *key, double rate_per_s);

/* Reserves the next slot of b and sleeps until it. Returns 0, or -1 without
 * reserving when the wait would exceed max_wait_ms. */
int swp_ratelimit_take(struct swp_bucket *b, long max_wait_ms);

/* Sleeps a random 0..max_ms milliseconds (rand_r on *seed). Hosts of a
 * fleet that poll one account read at fixed moments of their intervals;
 * with a pause this random before each cycle's reads, no host keeps
 * losing the shared rate limit to the others at the same moments. */
void swp_ratelimit_jitter(unsigned int *seed, long max_ms);

/* The bound of the next pause after a cycle whose reads AWS throttled
 * (throttled) or not: doubles from 1 while throttled, up to cap (>= 1),
 * and halves after a clean cycle (0: no pause). */
unsigned int swp_backoff_next(unsigned int bound, int throttled,
                              unsigned int cap);

/* For tests: reserves like take but returns the wait in ms instead of
 * sleeping (-1 when over max_wait_ms), at the given monotonic time. */
long swp_ratelimit_reserve(struct swp_bucket *b, long long now_ms,
                           long max_wait_ms);

/* Frees every bucket (at plugin shutdown, when no reader runs). */
void swp_ratelimit_shutdown(void);

#endif
