/* Value lists for collectd and the self-metrics accounting. */
#include "plugin/dispatch.h"

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "lib/text.h"

#include <stdio.h>
#include <string.h>

int swp_dispatch(const struct swp_ident *id, const char *plugin_instance,
                 const char *type, const char *type_instance, int ds_type,
                 double value, double time_s) {
  value_list_t vl = VALUE_LIST_INIT;
  value_t v;
  if (ds_type == SWP_DS_DERIVE)
    v.derive = (derive_t)value;
  else
    v.gauge = (gauge_t)value;
  vl.values = &v;
  vl.values_len = 1;
  vl.time = time_s > 0 ? DOUBLE_TO_CDTIME_T(time_s) : 0;
  vl.interval = id->interval_s > 0 ? DOUBLE_TO_CDTIME_T(id->interval_s) : 0;
  sw_strlcpy(vl.host, id->host ? id->host : "", sizeof(vl.host));
  sw_strlcpy(vl.plugin, "secretwatch", sizeof(vl.plugin));
  swp_field(vl.plugin_instance, sizeof(vl.plugin_instance), plugin_instance);
  sw_strlcpy(vl.type, type, sizeof(vl.type));
  swp_field(vl.type_instance, sizeof(vl.type_instance), type_instance);
  return plugin_dispatch_values(&vl) == 0 ? 0 : -1;
}

int swp_alarm_state_value(const char *state) {
  if (state == NULL)
    return -1;
  if (strcmp(state, "OK") == 0)
    return 0;
  if (strcmp(state, "INSUFFICIENT_DATA") == 0)
    return 1;
  if (strcmp(state, "ALARM") == 0)
    return 2;
  return -1;
}

double swp_call_cost_microusd(enum sw_service svc, const char *op,
                              size_t metrics) {
  if (svc != SW_SVC_CLOUDWATCH)
    return 0;
  if (op && strcmp(op, "GetMetricData") == 0)
    return 10.0 * (double)metrics;
  return 10.0;
}

static struct swp_op_stats *op_slot(struct swp_self_stats *s, const char *op) {
  for (size_t i = 0; i < s->ops_num; i++)
    if (strcmp(s->ops[i].op, op) == 0)
      return &s->ops[i];
  if (s->ops_num >= SWP_MAX_OPS)
    return NULL;
  memset(&s->ops[s->ops_num], 0, sizeof(s->ops[0]));
  sw_strlcpy(s->ops[s->ops_num].op, op, sizeof(s->ops[0].op));
  return &s->ops[s->ops_num++];
}

void swp_self_record(struct swp_self_stats *s,
                     const struct sw_call_info *info) {
  struct swp_op_stats *o =
      op_slot(s, info->operation ? info->operation : "unknown");
  if (o == NULL)
    return;
  o->requests += info->attempts > 0 ? (uint64_t)info->attempts : 1;
  o->retries += info->attempts > 1 ? (uint64_t)(info->attempts - 1) : 0;
  o->throttled += info->throttled > 0 ? (uint64_t)info->throttled : 0;
  o->errors += info->failed ? 1 : 0;
  o->latency_ms_sum += info->latency_ms;
  o->latency_n++;
  /* GetMetricData is billed by metric (swp_self_add_metrics), the others
   * per request. */
  if (!(info->operation && strcmp(info->operation, "GetMetricData") == 0))
    s->cost_microusd +=
        swp_call_cost_microusd(info->service, info->operation, 0) *
        (info->attempts > 0 ? info->attempts : 1);
}

void swp_self_add_metrics(struct swp_self_stats *s, size_t n) {
  s->metrics_requested += n;
  s->cost_microusd +=
      swp_call_cost_microusd(SW_SVC_CLOUDWATCH, "GetMetricData", n);
}

void swp_self_dispatch(const struct swp_ident *id, struct swp_self_stats *s) {
  const char *pi = id->account_instance;
  char ti[96];
  for (size_t i = 0; i < s->ops_num; i++) {
    struct swp_op_stats *o = &s->ops[i];
    swp_dispatch(id, pi, "total_requests", o->op, SWP_DS_DERIVE,
                 (double)o->requests, 0);
    snprintf(ti, sizeof(ti), "%s-error", o->op);
    swp_dispatch(id, pi, "total_requests", ti, SWP_DS_DERIVE, (double)o->errors,
                 0);
    snprintf(ti, sizeof(ti), "%s-throttled", o->op);
    swp_dispatch(id, pi, "total_requests", ti, SWP_DS_DERIVE,
                 (double)o->throttled, 0);
    snprintf(ti, sizeof(ti), "%s-retry", o->op);
    swp_dispatch(id, pi, "total_requests", ti, SWP_DS_DERIVE,
                 (double)o->retries, 0);
    if (o->latency_n > 0) {
      swp_dispatch(id, pi, "response_time", o->op, SWP_DS_GAUGE,
                   o->latency_ms_sum / (double)o->latency_n, 0);
      o->latency_ms_sum = 0;
      o->latency_n = 0;
    }
  }
  swp_dispatch(id, pi, "derive", "metrics_requested", SWP_DS_DERIVE,
               (double)s->metrics_requested, 0);
  swp_dispatch(id, pi, "derive", "estimated_cost-microusd", SWP_DS_DERIVE,
               s->cost_microusd, 0);
}
