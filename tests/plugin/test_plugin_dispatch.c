/* Values for collectd: identifiers, types, timestamps; self-metrics and
 * cost; watchdog findings. */
#include "mock_collectd.h"
#include "sw_test.h"

#include "plugin/dispatch.h"
#include "plugin/watchdog.h"

#include <string.h>

static const struct swp_ident ident = {"aws-prod", "prod", 60};

static void test_value_identifiers_and_time(void) {
  const struct mock_value *v;
  mock_reset();
  SW_CHECK_INT(swp_dispatch(&ident, "TopSecretInfo", "count", "cloudwatch",
                            SWP_DS_GAUGE, 3, 1795766400.0),
               0);
  SW_CHECK_INT(
      swp_dispatch(&ident, "a/b", "derive", "reads", SWP_DS_DERIVE, 12, 0), 0);
  v = mock_find_value("TopSecretInfo", "count", "cloudwatch");
  SW_CHECK(v != NULL);
  if (v) {
    SW_CHECK_STR(v->host, "aws-prod");
    SW_CHECK_STR(v->plugin, "secretwatch");
    SW_CHECK(v->value == 3);
    SW_CHECK(v->time == DOUBLE_TO_CDTIME_T(1795766400.0));
    SW_CHECK(v->interval == DOUBLE_TO_CDTIME_T(60.0));
  }
  /* '/' would split the identifier */
  v = mock_find_value("a_b", "derive", "reads");
  SW_CHECK(v != NULL && v->value == 12 && v->time == 0);
  mock_dispatch_fail = 1;
  SW_CHECK_INT(swp_dispatch(&ident, "x", "gauge", "y", SWP_DS_GAUGE, 1, 0), -1);
}

static void test_alarm_state_values(void) {
  SW_CHECK_INT(swp_alarm_state_value("OK"), 0);
  SW_CHECK_INT(swp_alarm_state_value("INSUFFICIENT_DATA"), 1);
  SW_CHECK_INT(swp_alarm_state_value("ALARM"), 2);
  SW_CHECK_INT(swp_alarm_state_value("alarm"), -1);
  SW_CHECK_INT(swp_alarm_state_value(""), -1);
  SW_CHECK_INT(swp_alarm_state_value(NULL), -1);
  SW_CHECK_INT(swp_alarm_severity("ALARM"), NOTIF_FAILURE);
  SW_CHECK_INT(swp_alarm_severity("INSUFFICIENT_DATA"), NOTIF_WARNING);
  SW_CHECK_INT(swp_alarm_severity("OK"), NOTIF_OKAY);
  SW_CHECK_INT(swp_alarm_severity("x"), 0);
}

static void test_self_metrics_and_cost(void) {
  struct swp_self_stats s;
  struct sw_call_info ok = {
      SW_SVC_CLOUDTRAIL, "LookupEvents", 1, 0, 0, 120, NULL};
  struct sw_call_info retried = {
      SW_SVC_CLOUDTRAIL, "LookupEvents", 3, 2, 1, 880, NULL};
  struct sw_call_info alarms = {
      SW_SVC_CLOUDWATCH, "DescribeAlarms", 1, 0, 0, 40, NULL};
  struct sw_call_info gmd = {
      SW_SVC_CLOUDWATCH, "GetMetricData", 1, 0, 0, 60, NULL};
  const struct mock_value *v;
  memset(&s, 0, sizeof(s));
  mock_reset();
  swp_self_record(&s, &ok);
  swp_self_record(&s, &retried);
  swp_self_record(&s, &alarms);
  swp_self_record(&s, &gmd);
  swp_self_add_metrics(&s, 600);
  swp_self_dispatch(&ident, &s);
  v = mock_find_value("prod", "total_requests", "LookupEvents");
  SW_CHECK(v && v->value == 4);
  v = mock_find_value("prod", "total_requests", "LookupEvents-retry");
  SW_CHECK(v && v->value == 2);
  v = mock_find_value("prod", "total_requests", "LookupEvents-throttled");
  SW_CHECK(v && v->value == 2);
  v = mock_find_value("prod", "total_requests", "LookupEvents-error");
  SW_CHECK(v && v->value == 1);
  v = mock_find_value("prod", "response_time", "LookupEvents");
  SW_CHECK(v && v->value == 500); /* mean of 120 and 880 ms */
  v = mock_find_value("prod", "derive", "metrics_requested");
  SW_CHECK(v && v->value == 600);
  /* 600 metrics x 10 micro-USD + one DescribeAlarms request; CloudTrail
   * and the GetMetricData request itself are not billed per request */
  v = mock_find_value("prod", "derive", "estimated_cost-microusd");
  SW_CHECK(v && v->value == 6010);
  /* latency is per cycle: without new calls it is not dispatched again */
  mock_reset();
  swp_self_dispatch(&ident, &s);
  SW_CHECK(mock_find_value("prod", "response_time", "LookupEvents") == NULL);
  SW_CHECK(mock_find_value("prod", "total_requests", "LookupEvents") != NULL);
}

