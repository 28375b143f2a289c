/* The <Plugin secretwatch> block matching a stack (pure): option names are
 * the plugin's contract (DESIGN.md 2.1). */
#ifndef PV_COLLECTD_CONF_H
#define PV_COLLECTD_CONF_H

#include "lib/buf.h"

#include <stddef.h>

struct pv_conf_secret {
  const char *label; /* <Secret "label"> */
  const char *secret_id;
  const char *metric_namespace;
  const char *metric_name;
  const char *alarm_name;
  const char *const *allow; /* AllowPrincipal globs: Mode guarded */
  size_t allow_count;
};

struct pv_conf_in {
  const char *account;      /* <Account "..."> label: the stack */
  const char *region;       /* required */
  const char *profile;      /* optional */
  const char *endpoint_url; /* optional */
  const char *ca_file;      /* optional */
  const char *log_group;    /* optional */
  const char *trail;        /* optional: the trail the watchdog checks */
  const struct pv_conf_secret *secrets;
  size_t secret_count;
};

/* Appends "LoadPlugin secretwatch" and the block to out. Strings are
 * quoted with '\\' and '"' escaped. 0, or -1 when out's cap was hit or a
 * required field is missing. */
int pv_collectd_config(const struct pv_conf_in *in, struct sw_buf *out);

#endif
