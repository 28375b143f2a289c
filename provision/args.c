/* Command-line parsing: one table of options, each with the commands that
 * take it and a validator; pure (the environment comes in as a function). */
#include "provision/args.h"

#include "lib/endpoint.h"
#include "lib/logs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C_PLAN (1u << PV_CMD_PLAN)
#define C_APPLY (1u << PV_CMD_APPLY)
#define C_STATUS (1u << PV_CMD_STATUS)
#define C_VERIFY (1u << PV_CMD_VERIFY)
#define C_DESTROY (1u << PV_CMD_DESTROY)
#define C_CONF (1u << PV_CMD_COLLECTD_CONFIG)
#define C_ALL (C_PLAN | C_APPLY | C_STATUS | C_VERIFY | C_DESTROY | C_CONF)
#define C_GLOBAL 0xffffffffu
/* Options that name resources: every command needs them to find the stack
 * when apply was given non-default names. */
#define C_NAMES C_ALL

enum opt_id {
  O_REGION,
  O_PROFILE,
  O_ENDPOINT,
  O_CA,
  O_STACK,
  O_OUTPUT,
  O_VERBOSE,
  O_HELP,
  O_VERSION,
  O_SECRET,
  O_CREATE_SECRET,
  O_EMAIL,
  O_ALLOW,
  O_BUCKET,
  O_LOG_GROUP,
  O_RETENTION,
  O_KMS,
  O_PERIOD,
  O_NO_MULTI,
  O_TIMEOUT,
  O_POLL,
  O_RECOVERY,
  O_DELETE_LOGS
};

struct opt_def {
  const char *name;  /* long name without "--" */
  char short_name;   /* 0 when none */
  int takes_value;   /* 1: needs an argument */
  unsigned commands; /* bit per command that accepts it */
  enum opt_id id;
};

static const struct opt_def opt_table[] = {
    {"region", 0, 1, C_GLOBAL, O_REGION},
    {"profile", 0, 1, C_GLOBAL, O_PROFILE},
    {"endpoint-url", 0, 1, C_GLOBAL, O_ENDPOINT},
    {"ca-file", 0, 1, C_GLOBAL, O_CA},
    {"stack", 0, 1, C_GLOBAL, O_STACK},
    {"output", 0, 1, C_GLOBAL, O_OUTPUT},
    {"verbose", 'v', 0, C_GLOBAL, O_VERBOSE},
    {"help", 'h', 0, C_GLOBAL, O_HELP},
    {"version", 0, 0, C_GLOBAL, O_VERSION},
    {"secret", 0, 1, C_ALL, O_SECRET},
    {"create-secret", 0, 1, C_ALL, O_CREATE_SECRET},
    {"email", 0, 1, C_PLAN | C_APPLY | C_STATUS, O_EMAIL},
    {"allow-principal", 0, 1, C_PLAN | C_APPLY | C_STATUS | C_CONF, O_ALLOW},
    {"bucket", 0, 1, C_NAMES, O_BUCKET},
    {"log-group", 0, 1, C_NAMES, O_LOG_GROUP},
    {"retention-days", 0, 1, C_PLAN | C_APPLY | C_STATUS, O_RETENTION},
    {"kms-key-id", 0, 1, C_PLAN | C_APPLY | C_STATUS, O_KMS},
    {"period", 0, 1, C_PLAN | C_APPLY | C_STATUS, O_PERIOD},
    {"no-multi-region", 0, 0, C_PLAN | C_APPLY | C_STATUS, O_NO_MULTI},
    {"timeout", 0, 1, C_VERIFY, O_TIMEOUT},
    {"poll-interval", 0, 1, C_VERIFY, O_POLL},
    {"recovery-days", 0, 1, C_DESTROY, O_RECOVERY},
    {"delete-log-files", 0, 0, C_DESTROY, O_DELETE_LOGS},
};

static const char *const command_names[] = {
    "", "plan", "apply", "status", "verify", "destroy", "collectd-config"};

