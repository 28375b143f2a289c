/* The <Plugin secretwatch> parser: every option, every bad value. */
#include "mock_collectd.h"
#include "sw_test.h"

#include "plugin/config.h"

#include <stdlib.h>
#include <string.h>

#define GOOD_ACCOUNT_HEAD "<Account \"prod\">\n  Region \"us-east-1\"\n"
#define GOOD_SECRET "  <Secret \"TopSecretInfo\">\n  </Secret>\n"

static const char *full_config =
    "<Account \"prod\">\n"
    "  Region \"eu-west-1\"\n"
    "  Profile \"monitoring\"\n"
    "  RoleARN \"arn:aws:iam::111122223333:role/secretwatch-reader\"\n"
    "  ExternalID \"ext-123_abc\"\n"
    "  EndpointURL \"https://127.0.0.1:4443\"\n"
    "  CAFile \"/etc/hostname\"\n"
    "  Host \"aws-prod\"\n"
    "  Interval 30\n"
    "  Timeout 5.5\n"
    "  StateFile \"/tmp/sw-state/prod.json\"\n"
    "  CloudWatchProtocol \"query\"\n"
    "  Events true\n"
    "  EventSource \"FilterLogEvents\"\n"
    "  LogGroup \"/secretwatch/prod/cloudtrail\"\n"
    "  Lookback 600\n"
    "  MaxBackfill 172800\n"
    "  MetricPeriod 300\n"
    "  Watchdog false\n"
    "  WatchdogCycles 3\n"
    "  Trail \"secretwatch-trail\"\n"
    "  NotifyAllowed true\n"
    "  <Secret \"TopSecretInfo\">\n"
    "    SecretID "
    "\"arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-"
    "AbCdEf\"\n"
    "    MetricNamespace \"Custom\"\n"
    "    MetricName \"tsi-reads\"\n"
    "    AlarmName \"tsi-alarm\"\n"
    "    Mode \"guarded\"\n"
    "    AllowPrincipal \"arn:aws:sts::111122223333:assumed-role/app-*/*\"\n"
    "    AllowPrincipal \"arn:aws:iam::111122223333:user/ci\"\n"
    "    NotifyAllowed false\n"
    "  </Secret>\n"
    "  <Secret \"a/b\">\n"
    "  </Secret>\n"
    "</Account>\n";

static int parse_text(const char *text, struct swp_config *cfg) {
  oconfig_item_t *ci = mock_config(text);
  int rc;
  if (ci == NULL) {
    fprintf(stderr, "mock config syntax error in:\n%s\n", text);
    return -2;
  }
  rc = swp_config_parse(ci, cfg);
  mock_config_free(ci);
  return rc;
}

