/* One poller per <Account>: the AWS client, the state and the read cycle.
 *
 * The read cycle is a short list of steps: credentials -> GetMetricData ->
 * DescribeAlarms -> CloudTrail records through the cursor -> dispatch ->
 * persist state -> self-metrics (-> watchdog every few cycles). A poller is
 * used by one reader thread at a time (collectd never runs one read
 * callback twice at once); what pollers share (the LookupEvents budget) is
 * locked in ratelimit.c. */
#ifndef SW_PLUGIN_POLLER_H
#define SW_PLUGIN_POLLER_H

#include "plugin/config.h"

struct swp_poller;

/* Builds a poller that takes ownership of *conf (zeroed on success) and
 * loads its state file. host is collectd's hostname (used when the account
 * has no Host). NULL after logging why (the state file was refused, the
 * client could not be built); conf is then left to the caller. */
struct swp_poller *swp_poller_new(struct swp_account_conf *conf,
                                  const char *host);
/* Frees everything (a void * for collectd's user_data free_func). */
void swp_poller_free(void *poller);

/* The name of the poller's read callback ("secretwatch/<account>"), and its
 * interval in seconds (0: collectd's default). */
const char *swp_poller_name(const struct swp_poller *p);
double swp_poller_interval(const struct swp_poller *p);

/* One read cycle. 0 when the cycle did its work (even with some failed
 * steps that were logged), -1 when nothing could be read (collectd then
 * backs off). */
int swp_poller_read(struct swp_poller *p);

#endif