const char *pv_command_name(enum pv_command c) {
  if ((size_t)c >= sizeof(command_names) / sizeof(command_names[0]))
    return "";
  return command_names[c];
}

static const char usage_tool[] =
    "Usage: secretwatch-provision [--region R] [--profile P] "
    "[--endpoint-url URL]\n"
    "                             [--ca-file F] [--stack NAME] "
    "[--output text|json] [-v]\n"
    "                             COMMAND [options]\n"
    "\n"
    "Builds, checks, verifies and removes the AWS chain secretwatch watches:\n"
    "secret -> CloudTrail trail (S3 bucket, log group, IAM role) -> metric\n"
    "filter -> alarm -> SNS topic -> email.\n"
    "\n"
    "Commands:\n"
    "  plan             show what apply would create or change (read only)\n"
    "  apply            create or adopt every resource, idempotently\n"
    "  status           each resource, its health and drift (read only)\n"
    "  verify           read the secret once, then time each stage of the "
    "chain\n"
    "  destroy          remove the resources tagged with this stack\n"
    "  collectd-config  print the <Plugin secretwatch> block for this stack\n"
    "\n"
    "Global options:\n"
    "  --region R          AWS region (default: AWS_REGION, "
    "AWS_DEFAULT_REGION)\n"
    "  --profile P         shared config profile (default: AWS_PROFILE, "
    "SDK chain)\n"
    "  --endpoint-url URL  send every request there (tests, VPC endpoints)\n"
    "  --ca-file F         trust anchors for https (default: system store)\n"
    "  --stack NAME        stack name, [a-z][a-z0-9-]{0,23} (default "
    "secretwatch)\n"
    "  --output text|json  one line per step, or one JSON document "
    "(default text)\n"
    "  -v, --verbose       log each AWS call to stderr\n"
    "  -h, --help          this text; COMMAND --help for a command\n"
    "  --version           print the version\n"
    "\n"
    "Exit status: 0 success, 1 failure, 2 usage error, 3 verify failed or "
    "drift found.\n";

static const char usage_apply[] =
    "Usage: secretwatch-provision [global options] apply|plan [options]\n"
    "  --secret NAME|ARN       watch an existing secret (repeatable; read "
    "with\n"
    "                          DescribeSecret only)\n"
    "  --create-secret NAME    create a decoy secret holding a random value\n"
    "  --email ADDR            subscribe ADDR to the alarm topic "
    "(repeatable)\n"
    "  --allow-principal GLOB  reads by matching principal ARNs do not "
    "count\n"
    "                          (repeatable; '*' wildcards)\n"
    "  --bucket NAME           S3 bucket for the trail's log files\n"
    "                          (default <stack>-trail-<account>-<region>)\n"
    "  --log-group NAME        log group (default /secretwatch/<stack>/"
    "cloudtrail)\n"
    "  --retention-days N      log group retention (default 90)\n"
    "  --kms-key-id KEY        bucket encryption with SSE-KMS (default "
    "SSE-S3)\n"
    "  --period SECONDS        alarm period, a multiple of 60 (default 60)\n"
    "  --no-multi-region       trail in this region only\n";

static const char usage_status[] =
    "Usage: secretwatch-provision [global options] status [options]\n"
    "  Takes apply's options; each resource is compared with the state they\n"
    "  describe. Exit 3 when something is missing or drifted.\n";

static const char usage_verify[] =
    "Usage: secretwatch-provision [global options] verify [options]\n"
    "  --secret NAME|ARN   the secret to read (default: the stack's first)\n"
    "  --timeout SECONDS   give up on a stage after this long (default 1200)\n"
    "  --poll-interval S   seconds between checks (default 10)\n"
    "  Exit 3 naming the stage that never arrived.\n";

static const char usage_destroy[] =
    "Usage: secretwatch-provision [global options] destroy [options]\n"
    "  --recovery-days N   recovery window of a deleted decoy secret, 7-30\n"
    "                      (default 7)\n"
    "  --delete-log-files  delete the trail's log files so the bucket can "
    "go;\n"
    "                      without it a bucket holding log files is kept\n"
    "  --bucket, --log-group, --secret, --create-secret as given to apply.\n"
    "  Only resources tagged secretwatch:stack=<stack> are removed.\n";

