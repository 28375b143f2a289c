/* lib/endpoint.c: partitions, FIPS, global IAM/STS, overrides. */
#include "lib/endpoint.h"
#include "sw_test.h"

#include <stdlib.h>

struct ep_case {
  enum sw_service svc;
  const char *region;
  int fips;
  int sts_global;
  const char *url;
  const char *signing_region;
  const char *signing_name;
};

static void test_standard_endpoints_table(void) {
  static const struct ep_case cases[] = {
      {SW_SVC_CLOUDTRAIL, "us-east-1", 0, 0,
       "https://cloudtrail.us-east-1.amazonaws.com", "us-east-1", "cloudtrail"},
      {SW_SVC_CLOUDWATCH, "eu-west-1", 0, 0,
       "https://monitoring.eu-west-1.amazonaws.com", "eu-west-1", "monitoring"},
      {SW_SVC_LOGS, "ap-southeast-2", 0, 0,
       "https://logs.ap-southeast-2.amazonaws.com", "ap-southeast-2", "logs"},
      {SW_SVC_SECRETSMANAGER, "us-west-2", 0, 0,
       "https://secretsmanager.us-west-2.amazonaws.com", "us-west-2",
       "secretsmanager"},
      {SW_SVC_SNS, "sa-east-1", 0, 0, "https://sns.sa-east-1.amazonaws.com",
       "sa-east-1", "sns"},
      {SW_SVC_S3, "eu-central-1", 0, 0, "https://s3.eu-central-1.amazonaws.com",
       "eu-central-1", "s3"},
      /* IAM is global per partition. */
      {SW_SVC_IAM, "eu-west-3", 0, 0, "https://iam.amazonaws.com", "us-east-1",
       "iam"},
      {SW_SVC_IAM, "cn-northwest-1", 0, 0,
       "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "iam"},
      {SW_SVC_IAM, "us-gov-east-1", 0, 0, "https://iam.us-gov.amazonaws.com",
       "us-gov-west-1", "iam"},
      {SW_SVC_IAM, "us-east-2", 1, 0, "https://iam-fips.amazonaws.com",
       "us-east-1", "iam"},
      /* STS: regional unless the global endpoint is chosen. */
      {SW_SVC_STS, "eu-north-1", 0, 0, "https://sts.eu-north-1.amazonaws.com",
       "eu-north-1", "sts"},
      {SW_SVC_STS, "eu-north-1", 0, 1, "https://sts.amazonaws.com", "us-east-1",
       "sts"},
      {SW_SVC_STS, "cn-north-1", 0, 1,
       "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "sts"},
      {SW_SVC_STS, "us-east-1", 1, 0,
       "https://sts-fips.us-east-1.amazonaws.com", "us-east-1", "sts"},
      /* aws-cn uses its own DNS suffix. */
      {SW_SVC_LOGS, "cn-north-1", 0, 0,
       "https://logs.cn-north-1.amazonaws.com.cn", "cn-north-1", "logs"},
      {SW_SVC_S3, "cn-northwest-1", 0, 0,
       "https://s3.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", "s3"},
      /* FIPS. */
      {SW_SVC_SECRETSMANAGER, "us-east-1", 1, 0,
       "https://secretsmanager-fips.us-east-1.amazonaws.com", "us-east-1",
       "secretsmanager"},
      {SW_SVC_CLOUDWATCH, "us-gov-west-1", 1, 0,
       "https://monitoring-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1",
       "monitoring"},
      {SW_SVC_S3, "us-west-1", 1, 0, "https://s3-fips.us-west-1.amazonaws.com",
       "us-west-1", "s3"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct ep_case *c = &cases[i];
    struct sw_endpoint_opts o = {.region = c->region,
                                 .use_fips = c->fips,
                                 .sts_global = c->sts_global,
                                 .ignore_env = 1};
    struct sw_endpoint ep;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_endpoint_resolve(c->svc, &o, &ep, &err), 0);
    SW_CHECK_STR(ep.url, c->url);
    SW_CHECK_STR(ep.host, c->url + strlen("https://"));
    SW_CHECK_STR(ep.signing_region, c->signing_region);
    SW_CHECK_STR(ep.signing_name, c->signing_name);
    SW_CHECK_INT(ep.is_override, 0);
  }
}

static void test_service_facts(void) {
  static const char *const env_ids[SW_SVC_COUNT] = {"CLOUDTRAIL",
                                                    "CLOUDWATCH",
                                                    "CLOUDWATCH_LOGS",
                                                    "SECRETS_MANAGER",
                                                    "SNS",
                                                    "IAM",
                                                    "STS",
                                                    "S3"};
  for (int s = 0; s < SW_SVC_COUNT; s++) {
    SW_CHECK_STR(sw_service_env_id((enum sw_service)s), env_ids[s]);
    SW_CHECK(sw_service_name((enum sw_service)s) != NULL);
  }
  SW_CHECK_STR(sw_service_signing_name(SW_SVC_CLOUDWATCH), "monitoring");
  SW_CHECK(sw_service_env_id(SW_SVC_COUNT) == NULL);
  SW_CHECK(sw_service_signing_name((enum sw_service) - 1) == NULL);
}

static void test_regions_and_partitions(void) {
  static const struct {
    const char *region;
    const char *partition; /* NULL: refused */
  } cases[] = {
      {"us-east-1", "aws"},
      {"eu-south-2", "aws"},
      {"il-central-1", "aws"},
      {"cn-north-1", "aws-cn"},
      {"us-gov-west-1", "aws-us-gov"},
      {"us-iso-east-1", NULL},
      {"", NULL},
      {"US-EAST-1", NULL},
      {"us_east_1", NULL},
      {"us-east-1.evil.com", NULL},
      {"us-east-1/", NULL},
      {"-us-east-1", NULL},
      {"us-east-1-", NULL},
      {"us--east-1", NULL},
      {"1us-east", NULL},
      {"us-east-1\n", NULL},
      {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz-1", NULL},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    SW_CHECK_STR(sw_region_partition(cases[i].region), cases[i].partition);
  }
  SW_CHECK(sw_region_partition(NULL) == NULL);
  SW_CHECK_INT(sw_region_valid(NULL), 0);
  SW_CHECK_INT(sw_region_valid("ap-northeast-3"), 1);
}

static void test_bad_region_and_fips_in_china_are_config_errors(void) {
  struct sw_endpoint ep;
  struct sw_error err;
  struct sw_endpoint_opts o = {.region = "us-east-1.evil.com", .ignore_env = 1};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &o, &ep, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(strstr(err.message, "us-east-1.evil.com") != NULL);

  struct sw_endpoint_opts none = {.ignore_env = 1};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &none, &ep, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(strstr(err.message, "no region") != NULL);

  struct sw_endpoint_opts cn = {
      .region = "cn-north-1", .use_fips = 1, .ignore_env = 1};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_STS, &cn, &ep, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(strstr(err.message, "FIPS") != NULL);

  struct sw_endpoint_opts ok = {.region = "us-east-1", .ignore_env = 1};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_COUNT, &ok, &ep, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, NULL, &ep, &err), -1);
}

static void clear_env(void) {
  for (int s = 0; s < SW_SVC_COUNT; s++) {
    char name[64];
    snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s",
             sw_service_env_id((enum sw_service)s));
    unsetenv(name);
  }
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  unsetenv("AWS_USE_FIPS_ENDPOINT");
}

