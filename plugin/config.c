/* The <Plugin secretwatch> parser: a table of options per block, one getter
 * per kind of value, and the cross-option checks. Every refusal names the
 * block, the option and what was expected. */
#include "plugin/config.h"
#include "plugin/log.h"

#include "lib/endpoint.h"
#include "lib/text.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum opt_kind {
  OPT_STR,     /* one non-empty string */
  OPT_BOOL,    /* true/false (boolean or string) */
  OPT_SECONDS, /* one number, seconds, within [min, max] */
  OPT_INT,     /* one integral number within [min, max] */
  OPT_ENUM,    /* one string out of names[] */
  OPT_LIST     /* repeatable string */
};

struct opt_def {
  const char *name;
  enum opt_kind kind;
  size_t offset;
  double min, max;          /* numbers; for strings: max length */
  const char *const *names; /* OPT_ENUM */
  const char *expect;       /* what a valid value looks like */
};

static const char *const cw_protocols[] = {"json", "query", NULL};
static const char *const event_sources[] = {"LookupEvents", "FilterLogEvents",
                                            NULL};
static const char *const modes[] = {"honeytoken", "guarded", NULL};

#define ACC(f) offsetof(struct swp_account_conf, f)
#define SEC(f) offsetof(struct swp_secret_conf, f)

static const struct opt_def account_opts[] = {
    {"Region", OPT_STR, ACC(region), 0, 64, NULL,
     "an AWS region name such as \"us-east-1\""},
    {"Profile", OPT_STR, ACC(profile), 0, 256, NULL, "a profile name"},
    {"RoleARN", OPT_STR, ACC(role_arn), 0, 2048, NULL,
     "an IAM role ARN (\"arn:aws:iam::<account>:role/<name>\")"},
    {"ExternalID", OPT_STR, ACC(external_id), 0, 1224, NULL,
     "2 to 1224 characters of [A-Za-z0-9+=,.@:/-] (and RoleARN set)"},
    {"EndpointURL", OPT_STR, ACC(endpoint_url), 0, 400, NULL,
     "an http:// or https:// URL"},
    {"CAFile", OPT_STR, ACC(ca_file), 0, 4096, NULL, "a readable file"},
    {"Host", OPT_STR, ACC(host), 0, 127, NULL,
     "a host name of at most 127 bytes without '/'"},
    {"Interval", OPT_SECONDS, ACC(interval_s), 0.001, 86400, NULL,
     "a number of seconds > 0 and <= 86400"},
    {"Timeout", OPT_SECONDS, ACC(timeout_s), 0.001, 300, NULL,
     "a number of seconds > 0 and <= 300"},
    {"StateFile", OPT_STR, ACC(state_file), 0, 4000, NULL,
     "an absolute file path"},
    {"CloudWatchProtocol", OPT_ENUM, ACC(cw_protocol), 0, 0, cw_protocols,
     "\"json\" or \"query\""},
    {"Events", OPT_BOOL, ACC(events), 0, 0, NULL, "true or false"},
    {"EventSource", OPT_ENUM, ACC(event_source), 0, 0, event_sources,
     "\"LookupEvents\" or \"FilterLogEvents\""},
    {"LogGroup", OPT_STR, ACC(log_group), 0, 512, NULL,
     "a CloudWatch Logs log group name"},
    {"Lookback", OPT_INT, ACC(lookback_s), 0, 86400, NULL,
     "an integer number of seconds from 0 to 86400 (and <= MaxBackfill)"},
    {"MaxBackfill", OPT_INT, ACC(max_backfill_s), 60,
     (double)SWP_MAX_BACKFILL_LIMIT_S, NULL,
     "an integer number of seconds from 60 to 7776000 (90 days)"},
    {"MetricPeriod", OPT_INT, ACC(period_s), 1, 86400, NULL,
     "1, 5, 10, 30 or a multiple of 60 seconds"},
    {"Watchdog", OPT_BOOL, ACC(watchdog), 0, 0, NULL, "true or false"},
    {"WatchdogCycles", OPT_INT, ACC(watchdog_cycles), 1, 10000, NULL,
     "an integer from 1 to 10000"},
    {"Trail", OPT_STR, ACC(trail), 0, 2048, NULL, "a trail name or ARN"},
    {"NotifyAllowed", OPT_BOOL, ACC(notify_allowed), 0, 0, NULL,
     "true or false"},
};