static const char usage_conf[] =
    "Usage: secretwatch-provision [global options] collectd-config "
    "[options]\n"
    "  --allow-principal GLOB  add AllowPrincipal lines (Mode guarded)\n"
    "  Prints LoadPlugin and a <Plugin secretwatch> block for this stack.\n";

const char *pv_usage(enum pv_command c) {
  switch (c) {
  case PV_CMD_PLAN:
  case PV_CMD_APPLY:
    return usage_apply;
  case PV_CMD_STATUS:
    return usage_status;
  case PV_CMD_VERIFY:
    return usage_verify;
  case PV_CMD_DESTROY:
    return usage_destroy;
  case PV_CMD_COLLECTD_CONFIG:
    return usage_conf;
  default:
    return usage_tool;
  }
}

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_size, fmt, ap);
  va_end(ap);
  return PV_EXIT_USAGE;
}

/* 1 when every byte of s is in the set (plus ASCII letters and digits). */
static int chars_ok(const char *s, const char *extra) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9'))
      continue;
    if (!strchr(extra, ch))
      return 0;
  }
  return 1;
}

static int parse_int(const char *v, long lo, long hi, int *out) {
  char *end = NULL;
  if (!v || !*v)
    return -1;
  long n = strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi)
    return -1;
  *out = (int)n;
  return 0;
}

/* 1 for a stack name we can put into every resource name: bucket names are
 * lower case, IAM role names at most 64 bytes. */
static int stack_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 24 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '-')
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return 0;
  return 1;
}

static int bucket_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 3 || n > 63 || !chars_ok(s, ".-"))
    return 0;
  for (const char *p = s; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      return 0;
  return s[0] != '.' && s[0] != '-' && s[n - 1] != '.' && s[n - 1] != '-';
}

static int email_ok(const char *s) {
  const char *at = strchr(s, '@');
  size_t n = strlen(s);
  if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@'))
    return 0;
  return chars_ok(s, "@.!#$%&'*+/=?^_`{|}~-");
}