static void test_overrides_in_sdk_order(void) {
  struct sw_endpoint ep;
  struct sw_error err;
  struct sw_endpoint_opts o = {.region = "eu-west-1"};
  clear_env();
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/", 1);
  setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://sm.local:8443/base", 1);

  /* Service variable beats the general one. */
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_SECRETSMANAGER, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://sm.local:8443/base");
  SW_CHECK_STR(ep.host, "sm.local:8443");
  SW_CHECK_STR(ep.signing_region, "eu-west-1");
  SW_CHECK_STR(ep.signing_name, "secretsmanager");
  SW_CHECK_INT(ep.is_override, 1);

  /* The general one for the rest; trailing '/' dropped; IAM signs for the
   * configured region with an override. */
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_IAM, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "http://127.0.0.1:4566");
  SW_CHECK_STR(ep.host, "127.0.0.1:4566");
  SW_CHECK_STR(ep.signing_region, "eu-west-1");
  SW_CHECK_STR(ep.signing_name, "iam");

  /* The per-client option beats both. */
  struct sw_endpoint_opts oc = {.region = "eu-west-1",
                                .endpoint_url = "http://localhost:9000"};
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_SECRETSMANAGER, &oc, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "http://localhost:9000");

  /* ignore_env, and the SDK's switch to ignore configured endpoints. */
  struct sw_endpoint_opts oi = {.region = "eu-west-1", .ignore_env = 1};
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_SECRETSMANAGER, &oi, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://secretsmanager.eu-west-1.amazonaws.com");
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://logs.eu-west-1.amazonaws.com");
  clear_env();

  /* An empty variable is no override. */
  setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "", 1);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://logs.eu-west-1.amazonaws.com");
  clear_env();
}