static const struct opt_def secret_opts[] = {
    {"SecretID", OPT_STR, SEC(secret_id), 0, 2048, NULL,
     "a secret name, full ARN or partial ARN"},
    {"MetricNamespace", OPT_STR, SEC(metric_namespace), 0, 255, NULL,
     "a CloudWatch namespace of 1 to 255 printable characters"},
    {"MetricName", OPT_STR, SEC(metric_name), 0, 255, NULL,
     "a metric name of 1 to 255 printable characters"},
    {"AlarmName", OPT_STR, SEC(alarm_name), 0, 255, NULL,
     "an alarm name of 1 to 255 printable characters"},
    {"Mode", OPT_ENUM, SEC(mode), 0, 0, modes, "\"honeytoken\" or \"guarded\""},
    {"AllowPrincipal", OPT_LIST, SEC(allow), 0, 2048, NULL,
     "a principal ARN glob ('*' and '?')"},
    {"NotifyAllowed", OPT_BOOL, SEC(notify_allowed), 0, 0, NULL,
     "true or false"},
};

#define N_ACCOUNT_OPTS (sizeof(account_opts) / sizeof(account_opts[0]))
#define N_SECRET_OPTS (sizeof(secret_opts) / sizeof(secret_opts[0]))

/* Shows a value from the file in a message: bounded and without controls. */
static const char *shown(const char *s, char *buf, size_t size) {
  sw_text_sanitize_str(buf, size, s);
  return buf;
}

static const char *value_type_name(int type) {
  switch (type) {
  case OCONFIG_TYPE_STRING:
    return "a string";
  case OCONFIG_TYPE_NUMBER:
    return "a number";
  case OCONFIG_TYPE_BOOLEAN:
    return "a boolean";
  }
  return "an unknown value";
}

static int want_one(const oconfig_item_t *ci, int type, const char *where,
                    const struct opt_def *d) {
  if (ci->values_num != 1) {
    swp_log(SWP_ERR, "%s: option \"%s\" expects exactly one value (%s), got %d",
            where, d->name, d->expect, ci->values_num);
    return -1;
  }
  if (ci->values[0].type != type) {
    swp_log(SWP_ERR, "%s: option \"%s\" expects %s, got %s", where, d->name,
            d->expect, value_type_name(ci->values[0].type));
    return -1;
  }
  return 0;
}

static int get_str(const oconfig_item_t *ci, const char *where,
                   const struct opt_def *d, char **out) {
  char tmp[128];
  const char *s;
  if (want_one(ci, OCONFIG_TYPE_STRING, where, d) != 0)
    return -1;
  s = ci->values[0].value.string;
  if (s == NULL || s[0] == '\0' || strlen(s) > (size_t)d->max) {
    swp_log(SWP_ERR,
            "%s: option \"%s\" expects %s (at most %.0f bytes), got "
            "\"%s\"",
            where, d->name, d->expect, d->max, shown(s, tmp, sizeof(tmp)));
    return -1;
  }
  for (const char *p = s; *p; p++) {
    if ((unsigned char)*p < 0x20 || *p == 0x7f) {
      swp_log(SWP_ERR,
              "%s: option \"%s\" expects %s without control "
              "characters",
              where, d->name, d->expect);
      return -1;
    }
  }
  *out = strdup(s);
  return *out ? 0 : -1;
}

static int get_bool(const oconfig_item_t *ci, const char *where,
                    const struct opt_def *d, int *out) {
  char tmp[64];
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_BOOLEAN) {
    *out = ci->values[0].value.boolean ? 1 : 0;
    return 0;
  }
  if (ci->values_num == 1 && ci->values[0].type == OCONFIG_TYPE_STRING) {
    const char *s = ci->values[0].value.string;
    if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
              !strcasecmp(s, "on"))) {
      *out = 1;
      return 0;
    }
    if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
              !strcasecmp(s, "off"))) {
      *out = 0;
      return 0;
    }
    swp_log(SWP_ERR, "%s: option \"%s\" expects %s, got \"%s\"", where, d->name,
            d->expect, shown(s, tmp, sizeof(tmp)));
    return -1;
  }
  return want_one(ci, OCONFIG_TYPE_BOOLEAN, where, d);
}