static void test_full_config_every_option_parsed(void) {
  struct swp_config cfg = {0};
  mock_reset();
  SW_CHECK_INT(parse_text(full_config, &cfg), 0);
  SW_CHECK_INT(swp_config_finish(&cfg, "/var/lib/collectd"), 0);
  SW_CHECK_INT(cfg.accounts_num, 1);
  if (cfg.accounts_num == 1) {
    struct swp_account_conf *a = &cfg.accounts[0];
    SW_CHECK_STR(a->name, "prod");
    SW_CHECK_STR(a->region, "eu-west-1");
    SW_CHECK_STR(a->profile, "monitoring");
    SW_CHECK_STR(a->role_arn,
                 "arn:aws:iam::111122223333:role/secretwatch-reader");
    SW_CHECK_STR(a->external_id, "ext-123_abc");
    SW_CHECK_STR(a->endpoint_url, "https://127.0.0.1:4443");
    SW_CHECK_STR(a->ca_file, "/etc/hostname");
    SW_CHECK_STR(a->host, "aws-prod");
    SW_CHECK(a->interval_s == 30);
    SW_CHECK(a->timeout_s == 5.5);
    SW_CHECK_STR(a->state_file, "/tmp/sw-state/prod.json");
    SW_CHECK_INT(a->cw_protocol, SWP_CW_QUERY);
    SW_CHECK_INT(a->events, 1);
    SW_CHECK_INT(a->event_source, SWP_SRC_FILTER_LOG_EVENTS);
    SW_CHECK_STR(a->log_group, "/secretwatch/prod/cloudtrail");
    SW_CHECK_INT(a->lookback_s, 600);
    SW_CHECK_INT(a->max_backfill_s, 172800);
    SW_CHECK_INT(a->period_s, 300);
    SW_CHECK_INT(a->watchdog, 0);
    SW_CHECK_INT(a->watchdog_cycles, 3);
    SW_CHECK_STR(a->trail, "secretwatch-trail");
    SW_CHECK_INT(a->secrets_num, 2);
    if (a->secrets_num == 2) {
      struct swp_secret_conf *s = &a->secrets[0];
      SW_CHECK_STR(s->label, "TopSecretInfo");
      SW_CHECK_STR(s->instance, "TopSecretInfo");
      SW_CHECK_STR(s->metric_namespace, "Custom");
      SW_CHECK_STR(s->metric_name, "tsi-reads");
      SW_CHECK_STR(s->alarm_name, "tsi-alarm");
      SW_CHECK_INT(s->mode, SWP_MODE_GUARDED);
      SW_CHECK_INT(s->allow_num, 2);
      SW_CHECK_STR(s->allow[1], "arn:aws:iam::111122223333:user/ci");
      SW_CHECK_INT(s->notify_allowed, 0); /* the secret overrides */
      /* the second secret inherits NotifyAllowed and gets a safe instance */
      SW_CHECK_STR(a->secrets[1].instance, "a_b");
      SW_CHECK_INT(a->secrets[1].notify_allowed, 1);
    }
  }
  swp_config_clean_up(&cfg);
}

static void test_minimal_config_gets_documented_defaults(void) {
  struct swp_config cfg = {0};
  mock_reset();
  SW_CHECK_INT(parse_text(GOOD_ACCOUNT_HEAD GOOD_SECRET "</Account>\n", &cfg),
               0);
  SW_CHECK_INT(swp_config_finish(&cfg, "/srv/cd"), 0);
  if (cfg.accounts_num == 1) {
    struct swp_account_conf *a = &cfg.accounts[0];
    struct swp_secret_conf *s = &a->secrets[0];
    SW_CHECK_INT(a->lookback_s, 900);
    SW_CHECK_INT(a->max_backfill_s, 86400);
    SW_CHECK(a->timeout_s == 10.0);
    SW_CHECK(a->interval_s == 0);
    SW_CHECK_INT(a->events, 1);
    SW_CHECK_INT(a->watchdog, 1);
    SW_CHECK_INT(a->watchdog_cycles, 10);
    SW_CHECK_INT(a->period_s, 60);
    SW_CHECK_INT(a->cw_protocol, SWP_CW_JSON);
    SW_CHECK_INT(a->event_source, SWP_SRC_LOOKUP_EVENTS);
    SW_CHECK_STR(a->state_file, "/srv/cd/secretwatch/prod.json");
    SW_CHECK(a->host == NULL);
    SW_CHECK_STR(s->secret_id, "TopSecretInfo");
    SW_CHECK_STR(s->metric_namespace, "SecretWatch");
    SW_CHECK_STR(s->metric_name, "TopSecretInfo-reads");
    SW_CHECK_STR(s->alarm_name, "secretwatch-TopSecretInfo-read");
    SW_CHECK_INT(s->mode, SWP_MODE_HONEYTOKEN);
    SW_CHECK_INT(s->notify_allowed, 0);
  }
  swp_config_clean_up(&cfg);
}

struct bad_case {
  const char *name;
  const char *account_opts; /* inserted into a good account */
  const char *secret_opts;  /* inserted into its good secret */
  const char *want_in_log;  /* the option the message must name */
};

