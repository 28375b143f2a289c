/* verify: the end-to-end canary. Reads the secret once, then polls each
 * stage of the chain (bounded by --timeout) and reports its latency. */
#include "provision/commands.h"
#include "provision/steps.h"

#include "lib/cloudtrail.h"
#include "lib/cloudwatch.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/logs.h"
#include "lib/secretsmanager.h"
#include "lib/sns.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum stage { ST_TRAIL, ST_LOGS, ST_METRIC, ST_ALARM, ST_SNS, ST_COUNT };
static const char *const stage_names[ST_COUNT] = {
    "cloudtrail", "log-event", "metric", "alarm", "sns-publish"};

/* Records older than the read by more than this are not ours (clock
 * differences between us and AWS). */
#define SKEW_S 5.0

struct verify {
  struct pv_ctx *c;
  const struct pv_secret *s;
  double t0_s; /* wall clock just before the read */
  double arrived_s[ST_COUNT];
  int done[ST_COUNT];
  const char *note[ST_COUNT];
  long mail_baseline;     /* alarm name count in the simulator's spool; -1 when
                             there is no spool to read (real AWS) */
  double metric_baseline; /* Sum of the metric since the read's minute,
                             before the read (earlier reads count there) */
};

/* 1 when a CloudTrail record (JSON text) is our read: the secret as we
 * named it, by us, at or after the read. */
static int our_record(const struct verify *v, const char *text, size_t len) {
  struct sw_error err;
  struct json_object *r = text ? sw_json_parse(text, len, &err) : NULL;
  double t = 0;
  int ok = 0;
  if (r) {
    const char *id = sw_json_path_str(r, "requestParameters.secretId");
    const char *who = sw_json_path_str(r, "userIdentity.arn");
    const char *when = sw_json_str(r, "eventTime");
    ok = id && strcmp(id, v->s->arn) == 0 && who &&
         strcmp(who, v->c->caller_arn) == 0 && when &&
         sw_time_parse_iso8601(when, &t) == 0 && t >= v->t0_s - SKEW_S;
  }
  json_object_put(r);
  return ok;
}

static int check_trail(struct verify *v) {
  struct sw_ct_lookup_req req = {0};
  struct sw_error err;
  char token[2048] = "";
  int found = 0;
  req.start_time_s = (int64_t)v->t0_s - 300;
  req.end_time_s = (int64_t)sw_time_now() + 60;
  req.attr_key = "EventName";
  req.attr_value = "GetSecretValue";
  /* Two pages at most per poll: LookupEvents allows 2 requests/s. */
  for (int page = 0; page < 2 && !found; page++) {
    struct sw_ct_lookup_resp resp = {0};
    req.next_token = token[0] ? token : NULL;
    if (sw_ct_lookup_events(v->c->client, &req, &resp, &err) != 0) {
      sw_ct_lookup_resp_clean_up(&resp);
      return err.kind == SW_ERR_THROTTLED
                 ? 0
                 : pv_fail(v->c, "verify", "cloudtrail", "LookupEvents", &err);
    }
    for (size_t i = 0; i < resp.count && !found; i++)
      found = our_record(v, resp.events[i].cloudtrail_event,
                         resp.events[i].cloudtrail_event_len);
    int more = resp.next_token && strlen(resp.next_token) < sizeof(token);
    if (more)
      snprintf(token, sizeof(token), "%s", resp.next_token);
    sw_ct_lookup_resp_clean_up(&resp);
    if (!more)
      break;
  }
  return found;
}

static int check_logs(struct verify *v) {
  struct sw_logs_filter_req req = {0};
  struct sw_logs_filter_resp resp = {0};
  struct sw_error err;
  int found = 0;
  req.log_group_name = v->c->n.log_group;
  req.filter_pattern = v->s->pattern;
  req.start_time_ms = ((int64_t)v->t0_s - 300) * 1000;
  req.limit = 100;
  if (sw_logs_filter_log_events(v->c->client, &req, &resp, &err) != 0) {
    sw_logs_filter_resp_clean_up(&resp);
    return err.kind == SW_ERR_THROTTLED
               ? 0
               : pv_fail(v->c, "verify", "log-event", "FilterLogEvents", &err);
  }
  for (size_t i = 0; i < resp.count && !found; i++)
    found = our_record(v, resp.events[i].message, resp.events[i].message_len);
  sw_logs_filter_resp_clean_up(&resp);
  return found;
}