/* The value checks of every option that takes one; 0 or usage error. */
static int set_value(struct pv_opts *o, const struct opt_def *d, const char *v,
                     char *err, size_t es) {
  switch (d->id) {
  case O_REGION:
    if (!sw_region_valid(v) || strlen(v) > 40)
      return fail(err, es, "--region: \"%.64s\" is not a region name", v);
    o->region = v;
    break;
  case O_PROFILE:
    if (!*v || strlen(v) > 128 || !chars_ok(v, "-_.@+"))
      return fail(err, es, "--profile: expected a profile name");
    o->profile = v;
    break;
  case O_ENDPOINT:
    if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
      return fail(err, es,
                  "--endpoint-url: expected an http:// or https:// "
                  "URL");
    if (strlen(v) > 400)
      return fail(err, es, "--endpoint-url: longer than 400 bytes");
    o->endpoint_url = v;
    break;
  case O_CA:
    if (!*v)
      return fail(err, es, "--ca-file: expected a file name");
    o->ca_file = v;
    break;
  case O_STACK:
    if (!stack_ok(v))
      return fail(err, es,
                  "--stack: expected 1-24 of a-z, 0-9 and '-', starting "
                  "with a letter");
    o->stack = v;
    break;
  case O_OUTPUT:
    if (strcmp(v, "text") == 0)
      o->output_json = 0;
    else if (strcmp(v, "json") == 0)
      o->output_json = 1;
    else
      return fail(err, es, "--output: expected text or json");
    break;
  case O_SECRET:
    if (o->n_secrets >= PV_MAX_SECRETS)
      return fail(err, es, "--secret: at most %d secrets", PV_MAX_SECRETS);
    if (!*v || strlen(v) > 2048 || !chars_ok(v, "/_+=.@-:"))
      return fail(err, es, "--secret: expected a secret name or ARN");
    o->secrets[o->n_secrets++] = v;
    break;
  case O_CREATE_SECRET:
    if (o->create_secret)
      return fail(err, es, "--create-secret: given twice");
    if (!*v || strlen(v) > 512 || !chars_ok(v, "/_+=.@-"))
      return fail(err, es,
                  "--create-secret: expected a secret name "
                  "(letters, digits and /_+=.@-)");
    o->create_secret = v;
    break;
  case O_EMAIL:
    if (o->n_emails >= PV_MAX_EMAILS)
      return fail(err, es, "--email: at most %d addresses", PV_MAX_EMAILS);
    if (!email_ok(v))
      return fail(err, es, "--email: \"%.64s\" is not an email address", v);
    o->emails[o->n_emails++] = v;
    break;
  case O_ALLOW:
    if (o->n_allow >= PV_MAX_ALLOW)
      return fail(err, es, "--allow-principal: at most %d", PV_MAX_ALLOW);
    /* The metric filter pattern knows '*' only; a quote would end the
     * pattern's string. */
    if (!*v || strlen(v) > 256 || !chars_ok(v, "/_+=.,@-:*"))
      return fail(err, es,
                  "--allow-principal: expected an ARN glob (letters, "
                  "digits, /_+=.,@-: and '*')");
    o->allow[o->n_allow++] = v;
    break;
  case O_BUCKET:
    if (!bucket_ok(v))
      return fail(err, es, "--bucket: expected 3-63 of a-z, 0-9, '.' and '-'");
    o->bucket = v;
    break;
  case O_LOG_GROUP:
    if (!*v || strlen(v) > 512 || !chars_ok(v, "._/#-"))
      return fail(err, es,
                  "--log-group: expected 1-512 of letters, digits "
                  "and ._/#-");
    o->log_group = v;
    break;
  case O_RETENTION:
    if (parse_int(v, 1, 3653, &o->retention_days) != 0 ||
        !sw_logs_retention_days_valid(o->retention_days))
      return fail(err, es,
                  "--retention-days: expected one of 1 3 5 7 14 30 "
                  "60 90 120 150 180 365 400 545 731 1096 1827 2192 "
                  "2557 2922 3288 3653");
    break;
  case O_KMS:
    if (!*v || strlen(v) > 2048 || !chars_ok(v, ":/_-"))
      return fail(err, es, "--kms-key-id: expected a key id, ARN or alias");
    o->kms_key_id = v;
    break;
  case O_PERIOD:
    if (parse_int(v, 60, 86400, &o->period_s) != 0 || o->period_s % 60 != 0)
      return fail(err, es,
                  "--period: expected a multiple of 60 from 60 to "
                  "86400 seconds");
    break;
  case O_TIMEOUT:
    if (parse_int(v, 1, 86400, &o->timeout_s) != 0)
      return fail(err, es, "--timeout: expected 1 to 86400 seconds");
    break;
  case O_POLL:
    if (parse_int(v, 1, 3600, &o->poll_interval_s) != 0)
      return fail(err, es, "--poll-interval: expected 1 to 3600 seconds");
    break;
  case O_RECOVERY:
    if (parse_int(v, 7, 30, &o->recovery_days) != 0)
      return fail(err, es, "--recovery-days: expected 7 to 30");
    break;
  default:
    break;
  }
  return 0;
}

static void set_flag(struct pv_opts *o, enum opt_id id) {
  if (id == O_VERBOSE)
    o->verbose++;
  else if (id == O_HELP)
    o->help = 1;
  else if (id == O_VERSION)
    o->version = 1;
  else if (id == O_NO_MULTI)
    o->multi_region = 0;
  else if (id == O_DELETE_LOGS)
    o->delete_log_files = 1;
}

static const struct opt_def *find_long(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
    if (strlen(opt_table[i].name) == len &&
        strncmp(opt_table[i].name, name, len) == 0)
      return &opt_table[i];
  return NULL;
}

