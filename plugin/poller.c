/* The per-account read cycle. */
#include "plugin/poller.h"
#include "plugin/cursor.h"
#include "plugin/dispatch.h"
#include "plugin/log.h"
#include "plugin/match.h"
#include "plugin/notify.h"
#include "plugin/ratelimit.h"
#include "plugin/state.h"
#include "plugin/watchdog.h"

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"

#include "lib/cloudtrail.h"
#include "lib/cloudwatch.h"
#include "lib/credentials.h"
#include "lib/crypto.h"
#include "lib/logs.h"
#include "lib/sts.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CloudTrail LookupEvents: 2 requests/s per account and region. */
#define LOOKUP_RATE_PER_S 2.0
/* CloudWatch Logs FilterLogEvents: 5 requests/s per account and region. */
#define LOGS_RATE_PER_S 5.0
/* NextToken pages followed per GetMetricData or DescribeAlarms batch. */
#define MAX_CALL_PAGES 50
/* Recent record times kept per secret, for the watchdog. */
#define REC_RING 1024
/* Datapoints kept per secret from one GetMetricData answer. */
#define MAX_DATAPOINTS 2048
/* Records per FilterLogEvents page (each is parsed into a large struct). */
#define LOGS_PAGE_LIMIT 100
/* Metric vs records: how old a window must be before it is compared. */
#define SETTLE_S 600.0

/* What a secret needs between cycles but not across restarts. */
struct secret_rt {
  int alarm_found;
  int alarm_actions_enabled;
  double *dp_ts, *dp_val; /* last GetMetricData datapoints, ascending */
  size_t dp_num;
  double rec_ts[REC_RING]; /* event times of recent matched records */
  unsigned char rec_allowed[REC_RING]; /* ... read by allowed principals */
  size_t rec_num, rec_next;
};

/* What the state file holds besides the window end, to tell whether a
 * cycle changed it (see step_persist). */
struct saved_mark {
  int valid;
  double at_s; /* when it was written */
  unsigned long seen_changes;
  size_t seen_count;
  double hole_start_s, hole_end_s;
  struct swp_walk walk, hole_walk;
  struct swp_secret_state *secrets; /* a copy, secrets_num entries */
};

struct swp_poller {
  struct swp_account_conf conf;
  char name[300];
  char host[128];
  struct swp_ident ident;
  struct sw_creds_provider *creds;
  struct sw_client *client;
  struct swp_state state;
  struct secret_rt *rt;
  struct swp_strategy strategy;
  struct swp_bucket *ct_bucket;
  struct swp_bucket *logs_bucket;
  int bucket_keyed; /* the bucket key names the AWS account id */
  struct swp_self_stats self;
  struct swp_watchdog wd;
  unsigned long cycles;
  double started_s; /* the first cycle's clock: every record with a later
                       event time passed through on_record */
  double cycle_now_s;
  double max_lag_s;
  int lag_seen;
  int metrics_ok, alarms_ok; /* this cycle's steps succeeded */
  int per_secret_verified;   /* -1 unknown, 0 misses records, 1 verified */
  int verifying;             /* this cycle runs both query kinds */
  unsigned long cycles_since_verify;
  int catching_up; /* the cursor has a hole */
  unsigned long matched_event_name, matched_per_secret; /* watched records
                                  returned by each kind, this cycle */
  unsigned long unparsed;  /* records that did not parse, this cycle */
  unsigned long oversized; /* records over the size cap, this cycle */
  c_complain_t c_creds, c_metrics, c_alarms, c_events, c_state, c_records;
  c_complain_t c_oversized, c_reread;
  struct saved_mark saved; /* what the state file holds */
  int unsaved; /* a newer last_end than the file's is only in memory */
  /* Throttled by AWS although this collectd keeps to the rate: other
   * pollers share the account's budget (see events_backoff). */
  int local_budget_spent;  /* this cycle: our own bucket said no */
  unsigned int ev_backoff; /* bound of the next pause, in cycles */
  unsigned long ev_resume; /* first cycle that reads events again */
  unsigned int seed;       /* rand_r state for the pauses */
  int counted;             /* in pollers_alive */
  /* LookupEvents queries of the per-secret strategy: ResourceName of each
   * secret, then EventName (for verifying cycles); built once. */
  struct swp_query_attr *ps_attrs;
  c_complain_t c_backoff;
};

/* Pollers alive in this collectd (see jitter_s). */
static int pollers_alive;

/* The account's read interval in seconds (collectd's when not set). */
static double interval_s(const struct swp_poller *p) {
  return p->conf.interval_s > 0 ? p->conf.interval_s
                                : CDTIME_T_TO_DOUBLE(plugin_get_interval());
}

static void observer(const struct sw_call_info *info, void *ctx) {
  struct swp_poller *p = ctx;
  swp_self_record(&p->self, info);
}

static void mark_clear(struct saved_mark *m) {
  swp_walk_clear(&m->walk);
  swp_walk_clear(&m->hole_walk);
  free(m->secrets);
  memset(m, 0, sizeof(*m));
}

void swp_poller_free(void *ptr) {
  struct swp_poller *p = ptr;
  if (p == NULL)
    return;
  if (p->counted)
    __atomic_sub_fetch(&pollers_alive, 1, __ATOMIC_RELAXED);
  if (p->unsaved) /* shutdown: keep the latest window end */
    (void)swp_state_save(&p->state, p->conf.state_file, &p->conf, NULL, 0);
  mark_clear(&p->saved);
  sw_client_free(p->client);
  sw_creds_provider_free(p->creds);
  swp_state_clean_up(&p->state);
  if (p->rt) {
    for (size_t i = 0; i < p->conf.secrets_num; i++) {
      free(p->rt[i].dp_ts);
      free(p->rt[i].dp_val);
    }
  }
  free(p->rt);
  free(p->ps_attrs);
  swp_account_conf_clean_up(&p->conf);
  free(p);
}

/* The budget key before the account id is known: everything that could
 * make two blocks reach different accounts. */
static void fallback_bucket_key(const struct swp_account_conf *a,
                                const char *api, char *out, size_t size) {
  snprintf(out, size, "%s|cfg|%s|%s|%s|%s", api, a->region,
           a->endpoint_url ? a->endpoint_url : "", a->profile ? a->profile : "",
           a->role_arn ? a->role_arn : "");
}

static int build_client(struct swp_poller *p) {
  struct swp_account_conf *a = &p->conf;
  struct sw_creds_opts co;
  struct sw_client_opts cl;
  struct sw_error err;
  char why[700];
  memset(&co, 0, sizeof(co));
  memset(&cl, 0, sizeof(cl));
  sw_error_clear(&err);
  co.profile = a->profile;
  co.role_arn = a->role_arn;
  co.external_id = a->external_id;
  co.region = a->region;
  co.endpoint_url = a->endpoint_url;
  co.ca_file = a->ca_file;
  co.timeout_ms = (long)(a->timeout_s * 1000);
  if ((p->creds = sw_creds_provider_new(&co, &err)) == NULL) {
    swp_log(SWP_ERR, "account %s: credentials: %s", a->name,
            sw_error_describe(&err, why, sizeof(why)));
    return -1;
  }
  cl.region = a->region;
  cl.endpoint_url = a->endpoint_url;
  cl.ca_file = a->ca_file;
  cl.timeout_ms = (long)(a->timeout_s * 1000);
  cl.creds = p->creds;
  if ((p->client = sw_client_new(&cl, &err)) == NULL) {
    swp_log(SWP_ERR, "account %s: AWS client: %s", a->name,
            sw_error_describe(&err, why, sizeof(why)));
    return -1;
  }
  sw_client_set_observer(p->client, observer, p);
  return 0;
}

