/* Argument parsing of secretwatch-provision: every bad flag is a usage
 * error (exit 2) with one line naming the option. */
#include "sw_test.h"

#include "provision/args.h"

static const char *fake_env_region;
static const char *fake_env(const char *name) {
  return strcmp(name, "AWS_REGION") == 0 ? fake_env_region : NULL;
}

/* Splits a command line at spaces into argv (argv[0] = program). */
static int split(char *line, char **argv, int max) {
  int argc = 0;
  argv[argc++] = "secretwatch-provision";
  for (char *tok = strtok(line, " "); tok && argc < max;
       tok = strtok(NULL, " "))
    argv[argc++] = tok;
  return argc;
}

static int parse(const char *line, struct pv_opts *o, char *err,
                 size_t err_size) {
  static char buf[1024];
  char *argv[64];
  snprintf(buf, sizeof(buf), "%s", line);
  int argc = split(buf, argv, 64);
  return pv_args_parse(argc, argv, o, fake_env, err, err_size);
}

struct bad_case {
  const char *line;
  const char *want_in_err; /* a word the one-line message must name */
};

static void test_bad_flags_are_usage_errors_with_one_line(void) {
  static const struct bad_case cases[] = {
      {"--region us-east-1", "no command"},
      {"--region us-east-1 frobnicate", "frobnicate"},
      {"--region us-east-1 apply --bogus", "--bogus"},
      {"--region us-east-1 apply -x", "-x"},
      {"--region us-east-1 apply --secret", "--secret needs a value"},
      {"--region us-east-1 --output yaml apply", "--output"},
      {"--region US_EAST apply", "--region"},
      {"--region us-east-1 --stack Bad_Stack apply", "--stack"},
      {"--region us-east-1 --stack 1abc apply", "--stack"},
      {"--region us-east-1 --stack abcdefghijklmnopqrstuvwxyz apply",
       "--stack"},
      {"--region us-east-1 apply --retention-days 2", "--retention-days"},
      {"--region us-east-1 apply --retention-days 90x", "--retention-days"},
      {"--region us-east-1 apply --period 90", "--period"},
      {"--region us-east-1 apply --period 0", "--period"},
      {"--region us-east-1 apply --period 99999999999", "--period"},
      {"--region us-east-1 apply --email nobody", "--email"},
      {"--region us-east-1 apply --email a@b@c", "--email"},
      {"--region us-east-1 apply --bucket Upper", "--bucket"},
      {"--region us-east-1 apply --bucket ab", "--bucket"},
      {"--region us-east-1 apply --secret has\"quote", "--secret"},
      {"--region us-east-1 apply --allow-principal arn:aws:iam::1:user/a?",
       "--allow-principal"},
      {"--region us-east-1 apply --create-secret a --create-secret b",
       "given twice"},
      {"--region us-east-1 status --timeout 5", "not an option of status"},
      {"--region us-east-1 apply --recovery-days 7", "not an option of apply"},
      {"--region us-east-1 destroy --recovery-days 3", "--recovery-days"},
      {"--region us-east-1 verify --poll-interval 0", "--poll-interval"},
      {"--region us-east-1 apply extra", "extra"},
      {"--region us-east-1 --endpoint-url ftp://x apply", "--endpoint-url"},
      {"--region us-east-1 --verbose=1 apply", "takes no value"},
      {"apply", "no region"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct pv_opts o;
    char err[300];
    fake_env_region = NULL;
    int rc = parse(cases[i].line, &o, err, sizeof(err));
    if (rc != PV_EXIT_USAGE || !strstr(err, cases[i].want_in_err) ||
        strchr(err, '\n')) {
      fprintf(stderr, "case \"%s\": rc %d, err \"%s\"\n", cases[i].line, rc,
              err);
      SW_CHECK(0);
    }
  }
}

static void test_apply_options_are_parsed(void) {
  struct pv_opts o;
  char err[300];
  int rc = parse("--region eu-west-1 --stack prod --output json -v apply "
                 "--secret TopSecret --secret arn:aws:secretsmanager:eu-west-1:"
                 "111122223333:secret:X-AbCdEf --email a@example.com "
                 "--allow-principal arn:aws:sts::1:assumed-role/app-*/* "
                 "--bucket my-bucket --log-group /x/y --retention-days 30 "
                 "--period=120 --no-multi-region --kms-key-id alias/k",
                 &o, err, sizeof(err));
  SW_CHECK_INT(rc, 0);
  SW_CHECK_INT(o.command, PV_CMD_APPLY);
  SW_CHECK_STR(o.region, "eu-west-1");
  SW_CHECK_STR(o.stack, "prod");
  SW_CHECK_INT(o.output_json, 1);
  SW_CHECK_INT(o.verbose, 1);
  SW_CHECK_INT(o.n_secrets, 2);
  SW_CHECK_STR(o.secrets[0], "TopSecret");
  SW_CHECK_INT(o.n_emails, 1);
  SW_CHECK_INT(o.n_allow, 1);
  SW_CHECK_STR(o.bucket, "my-bucket");
  SW_CHECK_STR(o.log_group, "/x/y");
  SW_CHECK_INT(o.retention_days, 30);
  SW_CHECK_INT(o.period_s, 120);
  SW_CHECK_INT(o.multi_region, 0);
  SW_CHECK_STR(o.kms_key_id, "alias/k");
}

static void test_defaults_and_region_from_environment(void) {
  struct pv_opts o;
  char err[300];
  fake_env_region = "ap-southeast-2";
  SW_CHECK_INT(parse("status", &o, err, sizeof(err)), 0);
  SW_CHECK_STR(o.region, "ap-southeast-2");
  SW_CHECK_STR(o.stack, "secretwatch");
  SW_CHECK_INT(o.retention_days, 90);
  SW_CHECK_INT(o.period_s, 60);
  SW_CHECK_INT(o.multi_region, 1);
  SW_CHECK_INT(o.output_json, 0);
  fake_env_region = "not a region";
  SW_CHECK_INT(parse("status", &o, err, sizeof(err)), PV_EXIT_USAGE);
  fake_env_region = NULL;
}

static void test_help_and_version_need_no_command_or_region(void) {
  struct pv_opts o;
  char err[300];
  SW_CHECK_INT(parse("--help", &o, err, sizeof(err)), 0);
  SW_CHECK_INT(o.help, 1);
  SW_CHECK_INT(parse("--version", &o, err, sizeof(err)), 0);
  SW_CHECK_INT(o.version, 1);
  SW_CHECK_INT(parse("verify --help", &o, err, sizeof(err)), 0);
  SW_CHECK_INT(o.command, PV_CMD_VERIFY);
  SW_CHECK(strstr(pv_usage(PV_CMD_VERIFY), "--timeout") != NULL);
  SW_CHECK(strstr(pv_usage(PV_CMD_NONE), "collectd-config") != NULL);
  SW_CHECK(strstr(pv_usage(PV_CMD_APPLY), "--no-multi-region") != NULL);
}

int main(void) {
  SW_RUN(test_bad_flags_are_usage_errors_with_one_line);
  SW_RUN(test_apply_options_are_parsed);
  SW_RUN(test_defaults_and_region_from_environment);
  SW_RUN(test_help_and_version_need_no_command_or_region);
  return sw_test_done();
}