static const struct opt_def *find_short(char c) {
  for (size_t i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++)
    if (opt_table[i].short_name && opt_table[i].short_name == c)
      return &opt_table[i];
  return NULL;
}

static enum pv_command find_command(const char *s) {
  for (size_t i = 1; i < sizeof(command_names) / sizeof(command_names[0]); i++)
    if (strcmp(command_names[i], s) == 0)
      return (enum pv_command)i;
  return PV_CMD_NONE;
}

static void defaults(struct pv_opts *o) {
  memset(o, 0, sizeof(*o));
  o->stack = "secretwatch";
  o->retention_days = 90;
  o->period_s = 60;
  o->multi_region = 1;
  o->timeout_s = 1200;
  o->poll_interval_s = 10;
  o->recovery_days = 7;
}

/* One argument at argv[*i] (which starts with '-'); advances *i past a
 * separate value. */
static int parse_option(int argc, char **argv, int *i, struct pv_opts *o,
                        char *err, size_t es) {
  const char *a = argv[*i];
  const struct opt_def *d;
  const char *value = NULL;
  if (a[1] == '-') {
    const char *eq = strchr(a + 2, '=');
    size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
    d = find_long(a + 2, len);
    if (!d)
      return fail(err, es, "unknown option %.64s (see --help)", a);
    if (eq) {
      if (!d->takes_value)
        return fail(err, es, "--%s takes no value", d->name);
      value = eq + 1;
    }
  } else {
    d = a[2] == '\0' ? find_short(a[1]) : NULL;
    if (!d)
      return fail(err, es, "unknown option %.64s (see --help)", a);
  }
  if (d->takes_value && !value) {
    if (*i + 1 >= argc)
      return fail(err, es, "--%s needs a value", d->name);
    value = argv[++*i];
  }
  return d->takes_value ? set_value(o, d, value, err, es)
                        : (set_flag(o, d->id), 0);
}

/* Checks that every command option given belongs to the command. */
static int check_command_options(int argc, char **argv, struct pv_opts *o,
                                 char *err, size_t es) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0)
      break;
    if (a[0] != '-' || a[1] != '-')
      continue;
    const char *eq = strchr(a + 2, '=');
    const struct opt_def *d =
        find_long(a + 2, eq ? (size_t)(eq - (a + 2)) : strlen(a + 2));
    if (d && d->takes_value && !eq)
      i++;
    if (d && d->commands != C_GLOBAL && !(d->commands & (1u << o->command)))
      return fail(err, es, "--%s is not an option of %s", d->name,
                  pv_command_name(o->command));
  }
  return 0;
}

int pv_args_parse(int argc, char **argv, struct pv_opts *o,
                  const char *(*getenv_fn)(const char *), char *err,
                  size_t err_size) {
  int rc;
  defaults(o);
  err[0] = '\0';
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] != '\0') {
      rc = parse_option(argc, argv, &i, o, err, err_size);
      if (rc != 0)
        return rc;
    } else if (o->command == PV_CMD_NONE) {
      o->command = find_command(a);
      if (o->command == PV_CMD_NONE)
        return fail(err, err_size, "unknown command \"%.64s\" (see --help)", a);
    } else {
      return fail(err, err_size, "unexpected argument \"%.64s\"", a);
    }
  }
  if (o->help || o->version)
    return 0;
  if (o->command == PV_CMD_NONE)
    return fail(err, err_size, "no command given (see --help)");
  rc = check_command_options(argc, argv, o, err, err_size);
  if (rc != 0)
    return rc;
  if (!o->region && getenv_fn) {
    const char *r = getenv_fn("AWS_REGION");
    if (!r || !*r)
      r = getenv_fn("AWS_DEFAULT_REGION");
    if (r && *r) {
      if (!sw_region_valid(r) || strlen(r) > 40)
        return fail(err, err_size,
                    "AWS_REGION: \"%.64s\" is not a region "
                    "name",
                    r);
      o->region = r;
    }
  }
  if (!o->region)
    return fail(err, err_size, "no region: give --region or set AWS_REGION");
  return 0;
}