static void test_watchdog_reports_changes_once(void) {
  struct swp_watchdog w;
  const struct mock_value *v;
  memset(&w, 0, sizeof(w));
  mock_reset();
  swp_wd_report(&w, &ident, "trail_logging", 1, "fine");
  SW_CHECK_INT(mock_notifs_num, 0); /* healthy at first: silent */
  v = mock_find_value("prod", "gauge", "chain-trail_logging");
  SW_CHECK(v && v->value == 1);
  swp_wd_report(&w, &ident, "trail_logging", 0, "trail t is not logging");
  swp_wd_report(&w, &ident, "trail_logging", 0, "trail t is not logging");
  SW_CHECK_INT(mock_notifs_num, 1);
  SW_CHECK_INT(mock_notifs[0].severity, NOTIF_FAILURE);
  SW_CHECK_STR(mock_notifs[0].type, "chain");
  SW_CHECK_STR(mock_notifs[0].message, "trail t is not logging");
  v = mock_find_value("prod", "gauge", "chain-trail_logging");
  SW_CHECK(v && v->value == 0);
  swp_wd_report(&w, &ident, "trail_logging", 1, "fine");
  SW_CHECK_INT(mock_notifs_num, 2);
  SW_CHECK_INT(mock_notifs[1].severity, NOTIF_OKAY);
  /* broken from the first report: notified */
  swp_wd_report(&w, &ident, "alarm-x", 0, "alarm a does not exist");
  SW_CHECK_INT(mock_notifs_num, 3);
}

static void test_metric_vs_records(void) {
  double ts[] = {1000, 1060, 1120}, val[] = {0, 2, 1};
  double recs[] = {1065, 1070, 1125};
  double none[] = {0};
  char msg[256];
  SW_CHECK_INT(swp_wd_metric_agrees(ts, val, 3, recs, NULL, 3, 1000, 1180, msg,
                                    sizeof(msg)),
               1);
  /* records but the metric stayed 0: filter or delivery broken */
  SW_CHECK_INT(swp_wd_metric_agrees(ts, none, 1, recs, NULL, 3, 1000, 1180, msg,
                                    sizeof(msg)),
               0);
  SW_CHECK(strstr(msg, "metric stayed at 0") != NULL);
  /* metric counted reads that never showed up as records */
  SW_CHECK_INT(swp_wd_metric_agrees(ts, val, 3, recs, NULL, 0, 1000, 1180, msg,
                                    sizeof(msg)),
               0);
  SW_CHECK(strstr(msg, "no CloudTrail record") != NULL);
  /* nothing on either side in the window: nothing to say */
  SW_CHECK_INT(swp_wd_metric_agrees(ts, val, 3, recs, NULL, 3, 5000, 6000, msg,
                                    sizeof(msg)),
               -1);
  /* only allowed reads seen: the filter may or may not count them */
  {
    unsigned char allowed[] = {1, 1, 1};
    SW_CHECK_INT(swp_wd_metric_agrees(ts, val, 3, recs, allowed, 3, 1000, 1180,
                                      msg, sizeof(msg)),
                 -1);
    /* but reads by others with the metric at 0 are still broken */
    allowed[0] = 0;
    SW_CHECK_INT(swp_wd_metric_agrees(ts, none, 1, recs, allowed, 3, 1000, 1180,
                                      msg, sizeof(msg)),
                 0);
  }
  /* window edges: [start, end) */
  SW_CHECK_INT(swp_wd_metric_agrees(ts, val, 3, recs, NULL, 3, 1060, 1061, msg,
                                    sizeof(msg)),
               0);
}

int main(void) {
  SW_RUN(test_value_identifiers_and_time);
  SW_RUN(test_alarm_state_values);
  SW_RUN(test_self_metrics_and_cost);
  SW_RUN(test_watchdog_reports_changes_once);
  SW_RUN(test_metric_vs_records);
  return sw_test_done();
}