static const struct bad_case bad_cases[] = {
    {"region number", "Region 5\n", "", "\"Region\""},
    {"region spaces", "Region \"us east 1\"\n", "", "\"Region\""},
    {"region twice", "Region \"us-east-1\"\nRegion \"us-west-2\"\n", "",
     "given more than once"},
    {"region two values", "Region \"us-east-1\" \"x\"\n", "", "\"Region\""},
    {"profile empty", "Profile \"\"\n", "", "\"Profile\""},
    {"role not arn", "RoleARN \"reader\"\n", "", "\"RoleARN\""},
    {"external id without role", "ExternalID \"abcdef\"\n", "",
     "\"ExternalID\""},
    {"external id too short",
     "RoleARN \"arn:aws:iam::1:role/r\"\nExternalID \"x\"\n", "",
     "\"ExternalID\""},
    {"external id bad chars",
     "RoleARN \"arn:aws:iam::1:role/r\"\nExternalID \"ab cd\"\n", "",
     "\"ExternalID\""},
    {"endpoint ftp", "EndpointURL \"ftp://example.com\"\n", "",
     "\"EndpointURL\""},
    {"endpoint bare", "EndpointURL \"https://\"\n", "", "\"EndpointURL\""},
    {"cafile missing", "CAFile \"/nonexistent/ca.pem\"\n", "", "\"CAFile\""},
    {"host slash", "Host \"a/b\"\n", "", "\"Host\""},
    {"host too long",
     "Host \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
     "\n",
     "", "\"Host\""},
    {"interval zero", "Interval 0\n", "", "\"Interval\""},
    {"interval negative", "Interval -5\n", "", "\"Interval\""},
    {"interval string", "Interval \"60\"\n", "", "\"Interval\""},
    {"interval huge", "Interval 100000\n", "", "\"Interval\""},
    {"timeout too big", "Timeout 301\n", "", "\"Timeout\""},
    {"timeout bool", "Timeout true\n", "", "\"Timeout\""},
    {"statefile relative", "StateFile \"state.json\"\n", "", "\"StateFile\""},
    {"cw protocol xml", "CloudWatchProtocol \"xml\"\n", "",
     "\"CloudWatchProtocol\""},
    {"events maybe", "Events \"maybe\"\n", "", "\"Events\""},
    {"events number", "Events 1\n", "", "\"Events\""},
    {"event source s3", "EventSource \"S3\"\n", "", "\"EventSource\""},
    {"filterlogevents without loggroup", "EventSource \"FilterLogEvents\"\n",
     "", "\"LogGroup\""},
    {"lookback fraction", "Lookback 1.5\n", "", "\"Lookback\""},
    {"lookback negative", "Lookback -1\n", "", "\"Lookback\""},
    {"lookback over backfill", "Lookback 1000\nMaxBackfill 900\n", "",
     "\"Lookback\""},
    {"backfill over 90 days", "MaxBackfill 7776001\n", "", "\"MaxBackfill\""},
    {"backfill tiny", "MaxBackfill 10\n", "", "\"MaxBackfill\""},
    {"period 45", "MetricPeriod 45\n", "", "\"MetricPeriod\""},
    {"watchdog number", "Watchdog 3\n", "", "\"Watchdog\""},
    {"watchdog cycles zero", "WatchdogCycles 0\n", "", "\"WatchdogCycles\""},
    {"trail empty", "Trail \"\"\n", "", "\"Trail\""},
    {"notify allowed string", "NotifyAllowed \"sometimes\"\n", "",
     "\"NotifyAllowed\""},
    {"unknown account option", "Regoin \"us-east-1\"\n", "", "\"Regoin\""},
    {"secret id bad chars", "", "SecretID \"bad name!\"\n", "\"SecretID\""},
    {"secret id short account", "",
     "SecretID \"arn:aws:secretsmanager:us-east-1:12345:secret:x-AbCdEf\"\n",
     "\"SecretID\""},
    {"secret id wrong service", "",
     "SecretID \"arn:aws:s3:us-east-1:111122223333:secret:x\"\n",
     "\"SecretID\""},
    {"secret id number", "", "SecretID 42\n", "\"SecretID\""},
    {"namespace empty", "", "MetricNamespace \"\"\n", "\"MetricNamespace\""},
    {"metric name control", "", "MetricName \"a\\tb\"\n", "\"MetricName\""},
    {"alarm name newline", "", "AlarmName \"a\\nb\"\n", "\"AlarmName\""},
    {"mode paranoid", "", "Mode \"paranoid\"\n", "\"Mode\""},
    {"guarded without allow", "", "Mode \"guarded\"\n", "\"AllowPrincipal\""},
    {"allow in honeytoken", "", "AllowPrincipal \"arn:*\"\n",
     "\"AllowPrincipal\""},
    {"allow empty", "", "Mode \"guarded\"\nAllowPrincipal \"\"\n",
     "\"AllowPrincipal\""},
    {"unknown secret option", "", "Foo \"bar\"\n", "\"Foo\""},
    {"secret option twice", "", "MetricName \"a\"\nMetricName \"b\"\n",
     "\"MetricName\" given more than once"},
};