static int get_number(const oconfig_item_t *ci, const char *where,
                      const struct opt_def *d, int integral, double *out) {
  double v;
  if (want_one(ci, OCONFIG_TYPE_NUMBER, where, d) != 0)
    return -1;
  v = ci->values[0].value.number;
  if (!isfinite(v) || v < d->min || v > d->max || (integral && v != floor(v))) {
    swp_log(SWP_ERR, "%s: option \"%s\" expects %s, got %.15g", where, d->name,
            d->expect, v);
    return -1;
  }
  *out = v;
  return 0;
}

static int get_enum(const oconfig_item_t *ci, const char *where,
                    const struct opt_def *d, int *out) {
  char tmp[64];
  if (want_one(ci, OCONFIG_TYPE_STRING, where, d) != 0)
    return -1;
  for (int i = 0; d->names[i]; i++) {
    if (ci->values[0].value.string &&
        strcasecmp(ci->values[0].value.string, d->names[i]) == 0) {
      *out = i;
      return 0;
    }
  }
  swp_log(SWP_ERR, "%s: option \"%s\" expects %s, got \"%s\"", where, d->name,
          d->expect, shown(ci->values[0].value.string, tmp, sizeof(tmp)));
  return -1;
}

static int list_add(const oconfig_item_t *ci, const char *where,
                    const struct opt_def *d, void *field) {
  char ***items = field;
  size_t *num = (size_t *)((char *)field + sizeof(char **));
  char *s = NULL;
  char **grown;
  if (*num >= SWP_MAX_ALLOW) {
    swp_log(SWP_ERR, "%s: option \"%s\" given more than %d times", where,
            d->name, SWP_MAX_ALLOW);
    return -1;
  }
  if (get_str(ci, where, d, &s) != 0)
    return -1;
  grown = realloc(*items, (*num + 1) * sizeof(*grown));
  if (grown == NULL) {
    free(s);
    return -1;
  }
  grown[(*num)++] = s;
  *items = grown;
  return 0;
}

/* Applies one option of a block through its table row. seen[] tracks
 * single-valued options so a repeated one is refused instead of silently
 * overriding the first. */
static int apply_opt(const oconfig_item_t *ci, const char *where,
                     const struct opt_def *defs, size_t n, void *obj,
                     int *seen) {
  char tmp[64];
  for (size_t i = 0; i < n; i++) {
    const struct opt_def *d = &defs[i];
    void *field = (char *)obj + d->offset;
    double num = 0;
    int rc;
    if (strcasecmp(ci->key, d->name) != 0)
      continue;
    if (ci->children_num > 0) {
      swp_log(SWP_ERR, "%s: option \"%s\" is not a block", where, d->name);
      return -1;
    }
    if (d->kind != OPT_LIST && seen[i]) {
      swp_log(SWP_ERR, "%s: option \"%s\" given more than once", where,
              d->name);
      return -1;
    }
    seen[i] = 1;
    switch (d->kind) {
    case OPT_STR:
      return get_str(ci, where, d, (char **)field);
    case OPT_BOOL:
      return get_bool(ci, where, d, (int *)field);
    case OPT_ENUM:
      return get_enum(ci, where, d, (int *)field);
    case OPT_LIST:
      return list_add(ci, where, d, field);
    case OPT_SECONDS:
      rc = get_number(ci, where, d, 0, &num);
      if (rc == 0)
        *(double *)field = num;
      return rc;
    case OPT_INT:
      rc = get_number(ci, where, d, 1, &num);
      if (rc == 0) {
        *(long *)field = (long)num;
      }
      return rc;
    }
  }
  swp_log(SWP_ERR, "%s: unknown option \"%s\"", where,
          shown(ci->key, tmp, sizeof(tmp)));
  return -1;
}

