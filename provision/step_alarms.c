/* Step 6: per secret, the metric filter that counts its reads and the alarm
 * on that metric (Sum >= 1 over one period, missing data not breaching,
 * alarm and OK actions to the topic). */
#include "provision/steps.h"

#include "lib/cloudwatch.h"
#include "lib/logs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define STEP_F "metric-filter"
#define STEP_A "alarm"

/* 1 same, 0 differs or absent (*found tells which), -1 error. */
static int filter_matches(struct pv_ctx *c, const struct pv_secret *s,
                          int *found) {
  struct sw_logs_describe_filters_req req = {c->n.log_group, s->sn.filter, NULL,
                                             50};
  struct sw_logs_describe_filters_resp resp = {0};
  struct sw_error err;
  int same = 0;
  *found = 0;
  if (sw_logs_describe_metric_filters(c->client, &req, &resp, &err) != 0) {
    sw_logs_describe_filters_resp_clean_up(&resp);
    if (err.kind == SW_ERR_NOT_FOUND) /* no log group yet */
      return 0;
    return pv_fail(c, STEP_F, s->sn.filter, "DescribeMetricFilters", &err);
  }
  for (size_t i = 0; i < resp.count; i++) {
    const struct sw_logs_metric_filter *f = &resp.filters[i];
    if (!f->filter_name || strcmp(f->filter_name, s->sn.filter) != 0)
      continue;
    *found = 1;
    const struct sw_logs_metric_transformation *t = f->transformations;
    same = f->filter_pattern && strcmp(f->filter_pattern, s->pattern) == 0 &&
           f->transformation_count == 1 && t->metric_name &&
           strcmp(t->metric_name, s->sn.metric) == 0 && t->metric_namespace &&
           strcmp(t->metric_namespace, c->n.metric_namespace) == 0 &&
           t->metric_value && strcmp(t->metric_value, "1") == 0 &&
           t->has_default_value && t->default_value == 0;
  }
  sw_logs_describe_filters_resp_clean_up(&resp);
  return same;
}

static int converge_filter(struct pv_ctx *c, const struct pv_secret *s) {
  struct sw_logs_metric_filter_req req = {0};
  struct sw_error err;
  int found, same = filter_matches(c, s, &found);
  if (same != 0)
    return same < 0 ? -1 : 0;
  if (!pv_need(c, !found, STEP_F, s->sn.filter, "reads of the secret"))
    return 0;
  req.log_group_name = c->n.log_group;
  req.filter_name = s->sn.filter;
  req.filter_pattern = s->pattern;
  req.metric_name = s->sn.metric;
  req.metric_namespace = c->n.metric_namespace;
  req.metric_value = "1";
  req.default_value = 0;
  req.has_default_value = 1;
  return pv_did(c, !found, STEP_F, s->sn.filter, "reads of the secret",
                "PutMetricFilter",
                sw_logs_put_metric_filter(c->client, &req, &err), &err);
}

static int one_action(const struct sw_str_list *l, const char *arn) {
  return l->count == 1 && strcmp(l->items[0], arn) == 0;
}

/* 1 same, 0 differs/absent, -1 error or owned by someone else. */
static int alarm_matches(struct pv_ctx *c, const struct pv_secret *s,
                         const char *desc, int *found, char *state,
                         size_t state_size) {
  const char *names[1] = {s->sn.alarm};
  struct sw_cw_describe_alarms_req req = {0};
  struct sw_cw_describe_alarms_resp resp = {0};
  struct sw_error err;
  char arn[2048];
  int same = 0;
  req.alarm_names = names;
  req.name_count = 1;
  *found = 0;
  if (sw_cw_describe_alarms(c->client, SW_CW_JSON, &req, &resp, &err) != 0)
    return pv_fail(c, STEP_A, s->sn.alarm, "DescribeAlarms", &err);
  const struct sw_cw_alarm *a = sw_cw_describe_alarms_find(&resp, s->sn.alarm);
  if (a && !pv_alarm_description_parse(a->alarm_description, c->n.stack, arn,
                                       sizeof(arn)))
    same = pv_failf(c, STEP_A, s->sn.alarm,
                    "exists and is not this stack's (its description does "
                    "not name stack %s)",
                    c->n.stack);
  else if (a)
    same =
        a->alarm_description && strcmp(a->alarm_description, desc) == 0 &&
        a->metric_name && strcmp(a->metric_name, s->sn.metric) == 0 &&
        a->namespace_ && strcmp(a->namespace_, c->n.metric_namespace) == 0 &&
        a->statistic && strcmp(a->statistic, "Sum") == 0 && a->has_period &&
        a->period_s == c->o->period_s && a->has_evaluation_periods &&
        a->evaluation_periods == 1 && a->has_threshold &&
        fabs(a->threshold - 1.0) < 1e-9 && a->comparison_operator &&
        strcmp(a->comparison_operator, "GreaterThanOrEqualToThreshold") == 0 &&
        a->treat_missing_data &&
        strcmp(a->treat_missing_data, "notBreaching") == 0 &&
        a->actions_enabled == 1 &&
        one_action(&a->alarm_actions, c->n.topic_arn) &&
        one_action(&a->ok_actions, c->n.topic_arn);
  *found = a != NULL;
  snprintf(state, state_size, "%s", a && a->state_value ? a->state_value : "");
  sw_cw_describe_alarms_resp_clean_up(&resp);
  return same;
}

