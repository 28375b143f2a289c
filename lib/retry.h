/* Retry decisions of the AWS SDKs' "standard" retry mode, as pure functions.
 *
 * Up to SW_RETRY_MAX_ATTEMPTS attempts; retried are throttling errors, HTTP
 * 429 and 5xx answers and network errors (the SDK reference guide "Retry
 * behavior"); other 4xx never. Backoff is full jitter:
 * random * min(20 s, 100 ms * 2^attempt). Two one-time corrections do not
 * use up that budget: a clock skew error corrects the clock offset from the
 * server's Date header, and an expired-token error refreshes credentials.
 * No clock, no randomness, no I/O here: the caller passes them in. */
#ifndef SW_RETRY_H
#define SW_RETRY_H

#include "lib/error.h"

#include <time.h>

#define SW_RETRY_MAX_ATTEMPTS 3
#define SW_RETRY_BASE_MS 100
#define SW_RETRY_CAP_MS 20000
/* SigV4 accepts requests within 5 minutes of the server's clock; the SDKs
 * call a Date header more than 4 minutes away a skew. */
#define SW_RETRY_SKEW_THRESHOLD_S 240

/* 1 when err is worth retrying with backoff (throttled, 5xx, network). */
int sw_retry_is_retryable(const struct sw_error *err);

/* Backoff before retry number retry + 1 (retry is 0 for the first retry), in
 * ms: random_unit (in [0, 1)) * min(cap, base * 2^retry). Out-of-range
 * random_unit is clamped. */
long sw_retry_backoff_ms(int retry, double random_unit);

/* 1 when err says the token expired (ExpiredToken, ExpiredTokenException). */
int sw_retry_is_expired_token(const struct sw_error *err);

/* Decides whether err is a clock skew we can correct: a skew code
 * (err->clock_skew) or SignatureDoesNotMatch, with a server Date header
 * (server_date, may be NULL) more than SW_RETRY_SKEW_THRESHOLD_S away from
 * local_now_s + current_offset_s (SignatureDoesNotMatch) or any distance
 * (skew codes). On 1, *new_offset_s is server time - local time. */
int sw_retry_clock_skew(const struct sw_error *err, const char *server_date,
                        double local_now_s, double current_offset_s,
                        double *new_offset_s);

/* The state of one logical call across attempts. */
struct sw_retry_state {
  int max_attempts; /* 0 means SW_RETRY_MAX_ATTEMPTS */
  int attempts;     /* attempts made so far */
  int backoff_retries;
  int skew_corrected;
  int token_refreshed;
};

enum sw_retry_action {
  SW_RETRY_STOP = 0,     /* give up: return err */
  SW_RETRY_BACKOFF,      /* sleep *delay_ms then retry */
  SW_RETRY_FIX_CLOCK,    /* set the offset to *new_offset_s, retry now */
  SW_RETRY_REFRESH_CREDS /* invalidate the credentials cache, retry now */
};

void sw_retry_state_init(struct sw_retry_state *s, int max_attempts);

/* After an attempt failed with err: what to do next. Counts the attempt.
 * server_date is the answer's Date header (NULL when none), local_now_s and
 * current_offset_s the clock used to sign, random_unit the jitter source. */
enum sw_retry_action sw_retry_next(struct sw_retry_state *s,
                                   const struct sw_error *err,
                                   const char *server_date, double local_now_s,
                                   double current_offset_s, double random_unit,
                                   long *delay_ms, double *new_offset_s);

#endif