char *swp_config_instance_name(const char *label) {
  size_t n = strlen(label);
  char *out;
  if (n > SWP_LABEL_MAX) {
    n = SWP_LABEL_MAX;
    /* Cut on a character boundary: collectd identifiers must stay UTF-8. */
    while (n > 0 && ((unsigned char)label[n] & 0xc0) == 0x80)
      n--;
  }
  out = malloc(n + 1);
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)label[i];
    out[i] = (c < 0x20 || c == 0x7f || c == '/' || c == '\\') ? '_' : (char)c;
  }
  out[n] = '\0';
  /* A leading dot would make a hidden or relative state file name. */
  if (out[0] == '.')
    out[0] = '_';
  return out;
}

static int printable(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 0;
  return 1;
}

static int block_label(const oconfig_item_t *ci, const char *block,
                       const char *where, char **out) {
  if (ci->values_num != 1 || ci->values[0].type != OCONFIG_TYPE_STRING ||
      ci->values[0].value.string == NULL ||
      ci->values[0].value.string[0] == '\0' ||
      strlen(ci->values[0].value.string) > 255 ||
      !printable(ci->values[0].value.string)) {
    swp_log(SWP_ERR,
            "%s: <%s> expects exactly one non-empty name of at most "
            "255 bytes without control characters, as in "
            "<%s \"name\">",
            where, block, block);
    return -1;
  }
  *out = strdup(ci->values[0].value.string);
  return *out ? 0 : -1;
}

/* Secrets Manager names: 1-512 of [A-Za-z0-9/_+=.@-]. */
static int valid_secret_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 512)
    return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr("/_+=.@-", *s))
      return 0;
  return 1;
}

/* arn:<partition>:secretsmanager:<region>:<12 digits>:secret:<name> */
static int valid_secret_arn(const char *s) {
  const char *p = s;
  int field = 0;
  const char *acct = NULL, *name = NULL;
  if (strncmp(s, "arn:", 4) != 0)
    return 0;
  for (; *p && field < 6; p++) {
    if (*p == ':') {
      field++;
      if (field == 4)
        acct = p + 1;
      if (field == 6)
        name = p + 1;
    }
  }
  if (field < 6 || strstr(s, ":secretsmanager:") == NULL ||
      strncmp(name - 7, "secret:", 7) != 0)
    return 0;
  for (int i = 0; i < 12; i++)
    if (!isdigit((unsigned char)acct[i]))
      return 0;
  if (acct[12] != ':')
    return 0;
  return valid_secret_name(name);
}

static int valid_external_id(const char *s) {
  size_t n = strlen(s);
  if (n < 2 || n > 1224)
    return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && !strchr("+=,.@:/-_", *s))
      return 0;
  return 1;
}

static int valid_period(long p) {
  return p == 1 || p == 5 || p == 10 || p == 30 || (p >= 60 && p % 60 == 0);
}

static void secret_clean_up(struct swp_secret_conf *s) {
  free(s->label);
  free(s->instance);
  free(s->secret_id);
  free(s->metric_namespace);
  free(s->metric_name);
  free(s->alarm_name);
  for (size_t i = 0; i < s->allow_num; i++)
    free(s->allow[i]);
  free(s->allow);
  memset(s, 0, sizeof(*s));
}

void swp_account_conf_clean_up(struct swp_account_conf *a) {
  if (a == NULL)
    return;
  free(a->name);
  free(a->instance);
  free(a->region);
  free(a->profile);
  free(a->role_arn);
  free(a->external_id);
  free(a->endpoint_url);
  free(a->ca_file);
  free(a->host);
  free(a->state_file);
  free(a->log_group);
  free(a->trail);
  for (size_t i = 0; i < a->secrets_num; i++)
    secret_clean_up(&a->secrets[i]);
  free(a->secrets);
  memset(a, 0, sizeof(*a));
}

void swp_config_clean_up(struct swp_config *cfg) {
  if (cfg == NULL)
    return;
  for (size_t i = 0; i < cfg->accounts_num; i++)
    swp_account_conf_clean_up(&cfg->accounts[i]);
  free(cfg->accounts);
  cfg->accounts = NULL;
  cfg->accounts_num = 0;
}