/* Sum of the metric's datapoints from the minute of the read on; -1 on
 * error (reported). */
static double metric_total(struct verify *v) {
  struct sw_cw_metric_query q = {0};
  struct sw_cw_get_metric_data_req req = {0};
  struct sw_cw_get_metric_data_resp resp = {0};
  struct sw_error err;
  double total = 0;
  q.id = "reads";
  q.namespace_ = v->c->n.metric_namespace;
  q.metric_name = v->s->sn.metric;
  q.period_s = 60;
  q.stat = "Sum";
  q.return_data = 1;
  req.queries = &q;
  req.count = 1;
  req.start_time_s = ((int64_t)v->t0_s / 60) * 60;
  req.end_time_s = (int64_t)sw_time_now() + v->c->o->period_s + 60;
  if (sw_cw_get_metric_data(v->c->client, SW_CW_JSON, &req, &resp, &err) != 0) {
    sw_cw_get_metric_data_resp_clean_up(&resp);
    return pv_fail(v->c, "verify", "metric", "GetMetricData", &err);
  }
  for (size_t i = 0; i < resp.count; i++)
    for (size_t j = 0; j < resp.results[i].count; j++)
      if (resp.results[i].values[j] > 0)
        total += resp.results[i].values[j];
  sw_cw_get_metric_data_resp_clean_up(&resp);
  return total;
}

static int check_metric(struct verify *v) {
  double total = metric_total(v);
  return total < 0 ? -1 : total >= v->metric_baseline + 1;
}

/* The alarm's state: 0 with *state ("OK", ...) and its update time. */
static int alarm_state(struct verify *v, char *state, size_t size,
                       double *updated_s, int *actions_ok) {
  const char *names[1] = {v->s->sn.alarm};
  struct sw_cw_describe_alarms_req req = {0};
  struct sw_cw_describe_alarms_resp resp = {0};
  struct sw_error err;
  req.alarm_names = names;
  req.name_count = 1;
  if (sw_cw_describe_alarms(v->c->client, SW_CW_JSON, &req, &resp, &err) != 0)
    return pv_fail(v->c, "verify", "alarm", "DescribeAlarms", &err);
  const struct sw_cw_alarm *a =
      sw_cw_describe_alarms_find(&resp, v->s->sn.alarm);
  int rc = a && a->state_value ? 0 : -1;
  if (rc == 0) {
    snprintf(state, size, "%s", a->state_value);
    *updated_s = a->has_state_updated ? a->state_updated_s : 0;
    *actions_ok = a->actions_enabled == 1 && a->alarm_actions.count > 0;
  } else {
    pv_failf(v->c, "verify", v->s->sn.alarm, "alarm not found: run apply");
  }
  sw_cw_describe_alarms_resp_clean_up(&resp);
  return rc;
}

static int check_alarm(struct verify *v) {
  char state[32];
  double updated = 0;
  int actions_ok = 0;
  if (alarm_state(v, state, sizeof(state), &updated, &actions_ok) != 0)
    return -1;
  if (strcmp(state, "ALARM") != 0 || updated < v->t0_s - SKEW_S)
    return 0;
  if (v->mail_baseline < 0) {
    /* Real AWS has no API that shows an email: the publish is inferred
     * from the transition with its actions enabled. */
    if (actions_ok) {
      v->done[ST_SNS] = 1;
      v->arrived_s[ST_SNS] = updated;
      v->note[ST_SNS] = "inferred: alarm actions enabled (AWS offers no "
                        "API to see an email)";
    }
  }
  return 1;
}

/* How many times the alarm name appears in the simulator's mail spool
 * (GET <endpoint>/_awssim/mail); -1 when the endpoint is not the
 * simulator. */
static long mail_count(struct verify *v) {
  const char *base = v->c->o->endpoint_url;
  struct sw_http_opts ho = {0};
  struct sw_http_request req = {0};
  struct sw_http_response resp;
  struct sw_error err;
  char url[600];
  long n = -1;
  if (!base)
    return -1;
  snprintf(url, sizeof(url), "%s%s_awssim/mail", base,
           base[strlen(base) - 1] == '/' ? "" : "/");
  ho.ca_file = v->c->o->ca_file;
  ho.timeout_ms = 10000;
  struct sw_http *h = sw_http_new(&ho, &err);
  if (!h)
    return -1;
  sw_http_response_init(&resp);
  req.method = "GET";
  req.url = url;
  if (sw_http_perform(h, &req, &resp, &err) == 0 && resp.status == 200) {
    n = 0;
    for (const char *p = sw_buf_cstr(&resp.body);
         (p = strstr(p, v->s->sn.alarm)) != NULL; p++)
      n++;
  }
  sw_http_response_clean_up(&resp);
  sw_http_free(h);
  return n;
}

