/* What every command reads first: identity, the stack's trail, names and
 * the watched secrets. Read-only. */
#include "provision/steps.h"

#include "lib/cloudtrail.h"
#include "lib/cloudwatch.h"
#include "lib/logs.h"
#include "lib/secretsmanager.h"
#include "lib/sts.h"
#include "lib/text.h"

#include <stdio.h>
#include <string.h>

/* The log group name inside a CloudTrail CloudWatchLogsLogGroupArn
 * ("arn:aws:logs:r:a:log-group:NAME:*"). */
static int group_from_arn(const char *arn, char *out, size_t out_size) {
  const char *p = arn ? strstr(arn, ":log-group:") : NULL;
  if (!p)
    return -1;
  p += strlen(":log-group:");
  size_t len = strlen(p);
  if (len >= 2 && strcmp(p + len - 2, ":*") == 0)
    len -= 2;
  if (len == 0 || len >= out_size)
    return -1;
  memcpy(out, p, len);
  out[len] = '\0';
  return 0;
}

/* Finds the stack's trail among the region's trails: one tagged for the
 * stack is adopted whatever its name. Fills c->trail and, through
 * bucket/group, the names an adopted trail uses. A multi-region trail of
 * another home region counts toward this region's limit of 5 (CloudTrail
 * quotas) but is not ours to adopt here, so only the count sees it. */
static int find_trail(struct pv_ctx *c, char *trail, size_t trail_size,
                      char *bucket, size_t bucket_size, char *group,
                      size_t group_size) {
  struct sw_ct_describe_trails_req req = {NULL, 0, 1};
  struct sw_ct_trail_list list = {0};
  struct sw_error err;
  char derived[136];
  int rc = 0;
  snprintf(derived, sizeof(derived), "%s-trail", c->o->stack);
  if (sw_ct_describe_trails(c->client, &req, &list, &err) != 0)
    return pv_fail(c, "trail", c->o->region, "DescribeTrails", &err);
  for (size_t i = 0; i < list.count && rc == 0; i++) {
    const struct sw_ct_trail *t = &list.items[i];
    if (!t->name || !t->trail_arn)
      continue;
    c->trail.region_trail_count++;
    if (t->home_region && strcmp(t->home_region, c->o->region) != 0)
      continue;
    struct sw_tag_list tags;
    sw_tag_list_init(&tags);
    if (sw_ct_list_tags(c->client, t->trail_arn, &tags, &err) != 0) {
      rc = pv_fail(c, "trail", t->name, "ListTags", &err);
    } else {
      int own = pv_owned(c, &tags);
      if (own == 1 && (!trail[0] || strcmp(t->name, derived) == 0)) {
        snprintf(trail, trail_size, "%s", t->name);
        c->trail.exists = c->trail.owned = 1;
        c->trail.other_tag = 0;
        snprintf(bucket, bucket_size, "%s",
                 t->s3_bucket_name ? t->s3_bucket_name : "");
        group_from_arn(t->cloud_watch_logs_log_group_arn, group, group_size);
      } else if (strcmp(t->name, derived) == 0 && !c->trail.owned) {
        c->trail.exists = 1;
        c->trail.other_tag = own == -1;
      }
    }
    sw_tag_list_clean_up(&tags);
  }
  sw_ct_trail_list_clean_up(&list);
  return rc;
}

static struct pv_secret *add_secret(struct pv_ctx *c, const char *input) {
  for (size_t i = 0; i < c->n_secrets; i++)
    if (strcmp(c->secrets[i].input, input) == 0 ||
        strcmp(c->secrets[i].arn, input) == 0)
      return NULL;
  if (c->n_secrets >= sizeof(c->secrets) / sizeof(c->secrets[0]))
    return NULL;
  struct pv_secret *s = &c->secrets[c->n_secrets++];
  memset(s, 0, sizeof(*s));
  snprintf(s->input, sizeof(s->input), "%s", input);
  return s;
}