static void test_fips_from_the_environment(void) {
  struct sw_endpoint ep;
  struct sw_error err;
  struct sw_endpoint_opts o = {.region = "us-west-2"};
  clear_env();
  setenv("AWS_USE_FIPS_ENDPOINT", "true", 1);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://logs-fips.us-west-2.amazonaws.com");
  /* Tests (ignore_env) and other values keep the standard endpoint. */
  struct sw_endpoint_opts oi = {.region = "us-west-2", .ignore_env = 1};
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &oi, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://logs.us-west-2.amazonaws.com");
  setenv("AWS_USE_FIPS_ENDPOINT", "false", 1);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "https://logs.us-west-2.amazonaws.com");
  /* An override still wins over FIPS. */
  setenv("AWS_USE_FIPS_ENDPOINT", "TRUE", 1);
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_LOGS, &o, &ep, &err), 0);
  SW_CHECK_STR(ep.url, "http://127.0.0.1:4566");
  clear_env();
}

static void test_malformed_overrides_are_refused(void) {
  static const char *const bad[] = {
      "ftp://x",      "localhost:4566",      "http://",
      "http:///path", "http://:80",          "http://a b",
      "http://h/?q",  "http://h/#f",         "http://user:pw@h/",
      "http://h\n/",  "javascript:alert(1)",
  };
  struct sw_endpoint ep;
  struct sw_error err;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sw_endpoint_opts o = {.region = "us-east-1", .endpoint_url = bad[i]};
    sw_error_clear(&err);
    SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_STS, &o, &ep, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  }
  char longurl[700];
  memset(longurl, 'a', sizeof(longurl) - 1);
  longurl[sizeof(longurl) - 1] = '\0';
  memcpy(longurl, "http://", 7);
  struct sw_endpoint_opts o = {.region = "us-east-1", .endpoint_url = longurl};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_STS, &o, &ep, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);

  /* A bad variable is reported with its name. */
  clear_env();
  setenv("AWS_ENDPOINT_URL_STS", "sts.local", 1);
  struct sw_endpoint_opts oe = {.region = "us-east-1"};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_STS, &oe, &ep, &err), -1);
  SW_CHECK(strstr(err.message, "AWS_ENDPOINT_URL_STS") != NULL);
  clear_env();
}

int main(void) {
  SW_RUN(test_standard_endpoints_table);
  SW_RUN(test_service_facts);
  SW_RUN(test_regions_and_partitions);
  SW_RUN(test_bad_region_and_fips_in_china_are_config_errors);
  SW_RUN(test_overrides_in_sdk_order);
  SW_RUN(test_fips_from_the_environment);
  SW_RUN(test_malformed_overrides_are_refused);
  return sw_test_done();
}
