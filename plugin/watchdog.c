/* Watchdog checks and their reporting. */
#include "plugin/watchdog.h"
#include "plugin/dispatch.h"
#include "plugin/log.h"

#include "lib/cloudtrail.h"
#include "lib/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* CloudTrail writes to CloudWatch Logs about every 5 minutes while there is
 * activity, and our own API calls are activity. */
#define DELIVERY_STALE_S 3600.0

void swp_wd_report(struct swp_watchdog *w, const struct swp_ident *id,
                   const char *check, int ok, const char *message) {
  char ti[128];
  size_t i;
  int prev = -1;
  snprintf(ti, sizeof(ti), "chain-%s", check);
  swp_dispatch(id, id->account_instance, "gauge", ti, SWP_DS_GAUGE, ok ? 1 : 0,
               0);
  for (i = 0; i < w->num; i++)
    if (strcmp(w->last[i].name, check) == 0)
      break;
  if (i == w->num && w->num < SWP_WD_MAX_CHECKS) {
    sw_strlcpy(w->last[i].name, check, sizeof(w->last[i].name));
    w->num++;
  } else if (i < w->num) {
    prev = w->last[i].ok;
  }
  if (i < SWP_WD_MAX_CHECKS)
    w->last[i].ok = ok;
  if (!ok && prev != 0) {
    swp_log(SWP_WARNING, "account %s: watchdog: %s", id->account_instance,
            message);
    swp_notify_chain(id, SWP_NOTIF_FAILURE, check, message);
  } else if (ok && prev == 0) {
    char msg[256];
    snprintf(msg, sizeof(msg), "%s: healthy again", check);
    swp_notify_chain(id, SWP_NOTIF_OKAY, check, msg);
  }
}

static void check_status(struct swp_watchdog *w, struct sw_client *c,
                         const struct swp_account_conf *a,
                         const struct swp_ident *id, double now_s) {
  struct sw_ct_trail_status st;
  struct sw_error err;
  char msg[600], why[300];
  memset(&st, 0, sizeof(st));
  sw_error_clear(&err);
  if (sw_ct_get_trail_status(c, a->trail, &st, &err) != 0) {
    snprintf(msg, sizeof(msg), "GetTrailStatus of trail %.200s failed: %.300s",
             a->trail, sw_error_describe(&err, why, sizeof(why)));
    swp_wd_report(w, id, "trail_logging", 0, msg);
    sw_ct_trail_status_clean_up(&st);
    return;
  }
  snprintf(msg, sizeof(msg), "trail %.200s is not logging (IsLogging false)",
           a->trail);
  swp_wd_report(w, id, "trail_logging", st.is_logging == 1, msg);
  if (st.latest_cwl_delivery_error && st.latest_cwl_delivery_error[0]) {
    snprintf(msg, sizeof(msg),
             "trail %.200s cannot deliver to CloudWatch "
             "Logs: %.300s",
             a->trail, st.latest_cwl_delivery_error);
    swp_wd_report(w, id, "logs_delivery", 0, msg);
  } else if (st.has_latest_cwl_delivery_time) {
    double age = now_s - st.latest_cwl_delivery_time_s;
    snprintf(msg, sizeof(msg),
             "trail %.200s last delivered to CloudWatch "
             "Logs %.0f s ago",
             a->trail, age);
    swp_wd_report(w, id, "logs_delivery", age <= DELIVERY_STALE_S, msg);
  } else if (a->log_group) {
    /* A trail that started logging recently may simply not have had its
     * first delivery yet: only a silence past DELIVERY_STALE_S is broken. */
    int young = st.has_start_logging_time &&
                now_s - st.start_logging_time_s <= DELIVERY_STALE_S;
    snprintf(msg, sizeof(msg),
             "trail %.200s has never delivered to "
             "CloudWatch Logs",
             a->trail);
    swp_wd_report(w, id, "logs_delivery", young, msg);
  }
  sw_ct_trail_status_clean_up(&st);
}

static void check_selectors(struct swp_watchdog *w, struct sw_client *c,
                            const struct swp_account_conf *a,
                            const struct swp_ident *id) {
  struct sw_ct_event_selectors sel;
  struct sw_error err;
  char msg[600], why[300];
  memset(&sel, 0, sizeof(sel));
  sw_error_clear(&err);
  if (sw_ct_get_event_selectors(c, a->trail, &sel, &err) != 0) {
    snprintf(msg, sizeof(msg),
             "GetEventSelectors of trail %.200s failed: "
             "%.300s",
             a->trail, sw_error_describe(&err, why, sizeof(why)));
    swp_wd_report(w, id, "read_events", 0, msg);
  } else {
    snprintf(msg, sizeof(msg),
             "trail %.200s does not log read management "
             "events (GetSecretValue is one)",
             a->trail);
    swp_wd_report(w, id, "read_events", sw_ct_event_selectors_log_reads(&sel),
                  msg);
  }
  sw_ct_event_selectors_clean_up(&sel);
}

void swp_wd_check_trail(struct swp_watchdog *w, struct sw_client *c,
                        const struct swp_account_conf *a,
                        const struct swp_ident *id, double now_s) {
  if (a->trail == NULL)
    return;
  check_status(w, c, a, id, now_s);
  check_selectors(w, c, a, id);
}

int swp_wd_metric_agrees(const double *dp_ts, const double *dp_val,
                         size_t dp_num, const double *rec_ts,
                         const unsigned char *rec_allowed, size_t rec_num,
                         double start_s, double end_s, char *msg,
                         size_t msg_size) {
  double sum = 0;
  size_t points = 0, records = 0, allowed = 0;
  for (size_t i = 0; i < dp_num; i++) {
    if (dp_ts[i] >= start_s && dp_ts[i] < end_s && isfinite(dp_val[i])) {
      sum += dp_val[i];
      points++;
    }
  }
  for (size_t i = 0; i < rec_num; i++) {
    if (rec_ts[i] < start_s || rec_ts[i] >= end_s)
      continue;
    if (rec_allowed && rec_allowed[i])
      allowed++;
    else
      records++;
  }
  if (points == 0 && records == 0)
    return -1;
  /* Exact equality is not expected (the metric filter may exclude allowed
   * principals; records straddle period edges); one side being zero while
   * the other is not is the signature of a broken link. */
  if (sum > 0 && records == 0) {
    if (allowed > 0)
      return -1; /* the metric may be counting the allowed reads */
    snprintf(msg, msg_size,
             "the metric counted %.0f reads but no CloudTrail "
             "record was seen in the same window (records "
             "missing or delayed)",
             sum);
    return 0;
  }
  if (sum <= 0 && records > 0) {
    snprintf(msg, msg_size,
             "%zu CloudTrail reads were seen but the metric "
             "stayed at 0 (metric filter or log delivery "
             "broken)",
             records);
    return 0;
  }
  return 1;
}