static char *strdup_join(const char *a, const char *b, const char *c) {
  size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
  char *out = malloc(n);
  if (out)
    snprintf(out, n, "%s%s%s", a, b, c);
  return out;
}

/* Defaults and checks that involve several options of one secret. */
static int secret_finish(struct swp_secret_conf *s, int notify_default,
                         const char *where) {
  if (s->secret_id == NULL)
    s->secret_id = strdup(s->label);
  if (s->secret_id == NULL)
    return -1;
  if (strncmp(s->secret_id, "arn:", 4) == 0
          ? !valid_secret_arn(s->secret_id)
          : !valid_secret_name(s->secret_id)) {
    swp_log(SWP_ERR,
            "%s: option \"SecretID\" expects a secret name (1-512 of "
            "A-Z a-z 0-9 /_+=.@-) or a Secrets Manager ARN "
            "(arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
            where);
    return -1;
  }
  if (s->metric_namespace == NULL)
    s->metric_namespace = strdup(SWP_DEFAULT_NAMESPACE);
  if (s->metric_name == NULL)
    s->metric_name = strdup_join("", s->label, "-reads");
  if (s->alarm_name == NULL)
    s->alarm_name = strdup_join("secretwatch-", s->label, "-read");
  s->instance = swp_config_instance_name(s->label);
  if (!s->metric_namespace || !s->metric_name || !s->alarm_name || !s->instance)
    return -1;
  if (s->mode == SWP_MODE_GUARDED && s->allow_num == 0) {
    swp_log(SWP_ERR,
            "%s: Mode \"guarded\" expects at least one "
            "\"AllowPrincipal\" (use Mode \"honeytoken\" when no "
            "principal may read the secret)",
            where);
    return -1;
  }
  if (s->mode == SWP_MODE_HONEYTOKEN && s->allow_num > 0) {
    swp_log(SWP_ERR,
            "%s: option \"AllowPrincipal\" expects Mode \"guarded\" "
            "(in honeytoken mode every read is unexpected)",
            where);
    return -1;
  }
  if (s->notify_allowed < 0)
    s->notify_allowed = notify_default;
  return 0;
}

static int parse_secret(const oconfig_item_t *ci, const char *acc_where,
                        struct swp_secret_conf *s) {
  char where[600], tmp[300];
  int seen[N_SECRET_OPTS] = {0};
  memset(s, 0, sizeof(*s));
  s->notify_allowed = -1;
  if (block_label(ci, "Secret", acc_where, &s->label) != 0)
    return -1;
  snprintf(where, sizeof(where), "%.300s <Secret \"%.280s\">", acc_where,
           shown(s->label, tmp, sizeof(tmp)));
  for (int i = 0; i < ci->children_num; i++)
    if (apply_opt(&ci->children[i], where, secret_opts, N_SECRET_OPTS, s,
                  seen) != 0)
      return -1;
  return 0;
}

static int add_secret(struct swp_account_conf *a, const oconfig_item_t *ci,
                      const char *where) {
  struct swp_secret_conf *grown;
  if (a->secrets_num >= SWP_MAX_SECRETS) {
    swp_log(SWP_ERR, "%s: more than %d <Secret> blocks", where,
            SWP_MAX_SECRETS);
    return -1;
  }
  grown = realloc(a->secrets, (a->secrets_num + 1) * sizeof(*grown));
  if (grown == NULL)
    return -1;
  a->secrets = grown;
  /* Counted before parsing so a half-parsed secret is freed with a. */
  a->secrets_num++;
  return parse_secret(ci, where, &a->secrets[a->secrets_num - 1]);
}

static int url_ok(const char *u) {
  return (strncmp(u, "https://", 8) == 0 && u[8] != '\0') ||
         (strncmp(u, "http://", 7) == 0 && u[7] != '\0');
}