static void test_every_bad_value_is_refused_naming_the_option(void) {
  for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
    const struct bad_case *c = &bad_cases[i];
    char text[4096];
    struct swp_config cfg = {0};
    int rc;
    mock_reset();
    snprintf(text, sizeof(text),
             "<Account \"prod\">\n%s%s  <Secret \"TopSecretInfo\">\n%s  "
             "</Secret>\n</Account>\n",
             strstr(c->account_opts, "Region") ? "" : "Region \"us-east-1\"\n",
             c->account_opts, c->secret_opts);
    rc = parse_text(text, &cfg);
    if (rc != -1 || strstr(mock_log, c->want_in_log) == NULL ||
        strstr(mock_log, "secretwatch plugin: ") == NULL ||
        strstr(mock_log, "<Account \"prod\">") == NULL) {
      fprintf(stderr, "case \"%s\": rc %d, log:\n%s\n", c->name, rc, mock_log);
      SW_CHECK(0);
    }
    SW_CHECK_INT(cfg.accounts_num, 0);
    swp_config_clean_up(&cfg);
  }
}

static void test_region_required_without_environment(void) {
  struct swp_config cfg = {0};
  char *saved = getenv("AWS_REGION") ? strdup(getenv("AWS_REGION")) : NULL;
  char *saved2 = getenv("AWS_DEFAULT_REGION")
                     ? strdup(getenv("AWS_DEFAULT_REGION"))
                     : NULL;
  unsetenv("AWS_REGION");
  unsetenv("AWS_DEFAULT_REGION");
  mock_reset();
  SW_CHECK_INT(parse_text("<Account \"a\">\n" GOOD_SECRET "</Account>\n", &cfg),
               -1);
  SW_CHECK(strstr(mock_log, "\"Region\" is required") != NULL);
  setenv("AWS_REGION", "ap-southeast-2", 1);
  SW_CHECK_INT(parse_text("<Account \"a\">\n" GOOD_SECRET "</Account>\n", &cfg),
               0);
  if (cfg.accounts_num == 1)
    SW_CHECK_STR(cfg.accounts[0].region, "ap-southeast-2");
  swp_config_clean_up(&cfg);
  unsetenv("AWS_REGION");
  if (saved)
    setenv("AWS_REGION", saved, 1);
  if (saved2)
    setenv("AWS_DEFAULT_REGION", saved2, 1);
  free(saved);
  free(saved2);
}

struct block_case {
  const char *name;
  const char *text;
  int parse_rc;
  int finish_rc;
  const char *want_in_log;
};

static const struct block_case block_cases[] = {
    {"account without secret", GOOD_ACCOUNT_HEAD "</Account>\n", -1, 0,
     "<Secret"},
    {"account without name",
     "<Account>\nRegion \"us-east-1\"\n" GOOD_SECRET "</Account>\n", -1, 0,
     "<Account>"},
    {"account empty name", "<Account \"\">\n" GOOD_SECRET "</Account>\n", -1, 0,
     "<Account>"},
    {"account numeric name", "<Account 5>\n" GOOD_SECRET "</Account>\n", -1, 0,
     "<Account>"},
    {"secret without name",
     GOOD_ACCOUNT_HEAD "  <Secret>\n  </Secret>\n</Account>\n", -1, 0,
     "<Secret>"},
    {"secret labels collide after sanitizing",
     GOOD_ACCOUNT_HEAD "<Secret \"a/b\">\n</Secret>\n<Secret \"a_b\">\n"
                       "</Secret>\n</Account>\n",
     -1, 0, "unique"},
    {"unknown top-level option", "Foo 1\n", -1, 0, "\"Foo\""},
    {"two accounts same name",
     GOOD_ACCOUNT_HEAD GOOD_SECRET "</Account>\n" GOOD_ACCOUNT_HEAD GOOD_SECRET
                                   "</Account>\n",
     0, -1, "unique"},
    {"two accounts same state file",
     "<Account \"a\">\nRegion \"us-east-1\"\nStateFile "
     "\"/tmp/x.json\"\n" GOOD_SECRET
     "</Account>\n<Account \"b\">\nRegion \"us-east-1\"\nStateFile "
     "\"/tmp/x.json\"\n" GOOD_SECRET "</Account>\n",
     0, -1, "\"StateFile\""},
    {"no account at all", "", 0, -1, "<Account"},
    /* oconfig gives a block without children and an option alike */
    {"secret as option is an empty block",
     GOOD_ACCOUNT_HEAD "Secret \"x\"\n</Account>\n", 0, 0, ""},
};

