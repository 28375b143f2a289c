/* The <Plugin secretwatch> configuration: parsed, validated, defaulted.
 *
 * The option names are the contract of DESIGN.md 2.1. Parsing is pure (it
 * reads an oconfig tree and logs through plugin_log); nothing here talks to
 * AWS. Every string in the structs is a heap copy owned by the struct. */
#ifndef SW_PLUGIN_CONFIG_H
#define SW_PLUGIN_CONFIG_H

#include "collectd/liboconfig/oconfig.h"

#include <stddef.h>

/* Limits and defaults (seconds unless named otherwise). */
#define SWP_DEFAULT_LOOKBACK_S 900
#define SWP_DEFAULT_MAX_BACKFILL_S 86400
#define SWP_MAX_BACKFILL_LIMIT_S (90L * 86400) /* CloudTrail keeps 90 days */
#define SWP_DEFAULT_TIMEOUT_S 10.0
#define SWP_DEFAULT_PERIOD_S 60
#define SWP_DEFAULT_WATCHDOG_CYCLES 10
#define SWP_DEFAULT_NAMESPACE "SecretWatch"
#define SWP_LABEL_MAX 63 /* plugin_instance: collectd allows 127 */
#define SWP_MAX_SECRETS 10000
#define SWP_MAX_ALLOW 100

enum swp_mode { SWP_MODE_HONEYTOKEN = 0, SWP_MODE_GUARDED };
enum swp_event_source { SWP_SRC_LOOKUP_EVENTS = 0, SWP_SRC_FILTER_LOG_EVENTS };
enum swp_cw_protocol { SWP_CW_JSON = 0, SWP_CW_QUERY };

struct swp_secret_conf {
  char *label;     /* as written in <Secret "label"> */
  char *instance;  /* label made safe for plugin_instance */
  char *secret_id; /* name, full ARN or partial ARN; default: label */
  char *metric_namespace;
  char *metric_name; /* default "<label>-reads" */
  char *alarm_name;  /* default "secretwatch-<label>-read" */
  enum swp_mode mode;
  char **allow; /* AllowPrincipal globs */
  size_t allow_num;
  int notify_allowed; /* report allowed reads as OKAY notifications */
};

struct swp_account_conf {
  char *name;
  char *instance; /* name made safe for plugin_instance and file names */
  char *region;
  char *profile;
  char *role_arn;
  char *external_id;
  char *endpoint_url;
  char *ca_file;
  char *host;        /* NULL: collectd's hostname */
  double interval_s; /* 0: collectd's interval */
  double timeout_s;  /* per HTTP request */
  char *state_file;  /* NULL until resolved against BaseDir */
  enum swp_cw_protocol cw_protocol;
  int events; /* pull CloudTrail records */
  enum swp_event_source event_source;
  char *log_group; /* required with FilterLogEvents */
  long lookback_s;
  long max_backfill_s;
  long period_s; /* CloudWatch metric period */
  int watchdog;
  long watchdog_cycles; /* run the watchdog every N read cycles */
  char *trail;          /* trail name/ARN the watchdog checks, or NULL */
  int notify_allowed;   /* default for the secrets of this account */
  struct swp_secret_conf *secrets;
  size_t secrets_num;
};

struct swp_config {
  struct swp_account_conf *accounts;
  size_t accounts_num;
};

/* Parses the children of <Plugin secretwatch> (ci is the Plugin block) and
 * APPENDS its accounts to cfg (collectd may hand several Plugin blocks).
 * Returns 0, or -1 after logging an error that names the block, the option
 * and what was expected; on error cfg is unchanged. Never crashes on any
 * tree; frees everything it allocated on failure. */
int swp_config_parse(const oconfig_item_t *ci, struct swp_config *cfg);

/* Checks what needs the whole configuration (unique account names and
 * state files) and fills defaults that depend on the daemon (StateFile from
 * base_dir). Returns 0 or -1 after logging. */
int swp_config_finish(struct swp_config *cfg, const char *base_dir);

/* Frees the account's strings and secrets (the struct itself is the
 * caller's). Accepts zeroed structs. */
void swp_account_conf_clean_up(struct swp_account_conf *a);
/* Frees every account; cfg is zeroed afterwards. */
void swp_config_clean_up(struct swp_config *cfg);

/* Writes a copy of label fit for a collectd identifier field: '/' and
 * control characters become '_', cut to SWP_LABEL_MAX bytes. Heap string or
 * NULL on out of memory. */
char *swp_config_instance_name(const char *label);

#endif
