/* Values for collectd (DESIGN.md 2.2) and the plugin's self-metrics.
 *
 * Every value uses a type of collectd's own types.db:
 *   count/cloudwatch          GAUGE  latest complete CloudWatch datapoint
 *   gauge/alarm_state         GAUGE  0 OK, 1 INSUFFICIENT_DATA, 2 ALARM
 *   derive/reads              DERIVE successful reads seen in CloudTrail
 *   derive/reads-denied       DERIVE attempts with an errorCode
 *   derive/reads-unexpected   DERIVE reads by principals not allowed
 *   gauge/event_lag           GAUGE  max seconds eventTime -> seen, per cycle
 *   total_requests/<Op>, <Op>-error, <Op>-throttled, <Op>-retry  DERIVE
 *   response_time/<Op>        GAUGE  mean ms per call in the last cycle
 *   derive/metrics_requested  DERIVE GetMetricData metrics (what AWS bills)
 *   derive/estimated_cost-microusd DERIVE estimated API cost, micro-USD
 *   gauge/chain-<check>       GAUGE  watchdog: 1 healthy, 0 broken
 * Self-metrics and watchdog values use the account name as
 * plugin_instance; the others the secret's label. */
#ifndef SW_PLUGIN_DISPATCH_H
#define SW_PLUGIN_DISPATCH_H

#include "plugin/notify.h"

#include "lib/client.h"

#include <stddef.h>
#include <stdint.h>

#define SWP_DS_GAUGE 1 /* collectd's DS_TYPE_GAUGE */
#define SWP_DS_DERIVE 2

/* Dispatches one value: plugin "secretwatch", the given instance, type and
 * type instance; time_s 0 means now. 0, or -1 when collectd refused it. */
int swp_dispatch(const struct swp_ident *id, const char *plugin_instance,
                 const char *type, const char *type_instance, int ds_type,
                 double value, double time_s);

/* Numeric value of an alarm state (0 OK, 1 INSUFFICIENT_DATA, 2 ALARM),
 * -1 for anything else. */
int swp_alarm_state_value(const char *state);

/* Estimated price of one call in micro-USD (CloudWatch: 0.01 USD per 1,000
 * GetMetricData metrics and per 1,000 other API requests; CloudTrail
 * LookupEvents, CloudWatch Logs FilterLogEvents and STS: not billed per
 * request). metrics is the number of metrics a GetMetricData asked for. */
double swp_call_cost_microusd(enum sw_service svc, const char *op,
                              size_t metrics);

#define SWP_MAX_OPS 16
struct swp_op_stats {
  char op[48];
  uint64_t requests, errors, throttled, retries;
  double latency_ms_sum; /* since the last dispatch */
  uint64_t latency_n;
};

/* Cumulative self-metrics of one account (its reader thread only). */
struct swp_self_stats {
  struct swp_op_stats ops[SWP_MAX_OPS];
  size_t ops_num;
  uint64_t metrics_requested;
  double cost_microusd;
};

/* Accounts one finished AWS call (the sw_client observer). */
void swp_self_record(struct swp_self_stats *s, const struct sw_call_info *info);
/* Accounts n metrics requested from GetMetricData (and their cost). */
void swp_self_add_metrics(struct swp_self_stats *s, size_t n);
/* Dispatches every counter and the mean latency since the last call. */
void swp_self_dispatch(const struct swp_ident *id, struct swp_self_stats *s);

#endif
