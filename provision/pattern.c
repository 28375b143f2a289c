/* Metric filter pattern builder. */
#include "provision/pattern.h"

#include "lib/buf.h"

#include <stdio.h>
#include <string.h>

#define EXCLUDE_PREFIX "($.userIdentity.arn != \""

/* Characters a secret name, ARN or principal glob may hold here: none that
 * could end a quoted value or start pattern syntax. */
static int value_ok(const char *s, const char *extra) {
  if (!*s)
    return 0;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || strchr("/_+=.@-:", c) ||
        (extra && strchr(extra, c)))
      continue;
    return 0;
  }
  return 1;
}

int pv_secret_partial_arn(const char *arn, char *out, size_t out_size) {
  size_t n = strlen(arn);
  if (n < 8 || arn[n - 7] != '-' || strncmp(arn, "arn:", 4) != 0 ||
      !strstr(arn, ":secretsmanager:") || !strstr(arn, ":secret:"))
    return -1;
  for (size_t i = n - 6; i < n; i++) {
    char c = arn[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return -1;
  }
  if (n - 7 >= out_size)
    return -1;
  memcpy(out, arn, n - 7);
  out[n - 7] = '\0';
  return 0;
}

int pv_filter_pattern(const char *secret_name, const char *secret_arn,
                      const char *const *allow, size_t allow_count, char *out,
                      size_t out_size, char *err, size_t err_size) {
  char partial[2048];
  struct sw_buf b;
  int rc = -1;
  if (!value_ok(secret_name, NULL) || !value_ok(secret_arn, NULL)) {
    snprintf(err, err_size,
             "secret name or ARN has characters a filter "
             "pattern cannot quote");
    return -1;
  }
  if (pv_secret_partial_arn(secret_arn, partial, sizeof(partial)) != 0) {
    snprintf(err, err_size, "\"%.200s\" is not a Secrets Manager secret ARN",
             secret_arn);
    return -1;
  }
  for (size_t i = 0; i < allow_count; i++)
    if (!value_ok(allow[i], ",*")) {
      snprintf(err, err_size,
               "principal glob \"%.200s\": only letters, "
               "digits, /_+=.,@-: and '*' can be matched",
               allow[i]);
      return -1;
    }
  sw_buf_init(&b, PV_PATTERN_MAX + 1);
  sw_buf_printf(&b,
                "{ ($.eventSource = \"secretsmanager.amazonaws.com\") && "
                "($.eventName = \"GetSecretValue\") && "
                "(($.requestParameters.secretId = \"%s\") || "
                "($.requestParameters.secretId = \"%s\") || "
                "($.requestParameters.secretId = \"%s\"))",
                secret_name, secret_arn, partial);
  for (size_t i = 0; i < allow_count; i++)
    sw_buf_printf(&b, " && " EXCLUDE_PREFIX "%s\")", allow[i]);
  sw_buf_append_str(&b, " }");
  if (b.overflow || b.len > PV_PATTERN_MAX) {
    snprintf(err, err_size,
             "filter pattern would exceed %d characters (AWS's "
             "limit): fewer --allow-principal globs",
             PV_PATTERN_MAX);
  } else if (b.len >= out_size) {
    snprintf(err, err_size, "filter pattern does not fit");
  } else {
    memcpy(out, sw_buf_cstr(&b), b.len + 1);
    rc = 0;
  }
  sw_buf_clean_up(&b);
  return rc;
}

size_t pv_pattern_allowed(const char *pattern, char (*globs)[300], size_t max) {
  size_t n = 0, pl = strlen(EXCLUDE_PREFIX);
  const char *p = pattern;
  while (p && n < max && (p = strstr(p, EXCLUDE_PREFIX)) != NULL) {
    p += pl;
    const char *end = strchr(p, '"');
    if (!end)
      break;
    size_t len = (size_t)(end - p);
    if (len > 0 && len < sizeof(globs[0])) {
      memcpy(globs[n], p, len);
      globs[n][len] = '\0';
      n++;
    }
    p = end;
  }
  return n;
}