static int converge_alarm(struct pv_ctx *c, const struct pv_secret *s,
                          char *state, size_t state_size) {
  struct sw_cw_put_metric_alarm_req req = {0};
  struct sw_tag tag = {PV_TAG_STACK, c->n.stack};
  const char *actions[1] = {c->n.topic_arn};
  struct sw_error err;
  char desc[2200], detail[96];
  int found, same;
  pv_alarm_description(c->n.stack, s->arn, desc, sizeof(desc));
  same = alarm_matches(c, s, desc, &found, state, state_size);
  if (same != 0)
    return same < 0 ? -1 : 0;
  snprintf(detail, sizeof(detail), "Sum >= 1 over %d s -> topic",
           c->o->period_s);
  if (!pv_need(c, !found, STEP_A, s->sn.alarm, detail))
    return 0;
  req.alarm_name = s->sn.alarm;
  req.alarm_description = desc;
  req.actions_enabled = 1;
  req.alarm_actions = actions;
  req.alarm_action_count = 1;
  req.ok_actions = actions;
  req.ok_action_count = 1;
  req.metric_name = s->sn.metric;
  req.namespace_ = c->n.metric_namespace;
  req.statistic = "Sum";
  req.period_s = c->o->period_s;
  req.evaluation_periods = 1;
  req.threshold = 1;
  req.comparison_operator = "GreaterThanOrEqualToThreshold";
  req.treat_missing_data = "notBreaching";
  req.tags = &tag;
  req.tag_count = 1;
  return pv_did(c, !found, STEP_A, s->sn.alarm, detail, "PutMetricAlarm",
                sw_cw_put_metric_alarm(c->client, SW_CW_JSON, &req, &err),
                &err);
}

static int converge(struct pv_ctx *c) {
  for (size_t i = 0; i < c->n_secrets; i++) {
    const struct pv_secret *s = &c->secrets[i];
    if (!s->has_names) {
      /* plan before the decoy exists: its ARN is not known yet */
      struct pv_secret_names sn;
      char err[200];
      if (pv_secret_names_derive(&c->n, s->name, &sn, err, sizeof(err)))
        return pv_failf(c, STEP_A, s->name, "%s", err);
      pv_need(c, 1, STEP_F, sn.filter, "reads of the secret");
      pv_need(c, 1, STEP_A, sn.alarm, "once the secret exists");
      continue;
    }
    int before = c->step_changes;
    char state[32] = "", detail[80];
    if (converge_filter(c, s) != 0 ||
        converge_alarm(c, s, state, sizeof(state)) != 0)
      return -1;
    /* The alarm's state as AWS reports it (text from AWS: sanitized when
     * printed). */
    snprintf(detail, sizeof(detail), "and its filter; state %.32s",
             state[0] ? state : "unknown");
    if (c->step_changes == before)
      pv_report_item(c->rep, STEP_A, s->sn.alarm, "ok", detail);
  }
  return 0;
}

static int destroy_one(struct pv_ctx *c, const struct pv_secret *s) {
  struct sw_error err;
  char desc[2200];
  int found = 0, ffound = 0;
  pv_alarm_description(c->n.stack, s->arn, desc, sizeof(desc));
  char state[32];
  if (alarm_matches(c, s, desc, &found, state, sizeof(state)) < 0)
    return -1;
  if (!found) {
    pv_report_item(c->rep, STEP_A, s->sn.alarm, "absent", NULL);
  } else {
    const char *names[1] = {s->sn.alarm};
    if (sw_cw_delete_alarms(c->client, SW_CW_JSON, names, 1, &err) != 0)
      return pv_fail(c, STEP_A, s->sn.alarm, "DeleteAlarms", &err);
    pv_report_item(c->rep, STEP_A, s->sn.alarm, "deleted", NULL);
  }
  if (filter_matches(c, s, &ffound) < 0)
    return -1;
  if (!ffound) {
    pv_report_item(c->rep, STEP_F, s->sn.filter, "absent", NULL);
    return 0;
  }
  if (sw_logs_delete_metric_filter(c->client, c->n.log_group, s->sn.filter,
                                   &err) != 0)
    return pv_fail(c, STEP_F, s->sn.filter, "DeleteMetricFilter", &err);
  pv_report_item(c->rep, STEP_F, s->sn.filter, "deleted", NULL);
  return 0;
}

static int destroy(struct pv_ctx *c) {
  for (size_t i = 0; i < c->n_secrets; i++)
    if (c->secrets[i].has_names && destroy_one(c, &c->secrets[i]) != 0)
      return -1;
  return 0;
}

const struct pv_step pv_step_alarms = {"alarms", converge, destroy, NULL};