/* Secrets the stack's alarms watch (recorded in their descriptions). */
static int discover_alarm_secrets(struct pv_ctx *c) {
  char prefix[64], arn[2048], next[2048] = "";
  struct sw_error err;
  snprintf(prefix, sizeof(prefix), "%s-", c->n.stack);
  for (int page = 0; page < 20; page++) {
    struct sw_cw_describe_alarms_req req = {0};
    struct sw_cw_describe_alarms_resp resp = {0};
    req.alarm_name_prefix = prefix;
    req.max_records = 100;
    req.next_token = next[0] ? next : NULL;
    if (sw_cw_describe_alarms(c->client, SW_CW_JSON, &req, &resp, &err) != 0)
      return pv_fail(c, "alarm", prefix, "DescribeAlarms", &err);
    for (size_t i = 0; i < resp.count; i++)
      if (pv_alarm_description_parse(resp.alarms[i].alarm_description,
                                     c->n.stack, arn, sizeof(arn))) {
        struct pv_secret *s = add_secret(c, arn);
        if (s)
          s->discovered = 1;
      }
    int more = resp.next_token && strlen(resp.next_token) < sizeof(next);
    if (more)
      snprintf(next, sizeof(next), "%s", resp.next_token);
    sw_cw_describe_alarms_resp_clean_up(&resp);
    if (!more)
      break;
  }
  return 0;
}

/* Decoys this stack created (tagged secretwatch:created), found even when
 * apply stopped before their alarm existed. ListSecrets leaves out secrets
 * scheduled for deletion. Bounded to 20 pages. */
static int discover_decoys(struct pv_ctx *c) {
  const char *values[1] = {PV_TAG_CREATED};
  char next[2048] = "";
  struct sw_error err;
  for (int page = 0; page < 20; page++) {
    struct sw_sm_list_req req = {0};
    struct sw_sm_list_resp resp = {0};
    req.max_results = 100;
    req.next_token = next[0] ? next : NULL;
    req.filter_key = "tag-key";
    req.filter_values = values;
    req.filter_value_count = 1;
    if (sw_sm_list_secrets(c->client, &req, &resp, &err) != 0) {
      sw_sm_list_resp_clean_up(&resp);
      return pv_fail(c, "secret", c->o->stack, "ListSecrets", &err);
    }
    for (size_t i = 0; i < resp.count; i++)
      if (resp.secrets[i].arn && pv_owned(c, &resp.secrets[i].tags) == 1) {
        struct pv_secret *s = add_secret(c, resp.secrets[i].arn);
        if (s)
          s->discovered = 1;
      }
    int more = resp.next_token && strlen(resp.next_token) < sizeof(next);
    if (more)
      snprintf(next, sizeof(next), "%s", resp.next_token);
    sw_sm_list_resp_clean_up(&resp);
    if (!more)
      break;
  }
  return 0;
}

int pv_secret_prepare(struct pv_ctx *c, struct pv_secret *s) {
  char err[300];
  if (pv_secret_names_derive(&c->n, s->name, &s->sn, err, sizeof(err)) != 0 ||
      pv_filter_pattern(s->name, s->arn, c->o->allow, c->o->n_allow, s->pattern,
                        sizeof(s->pattern), err, sizeof(err)) != 0)
    return pv_failf(c, "secret", s->name, "%s", err);
  s->has_names = 1;
  return 0;
}

/* The secret name inside a full Secrets Manager ARN. 0 or -1. */
static int name_from_arn(const char *arn, char *out, size_t out_size) {
  char partial[2048];
  const char *p;
  if (pv_secret_partial_arn(arn, partial, sizeof(partial)) != 0 ||
      (p = strstr(partial, ":secret:")) == NULL || !p[8])
    return -1;
  return sw_strlcpy(out, p + 8, out_size);
}