struct swp_poller *swp_poller_new(struct swp_account_conf *conf,
                                  const char *host) {
  struct swp_poller *p = calloc(1, sizeof(*p));
  char key[1200];
  enum swp_state_load_result lr;
  if (p == NULL)
    return NULL;
  p->conf = *conf; /* taken back on failure below */
  snprintf(p->name, sizeof(p->name), "secretwatch/%s", conf->instance);
  sw_strlcpy(p->host, conf->host ? conf->host : (host ? host : ""),
             sizeof(p->host));
  p->ident.host = p->host;
  p->ident.account_instance = p->conf.instance;
  p->ident.interval_s = conf->interval_s;
  C_COMPLAIN_INIT(&p->c_creds);
  C_COMPLAIN_INIT(&p->c_metrics);
  C_COMPLAIN_INIT(&p->c_alarms);
  C_COMPLAIN_INIT(&p->c_events);
  C_COMPLAIN_INIT(&p->c_state);
  C_COMPLAIN_INIT(&p->c_records);
  C_COMPLAIN_INIT(&p->c_oversized);
  C_COMPLAIN_INIT(&p->c_reread);
  C_COMPLAIN_INIT(&p->c_backoff);
  if (sw_random_bytes(&p->seed, sizeof(p->seed)) != 0)
    p->seed = (unsigned int)time(NULL) ^ (unsigned int)(uintptr_t)p;
  swp_strategy_init(&p->strategy, conf->secrets_num);
  p->per_secret_verified = -1;
  fallback_bucket_key(conf, "ct", key, sizeof(key));
  p->ct_bucket = swp_ratelimit_get(key, LOOKUP_RATE_PER_S);
  fallback_bucket_key(conf, "logs", key, sizeof(key));
  p->logs_bucket = swp_ratelimit_get(key, LOGS_RATE_PER_S);
  p->rt = calloc(conf->secrets_num, sizeof(*p->rt));
  p->ps_attrs = calloc(conf->secrets_num + 1, sizeof(*p->ps_attrs));
  if (p->ps_attrs != NULL) {
    for (size_t i = 0; i < conf->secrets_num; i++) {
      p->ps_attrs[i].key = "ResourceName";
      p->ps_attrs[i].value = p->conf.secrets[i].secret_id;
    }
    p->ps_attrs[conf->secrets_num].key = "EventName";
    p->ps_attrs[conf->secrets_num].value = "GetSecretValue";
  }
  if (p->rt == NULL || p->ps_attrs == NULL || p->ct_bucket == NULL ||
      p->logs_bucket == NULL ||
      swp_state_init(&p->state, conf->secrets_num) != 0)
    goto fail;
  lr = swp_state_load(&p->state, conf->state_file, conf);
  if (lr == SWP_STATE_REFUSED)
    goto fail;
  if (build_client(p) != 0)
    goto fail;
  memset(conf, 0, sizeof(*conf));
  p->counted = 1;
  __atomic_add_fetch(&pollers_alive, 1, __ATOMIC_RELAXED);
  return p;
fail:
  /* The configuration stays the caller's. */
  memset(&p->conf, 0, sizeof(p->conf));
  swp_poller_free(p);
  return NULL;
}

const char *swp_poller_name(const struct swp_poller *p) {
  return p->name;
}
double swp_poller_interval(const struct swp_poller *p) {
  return p->conf.interval_s;
}

/* ---- step: credentials ---- */

static int step_credentials(struct swp_poller *p) {
  struct sw_credentials cr;
  struct sw_error err;
  char why[700];
  memset(&cr, 0, sizeof(cr));
  sw_error_clear(&err);
  if (sw_creds_get(p->creds, &cr, &err) != 0) {
    c_complain(LOG_ERR, &p->c_creds,
               "secretwatch plugin: account %s: no usable credentials: %s",
               p->conf.name, sw_error_describe(&err, why, sizeof(why)));
    sw_credentials_clean_up(&cr);
    return -1;
  }
  c_release(LOG_NOTICE, &p->c_creds,
            "secretwatch plugin: account %s: credentials work again (%s)",
            p->conf.name, cr.provider);
  sw_credentials_clean_up(&cr);
  return 0;
}

/* Once per poller: key the LookupEvents budget by the real account id, so
 * blocks that reach the same account share it whatever their options. */
static void key_bucket(struct swp_poller *p) {
  struct sw_sts_identity who;
  struct sw_error err;
  char key[200];
  struct swp_bucket *b;
  if (p->bucket_keyed)
    return;
  sw_error_clear(&err);
  if (sw_sts_get_caller_identity(p->client, &who, &err) != 0)
    return; /* keep the fallback key; try again next cycle */
  snprintf(key, sizeof(key), "ct|acct|%s|%s", who.account, p->conf.region);
  if ((b = swp_ratelimit_get(key, LOOKUP_RATE_PER_S)) != NULL)
    p->ct_bucket = b;
  snprintf(key, sizeof(key), "logs|acct|%s|%s", who.account, p->conf.region);
  if ((b = swp_ratelimit_get(key, LOGS_RATE_PER_S)) != NULL)
    p->logs_bucket = b;
  p->bucket_keyed = 1;
}

/* ---- step: GetMetricData ---- */

static void rt_keep_datapoints(struct secret_rt *rt, const double *ts,
                               const double *val, size_t n) {
  size_t keep = rt->dp_num;
  double *nt, *nv;
  if (n == 0 || keep + n > MAX_DATAPOINTS)
    return;
  nt = realloc(rt->dp_ts, (keep + n + 1) * sizeof(double));
  if (nt == NULL)
    return;
  rt->dp_ts = nt;
  nv = realloc(rt->dp_val, (keep + n + 1) * sizeof(double));
  if (nv == NULL)
    return;
  rt->dp_val = nv;
  memcpy(nt + keep, ts, n * sizeof(double));
  memcpy(nv + keep, val, n * sizeof(double));
  rt->dp_num += n;
}

static void sort_datapoints(struct secret_rt *rt) {
  /* Insertion sort: a few dozen points, usually already ordered. */
  for (size_t i = 1; i < rt->dp_num; i++) {
    double t = rt->dp_ts[i], v = rt->dp_val[i];
    size_t j = i;
    for (; j > 0 && rt->dp_ts[j - 1] > t; j--) {
      rt->dp_ts[j] = rt->dp_ts[j - 1];
      rt->dp_val[j] = rt->dp_val[j - 1];
    }
    rt->dp_ts[j] = t;
    rt->dp_val[j] = v;
  }
}