static void test_blocks_and_cross_account_checks(void) {
  for (size_t i = 0; i < sizeof(block_cases) / sizeof(block_cases[0]); i++) {
    const struct block_case *c = &block_cases[i];
    struct swp_config cfg = {0};
    int rc, frc = 0;
    mock_reset();
    rc = parse_text(c->text, &cfg);
    if (rc == 0)
      frc = swp_config_finish(&cfg, "/var/lib/collectd");
    if (rc != c->parse_rc || frc != c->finish_rc ||
        strstr(mock_log, c->want_in_log) == NULL) {
      fprintf(stderr, "case \"%s\": parse %d finish %d, log:\n%s\n", c->name,
              rc, frc, mock_log);
      SW_CHECK(0);
    }
    swp_config_clean_up(&cfg);
  }
}

/* Cutting the full configuration at every line must never crash or leak
 * (run under ASan); it parses or is refused. */
static void test_every_truncation_parses_or_is_refused(void) {
  size_t len = strlen(full_config);
  int refused = 0;
  for (size_t cut = 0; cut < len; cut++) {
    char text[4096];
    oconfig_item_t *ci;
    struct swp_config cfg = {0};
    if (cut > 0 && full_config[cut - 1] != '\n')
      continue;
    memcpy(text, full_config, cut);
    text[cut] = '\0';
    /* close the blocks the cut left open */
    if (strstr(text, "<Secret") &&
        !strstr(text + (strstr(text, "<Secret") - text), "</Secret>"))
      strcat(text, "</Secret>\n");
    if (strstr(text, "<Account") && !strstr(text, "</Account>"))
      strcat(text, "</Account>\n");
    mock_reset();
    ci = mock_config(text);
    if (ci == NULL)
      continue;
    if (swp_config_parse(ci, &cfg) != 0)
      refused++;
    mock_config_free(ci);
    swp_config_clean_up(&cfg);
  }
  SW_CHECK(refused > 0);
}

static void test_instance_name_is_safe(void) {
  char *s = swp_config_instance_name("../a/b\nc");
  SW_CHECK_STR(s, "_._a_b_c");
  free(s);
  s = swp_config_instance_name(
      "0123456789012345678901234567890123456789012345678901234567890123456789");
  SW_CHECK_INT(strlen(s), SWP_LABEL_MAX);
  free(s);
  /* 62 ASCII bytes then a 2-byte character straddling the cut at 63: the
   * whole character goes, never half of it. */
  s = swp_config_instance_name(
      "01234567890123456789012345678901234567890123456789012345678901"
      "\xc3\xa9tail");
  SW_CHECK_INT(strlen(s), 62);
  free(s);
}

int main(void) {
  setenv("AWS_REGION", "", 1);
  unsetenv("AWS_REGION");
  SW_RUN(test_full_config_every_option_parsed);
  SW_RUN(test_minimal_config_gets_documented_defaults);
  SW_RUN(test_every_bad_value_is_refused_naming_the_option);
  SW_RUN(test_region_required_without_environment);
  SW_RUN(test_blocks_and_cross_account_checks);
  SW_RUN(test_every_truncation_parses_or_is_refused);
  SW_RUN(test_instance_name_is_safe);
  return sw_test_done();
}
