/* SDK standard-mode retry decisions (see retry.h). */
#include "lib/retry.h"
#include "lib/timeutil.h"

#include <math.h>
#include <string.h>

int sw_retry_is_retryable(const struct sw_error *err) {
  if (err == NULL)
    return 0;
  switch (err->kind) {
  case SW_ERR_NETWORK:
  case SW_ERR_THROTTLED:
  case SW_ERR_SERVER:
    return 1;
  default:
    /* Transient codes that classify otherwise still deserve a retry. */
    return err->http_status == 429 || err->http_status >= 500 ||
           strcmp(err->code, "RequestTimeout") == 0 ||
           strcmp(err->code, "RequestTimeoutException") == 0;
  }
}

long sw_retry_backoff_ms(int retry, double random_unit) {
  double ceiling = SW_RETRY_BASE_MS;
  if (retry < 0)
    retry = 0;
  if (!(random_unit >= 0)) /* NaN too */
    random_unit = 0;
  if (random_unit >= 1)
    random_unit = 0.999999;
  for (int i = 0; i < retry && ceiling < SW_RETRY_CAP_MS; i++)
    ceiling *= 2;
  if (ceiling > SW_RETRY_CAP_MS)
    ceiling = SW_RETRY_CAP_MS;
  return (long)floor(random_unit * ceiling);
}

int sw_retry_is_expired_token(const struct sw_error *err) {
  return err && (strcmp(err->code, "ExpiredToken") == 0 ||
                 strcmp(err->code, "ExpiredTokenException") == 0);
}

int sw_retry_clock_skew(const struct sw_error *err, const char *server_date,
                        double local_now_s, double current_offset_s,
                        double *new_offset_s) {
  time_t server_s;
  double diff_s;
  int skew_code;
  if (err == NULL || server_date == NULL ||
      sw_time_parse_http_date(server_date, &server_s) != 0)
    return 0;
  skew_code = err->clock_skew;
  if (!skew_code && strcmp(err->code, "SignatureDoesNotMatch") != 0 &&
      strcmp(err->code, "InvalidSignatureException") != 0)
    return 0;
  diff_s = (double)server_s - (local_now_s + current_offset_s);
  /* A signature mismatch is only a skew when the clocks really disagree;
   * otherwise it is a wrong secret key and retrying cannot help. */
  if (!skew_code && fabs(diff_s) <= SW_RETRY_SKEW_THRESHOLD_S)
    return 0;
  *new_offset_s = (double)server_s - local_now_s;
  return 1;
}

void sw_retry_state_init(struct sw_retry_state *s, int max_attempts) {
  memset(s, 0, sizeof(*s));
  s->max_attempts = max_attempts > 0 ? max_attempts : SW_RETRY_MAX_ATTEMPTS;
}

enum sw_retry_action sw_retry_next(struct sw_retry_state *s,
                                   const struct sw_error *err,
                                   const char *server_date, double local_now_s,
                                   double current_offset_s, double random_unit,
                                   long *delay_ms, double *new_offset_s) {
  s->attempts++;
  *delay_ms = 0;
  if (err == NULL)
    return SW_RETRY_STOP;
  if (!s->skew_corrected &&
      sw_retry_clock_skew(err, server_date, local_now_s, current_offset_s,
                          new_offset_s)) {
    s->skew_corrected = 1;
    return SW_RETRY_FIX_CLOCK;
  }
  if (!s->token_refreshed && sw_retry_is_expired_token(err)) {
    s->token_refreshed = 1;
    return SW_RETRY_REFRESH_CREDS;
  }
  if (!sw_retry_is_retryable(err) || s->backoff_retries + 1 >= s->max_attempts)
    return SW_RETRY_STOP;
  *delay_ms = sw_retry_backoff_ms(s->backoff_retries, random_unit);
  s->backoff_retries++;
  return SW_RETRY_BACKOFF;
}
