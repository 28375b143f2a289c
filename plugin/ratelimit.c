/* Reservation-based token buckets: each request takes the next free slot,
 * slots are 1/rate apart, so waiting threads are served in order. */
#include "plugin/ratelimit.h"

#include "lib/timeutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct swp_bucket {
  char *key;
  long long interval_ms;  /* between two requests */
  long long next_free_ms; /* monotonic time of the next free slot */
  pthread_mutex_t lock;
  struct swp_bucket *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct swp_bucket *registry;

struct swp_bucket *swp_ratelimit_get(const char *key, double rate_per_s) {
  struct swp_bucket *b;
  pthread_mutex_lock(&registry_lock);
  for (b = registry; b != NULL; b = b->next)
    if (strcmp(b->key, key) == 0)
      break;
  if (b == NULL && (b = calloc(1, sizeof(*b))) != NULL) {
    if ((b->key = strdup(key)) == NULL) {
      free(b);
      b = NULL;
    } else {
      b->interval_ms =
          rate_per_s > 0 ? (long long)(1000.0 / rate_per_s + 0.5) : 0;
      pthread_mutex_init(&b->lock, NULL);
      b->next = registry;
      registry = b;
    }
  }
  pthread_mutex_unlock(&registry_lock);
  return b;
}

long swp_ratelimit_reserve(struct swp_bucket *b, long long now_ms,
                           long max_wait_ms) {
  long long slot;
  pthread_mutex_lock(&b->lock);
  slot = b->next_free_ms > now_ms ? b->next_free_ms : now_ms;
  if (slot - now_ms > max_wait_ms) {
    pthread_mutex_unlock(&b->lock);
    return -1;
  }
  b->next_free_ms = slot + b->interval_ms;
  pthread_mutex_unlock(&b->lock);
  return (long)(slot - now_ms);
}

int swp_ratelimit_take(struct swp_bucket *b, long max_wait_ms) {
  long wait_ms = swp_ratelimit_reserve(b, sw_time_mono_ms(), max_wait_ms);
  if (wait_ms < 0)
    return -1;
  sw_sleep_ms(wait_ms);
  return 0;
}

void swp_ratelimit_jitter(unsigned int *seed, long max_ms) {
  if (max_ms > 0)
    sw_sleep_ms((long)(rand_r(seed) % (unsigned long)(max_ms + 1)));
}

void swp_ratelimit_shutdown(void) {
  pthread_mutex_lock(&registry_lock);
  while (registry != NULL) {
    struct swp_bucket *b = registry;
    registry = b->next;
    pthread_mutex_destroy(&b->lock);
    free(b->key);
    free(b);
  }
  pthread_mutex_unlock(&registry_lock);
}

unsigned int swp_backoff_next(unsigned int bound, int throttled,
                              unsigned int cap) {
  if (cap < 1)
    cap = 1;
  if (!throttled)
    return bound / 2;
  bound = bound ? bound * 2 : 1;
  return bound > cap || bound == 0 ? cap : bound;
}
