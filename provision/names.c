/* Derived names: the one place that decides what a stack's resources are
 * called. */
#include "provision/names.h"

#include "lib/endpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fmt(char *dst, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static int fmt(char *dst, size_t size, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = vsnprintf(dst, size, f, ap);
  va_end(ap);
  return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int too_long(char *err, size_t es, const char *what) {
  snprintf(err, es, "derived %s name is too long for AWS", what);
  return -1;
}

int pv_names_derive(struct pv_names *n, const char *stack, const char *account,
                    const char *region, const char *bucket,
                    const char *log_group, const char *trail, char *err,
                    size_t err_size) {
  const char *part = sw_region_partition(region);
  memset(n, 0, sizeof(*n));
  if (!part) {
    snprintf(err, err_size, "region \"%.64s\" is not a region name", region);
    return -1;
  }
  if (fmt(n->stack, sizeof(n->stack), "%s", stack) ||
      fmt(n->account, sizeof(n->account), "%s", account) ||
      fmt(n->region, sizeof(n->region), "%s", region) ||
      fmt(n->partition, sizeof(n->partition), "%s", part))
    return too_long(err, err_size, "stack, account or region");
  if (bucket ? fmt(n->bucket, sizeof(n->bucket), "%s", bucket)
             : fmt(n->bucket, sizeof(n->bucket), "%s-trail-%s-%s", stack,
                   account, region))
    return too_long(err, err_size, "bucket (give --bucket)");
  if (strlen(n->bucket) > 63)
    return too_long(err, err_size, "bucket (give --bucket)");
  if (log_group ? fmt(n->log_group, sizeof(n->log_group), "%s", log_group)
                : fmt(n->log_group, sizeof(n->log_group),
                      "/secretwatch/%s/cloudtrail", stack))
    return too_long(err, err_size, "log group");
  if (fmt(n->role, sizeof(n->role), "%s-cloudtrail-logs", stack) ||
      strlen(n->role) > 64)
    return too_long(err, err_size, "role");
  if (trail ? fmt(n->trail, sizeof(n->trail), "%s", trail)
            : fmt(n->trail, sizeof(n->trail), "%s-trail", stack))
    return too_long(err, err_size, "trail");
  if (fmt(n->topic, sizeof(n->topic), "%s-alarms", stack))
    return too_long(err, err_size, "topic");
  if (fmt(n->metric_namespace, sizeof(n->metric_namespace), "SecretWatch/%s",
          stack))
    return too_long(err, err_size, "metric namespace");
  /* ARN formats: AWS General Reference, "Amazon Resource Names". */
  if (fmt(n->bucket_arn, sizeof(n->bucket_arn), "arn:%s:s3:::%s", part,
          n->bucket) ||
      fmt(n->log_group_arn, sizeof(n->log_group_arn),
          "arn:%s:logs:%s:%s:log-group:%s", part, region, account,
          n->log_group) ||
      fmt(n->log_group_trail_arn, sizeof(n->log_group_trail_arn), "%s:*",
          n->log_group_arn) ||
      fmt(n->role_arn, sizeof(n->role_arn), "arn:%s:iam::%s:role/%s", part,
          account, n->role) ||
      fmt(n->trail_arn, sizeof(n->trail_arn),
          "arn:%s:cloudtrail:%s:%s:trail/%s", part, region, account,
          n->trail) ||
      fmt(n->topic_arn, sizeof(n->topic_arn), "arn:%s:sns:%s:%s:%s", part,
          region, account, n->topic))
    return too_long(err, err_size, "ARN");
  return 0;
}

int pv_secret_names_derive(const struct pv_names *n, const char *secret_name,
                           struct pv_secret_names *out, char *err,
                           size_t err_size) {
  memset(out, 0, sizeof(*out));
  if (fmt(out->filter, sizeof(out->filter), "%s-%s-reads", n->stack,
          secret_name) ||
      strlen(out->filter) > 512)
    return too_long(err, err_size, "metric filter");
  if (fmt(out->metric, sizeof(out->metric), "%s-reads", secret_name) ||
      strlen(out->metric) > 255)
    return too_long(err, err_size, "metric");
  if (fmt(out->alarm, sizeof(out->alarm), "%s-%s-read", n->stack, secret_name))
    return too_long(err, err_size, "alarm");
  if (fmt(out->alarm_arn, sizeof(out->alarm_arn),
          "arn:%s:cloudwatch:%s:%s:alarm:%s", n->partition, n->region,
          n->account, out->alarm))
    return too_long(err, err_size, "alarm ARN");
  fmt(out->label, sizeof(out->label), "%s", secret_name);
  for (char *p = out->label; *p; p++)
    if (*p == '/')
      *p = '_';
  return 0;
}

#define DESC_PREFIX "secretwatch:stack="

int pv_alarm_description(const char *stack, const char *secret_arn, char *out,
                         size_t out_size) {
  return fmt(out, out_size, DESC_PREFIX "%s;secret=%s", stack, secret_arn);
}

int pv_alarm_description_parse(const char *desc, const char *stack, char *arn,
                               size_t arn_size) {
  size_t pl = strlen(DESC_PREFIX), sl = strlen(stack);
  if (!desc || strncmp(desc, DESC_PREFIX, pl) != 0 ||
      strncmp(desc + pl, stack, sl) != 0 ||
      strncmp(desc + pl + sl, ";secret=", 8) != 0)
    return 0;
  const char *a = desc + pl + sl + 8;
  if (strncmp(a, "arn:", 4) != 0 || strlen(a) >= arn_size ||
      strpbrk(a, " ;\"\n"))
    return 0;
  memcpy(arn, a, strlen(a) + 1);
  return 1;
}