/* Checks between options of one account, then each secret's defaults. */
static int account_finish(struct swp_account_conf *a, const char *where) {
  if (a->region == NULL) {
    const char *env = getenv("AWS_REGION");
    if (env == NULL || env[0] == '\0')
      env = getenv("AWS_DEFAULT_REGION");
    if (env == NULL || env[0] == '\0') {
      swp_log(SWP_ERR,
              "%s: option \"Region\" is required (or set AWS_REGION "
              "in collectd's environment)",
              where);
      return -1;
    }
    if ((a->region = strdup(env)) == NULL)
      return -1;
  }
  if (!sw_region_valid(a->region)) {
    swp_log(SWP_ERR,
            "%s: option \"Region\" expects an AWS region name such "
            "as \"us-east-1\"",
            where);
    return -1;
  }
  if (a->role_arn && strncmp(a->role_arn, "arn:", 4) != 0) {
    swp_log(SWP_ERR,
            "%s: option \"RoleARN\" expects an IAM role ARN "
            "(\"arn:aws:iam::<account>:role/<name>\")",
            where);
    return -1;
  }
  if (a->external_id &&
      (a->role_arn == NULL || !valid_external_id(a->external_id))) {
    swp_log(SWP_ERR,
            "%s: option \"ExternalID\" expects 2 to 1224 characters "
            "of [A-Za-z0-9+=,.@:/_-] and a RoleARN in the same block",
            where);
    return -1;
  }
  if (a->endpoint_url && !url_ok(a->endpoint_url)) {
    swp_log(SWP_ERR,
            "%s: option \"EndpointURL\" expects an http:// or "
            "https:// URL",
            where);
    return -1;
  }
  if (a->ca_file && access(a->ca_file, R_OK) != 0) {
    swp_log(SWP_ERR,
            "%s: option \"CAFile\" expects a readable file; cannot "
            "read it",
            where);
    return -1;
  }
  if (a->host && strchr(a->host, '/')) {
    swp_log(SWP_ERR, "%s: option \"Host\" expects a host name without '/'",
            where);
    return -1;
  }
  if (a->state_file && a->state_file[0] != '/') {
    swp_log(SWP_ERR, "%s: option \"StateFile\" expects an absolute file path",
            where);
    return -1;
  }
  if (a->event_source == SWP_SRC_FILTER_LOG_EVENTS && a->log_group == NULL &&
      a->events) {
    swp_log(SWP_ERR,
            "%s: EventSource \"FilterLogEvents\" expects option "
            "\"LogGroup\" (the trail's CloudWatch Logs log group)",
            where);
    return -1;
  }
  if (a->lookback_s > a->max_backfill_s) {
    swp_log(SWP_ERR,
            "%s: option \"Lookback\" (%ld) expects a value <= "
            "MaxBackfill (%ld)",
            where, a->lookback_s, a->max_backfill_s);
    return -1;
  }
  if (!valid_period(a->period_s)) {
    swp_log(SWP_ERR,
            "%s: option \"MetricPeriod\" expects 1, 5, 10, 30 or a "
            "multiple of 60 seconds",
            where);
    return -1;
  }
  if (a->secrets_num == 0) {
    swp_log(SWP_ERR, "%s: expects at least one <Secret \"label\"> block",
            where);
    return -1;
  }
  for (size_t i = 0; i < a->secrets_num; i++) {
    char swhere[600], tmp[300];
    snprintf(swhere, sizeof(swhere), "%.300s <Secret \"%.280s\">", where,
             shown(a->secrets[i].label, tmp, sizeof(tmp)));
    if (secret_finish(&a->secrets[i], a->notify_allowed, swhere) != 0)
      return -1;
    for (size_t j = 0; j < i; j++) {
      if (strcmp(a->secrets[j].instance, a->secrets[i].instance) == 0) {
        swp_log(SWP_ERR,
                "%s: the label expects to be unique in its account "
                "(\"%s\" is used twice)",
                swhere, a->secrets[i].instance);
        return -1;
      }
    }
  }
  return 0;
}