static int check_sns(struct verify *v) {
  if (v->mail_baseline < 0)
    return 0; /* set by check_alarm */
  long n = mail_count(v);
  return n > v->mail_baseline ? 1 : 0;
}

static int (*const checks[ST_COUNT])(struct verify *) = {
    check_trail, check_logs, check_metric, check_alarm, check_sns};

static void sleep_s(int s) {
  struct timespec ts = {s, 0};
  nanosleep(&ts, NULL);
}

/* A new read cannot make a new transition while the alarm is in ALARM from
 * an earlier one: wait (bounded) for it to return to OK first. */
static int wait_alarm_ok(struct verify *v, long long deadline_ms) {
  char state[32];
  double updated;
  int actions_ok, said = 0;
  for (;;) {
    if (alarm_state(v, state, sizeof(state), &updated, &actions_ok) != 0)
      return -1;
    if (strcmp(state, "ALARM") != 0)
      return 0;
    if (!said++)
      pv_report_item(v->c->rep, "verify", v->s->sn.alarm, "waiting",
                     "alarm is in ALARM from an earlier read: waiting for "
                     "OK first");
    if (sw_time_mono_ms() >= deadline_ms)
      return pv_failf(v->c, "verify", v->s->sn.alarm,
                      "still in ALARM from an earlier read after --timeout");
    sleep_s(v->c->o->poll_interval_s);
  }
}

/* A read by a principal the filter excludes (--allow-principal) is not
 * counted: the metric, alarm and SNS stages cannot arrive. Say so. */
static void warn_allowed_caller(struct verify *v) {
  char globs[PV_MAX_ALLOW][300], detail[700];
  size_t n = pv_filter_allowed(v->c, v->s, globs, PV_MAX_ALLOW);
  for (size_t i = 0; i < n; i++)
    if (sw_glob_match(globs[i], v->c->caller_arn)) {
      snprintf(detail, sizeof(detail),
               "this identity matches allowed principal %.300s: its read is "
               "not counted, so no metric, alarm or publish will follow",
               globs[i]);
      pv_report_item(v->c->rep, "verify", v->c->caller_arn, "warning", detail);
      return;
    }
}

/* SNS delivers only to confirmed subscriptions: say so before waiting. */
static void warn_no_subscriber(struct verify *v) {
  struct sw_tag_list attrs;
  struct sw_error err;
  sw_tag_list_init(&attrs);
  if (sw_sns_get_topic_attributes(v->c->client, v->c->n.topic_arn, &attrs,
                                  &err) == 0) {
    const char *n = sw_tag_list_get(&attrs, "SubscriptionsConfirmed");
    if (n && strcmp(n, "0") == 0)
      pv_report_item(v->c->rep, "verify", v->c->n.topic, "warning",
                     "no confirmed subscription: SNS has nobody to deliver "
                     "the alarm to");
  }
  sw_tag_list_clean_up(&attrs);
}

static const struct pv_secret *choose_secret(struct pv_ctx *c) {
  for (size_t i = 0; i < c->n_secrets; i++) {
    const struct pv_secret *s = &c->secrets[i];
    if (s->has_names &&
        (!c->o->n_secrets || strcmp(s->input, c->o->secrets[0]) == 0 ||
         strcmp(s->arn, c->o->secrets[0]) == 0 ||
         strcmp(s->name, c->o->secrets[0]) == 0))
      return s;
  }
  return NULL;
}

static int read_once(struct verify *v) {
  struct sw_sm_value_info info = {0};
  struct sw_error err;
  v->t0_s = sw_time_now();
  v->metric_baseline = metric_total(v);
  if (v->metric_baseline < 0)
    return -1;
  int rc = sw_sm_get_secret_value(v->c->client, v->s->arn, NULL, &info, &err);
  sw_sm_value_info_clean_up(&info);
  if (rc != 0)
    return pv_fail(v->c, "verify", v->s->name, "GetSecretValue", &err);
  pv_report_item(v->c->rep, "verify", v->s->name, "read",
                 "GetSecretValue once (value not kept)");
  return 0;
}

