/* lib/retry.c: the SDK standard retry mode as pure decisions. */
#include "lib/retry.h"
#include "lib/timeutil.h"
#include "sw_test.h"

#include <math.h>

static struct sw_error aws_error(long status, const char *code,
                                 const char *message) {
  struct sw_error e;
  sw_error_clear(&e);
  sw_error_set_aws(&e, status, code, code ? strlen(code) : 0, message,
                   message ? strlen(message) : 0);
  return e;
}

static void test_retryable_kinds(void) {
  static const struct {
    long status;
    const char *code;
    int retry;
  } cases[] = {
      {400, "ThrottlingException", 1},
      {400, "Throttling", 1},
      {400, "TooManyRequestsException", 1},
      {503, "RequestLimitExceeded", 1},
      {503, "SlowDown", 1},
      {429, NULL, 1},
      {500, "InternalFailure", 1},
      {502, NULL, 1},
      {503, "ServiceUnavailable", 1},
      {400, "RequestTimeout", 1},
      {400, "ValidationException", 0},
      {400, "InvalidParameterValue", 0},
      {403, "AccessDenied", 0},
      {404, "ResourceNotFoundException", 0},
      {400, "ExpiredToken", 0},
      {403, "SignatureDoesNotMatch", 0},
      {409, "BucketAlreadyOwnedByYou", 0},
      {400, NULL, 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_error e = aws_error(cases[i].status, cases[i].code, "m");
    SW_CHECK_INT(sw_retry_is_retryable(&e), cases[i].retry);
  }
  struct sw_error e;
  sw_error_clear(&e);
  sw_error_set(&e, SW_ERR_NETWORK, "connection reset");
  SW_CHECK_INT(sw_retry_is_retryable(&e), 1);
  sw_error_set(&e, SW_ERR_INTERNAL, "response larger than 10 bytes");
  SW_CHECK_INT(sw_retry_is_retryable(&e), 0);
  sw_error_set(&e, SW_ERR_CREDENTIALS, "none");
  SW_CHECK_INT(sw_retry_is_retryable(&e), 0);
  sw_error_set(&e, SW_ERR_PARSE, "bad");
  SW_CHECK_INT(sw_retry_is_retryable(&e), 0);
  SW_CHECK_INT(sw_retry_is_retryable(NULL), 0);
}

static void test_backoff_is_full_jitter_capped(void) {
  static const struct {
    int retry;
    double r;
    long want;
  } cases[] = {
      {0, 0.0, 0},        {0, 0.5, 50},
      {1, 0.5, 100},      {2, 0.5, 200},
      {3, 0.999, 799},    {7, 0.5, 6400},
      {9, 0.5, 10000},    {30, 0.5, 10000},
      {1000, 0.5, 10000}, {-3, 0.5, 50},
      {2, 1.5, 399},      {2, -1, 0},
      {2, NAN, 0},        {INT32_MAX, 0.25, 5000},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    SW_CHECK_INT(sw_retry_backoff_ms(cases[i].retry, cases[i].r),
                 cases[i].want);
  /* Never above the ceiling of its retry, never negative. */
  for (int r = 0; r < 40; r++) {
    double ceiling = fmin(SW_RETRY_CAP_MS, SW_RETRY_BASE_MS * pow(2, r));
    for (double u = 0; u < 1; u += 0.125) {
      long ms = sw_retry_backoff_ms(r, u);
      SW_CHECK(ms >= 0 && ms <= ceiling);
    }
  }
}

static void http_date(time_t t, char out[64]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void test_clock_skew_detection(void) {
  const double now = 1800000000.0;
  char ahead20[64], ahead5[64], ahead2[64], behind10[64];
  double off = 0;
  http_date((time_t)now + 1200, ahead20);
  http_date((time_t)now + 300, ahead5);
  http_date((time_t)now + 120, ahead2);
  http_date((time_t)now - 600, behind10);

  struct sw_error skewed = aws_error(403, "RequestTimeTooSkewed", "too skewed");
  SW_CHECK_INT(sw_retry_clock_skew(&skewed, ahead20, now, 0, &off), 1);
  SW_CHECK(fabs(off - 1200) < 1.001);
  SW_CHECK_INT(sw_retry_clock_skew(&skewed, behind10, now, 0, &off), 1);
  SW_CHECK(fabs(off + 600) < 1.001);
  /* The new offset is absolute, not added to the old one. */
  SW_CHECK_INT(sw_retry_clock_skew(&skewed, ahead20, now, 500, &off), 1);
  SW_CHECK(fabs(off - 1200) < 1.001);
  /* Without a (valid) Date header there is nothing to correct from. */
  SW_CHECK_INT(sw_retry_clock_skew(&skewed, NULL, now, 0, &off), 0);
  SW_CHECK_INT(sw_retry_clock_skew(&skewed, "yesterday", now, 0, &off), 0);
  SW_CHECK_INT(sw_retry_clock_skew(&skewed, "", now, 0, &off), 0);

  struct sw_error expired =
      aws_error(400, "InvalidSignatureException",
                "Signature expired: 20261127T000000Z is now earlier than ...");
  SW_CHECK_INT(sw_retry_clock_skew(&expired, ahead20, now, 0, &off), 1);
  struct sw_error req_expired = aws_error(400, "RequestExpired", "expired");
  SW_CHECK_INT(sw_retry_clock_skew(&req_expired, ahead5, now, 0, &off), 1);

  /* SignatureDoesNotMatch only with the clocks really apart (> 4 min). */
  struct sw_error sig = aws_error(403, "SignatureDoesNotMatch", "bad sig");
  SW_CHECK_INT(sw_retry_clock_skew(&sig, ahead5, now, 0, &off), 1);
  SW_CHECK_INT(sw_retry_clock_skew(&sig, ahead2, now, 0, &off), 0);
  SW_CHECK_INT(sw_retry_clock_skew(&sig, ahead5, now, 300, &off), 0);
  struct sw_error sig2 = aws_error(400, "InvalidSignatureException", "nope");
  SW_CHECK_INT(sw_retry_clock_skew(&sig2, ahead2, now, 0, &off), 0);
  SW_CHECK_INT(sw_retry_clock_skew(&sig2, behind10, now, 0, &off), 1);

  /* Other errors never. */
  struct sw_error thr = aws_error(400, "ThrottlingException", "slow");
  SW_CHECK_INT(sw_retry_clock_skew(&thr, ahead20, now, 0, &off), 0);
  SW_CHECK_INT(sw_retry_clock_skew(NULL, ahead20, now, 0, &off), 0);
}

static void test_expired_token(void) {
  struct sw_error a = aws_error(400, "ExpiredToken", "x");
  struct sw_error b = aws_error(400, "ExpiredTokenException", "x");
  struct sw_error c = aws_error(403, "InvalidClientTokenId", "x");
  SW_CHECK_INT(sw_retry_is_expired_token(&a), 1);
  SW_CHECK_INT(sw_retry_is_expired_token(&b), 1);
  SW_CHECK_INT(sw_retry_is_expired_token(&c), 0);
  SW_CHECK_INT(sw_retry_is_expired_token(NULL), 0);
}

static void test_three_throttles_give_up_after_three_attempts(void) {
  struct sw_retry_state s;
  struct sw_error e = aws_error(400, "ThrottlingException", "slow");
  long delay = -1;
  double off = 0;
  sw_retry_state_init(&s, 0);
  SW_CHECK_INT(s.max_attempts, 3);
  SW_CHECK_INT(sw_retry_next(&s, &e, NULL, 0, 0, 0.5, &delay, &off),
               SW_RETRY_BACKOFF);
  SW_CHECK_INT(delay, 50);
  SW_CHECK_INT(sw_retry_next(&s, &e, NULL, 0, 0, 0.5, &delay, &off),
               SW_RETRY_BACKOFF);
  SW_CHECK_INT(delay, 100);
  SW_CHECK_INT(sw_retry_next(&s, &e, NULL, 0, 0, 0.5, &delay, &off),
               SW_RETRY_STOP);
  SW_CHECK_INT(s.attempts, 3);

  /* A validation error stops at once; max_attempts 1 never retries. */
  struct sw_error v = aws_error(400, "ValidationException", "bad");
  sw_retry_state_init(&s, 3);
  SW_CHECK_INT(sw_retry_next(&s, &v, NULL, 0, 0, 0.5, &delay, &off),
               SW_RETRY_STOP);
  sw_retry_state_init(&s, 1);
  SW_CHECK_INT(sw_retry_next(&s, &e, NULL, 0, 0, 0.5, &delay, &off),
               SW_RETRY_STOP);
  sw_retry_state_init(&s, 3);
  SW_CHECK_INT(sw_retry_next(&s, NULL, NULL, 0, 0, 0.5, &delay, &off),
               SW_RETRY_STOP);
}

static void test_corrections_happen_once_each(void) {
  const double now = 1800000000.0;
  char date[64];
  struct sw_retry_state s;
  long delay;
  double off = 0;
  http_date((time_t)now + 1200, date);
  struct sw_error skew = aws_error(403, "RequestTimeTooSkewed", "skewed");
  struct sw_error tok = aws_error(400, "ExpiredTokenException", "expired");
  struct sw_error thr = aws_error(400, "Throttling", "slow");

  sw_retry_state_init(&s, 3);
  SW_CHECK_INT(sw_retry_next(&s, &skew, date, now, 0, 0.5, &delay, &off),
               SW_RETRY_FIX_CLOCK);
  SW_CHECK(fabs(off - 1200) < 1.001);
  SW_CHECK_INT(delay, 0);
  /* A second skew error is not corrected again (and is not retryable). */
  SW_CHECK_INT(sw_retry_next(&s, &skew, date, now, off, 0.5, &delay, &off),
               SW_RETRY_STOP);

  sw_retry_state_init(&s, 3);
  SW_CHECK_INT(sw_retry_next(&s, &tok, NULL, now, 0, 0.5, &delay, &off),
               SW_RETRY_REFRESH_CREDS);
  SW_CHECK_INT(sw_retry_next(&s, &tok, NULL, now, 0, 0.5, &delay, &off),
               SW_RETRY_STOP);

  /* Corrections do not use up the throttling budget. */
  sw_retry_state_init(&s, 3);
  SW_CHECK_INT(sw_retry_next(&s, &skew, date, now, 0, 0.5, &delay, &off),
               SW_RETRY_FIX_CLOCK);
  SW_CHECK_INT(sw_retry_next(&s, &tok, NULL, now, 0, 0.5, &delay, &off),
               SW_RETRY_REFRESH_CREDS);
  SW_CHECK_INT(sw_retry_next(&s, &thr, NULL, now, 0, 0.5, &delay, &off),
               SW_RETRY_BACKOFF);
  SW_CHECK_INT(sw_retry_next(&s, &thr, NULL, now, 0, 0.5, &delay, &off),
               SW_RETRY_BACKOFF);
  SW_CHECK_INT(sw_retry_next(&s, &thr, NULL, now, 0, 0.5, &delay, &off),
               SW_RETRY_STOP);
  SW_CHECK_INT(s.attempts, 5);
}

int main(void) {
  SW_RUN(test_retryable_kinds);
  SW_RUN(test_backoff_is_full_jitter_capped);
  SW_RUN(test_clock_skew_detection);
  SW_RUN(test_expired_token);
  SW_RUN(test_three_throttles_give_up_after_three_attempts);
  SW_RUN(test_corrections_happen_once_each);
  return sw_test_done();
}
