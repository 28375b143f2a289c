#include "lib/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

void sw_time_amz_date(time_t t, char out[17]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

void sw_time_iso8601(time_t t, char out[21]) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  *out = v;
  return 0;
}

static int expect(const char **p, char c) {
  if (**p != c)
    return -1;
  (*p)++;
  return 0;
}

int sw_time_parse_iso8601(const char *s, double *epoch_s) {
  struct tm tm;
  int year, mon, day, hour, min, sec;
  double frac = 0;
  int compact;
  const char *p = s;
  if (s == NULL)
    return -1;
  memset(&tm, 0, sizeof(tm));
  compact = strlen(s) >= 9 && s[8] == 'T';
  if (digits(&p, 4, &year) || (!compact && expect(&p, '-')) ||
      digits(&p, 2, &mon) || (!compact && expect(&p, '-')) ||
      digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' '))
    return -1;
  p++;
  if (digits(&p, 2, &hour) || (!compact && expect(&p, ':')) ||
      digits(&p, 2, &min) || (!compact && expect(&p, ':')) ||
      digits(&p, 2, &sec))
    return -1;
  if (*p == '.') {
    double scale = 0.1;
    p++;
    if (!isdigit((unsigned char)*p))
      return -1;
    while (isdigit((unsigned char)*p)) {
      frac += (*p - '0') * scale;
      scale /= 10;
      p++;
    }
  }
  long offset_s = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, oh, om;
    p++;
    if (digits(&p, 2, &oh) || (*p == ':' && expect(&p, ':')) ||
        digits(&p, 2, &om))
      return -1;
    offset_s = sign * (oh * 3600L + om * 60L);
  } else {
    return -1;
  }
  if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 ||
      min > 59 || sec > 60)
    return -1;
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  if (t == (time_t)-1)
    return -1;
  *epoch_s = (double)(t - offset_s) + frac;
  return 0;
}

int sw_time_parse_http_date(const char *s, time_t *epoch_s) {
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
  char mon[4] = {0}, wday[4] = {0}, zone[4] = {0};
  int day, year, hour, min, sec;
  struct tm tm;
  if (s == NULL ||
      sscanf(s, "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &hour,
             &min, &sec, zone) != 8 ||
      strcmp(zone, "GMT") != 0)
    return -1;
  memset(&tm, 0, sizeof(tm));
  tm.tm_mon = -1;
  for (int i = 0; i < 12; i++)
    if (strcasecmp(mon, months[i]) == 0)
      tm.tm_mon = i;
  if (tm.tm_mon < 0 || day < 1 || day > 31 || hour > 23 || min > 59 ||
      sec > 60 || year < 1970)
    return -1;
  tm.tm_year = year - 1900;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  *epoch_s = timegm(&tm);
  return *epoch_s == (time_t)-1 ? -1 : 0;
}

double sw_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

long long sw_time_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sw_sleep_ms(long ms) {
  struct timespec ts;
  if (ms <= 0)
    return;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  /* Resume after signals; stop on any other failure. */
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}
