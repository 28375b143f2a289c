/* The watchdog (DESIGN.md 2.5): checks that the chain the plugin watches
 * still works. Each check is a value (gauge/chain-<check>: 1 healthy, 0
 * broken) and, when it turns broken (and again when it recovers), a
 * notification of type "chain". Runs on the account's reader thread. */
#ifndef SW_PLUGIN_WATCHDOG_H
#define SW_PLUGIN_WATCHDOG_H

#include "plugin/config.h"
#include "plugin/notify.h"

#include "lib/client.h"

#include <stddef.h>

#define SWP_WD_MAX_CHECKS 64

struct swp_watchdog {
  struct {
    char name[96];
    int ok; /* last reported: 1 healthy, 0 broken */
  } last[SWP_WD_MAX_CHECKS];
  size_t num;
};

/* Reports one finding: dispatches gauge/chain-<check> and notifies when
 * the check changed (FAILURE when broken, OKAY when it recovered; the first
 * healthy report is silent). message says what is broken. */
void swp_wd_report(struct swp_watchdog *w, const struct swp_ident *id,
                   const char *check, int ok, const char *message);

/* Trail checks through CloudTrail: GetTrailStatus (IsLogging, CloudWatch
 * Logs delivery time and error) and GetEventSelectors (read management
 * events). Skipped when a->trail is NULL. */
void swp_wd_check_trail(struct swp_watchdog *w, struct sw_client *c,
                        const struct swp_account_conf *a,
                        const struct swp_ident *id, double now_s);

/* Pure: does the CloudWatch metric agree with the records seen for the
 * window [start_s, end_s)? Datapoints (ts, value) and record event times,
 * with rec_allowed[i] set for reads by allowed principals (NULL: none; the
 * metric filter may or may not count those). Returns 1 (agree), 0 (one
 * side is zero while the other is not: a broken filter, lost delivery or
 * missing records; msg says which) or -1 (nothing in the window on either
 * side, or only allowed reads: nothing to compare). */
int swp_wd_metric_agrees(const double *dp_ts, const double *dp_val,
                         size_t dp_num, const double *rec_ts,
                         const unsigned char *rec_allowed, size_t rec_num,
                         double start_s, double end_s, char *msg,
                         size_t msg_size);

#endif
