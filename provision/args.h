/* Command-line parsing of secretwatch-provision: pure, no I/O.
 *
 * The global options (before or after the command) and the options of each
 * command are one table; an option given to a command that does not take it
 * is a usage error, as is a bad value. The parsed struct borrows the argv
 * strings (they outlive it in main). */
#ifndef PV_ARGS_H
#define PV_ARGS_H

#include <stddef.h>

#define PV_MAX_SECRETS 20
#define PV_MAX_EMAILS 10
#define PV_MAX_ALLOW 10

enum pv_command {
  PV_CMD_NONE = 0,
  PV_CMD_PLAN,
  PV_CMD_APPLY,
  PV_CMD_STATUS,
  PV_CMD_VERIFY,
  PV_CMD_DESTROY,
  PV_CMD_COLLECTD_CONFIG
};

struct pv_opts {
  /* global */
  const char *region; /* --region, else AWS_REGION / AWS_DEFAULT_REGION */
  const char *profile;
  const char *endpoint_url;
  const char *ca_file;
  const char *stack; /* default "secretwatch" */
  int output_json;
  int verbose;
  int help;    /* --help: for the tool, or for the command when given */
  int version; /* --version */
  enum pv_command command;
  /* apply / plan (and the name options for the other commands) */
  const char *secrets[PV_MAX_SECRETS];
  size_t n_secrets;
  const char *create_secret;
  const char *emails[PV_MAX_EMAILS];
  size_t n_emails;
  const char *allow[PV_MAX_ALLOW];
  size_t n_allow;
  const char *bucket;
  const char *log_group;
  const char *kms_key_id;
  int retention_days; /* default 90 */
  int period_s;       /* default 60 */
  int multi_region;   /* default 1 */
  /* verify */
  int timeout_s;       /* default 1200 */
  int poll_interval_s; /* default 10 */
  /* destroy */
  int recovery_days;    /* default 7 */
  int delete_log_files; /* --delete-log-files: empty the bucket first */
};

/* Exit codes of the tool (DESIGN.md section 3). */
enum { PV_EXIT_OK = 0, PV_EXIT_FAIL = 1, PV_EXIT_USAGE = 2, PV_EXIT_DRIFT = 3 };

/* Fills o with the defaults, then parses argv[1..argc-1]. getenv_fn (may be
 * NULL: no environment) supplies AWS_REGION / AWS_DEFAULT_REGION. Returns 0,
 * or PV_EXIT_USAGE with one line (no newline) in err naming the option and
 * what was expected. --help and --version succeed without a command. */
int pv_args_parse(int argc, char **argv, struct pv_opts *o,
                  const char *(*getenv_fn)(const char *), char *err,
                  size_t err_size);

/* "apply" for PV_CMD_APPLY ...; "" for PV_CMD_NONE. */
const char *pv_command_name(enum pv_command c);

/* The usage text for the tool (PV_CMD_NONE) or one command; static. */
const char *pv_usage(enum pv_command c);

#endif