static int parse_account(const oconfig_item_t *ci, struct swp_account_conf *a) {
  char where[300], tmp[280];
  int seen[N_ACCOUNT_OPTS] = {0};
  memset(a, 0, sizeof(*a));
  a->timeout_s = SWP_DEFAULT_TIMEOUT_S;
  a->events = 1;
  a->lookback_s = SWP_DEFAULT_LOOKBACK_S;
  a->max_backfill_s = SWP_DEFAULT_MAX_BACKFILL_S;
  a->period_s = SWP_DEFAULT_PERIOD_S;
  a->watchdog = 1;
  a->watchdog_cycles = SWP_DEFAULT_WATCHDOG_CYCLES;
  if (block_label(ci, "Account", "<Plugin secretwatch>", &a->name) != 0)
    return -1;
  snprintf(where, sizeof(where), "<Account \"%s\">",
           shown(a->name, tmp, sizeof(tmp)));
  if ((a->instance = swp_config_instance_name(a->name)) == NULL)
    return -1;
  for (int i = 0; i < ci->children_num; i++) {
    const oconfig_item_t *c = &ci->children[i];
    if (strcasecmp(c->key, "Secret") == 0) {
      if (add_secret(a, c, where) != 0)
        return -1;
    } else if (apply_opt(c, where, account_opts, N_ACCOUNT_OPTS, a, seen) !=
               0) {
      return -1;
    }
  }
  return account_finish(a, where);
}

int swp_config_parse(const oconfig_item_t *ci, struct swp_config *cfg) {
  struct swp_account_conf *list = NULL;
  size_t num = 0;
  int rc = 0;
  char tmp[64];
  for (int i = 0; i < ci->children_num && rc == 0; i++) {
    const oconfig_item_t *c = &ci->children[i];
    struct swp_account_conf *grown;
    if (strcasecmp(c->key, "Account") != 0) {
      swp_log(SWP_ERR,
              "<Plugin secretwatch>: unknown option \"%s\" (expected "
              "<Account \"name\"> blocks)",
              shown(c->key, tmp, sizeof(tmp)));
      rc = -1;
      break;
    }
    grown = realloc(list, (num + 1) * sizeof(*grown));
    if (grown == NULL) {
      rc = -1;
      break;
    }
    list = grown;
    num++;
    rc = parse_account(c, &list[num - 1]);
  }
  if (rc == 0 && num > 0) {
    struct swp_account_conf *grown =
        realloc(cfg->accounts, (cfg->accounts_num + num) * sizeof(*grown));
    if (grown == NULL) {
      rc = -1;
    } else {
      memcpy(grown + cfg->accounts_num, list, num * sizeof(*list));
      cfg->accounts = grown;
      cfg->accounts_num += num;
      free(list);
      return 0;
    }
  }
  for (size_t i = 0; i < num; i++)
    swp_account_conf_clean_up(&list[i]);
  free(list);
  if (rc != 0)
    swp_log(SWP_ERR, "<Plugin secretwatch>: configuration refused");
  return rc;
}

int swp_config_finish(struct swp_config *cfg, const char *base_dir) {
  char tmp[280];
  if (cfg->accounts_num == 0) {
    swp_log(SWP_ERR, "<Plugin secretwatch>: expects at least one <Account "
                     "\"name\"> block");
    return -1;
  }
  for (size_t i = 0; i < cfg->accounts_num; i++) {
    struct swp_account_conf *a = &cfg->accounts[i];
    if (a->state_file == NULL) {
      const char *bd =
          (base_dir && base_dir[0]) ? base_dir : "/var/lib/collectd";
      size_t n = strlen(bd) + strlen(a->instance) + 32;
      if ((a->state_file = malloc(n)) == NULL)
        return -1;
      snprintf(a->state_file, n, "%s/secretwatch/%s.json", bd, a->instance);
    }
    for (size_t j = 0; j < i; j++) {
      if (strcmp(cfg->accounts[j].instance, a->instance) == 0) {
        swp_log(SWP_ERR,
                "<Account \"%s\">: the account name expects to be "
                "unique",
                shown(a->name, tmp, sizeof(tmp)));
        return -1;
      }
      if (strcmp(cfg->accounts[j].state_file, a->state_file) == 0) {
        swp_log(SWP_ERR,
                "<Account \"%s\">: option \"StateFile\" expects a "
                "file no other account uses",
                shown(a->name, tmp, sizeof(tmp)));
        return -1;
      }
    }
  }
  return 0;
}