static int take_metric_results(struct swp_poller *p, size_t first,
                               const struct sw_cw_get_metric_data_resp *r) {
  for (size_t i = 0; i < r->count; i++) {
    const struct sw_cw_metric_result *m = &r->results[i];
    char *end;
    unsigned long idx;
    if (m->id == NULL || m->id[0] != 'm')
      continue;
    idx = strtoul(m->id + 1, &end, 10);
    if (*end != '\0' || idx < first || idx >= p->conf.secrets_num)
      continue;
    rt_keep_datapoints(&p->rt[idx], m->timestamps_s, m->values, m->count);
  }
  return 0;
}

static int metrics_batch(struct swp_poller *p, size_t first, size_t n,
                         double start_s, double end_s, struct sw_error *err) {
  struct sw_cw_metric_query *q = calloc(n, sizeof(*q));
  char(*ids)[24] = calloc(n, sizeof(*ids));
  struct sw_cw_get_metric_data_req req;
  char *token = NULL;
  int rc = 0;
  if (q == NULL || ids == NULL) {
    free(q);
    free(ids);
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    const struct swp_secret_conf *s = &p->conf.secrets[first + i];
    snprintf(ids[i], sizeof(ids[i]), "m%zu", first + i);
    q[i].id = ids[i];
    q[i].namespace_ = s->metric_namespace;
    q[i].metric_name = s->metric_name;
    q[i].period_s = (int)p->conf.period_s;
    q[i].stat = "Sum";
    q[i].return_data = -1;
  }
  memset(&req, 0, sizeof(req));
  req.queries = q;
  req.count = n;
  req.start_time_s = (int64_t)start_s;
  req.end_time_s = (int64_t)end_s;
  for (int page = 0; page < MAX_CALL_PAGES && rc == 0; page++) {
    struct sw_cw_get_metric_data_resp resp;
    memset(&resp, 0, sizeof(resp));
    req.next_token = token;
    rc = sw_cw_get_metric_data(
        p->client, (enum sw_cw_protocol)p->conf.cw_protocol, &req, &resp, err);
    swp_self_add_metrics(&p->self, n);
    if (rc == 0) {
      take_metric_results(p, first, &resp);
      free(token);
      token = resp.next_token;
      resp.next_token = NULL;
    }
    sw_cw_get_metric_data_resp_clean_up(&resp);
    if (token == NULL)
      break;
  }
  free(token);
  free(q);
  free(ids);
  return rc;
}

/* Dispatches each complete datapoint newer than the last one dispatched,
 * oldest first, at its own timestamp. */
static void dispatch_new_datapoints(struct swp_poller *p, size_t i) {
  struct secret_rt *rt = &p->rt[i];
  struct swp_secret_state *ss = &p->state.secrets[i];
  sort_datapoints(rt);
  for (size_t k = 0; k < rt->dp_num; k++) {
    if (rt->dp_ts[k] <= ss->metric_ts_s || !isfinite(rt->dp_val[k]))
      continue;
    if (rt->dp_ts[k] + (double)p->conf.period_s > p->cycle_now_s)
      continue; /* still being filled */
    swp_dispatch(&p->ident, p->conf.secrets[i].instance, "count", "cloudwatch",
                 SWP_DS_GAUGE, rt->dp_val[k], rt->dp_ts[k]);
    ss->metric_ts_s = rt->dp_ts[k];
  }
}

static int step_metrics(struct swp_poller *p) {
  double period = (double)p->conf.period_s;
  /* Far enough back for the watchdog's settled window too (GetMetricData
   * is billed per metric, not per datapoint). */
  double span =
      fmax((double)p->conf.lookback_s, 5 * period) + SETTLE_S + 3 * period;
  double end_s = floor(p->cycle_now_s / period) * period;
  double start_s = end_s - ceil(span / period) * period;
  struct sw_error err;
  char why[700];
  int rc = 0;
  sw_error_clear(&err);
  for (size_t i = 0; i < p->conf.secrets_num; i++)
    p->rt[i].dp_num = 0;
  for (size_t first = 0; first < p->conf.secrets_num && rc == 0;
       first += SW_CW_MAX_QUERIES) {
    size_t n = p->conf.secrets_num - first;
    if (n > SW_CW_MAX_QUERIES)
      n = SW_CW_MAX_QUERIES;
    rc = metrics_batch(p, first, n, start_s, end_s, &err);
  }
  if (rc != 0) {
    c_complain(LOG_ERR, &p->c_metrics,
               "secretwatch plugin: account %s: GetMetricData failed: %s",
               p->conf.name, sw_error_describe(&err, why, sizeof(why)));
    return -1;
  }
  c_release(LOG_NOTICE, &p->c_metrics,
            "secretwatch plugin: account %s: GetMetricData works again",
            p->conf.name);
  for (size_t i = 0; i < p->conf.secrets_num; i++)
    dispatch_new_datapoints(p, i);
  return 0;
}

/* ---- step: DescribeAlarms ---- */

static void take_alarm(struct swp_poller *p, size_t i,
                       const struct sw_cw_alarm *al) {
  struct swp_secret_state *ss = &p->state.secrets[i];
  const struct swp_secret_conf *s = &p->conf.secrets[i];
  int v = swp_alarm_state_value(al->state_value);
  char updated[32] = "";
  p->rt[i].alarm_found = 1;
  p->rt[i].alarm_actions_enabled = al->actions_enabled;
  if (v < 0)
    return;
  swp_dispatch(&p->ident, s->instance, "gauge", "alarm_state", SWP_DS_GAUGE, v,
               0);
  if (strcmp(ss->alarm_state, al->state_value) == 0)
    return;
  if (al->has_state_updated)
    sw_time_iso8601((time_t)al->state_updated_s, updated);
  /* The first sight of an alarm is only news when it is in ALARM. */
  if (ss->alarm_state[0] != '\0' || v == 2)
    swp_notify_alarm(&p->ident, s, s->alarm_name,
                     ss->alarm_state[0] ? ss->alarm_state : NULL,
                     al->state_value, al->state_reason, updated);
  sw_strlcpy(ss->alarm_state, al->state_value, sizeof(ss->alarm_state));
}