/* Seconds from the read to the stage; never negative (AWS's clock may be
 * a little behind ours). */
static double latency_s(const struct verify *v, int st) {
  double lat = v->arrived_s[st] - v->t0_s;
  return lat < 0 ? 0 : lat;
}

static void report_arrival(struct verify *v, int st) {
  char detail[200];
  double lat = latency_s(v, st);
  snprintf(detail, sizeof(detail), "after %.1f s%s%s", lat,
           v->note[st] ? "; " : "", v->note[st] ? v->note[st] : "");
  pv_report_item(v->c->rep, "verify", stage_names[st], "arrived", detail);
}

/* Polls every pending stage until all arrived or the deadline. 0 or -1. */
static int poll_stages(struct verify *v, long long deadline_ms) {
  long long last_note_ms = sw_time_mono_ms();
  for (;;) {
    int pending = 0;
    for (int st = 0; st < ST_COUNT; st++) {
      if (v->done[st])
        continue;
      int r = checks[st](v);
      if (r < 0)
        return -1;
      if (r > 0) {
        v->done[st] = 1;
        v->arrived_s[st] = sw_time_now();
      }
    }
    for (int st = 0; st < ST_COUNT; st++)
      if (v->done[st] == 1) {
        report_arrival(v, st);
        v->done[st] = 2;
      } else if (!v->done[st]) {
        pending++;
      }
    if (!pending || sw_time_mono_ms() >= deadline_ms)
      return 0;
    if (sw_time_mono_ms() - last_note_ms >= 30000 || v->c->o->verbose) {
      char detail[96];
      int first = 0;
      while (v->done[first])
        first++;
      snprintf(detail, sizeof(detail), "%.0f s since the read",
               sw_time_now() - v->t0_s);
      pv_report_item(v->c->rep, "verify", stage_names[first], "waiting",
                     detail);
      last_note_ms = sw_time_mono_ms();
    }
    sleep_s(v->c->o->poll_interval_s);
  }
}

static int finish(struct verify *v) {
  struct json_object *stages = json_object_new_array();
  const char *missing = NULL;
  for (int st = 0; st < ST_COUNT; st++) {
    struct json_object *o = json_object_new_object();
    sw_json_add_str(o, "stage", stage_names[st]);
    sw_json_add_bool(o, "arrived", v->done[st] != 0);
    if (v->done[st])
      json_object_object_add(o, "latency_s",
                             json_object_new_double(latency_s(v, st)));
    else if (!missing)
      missing = stage_names[st];
    if (v->note[st])
      sw_json_add_str(o, "note", v->note[st]);
    json_object_array_add(stages, o);
  }
  pv_report_attach(v->c->rep, "stages", stages);
  pv_report_meta(v->c->rep, "secret", v->s->name);
  if (missing) {
    char line[200];
    snprintf(line, sizeof(line), "verify: stage %s did not arrive within %d s",
             missing, v->c->o->timeout_s);
    pv_report_error(v->c->rep, line);
    pv_report_finish(v->c->rep, "failed");
    return PV_EXIT_DRIFT;
  }
  pv_report_line(v->c->rep, "verify: every stage arrived");
  pv_report_finish(v->c->rep, "ok");
  return PV_EXIT_OK;
}

int pv_cmd_verify(struct pv_ctx *c) {
  struct verify v;
  memset(&v, 0, sizeof(v));
  v.c = c;
  v.s = choose_secret(c);
  if (!v.s) {
    pv_report_error(c->rep, c->o->n_secrets
                                ? "verify: that secret is not watched by "
                                  "this stack"
                                : "verify: the stack watches no secret: "
                                  "run apply first");
    pv_report_finish(c->rep, "error");
    return PV_EXIT_FAIL;
  }
  long long deadline_ms = sw_time_mono_ms() + (long long)c->o->timeout_s * 1000;
  if (wait_alarm_ok(&v, deadline_ms) != 0) {
    pv_report_finish(c->rep, "error");
    return PV_EXIT_DRIFT;
  }
  v.mail_baseline = mail_count(&v);
  warn_no_subscriber(&v);
  warn_allowed_caller(&v);
  if (read_once(&v) != 0 || poll_stages(&v, deadline_ms) != 0) {
    pv_report_finish(c->rep, "error");
    return PV_EXIT_FAIL;
  }
  return finish(&v);
}