/* DescribeSecret for each secret; fills ARN, name, ownership. */
static int resolve_secrets(struct pv_ctx *c) {
  struct sw_error err;
  for (size_t i = 0; i < c->n_secrets; i++) {
    struct pv_secret *s = &c->secrets[i];
    struct sw_sm_secret d = {0};
    sw_tag_list_init(&d.tags);
    if (sw_sm_describe_secret(c->client, s->input, &d, &err) == 0) {
      s->exists = 1;
      snprintf(s->arn, sizeof(s->arn), "%s", d.arn);
      snprintf(s->name, sizeof(s->name), "%s", d.name);
      s->scheduled_deletion = d.has_deleted_date;
      s->created_by_stack = pv_owned(c, &d.tags) == 1 &&
                            sw_tag_list_get(&d.tags, PV_TAG_CREATED) != NULL;
      sw_sm_secret_clean_up(&d);
      if (pv_secret_prepare(c, s) != 0)
        return -1;
    } else {
      sw_sm_secret_clean_up(&d);
      if (err.kind != SW_ERR_NOT_FOUND)
        return pv_fail(c, "secret", s->input, "DescribeSecret", &err);
      sw_strlcpy(s->name, s->input, sizeof(s->name));
      /* A secret gone since an alarm recorded its ARN: its alarm and filter
       * can still be checked and destroyed by the names the ARN gives. */
      if (s->discovered &&
          name_from_arn(s->input, s->name, sizeof(s->name)) == 0) {
        sw_strlcpy(s->arn, s->input, sizeof(s->arn));
        if (pv_secret_prepare(c, s) != 0)
          return -1;
      }
    }
  }
  /* Two inputs may name one secret (name and ARN): keep the first. */
  for (size_t i = 0; i < c->n_secrets; i++)
    for (size_t j = i + 1; j < c->n_secrets; j++)
      if (c->secrets[i].arn[0] &&
          strcmp(c->secrets[i].arn, c->secrets[j].arn) == 0) {
        c->secrets[i].want_create |= c->secrets[j].want_create;
        memmove(&c->secrets[j], &c->secrets[j + 1],
                (c->n_secrets - j - 1) * sizeof(c->secrets[0]));
        c->n_secrets--;
        j--;
      }
  return 0;
}

int pv_discover(struct pv_ctx *c) {
  struct sw_sts_identity id;
  struct sw_error err;
  char trail[136] = "", bucket[64] = "", group[520] = "", msg[300];
  if (sw_sts_get_caller_identity(c->client, &id, &err) != 0)
    return pv_fail(c, "identity", c->o->region, "GetCallerIdentity", &err);
  snprintf(c->caller_arn, sizeof(c->caller_arn), "%s", id.arn);
  if (find_trail(c, trail, sizeof(trail), bucket, sizeof(bucket), group,
                 sizeof(group)) != 0)
    return -1;
  if (pv_names_derive(&c->n, c->o->stack, id.account, c->o->region,
                      c->o->bucket ? c->o->bucket : (bucket[0] ? bucket : NULL),
                      c->o->log_group ? c->o->log_group
                                      : (group[0] ? group : NULL),
                      trail[0] ? trail : NULL, msg, sizeof(msg)) != 0)
    return pv_failf(c, "stack", c->o->stack, "%s", msg);
  pv_report_meta(c->rep, "stack", c->n.stack);
  pv_report_meta(c->rep, "region", c->n.region);
  pv_report_meta(c->rep, "account", c->n.account);
  for (size_t i = 0; i < c->o->n_secrets; i++)
    add_secret(c, c->o->secrets[i]);
  if (c->o->create_secret) {
    struct pv_secret *s = add_secret(c, c->o->create_secret);
    if (s)
      s->want_create = 1;
  }
  if (discover_alarm_secrets(c) != 0 || discover_decoys(c) != 0)
    return -1;
  return resolve_secrets(c);
}

size_t pv_filter_allowed(struct pv_ctx *c, const struct pv_secret *s,
                         char (*globs)[300], size_t max) {
  struct sw_logs_describe_filters_req req = {c->n.log_group, s->sn.filter, NULL,
                                             50};
  struct sw_logs_describe_filters_resp resp = {0};
  struct sw_error err;
  size_t n = 0;
  if (sw_logs_describe_metric_filters(c->client, &req, &resp, &err) == 0)
    for (size_t i = 0; i < resp.count && n == 0; i++)
      if (resp.filters[i].filter_name &&
          strcmp(resp.filters[i].filter_name, s->sn.filter) == 0)
        n = pv_pattern_allowed(resp.filters[i].filter_pattern, globs, max);
  sw_logs_describe_filters_resp_clean_up(&resp);
  return n;
}

size_t pv_known_alarm_arns(const struct pv_ctx *c, const char **arns,
                           size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < c->n_secrets && n < max; i++)
    if (c->secrets[i].has_names)
      arns[n++] = c->secrets[i].sn.alarm_arn;
  return n;
}