static int alarms_batch(struct swp_poller *p, size_t first, size_t n,
                        struct sw_error *err) {
  const char **names = calloc(n, sizeof(*names));
  struct sw_cw_describe_alarms_req req;
  char *token = NULL;
  int rc = 0;
  if (names == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  for (size_t i = 0; i < n; i++)
    names[i] = p->conf.secrets[first + i].alarm_name;
  memset(&req, 0, sizeof(req));
  req.alarm_names = names;
  req.name_count = n;
  req.alarm_types = SW_CW_ALARM_TYPE_METRIC | SW_CW_ALARM_TYPE_COMPOSITE;
  req.max_records = 100;
  for (int page = 0; page < MAX_CALL_PAGES && rc == 0; page++) {
    struct sw_cw_describe_alarms_resp resp;
    memset(&resp, 0, sizeof(resp));
    req.next_token = token;
    rc = sw_cw_describe_alarms(
        p->client, (enum sw_cw_protocol)p->conf.cw_protocol, &req, &resp, err);
    if (rc == 0) {
      for (size_t i = 0; i < n; i++) {
        const struct sw_cw_alarm *al = sw_cw_describe_alarms_find(
            &resp, p->conf.secrets[first + i].alarm_name);
        if (al)
          take_alarm(p, first + i, al);
      }
      free(token);
      token = resp.next_token;
      resp.next_token = NULL;
    }
    sw_cw_describe_alarms_resp_clean_up(&resp);
    if (token == NULL)
      break;
  }
  free(token);
  free(names);
  return rc;
}

static int step_alarms(struct swp_poller *p) {
  struct sw_error err;
  char why[700];
  int rc = 0;
  sw_error_clear(&err);
  for (size_t i = 0; i < p->conf.secrets_num; i++)
    p->rt[i].alarm_found = 0;
  for (size_t first = 0; first < p->conf.secrets_num && rc == 0;
       first += SW_CW_MAX_ALARM_NAMES) {
    size_t n = p->conf.secrets_num - first;
    if (n > SW_CW_MAX_ALARM_NAMES)
      n = SW_CW_MAX_ALARM_NAMES;
    rc = alarms_batch(p, first, n, &err);
  }
  if (rc != 0) {
    c_complain(LOG_ERR, &p->c_alarms,
               "secretwatch plugin: account %s: DescribeAlarms failed: %s",
               p->conf.name, sw_error_describe(&err, why, sizeof(why)));
    return -1;
  }
  c_release(LOG_NOTICE, &p->c_alarms,
            "secretwatch plugin: account %s: DescribeAlarms works again",
            p->conf.name);
  return 0;
}

/* ---- step: CloudTrail records ---- */

static long wait_budget_ms(const struct swp_poller *p) {
  double iv = interval_s(p);
  return (long)(iv * 500); /* at most half an interval per page */
}

/* Fills rec from the envelope of an oversized LookupEvents event. */
static void envelope_record(const struct sw_ct_event *ev,
                            struct sw_ctrec *rec) {
  const char *name = ev->resource_names;
  memset(rec, 0, sizeof(*rec));
  sw_strlcpy(rec->event_id, ev->event_id, sizeof(rec->event_id));
  sw_strlcpy(rec->event_name, ev->event_name, sizeof(rec->event_name));
  sw_strlcpy(rec->event_source, ev->event_source, sizeof(rec->event_source));
  sw_strlcpy(rec->identity.user_name, ev->username,
             sizeof(rec->identity.user_name));
  /* at least 1, so a summary is told from a parsed record even then */
  rec->oversized_bytes =
      ev->cloudtrail_event_len ? ev->cloudtrail_event_len : 1;
  rec->read_only = -1;
  /* year 9999 at most: the cast to time_t must not overflow */
  if (ev->has_event_time && ev->event_time_s > 0 &&
      ev->event_time_s < 253402300800.0) {
    rec->has_event_time = 1;
    rec->event_time_s = ev->event_time_s;
    sw_time_iso8601((time_t)ev->event_time_s, rec->event_time);
  }
  for (size_t i = 0; name && i < ev->resource_count &&
                     rec->resource_count < SW_CTREC_MAX_RESOURCES;
       i++) {
    sw_strlcpy(rec->resource_arns[rec->resource_count], name,
               sizeof(rec->resource_arns[0]));
    rec->resource_count++;
    name += strlen(name) + 1;
  }
  rec->resource_total = rec->resource_count;
}

/* Whether a LookupEvents event was reported before: its envelope EventId
 * is the record's eventID, so the Lookback re-read need not parse what it
 * has seen (most of what it reads). A verifying cycle parses everything:
 * it counts the watched records each query kind finds. */
static int known_event(const struct swp_poller *p,
                       const struct sw_ct_event *ev) {
  return !p->verifying && ev->event_id[0] != '\0' &&
         swp_seen_has(p->state.cursor.seen, ev->event_id);
}

/* The record of a known event, as far as the cursor reads it: its id and
 * time (it drops the record as seen; nothing else is looked at). */
static void known_record(const struct sw_ct_event *ev, struct sw_ctrec *rec) {
  memset(rec, 0, offsetof(struct sw_ctrec, event_name));
  rec->oversized_bytes = 0;
  sw_strlcpy(rec->event_id, ev->event_id, sizeof(rec->event_id));
  if (ev->has_event_time && ev->event_time_s > 0 &&
      ev->event_time_s < 253402300800.0) {
    rec->has_event_time = 1;
    rec->event_time_s = ev->event_time_s;
  }
}

/* The record of a Logs event whose message was too big to read. The
 * filter pattern let it through, so it is a Secrets Manager read
 * (GetSecretValue, or a failed BatchGetSecretValue) whose caller, secret
 * and outcome are unknown: on_oversized reports it on the account. Its id
 * is the Logs event's, prefixed so that it never meets a CloudTrail
 * eventID in the seen set. */
static void logs_envelope_record(const struct sw_logs_event *ev,
                                 struct sw_ctrec *rec) {
  static const char prefix[] = "logs:";
  memset(rec, 0, sizeof(*rec));
  memcpy(rec->event_id, prefix, sizeof(prefix));
  sw_strlcpy(rec->event_id + sizeof(prefix) - 1, ev->event_id,
             sizeof(rec->event_id) - (sizeof(prefix) - 1));
  sw_strlcpy(rec->event_name, "GetSecretValue", sizeof(rec->event_name));
  sw_strlcpy(rec->event_source, "secretsmanager.amazonaws.com",
             sizeof(rec->event_source));
  rec->oversized_bytes = ev->message_len ? ev->message_len : 1;
  rec->read_only = -1;
  if (ev->timestamp_ms > 0 && ev->timestamp_ms < 253402300800000LL) {
    rec->has_event_time = 1;
    rec->event_time_s = (double)ev->timestamp_ms / 1000.0;
    sw_time_iso8601((time_t)rec->event_time_s, rec->event_time);
  }
}

/* 1 with *bytes set when rec came from envelope_record. */
static int oversized_record(const struct sw_ctrec *rec, size_t *bytes) {
  *bytes = rec->oversized_bytes;
  return rec->oversized_bytes > 0;
}

/* Which API a page came from: its items are struct sw_ct_event
 * (LookupEvents) or struct sw_logs_event (FilterLogEvents). */
enum page_source { SRC_LOOKUP, SRC_LOGS };

/* Takes one answer page: parses the record text of each of its count items
 * (an array of stride-byte structs holding a `char *` text at text_off and
 * a size_t length at len_off) into out, and moves its next token into
 * *token. A record that does not parse is logged and skipped (it cannot be
 * attributed anyway). An oversized event becomes a record built from its
 * envelope; a LookupEvents event already seen is not parsed.
 * 0, or -1 with err on out of memory. */
static int take_page(struct swp_poller *p, const void *items, size_t count,
                     size_t stride, size_t text_off, size_t len_off,
                     enum page_source src, char **next_token, char **token,
                     struct sw_ctrec_list *out, struct sw_error *err) {
  size_t bad = 0;
  /* Not zeroed: every record is filled by the parser, envelope_record or
   * known_record, and a page of records is large. */
  out->items = malloc((count ? count : 1) * sizeof(*out->items));
  if (out->items == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  for (size_t i = 0; i < count; i++) {
    const char *item = (const char *)items + i * stride;
    const char *text;
    size_t len;
    struct sw_error perr;
    memcpy(&text, item + text_off, sizeof(text));
    memcpy(&len, item + len_off, sizeof(len));
    sw_error_clear(&perr);
    if (src == SRC_LOOKUP && known_event(p, (const struct sw_ct_event *)item))
      known_record((const struct sw_ct_event *)item, &out->items[out->count++]);
    else if (src == SRC_LOOKUP && ((const struct sw_ct_event *)item)->oversized)
      envelope_record((const struct sw_ct_event *)item,
                      &out->items[out->count++]);
    else if (src == SRC_LOGS && ((const struct sw_logs_event *)item)->oversized)
      logs_envelope_record((const struct sw_logs_event *)item,
                           &out->items[out->count++]);
    else if (text == NULL ||
             sw_ctrec_parse(text, len, &out->items[out->count], &perr) != 0)
      bad++;
    else
      out->count++;
  }
  p->unparsed += bad;
  free(*token);
  *token = *next_token;
  *next_token = NULL;
  return 0;
}

/* Records of a page that read a watched secret. */
static unsigned long count_watched(const struct swp_poller *p,
                                   const struct sw_ctrec_list *page) {
  unsigned long n = 0;
  for (size_t i = 0; i < page->count; i++) {
    for (size_t k = 0; k < p->conf.secrets_num; k++) {
      if (swp_match_record(&page->items[i], &p->conf.secrets[k])) {
        n++;
        break;
      }
    }
  }
  return n;
}

static int fetch_lookup(void *ctx, const struct swp_query *q, char **token,
                        struct sw_ctrec_list *out, struct sw_error *err) {
  struct swp_poller *p = ctx;
  struct sw_ct_lookup_req req;
  struct sw_ct_lookup_resp resp;
  int rc;
  if (swp_ratelimit_take(p->ct_bucket, wait_budget_ms(p)) != 0) {
    p->local_budget_spent = 1;
    return sw_error_set(err, SW_ERR_THROTTLED,
                        "LookupEvents budget (2/s per account and region) "
                        "spent for this cycle");
  }
  memset(&req, 0, sizeof(req));
  memset(&resp, 0, sizeof(resp));
  req.start_time_s = (int64_t)q->start_s;
  req.end_time_s = (int64_t)q->end_s;
  req.attr_key = q->attr->key;
  req.attr_value = q->attr->value;
  req.max_results = SW_CT_LOOKUP_MAX_RESULTS;
  req.next_token = *token;
  rc = sw_ct_lookup_events(p->client, &req, &resp, err);
  if (rc == 0) {
    /* Elements the parser left out (one bad record never fails a page). */
    p->unparsed += resp.skipped;
    p->oversized += resp.oversized;
  }
  if (rc == 0)
    rc = take_page(p, resp.events, resp.count, sizeof(*resp.events),
                   offsetof(struct sw_ct_event, cloudtrail_event),
                   offsetof(struct sw_ct_event, cloudtrail_event_len),
                   SRC_LOOKUP, &resp.next_token, token, out, err);
  sw_ct_lookup_resp_clean_up(&resp);
  if (rc == 0 && p->verifying) {
    unsigned long n = count_watched(p, out);
    if (q->attr->key && strcmp(q->attr->key, "EventName") == 0)
      p->matched_event_name += n;
    else
      p->matched_per_secret += n;
  }
  return rc;
}

/* The filter of the provisioner's metric, widened to failed batch reads;
 * records are matched to secrets locally. */
#define LOGS_FILTER                                          \
  "{ ($.eventSource = \"secretsmanager.amazonaws.com\") && " \
  "(($.eventName = \"GetSecretValue\") || "                  \
  "($.eventName = \"BatchGetSecretValue\")) }"

static int fetch_logs(void *ctx, const struct swp_query *q, char **token,
                      struct sw_ctrec_list *out, struct sw_error *err) {
  struct swp_poller *p = ctx;
  struct sw_logs_filter_req req;
  struct sw_logs_filter_resp resp;
  int rc;
  if (swp_ratelimit_take(p->logs_bucket, wait_budget_ms(p)) != 0) {
    p->local_budget_spent = 1;
    return sw_error_set(err, SW_ERR_THROTTLED,
                        "FilterLogEvents budget spent for this cycle");
  }
  memset(&req, 0, sizeof(req));
  memset(&resp, 0, sizeof(resp));
  req.log_group_name = p->conf.log_group;
  req.filter_pattern = LOGS_FILTER;
  req.start_time_ms = (int64_t)q->start_s * 1000;
  req.end_time_ms = (int64_t)q->end_s * 1000;
  req.next_token = *token;
  req.limit = LOGS_PAGE_LIMIT;
  rc = sw_logs_filter_log_events(p->client, &req, &resp, err);
  if (rc == 0) {
    /* Events the parser left out (one bad event never fails a page);
     * oversized ones are counted on their own, kept or not. */
    size_t kept = 0;
    for (size_t i = 0; i < resp.count; i++)
      kept += resp.events[i].oversized != 0;
    p->unparsed += resp.skipped - (resp.oversized - kept);
    p->oversized += resp.oversized;
  }
  if (rc == 0)
    rc = take_page(p, resp.events, resp.count, sizeof(*resp.events),
                   offsetof(struct sw_logs_event, message),
                   offsetof(struct sw_logs_event, message_len), SRC_LOGS,
                   &resp.next_token, token, out, err);
  sw_logs_filter_resp_clean_up(&resp);
  return rc;
}

/* Counts one read of secret i in its state and ring. */
static void count_read(struct swp_poller *p, size_t i, enum swp_verdict v,
                       double t) {
  struct swp_secret_state *ss = &p->state.secrets[i];
  struct secret_rt *rt = &p->rt[i];
  if (v == SWP_VERDICT_DENIED) {
    ss->denied++;
  } else {
    ss->reads++;
    if (v == SWP_VERDICT_UNEXPECTED)
      ss->unexpected++;
  }
  rt->rec_ts[rt->rec_next] = t;
  rt->rec_allowed[rt->rec_next] = v == SWP_VERDICT_ALLOWED;
  rt->rec_next = (rt->rec_next + 1) % REC_RING;
  if (rt->rec_num < REC_RING)
    rt->rec_num++;
}

/* A GetSecretValue whose record was too big to parse: the caller, error
 * and outcome are unknown, so it is an unexpected read of the secret its
 * envelope names. When it names no resource, it is notified once on the
 * account as unattributed and counted as a read and unexpected for every
 * watched secret (it may have read any of them).
 * Reads of secrets that are not watched are ignored like any record. */
static void on_oversized(struct swp_poller *p, const struct sw_ctrec *rec,
                         size_t bytes, double t) {
  int matched = 0;
  if (strcmp(rec->event_source, "secretsmanager.amazonaws.com") != 0 ||
      strcmp(rec->event_name, "GetSecretValue") != 0)
    return;
  for (size_t i = 0; rec->resource_count > 0 && i < p->conf.secrets_num; i++) {
    if (!swp_match_record(rec, &p->conf.secrets[i]))
      continue;
    matched = 1;
    count_read(p, i, SWP_VERDICT_UNEXPECTED, t);
    swp_notify_oversized_read(&p->ident, &p->conf.secrets[i], rec, bytes);
  }
  if (matched || rec->resource_count > 0)
    return;
  for (size_t i = 0; i < p->conf.secrets_num; i++) {
    p->state.secrets[i].reads++;
    p->state.secrets[i].unexpected++;
  }
  swp_notify_oversized_read(&p->ident, NULL, rec, bytes);
}

static void on_record(void *ctx, const struct sw_ctrec *rec, double t) {
  struct swp_poller *p = ctx;
  double lag = p->cycle_now_s - t;
  size_t bytes;
  if (oversized_record(rec, &bytes)) {
    on_oversized(p, rec, bytes, t);
    return;
  }
  for (size_t i = 0; i < p->conf.secrets_num; i++) {
    const struct swp_secret_conf *s = &p->conf.secrets[i];
    enum swp_verdict v;
    if (!swp_match_record(rec, s))
      continue;
    v = swp_classify(rec, s);
    count_read(p, i, v, t);
    if (lag > p->max_lag_s || !p->lag_seen)
      p->max_lag_s = lag > 0 ? lag : 0;
    p->lag_seen = 1;
    if (v != SWP_VERDICT_ALLOWED || s->notify_allowed)
      swp_notify_read(&p->ident, s, rec, v);
  }
}

static int max_pages(const struct swp_poller *p) {
  double iv = interval_s(p);
  /* Half of what 2 requests/s allow in one interval: the rest is left to
   * other pollers of the same account. */
  double n = iv * LOOKUP_RATE_PER_S * 0.5;
  if (n < 4)
    n = 4;
  if (n > 2000)
    n = 2000;
  return (int)n;
}

static int per_secret_possible(const struct swp_poller *p) {
  for (size_t i = 0; i < p->conf.secrets_num; i++)
    if (strncmp(p->conf.secrets[i].secret_id, "arn:", 4) != 0)
      return 0;
  return 1;
}

/* Cycles between two verifying cycles: at most one Lookback apart. */
static unsigned long reverify_cycles(const struct swp_poller *p) {
  double n = floor((double)p->conf.lookback_s / interval_s(p));
  return n >= 1 ? (unsigned long)n - 1 : 0;
}

static const struct swp_query_attr event_name_attr = {"EventName",
                                                      "GetSecretValue"};

/* Sets o to the one EventName query. */
static void event_name_query(struct swp_cursor_opts *o,
                             enum swp_strategy_kind *kind) {
  *kind = SWP_STRATEGY_EVENT_NAME;
  o->attrs = &event_name_attr;
  o->attrs_num = 1;
}

/* Sets o to the account's ResourceName queries, one per secret, then the
 * EventName query when with_event_name (last: per-secret pages are counted
 * first). The list is built once, with the poller. */
static void per_secret_queries(const struct swp_poller *p,
                               struct swp_cursor_opts *o, int with_event_name,
                               enum swp_strategy_kind *kind) {
  *kind = SWP_STRATEGY_PER_SECRET;
  o->attrs = p->ps_attrs;
  o->attrs_num = p->conf.secrets_num + (with_event_name ? 1 : 0);
}

/* Chooses this cycle's LookupEvents queries (DESIGN.md 2.4). ResourceName
 * queries only find records that name the secret in `resources`, which
 * GetSecretValue records often lack, so the per-secret strategy is only
 * used once a cycle that ran both kinds showed it finds every watched
 * record the EventName query finds. Sets o's queries, *kind and
 * p->verifying. */
static void choose_queries(struct swp_poller *p, struct swp_cursor_opts *o,
                           enum swp_strategy_kind *kind) {
  const struct swp_cursor *c = &p->state.cursor;
  const struct swp_walk *w = c->hole_walk.end_s > 0 ? &c->hole_walk
                             : c->walk.end_s > 0    ? &c->walk
                                                    : NULL;
  p->verifying = 0;
  /* A walk in progress keeps the kind of queries it was started with: a
   * switch would start it over, and a walk that starts over whenever the
   * kind changes may never reach the end of its window. The strategy
   * moves on once no walk is left. */
  if (w != NULL && w->key != NULL) {
    if (strcmp(w->key, "ResourceName") == 0 && per_secret_possible(p) &&
        p->per_secret_verified == 1)
      per_secret_queries(p, o, 0, kind);
    else
      event_name_query(o, kind);
    return;
  }
  *kind = swp_strategy_choose(&p->strategy, per_secret_possible(p));
  if (*kind == SWP_STRATEGY_EVENT_NAME || p->per_secret_verified == 0) {
    event_name_query(o, kind); /* 0: shown to miss records */
    return;
  }
  /* Re-verify at least once per Lookback: then every record (also one
   * without `resources`, such as most AccessDenied records) is read by an
   * EventName query while it is inside the window, late at worst. */
  p->verifying = p->per_secret_verified < 0 ||
                 p->cycles_since_verify >= reverify_cycles(p);
  /* A verifying cycle runs both kinds; when the budget cannot cover that,
   * stay with the query that needs no verification. */
  if (p->verifying && p->strategy.est_event_name + p->strategy.est_per_secret >
                          (double)max_pages(p)) {
    p->verifying = 0;
    event_name_query(o, kind);
    return;
  }
  per_secret_queries(p, o, p->verifying, kind);
}

/* After a verifying cycle: per-secret queries must have returned at least
 * as many watched records as the EventName query did. */
static void finish_verification(struct swp_poller *p) {
  if (!p->verifying) {
    p->cycles_since_verify++;
    return;
  }
  p->cycles_since_verify = 0;
  if (p->matched_event_name == 0)
    return; /* nothing read that could tell */
  {
    int was = p->per_secret_verified;
    p->per_secret_verified =
        p->matched_per_secret >= p->matched_event_name ? 1 : 0;
    if (was == p->per_secret_verified)
      return;
  }
  swp_log(SWP_INFO,
          "account %s: per-secret LookupEvents queries found %lu of %lu "
          "watched records: %s",
          p->conf.name, p->matched_per_secret, p->matched_event_name,
          p->per_secret_verified ? "using them when they cost fewer pages"
                                 : "staying with EventName queries");
}

/* Most cycles a pause may last: the records of the pause are read by the
 * next cycle that reads (its window starts at last_end), so a pause only
 * delays them; this bounds how much. */
#define EV_BACKOFF_MAX 8u

/* After each events step: AWS throttled a read although this collectd
 * keeps to the account's rate, so other pollers (other hosts) share the
 * budget. Pause reading events for a random number of cycles, up to a
 * bound that doubles with each throttled cycle and halves with each clean
 * one: a fleet that reads too often spreads out until it fits, and no host
 * keeps losing to the others at the same moments. Nothing is lost: the
 * cursor resumes where it stopped. */
static void events_backoff(struct swp_poller *p, int throttled) {
  unsigned int cap = EV_BACKOFF_MAX;
  double backfill_cycles =
      (double)p->conf.max_backfill_s / fmax(1, interval_s(p)) / 4;
  if (backfill_cycles < cap)
    cap = backfill_cycles >= 1 ? (unsigned int)backfill_cycles : 1;
  p->ev_backoff = swp_backoff_next(p->ev_backoff, throttled, cap);
  if (!throttled) {
    if (p->ev_backoff == 0)
      c_release(LOG_NOTICE, &p->c_backoff,
                "secretwatch plugin: account %s: CloudTrail reads are no "
                "longer throttled; reading them every cycle",
                p->conf.name);
    return;
  }
  p->ev_resume =
      p->cycles + 1 + (unsigned long)(rand_r(&p->seed) % (p->ev_backoff + 1));
  c_complain(LOG_WARNING, &p->c_backoff,
             "secretwatch plugin: account %s: AWS throttles CloudTrail reads "
             "although this collectd keeps to its rate: other hosts poll the "
             "same account and region (set Events false on all but one or "
             "two). Pausing CloudTrail reads for up to %u cycles at a time; "
             "records are read late, not lost",
             p->conf.name, p->ev_backoff);
}

/* The LookupEvents budget is the account's, shared with any other host
 * that reads it: each cycle's reads start at a random moment of the first
 * second (a tenth of the interval when shorter), so hosts do not lock into
 * the same slots. With many accounts the pauses would hold collectd's read
 * threads: all of them together take at most a quarter of the interval. */
static double jitter_s(const struct swp_poller *p) {
  double iv = interval_s(p);
  int n = __atomic_load_n(&pollers_alive, __ATOMIC_RELAXED);
  return fmin(1.0, fmin(iv / 10, iv / (4.0 * (n > 0 ? n : 1))));
}

static int step_events(struct swp_poller *p) {
  struct swp_cursor_opts o;
  struct swp_cursor_result res;
  enum swp_strategy_kind kind = SWP_STRATEGY_EVENT_NAME;
  struct sw_error err;
  char why[700];
  int rc;
  memset(&o, 0, sizeof(o));
  sw_error_clear(&err);
  /* Our clock and the offset the client learned from the server's Date
   * (maybe just now, in an earlier step): the cursor covers both, so a
   * skew correction neither skips nor repeats records. */
  o.now_s = sw_time_now();
  o.clock_offset_s = sw_client_clock_offset(p->client);
  o.lookback_s = p->conf.lookback_s;
  o.max_backfill_s = p->conf.max_backfill_s;
  o.max_pages = max_pages(p);
  o.on_record = on_record;
  o.record_ctx = p;
  o.fetch_ctx = p;
  p->matched_event_name = p->matched_per_secret = 0;
  p->unparsed = 0;
  p->oversized = 0;
  p->local_budget_spent = 0;
  if (p->conf.event_source == SWP_SRC_FILTER_LOG_EVENTS) {
    static const struct swp_query_attr none = {NULL, NULL};
    o.fetch = fetch_logs;
    o.newest_first = 0;
    o.attrs = &none;
    o.attrs_num = 1;
  } else {
    o.fetch = fetch_lookup;
    o.newest_first = 1;
    choose_queries(p, &o, &kind);
  }
  swp_ratelimit_jitter(&p->seed, (long)(jitter_s(p) * 1000));
  rc = swp_cursor_cycle(&p->state.cursor, &o, &res, &err);
  events_backoff(p, rc != 0 && err.kind == SW_ERR_THROTTLED &&
                        !p->local_budget_spent);
  if (p->conf.event_source == SWP_SRC_LOOKUP_EVENTS && !p->verifying)
    swp_strategy_update(&p->strategy, kind, res.pages,
                        res.complete && !res.reread_cut && rc == 0,
                        p->conf.secrets_num);
  if (rc == 0 && res.complete)
    finish_verification(p);
  else if (rc != 0 && p->verifying)
    p->per_secret_verified = 0; /* EventName queries always work */
  /* A bad record is re-read every cycle while it is inside Lookback: say
   * so once, and once when it is gone. */
  if (p->unparsed > 0 || res.dropped > 0)
    c_complain(LOG_WARNING, &p->c_records,
               "secretwatch plugin: account %s: skipped %lu CloudTrail "
               "record(s) that could not be parsed and %d without an eventID",
               p->conf.name, p->unparsed, res.dropped);
  else
    c_release(LOG_NOTICE, &p->c_records,
              "secretwatch plugin: account %s: no more unusable CloudTrail "
              "records",
              p->conf.name);
  /* A record over the size cap cannot be checked; it may have been made
   * that big on purpose (userAgent and errorMessage are the caller's).
   * The reads among them were notified from their envelope. */
  if (p->oversized > 0)
    c_complain(LOG_WARNING, &p->c_oversized,
               "secretwatch plugin: account %s: %lu CloudTrail record(s) over "
               "%zu bytes this cycle cannot be checked (the reads among "
               "them are notified from the event's envelope)",
               p->conf.name, p->oversized, (size_t)SW_CT_MAX_EVENT_JSON);
  else
    c_release(LOG_NOTICE, &p->c_oversized,
              "secretwatch plugin: account %s: no more CloudTrail records "
              "over the size limit",
              p->conf.name);
  if (res.reread_cut)
    c_complain(LOG_NOTICE, &p->c_reread,
               "secretwatch plugin: account %s: re-reading the last %ld s "
               "for late CloudTrail records needs more than %d pages per "
               "cycle; it goes on next cycle where it stopped",
               p->conf.name, p->conf.lookback_s, o.max_pages);
  else if (rc == 0)
    c_release(LOG_NOTICE, &p->c_reread,
              "secretwatch plugin: account %s: the re-read for late "
              "CloudTrail records is complete",
              p->conf.name);
  if (rc != 0) {
    c_complain(LOG_ERR, &p->c_events,
               "secretwatch plugin: account %s: reading CloudTrail records "
               "failed: %s",
               p->conf.name, sw_error_describe(&err, why, sizeof(why)));
    return -1;
  }
  c_release(LOG_NOTICE, &p->c_events,
            "secretwatch plugin: account %s: reading CloudTrail records works "
            "again",
            p->conf.name);
  if ((!res.complete) != p->catching_up)
    swp_log(SWP_NOTICE,
            res.complete ? "account %s: caught up on CloudTrail records"
                         : "account %s: catching up on CloudTrail records "
                           "(more than %d pages per cycle needed)",
            p->conf.name, o.max_pages);
  p->catching_up = !res.complete;
  return 0;
}

/* ---- step: dispatch counters ---- */

static void step_dispatch(struct swp_poller *p) {
  for (size_t i = 0; i < p->conf.secrets_num; i++) {
    const char *pi = p->conf.secrets[i].instance;
    const struct swp_secret_state *ss = &p->state.secrets[i];
    swp_dispatch(&p->ident, pi, "derive", "reads", SWP_DS_DERIVE,
                 (double)ss->reads, 0);
    swp_dispatch(&p->ident, pi, "derive", "reads-denied", SWP_DS_DERIVE,
                 (double)ss->denied, 0);
    swp_dispatch(&p->ident, pi, "derive", "reads-unexpected", SWP_DS_DERIVE,
                 (double)ss->unexpected, 0);
  }
  if (p->lag_seen)
    swp_dispatch(&p->ident, p->conf.instance, "gauge", "event_lag",
                 SWP_DS_GAUGE, p->max_lag_s, 0);
}

/* The state file is rewritten (two fsyncs) only when what it holds
 * changed: seen ids, counters, alarm states, metric timestamps, a hole or
 * a walk. The window end moves every cycle; on its own it is written at
 * least every STATE_REFRESH_S (Lookback / 2 when shorter) and at shutdown.
 * After a crash the first cycle then reaches back that much further, and
 * the seen ids in the file (written whenever one was added) drop what was
 * reported. */
#define STATE_REFRESH_S 300.0

static int state_unchanged(const struct swp_poller *p) {
  const struct saved_mark *m = &p->saved;
  const struct swp_cursor *c = &p->state.cursor;
  double refresh = fmin(STATE_REFRESH_S, (double)p->conf.lookback_s / 2);
  return m->valid && p->cycle_now_s >= m->at_s &&
         p->cycle_now_s - m->at_s < refresh &&
         m->seen_changes == swp_seen_changes(c->seen) &&
         m->seen_count == swp_seen_count(c->seen) &&
         m->hole_start_s == c->hole_start_s && m->hole_end_s == c->hole_end_s &&
         swp_walk_same(&m->walk, &c->walk) &&
         swp_walk_same(&m->hole_walk, &c->hole_walk) &&
         memcmp(m->secrets, p->state.secrets,
                p->state.secrets_num * sizeof(*m->secrets)) == 0;
}

/* Remembers what was just written (out of memory: nothing, so the next
 * cycle writes again). */
static void mark_saved(struct swp_poller *p) {
  struct saved_mark *m = &p->saved;
  const struct swp_cursor *c = &p->state.cursor;
  size_t n = p->state.secrets_num;
  mark_clear(m);
  m->secrets = malloc((n ? n : 1) * sizeof(*m->secrets));
  if (m->secrets == NULL ||
      (c->walk.end_s > 0 &&
       swp_walk_set(&m->walk, c->walk.start_s, c->walk.end_s, c->walk.key,
                    c->walk.value, c->walk.token) != 0) ||
      (c->hole_walk.end_s > 0 &&
       swp_walk_set(&m->hole_walk, c->hole_walk.start_s, c->hole_walk.end_s,
                    c->hole_walk.key, c->hole_walk.value,
                    c->hole_walk.token) != 0)) {
    mark_clear(m);
    return;
  }
  if (n > 0)
    memcpy(m->secrets, p->state.secrets, n * sizeof(*m->secrets));
  m->walk.start_s = c->walk.start_s;
  m->walk.end_s = c->walk.end_s;
  m->hole_walk.start_s = c->hole_walk.start_s;
  m->hole_walk.end_s = c->hole_walk.end_s;
  m->at_s = p->cycle_now_s;
  m->seen_changes = swp_seen_changes(c->seen);
  m->seen_count = swp_seen_count(c->seen);
  m->hole_start_s = c->hole_start_s;
  m->hole_end_s = c->hole_end_s;
  m->valid = 1;
}

static void step_persist(struct swp_poller *p) {
  char why[1024];
  if (state_unchanged(p)) {
    p->unsaved = 1;
    return;
  }
  mark_clear(&p->saved);
  if (swp_state_save(&p->state, p->conf.state_file, &p->conf, why,
                     sizeof(why)) != 0) {
    p->unsaved = 1;
    c_complain(LOG_ERR, &p->c_state,
               "secretwatch plugin: account %s: the state file %s cannot be "
               "written (%s); records may be reported again after a restart",
               p->conf.name, p->conf.state_file, why);
    return;
  }
  mark_saved(p);
  p->unsaved = 0;
  c_release(LOG_NOTICE, &p->c_state,
            "secretwatch plugin: account %s: the state file is written "
            "again",
            p->conf.name);
}

/* ---- step: watchdog ---- */

static void step_watchdog(struct swp_poller *p) {
  double period = (double)p->conf.period_s;
  char check[128], msg[600];
  swp_wd_check_trail(&p->wd, p->client, &p->conf, &p->ident, p->cycle_now_s);
  for (size_t i = 0; i < p->conf.secrets_num; i++) {
    const struct swp_secret_conf *s = &p->conf.secrets[i];
    struct secret_rt *rt = &p->rt[i];
    /* CloudTrail delivery to Logs and the metric filter take minutes: only
     * compare a window that has settled. */
    double settle_s = fmax(2 * period, SETTLE_S);
    double end_s = floor((p->cycle_now_s - settle_s) / period) * period;
    double start_s = end_s - fmax((double)p->conf.lookback_s, period);
    int agree;
    if (!p->alarms_ok)
      break;
    snprintf(check, sizeof(check), "alarm-%s", s->instance);
    if (!rt->alarm_found)
      snprintf(msg, sizeof(msg), "alarm %.200s of %.63s does not exist",
               s->alarm_name, s->instance);
    else
      snprintf(msg, sizeof(msg),
               "alarm %.200s of %.63s has its actions "
               "disabled",
               s->alarm_name, s->instance);
    swp_wd_report(&p->wd, &p->ident, check,
                  rt->alarm_found && rt->alarm_actions_enabled != 0, msg);
    /* Records seen before this start are not in the ring (the seen set
     * dropped them), so the window never reaches back before it. */
    if (start_s < p->started_s)
      start_s = p->started_s;
    /* A full ring forgot its oldest records. */
    if (rt->rec_num == REC_RING && rt->rec_ts[rt->rec_next] > start_s)
      start_s = rt->rec_ts[rt->rec_next];
    agree = start_s < end_s
                ? swp_wd_metric_agrees(rt->dp_ts, rt->dp_val, rt->dp_num,
                                       rt->rec_ts, rt->rec_allowed, rt->rec_num,
                                       start_s, end_s, msg, sizeof(msg))
                : -1;
    snprintf(check, sizeof(check), "metric-%s", s->instance);
    /* Not while CloudTrail reads are paused after throttling: the records
     * of the window may not have been read yet. */
    if (agree >= 0 && p->conf.events && p->metrics_ok && p->ev_backoff == 0)
      swp_wd_report(&p->wd, &p->ident, check, agree, msg);
  }
}

int swp_poller_read(struct swp_poller *p) {
  int failed = 0, steps = 2;
  p->cycle_now_s = sw_time_now() + sw_client_clock_offset(p->client);
  if (p->started_s == 0)
    p->started_s = p->cycle_now_s;
  p->max_lag_s = 0;
  p->lag_seen = 0;
  if (step_credentials(p) != 0) {
    swp_self_dispatch(&p->ident, &p->self);
    return -1;
  }
  key_bucket(p);
  p->metrics_ok = step_metrics(p) == 0;
  p->alarms_ok = step_alarms(p) == 0;
  failed = !p->metrics_ok + !p->alarms_ok;
  /* A pause after throttling (events_backoff) is not a failure. */
  if (p->conf.events && p->cycles >= p->ev_resume) {
    steps++;
    failed += step_events(p) != 0;
  }
  step_dispatch(p);
  step_persist(p);
  swp_self_dispatch(&p->ident, &p->self);
  if (p->conf.watchdog &&
      p->cycles % (unsigned long)p->conf.watchdog_cycles == 0)
    step_watchdog(p);
  p->cycles++;
  /* Only a cycle where every step failed counts as a failed read (collectd
   * then backs off); partial failures were logged through c_complain. */
  return failed == steps ? -1 : 0;
}
