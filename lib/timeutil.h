/* Time formats AWS uses. Pure functions; times are UTC epoch seconds. */
#ifndef SW_TIMEUTIL_H
#define SW_TIMEUTIL_H

#include <time.h>

/* "20261127T080102Z" (SigV4 X-Amz-Date); out needs 17 bytes. */
void sw_time_amz_date(time_t t, char out[17]);
/* "2026-11-27T08:01:02Z"; out needs 21 bytes. */
void sw_time_iso8601(time_t t, char out[21]);

/* Parses ISO 8601 as AWS writes it: "2026-11-27T08:01:02Z",
 * "2026-11-27T08:01:02.123Z", "2026-11-27T08:01:02+00:00", and the
 * compact "20261127T080102Z". Fractions are kept. Returns 0 or -1. */
int sw_time_parse_iso8601(const char *s, double *epoch_s);

/* Parses an HTTP Date header (RFC 7231 IMF-fixdate, e.g.
 * "Fri, 27 Nov 2026 08:01:02 GMT"). Returns 0 or -1. */
int sw_time_parse_http_date(const char *s, time_t *epoch_s);

/* Seconds since the epoch, as a double with sub-second precision. */
double sw_time_now(void);
/* Monotonic milliseconds, for timeouts and rate limiting. */
long long sw_time_mono_ms(void);
/* Sleeps ms milliseconds (nothing when ms <= 0); a signal does not cut the
 * sleep short. */
void sw_sleep_ms(long ms);

#endif
