/* The pure builders of secretwatch-provision: derived names, the policy
 * documents (checked by parsing the JSON they produce), the metric filter
 * pattern and the collectd block. */
#include "sw_test.h"

#include "lib/json.h"
#include "provision/collectd_conf.h"
#include "provision/names.h"
#include "provision/pattern.h"
#include "provision/policy.h"
#include "provision/report.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ACCT "111122223333"
#define SARN "arn:aws:secretsmanager:us-east-1:" ACCT ":secret:TopSecret-AbCdEf"

static struct pv_names names(void) {
  struct pv_names n;
  char err[200];
  if (pv_names_derive(&n, "sw", ACCT, "us-east-1", NULL, NULL, NULL, err,
                      sizeof(err)) != 0)
    fprintf(stderr, "derive: %s\n", err);
  return n;
}

static struct json_object *parse(const char *text) {
  struct sw_error err;
  return text ? sw_json_parse(text, strlen(text), &err) : NULL;
}

/* Statement i of a policy document. */
static struct json_object *stmt(struct json_object *doc, size_t i) {
  struct json_object *a = sw_json_arr(doc, "Statement");
  return a && i < json_object_array_length(a) ? json_object_array_get_idx(a, i)
                                              : NULL;
}

static const char *cond(struct json_object *s, const char *op,
                        const char *key) {
  return sw_json_str(sw_json_obj(sw_json_obj(s, "Condition"), op), key);
}

static void test_names_derive_from_stack_account_region(void) {
  struct pv_names n = names();
  SW_CHECK_STR(n.bucket, "sw-trail-" ACCT "-us-east-1");
  SW_CHECK_STR(n.log_group, "/secretwatch/sw/cloudtrail");
  SW_CHECK_STR(n.trail_arn,
               "arn:aws:cloudtrail:us-east-1:" ACCT ":trail/sw-trail");
  SW_CHECK_STR(n.role_arn, "arn:aws:iam::" ACCT ":role/sw-cloudtrail-logs");
  SW_CHECK_STR(n.log_group_trail_arn,
               "arn:aws:logs:us-east-1:" ACCT
               ":log-group:/secretwatch/sw/cloudtrail:*");
  SW_CHECK_STR(n.topic_arn, "arn:aws:sns:us-east-1:" ACCT ":sw-alarms");
  SW_CHECK_STR(n.metric_namespace, "SecretWatch/sw");
}

static void test_names_use_partition_overrides_and_refuse_long_names(void) {
  struct pv_names n;
  char err[200];
  SW_CHECK_INT(pv_names_derive(&n, "sw", ACCT, "cn-north-1", "b-1", "/g",
                               "old-trail", err, sizeof(err)),
               0);
  SW_CHECK_STR(n.bucket_arn, "arn:aws-cn:s3:::b-1");
  SW_CHECK_STR(n.trail, "old-trail");
  SW_CHECK_STR(n.log_group, "/g");
  SW_CHECK_INT(pv_names_derive(&n, "abcdefghijklmnopqrstuvwx", ACCT "444455",
                               "ap-southeast-2", NULL, NULL, NULL, err,
                               sizeof(err)),
               -1);
  SW_CHECK(strstr(err, "--bucket") != NULL);
  SW_CHECK_INT(pv_names_derive(&n, "sw", ACCT, "bad region!", NULL, NULL, NULL,
                               err, sizeof(err)),
               -1);
}

static void test_secret_names_and_label(void) {
  struct pv_names n = names();
  struct pv_secret_names sn;
  char err[200], long_name[600];
  SW_CHECK_INT(pv_secret_names_derive(&n, "prod/db", &sn, err, sizeof(err)), 0);
  SW_CHECK_STR(sn.alarm, "sw-prod/db-read");
  SW_CHECK_STR(sn.metric, "prod/db-reads");
  SW_CHECK_STR(sn.filter, "sw-prod/db-reads");
  SW_CHECK_STR(sn.label, "prod_db");
  SW_CHECK_STR(sn.alarm_arn,
               "arn:aws:cloudwatch:us-east-1:" ACCT ":alarm:sw-prod/db-read");
  memset(long_name, 'a', 300);
  long_name[300] = '\0';
  SW_CHECK_INT(pv_secret_names_derive(&n, long_name, &sn, err, sizeof(err)),
               -1);
}

static void test_alarm_description_round_trip_and_foreign_stacks(void) {
  char d[300], arn[300];
  SW_CHECK_INT(pv_alarm_description("sw", SARN, d, sizeof(d)), 0);
  SW_CHECK_INT(pv_alarm_description_parse(d, "sw", arn, sizeof(arn)), 1);
  SW_CHECK_STR(arn, SARN);
  SW_CHECK_INT(pv_alarm_description_parse(d, "s", arn, sizeof(arn)), 0);
  SW_CHECK_INT(pv_alarm_description_parse(d, "sw2", arn, sizeof(arn)), 0);
  SW_CHECK_INT(pv_alarm_description_parse(NULL, "sw", arn, sizeof(arn)), 0);
  SW_CHECK_INT(pv_alarm_description_parse("secretwatch:stack=sw;secret=x", "sw",
                                          arn, sizeof(arn)),
               0);
  SW_CHECK_INT(pv_alarm_description_parse("secretwatch:stack=sw;secret=arn:a;b",
                                          "sw", arn, 300),
               0);
  SW_CHECK_INT(pv_alarm_description_parse(d, "sw", arn, 10), 0);
}

static void test_bucket_policy_lets_only_this_trail_write(void) {
  struct pv_names n = names();
  char *text = pv_policy_bucket(&n);
  struct json_object *doc = parse(text);
  SW_CHECK(doc != NULL);
  SW_CHECK_STR(sw_json_str(doc, "Version"), "2012-10-17");
  struct json_object *acl = stmt(doc, 0), *put = stmt(doc, 1),
                     *deny = stmt(doc, 2);
  SW_CHECK_STR(sw_json_str(acl, "Action"), "s3:GetBucketAcl");
  SW_CHECK_STR(sw_json_str(acl, "Resource"), n.bucket_arn);
  SW_CHECK_STR(cond(acl, "StringEquals", "aws:SourceArn"), n.trail_arn);
  SW_CHECK_STR(sw_json_str(sw_json_obj(put, "Principal"), "Service"),
               "cloudtrail.amazonaws.com");
  SW_CHECK_STR(sw_json_str(put, "Action"), "s3:PutObject");
  SW_CHECK_STR(sw_json_str(put, "Resource"),
               "arn:aws:s3:::sw-trail-" ACCT "-us-east-1/AWSLogs/" ACCT "/*");
  SW_CHECK_STR(cond(put, "StringEquals", "aws:SourceArn"), n.trail_arn);
  SW_CHECK_STR(cond(put, "StringEquals", "aws:SourceAccount"), ACCT);
  SW_CHECK_STR(cond(put, "StringEquals", "s3:x-amz-acl"),
               "bucket-owner-full-control");
  SW_CHECK_STR(sw_json_str(deny, "Effect"), "Deny");
  SW_CHECK_STR(cond(deny, "Bool", "aws:SecureTransport"), "false");
  SW_CHECK(stmt(doc, 3) == NULL);
  json_object_put(doc);
  free(text);
}

static void test_role_policies_trust_this_trail_and_write_only_logs(void) {
  struct pv_names n = names();
  char *trust = pv_policy_role_trust(&n), *logs = pv_policy_role_logs(&n);
  struct json_object *t = parse(trust), *l = parse(logs);
  struct json_object *ts = stmt(t, 0), *ls = stmt(l, 0);
  SW_CHECK_STR(sw_json_str(ts, "Action"), "sts:AssumeRole");
  SW_CHECK_STR(sw_json_str(sw_json_obj(ts, "Principal"), "Service"),
               "cloudtrail.amazonaws.com");
  SW_CHECK_STR(cond(ts, "StringEquals", "aws:SourceArn"), n.trail_arn);
  SW_CHECK(json_object_object_get(ts, "Resource") == NULL);
  SW_CHECK(stmt(t, 1) == NULL);
  struct json_object *acts = sw_json_arr(ls, "Action");
  SW_CHECK(acts && json_object_array_length(acts) == 2);
  if (acts && json_object_array_length(acts) == 2) {
    SW_CHECK_STR(json_object_get_string(json_object_array_get_idx(acts, 0)),
                 "logs:CreateLogStream");
    SW_CHECK_STR(json_object_get_string(json_object_array_get_idx(acts, 1)),
                 "logs:PutLogEvents");
  }
  SW_CHECK_STR(sw_json_str(ls, "Resource"),
               "arn:aws:logs:us-east-1:" ACCT
               ":log-group:/secretwatch/sw/cloudtrail:log-stream:*");
  SW_CHECK(stmt(l, 1) == NULL);
  json_object_put(t);
  json_object_put(l);
  free(trust);
  free(logs);
}

static void test_topic_policy_allows_only_the_stack_alarms(void) {
  struct pv_names n = names();
  const char *arns[] = {"arn:aws:cloudwatch:us-east-1:" ACCT ":alarm:sw-a-read",
                        "arn:aws:cloudwatch:us-east-1:" ACCT
                        ":alarm:sw-b-read"};
  char *text = pv_policy_topic(&n, arns, 2);
  struct json_object *doc = parse(text), *s = stmt(doc, 0);
  SW_CHECK_STR(sw_json_str(sw_json_obj(s, "Principal"), "Service"),
               "cloudwatch.amazonaws.com");
  SW_CHECK_STR(sw_json_str(s, "Action"), "sns:Publish");
  SW_CHECK_STR(sw_json_str(s, "Resource"), n.topic_arn);
  struct json_object *src = sw_json_arr(
      sw_json_obj(sw_json_obj(s, "Condition"), "ArnLike"), "aws:SourceArn");
  SW_CHECK(src && json_object_array_length(src) == 2);
  SW_CHECK_STR(cond(s, "StringEquals", "aws:SourceAccount"), ACCT);
  const char *reversed[] = {arns[1], arns[0]};
  char *text2 = pv_policy_topic(&n, reversed, 2);
  SW_CHECK_STR(text2, text);
  char *none = pv_policy_topic(&n, NULL, 0);
  SW_CHECK(none != NULL);
  json_object_put(doc);
  free(text);
  free(text2);
  free(none);
}

static void test_policy_equal_ignores_order_and_singleton_arrays(void) {
  SW_CHECK(pv_policy_equal("{\"a\":\"x\",\"b\":[\"y\"]}",
                           "{\"b\":\"y\",\"a\":[\"x\"]}"));
  SW_CHECK(pv_policy_equal("{\"a\":[1,2]}", " { \"a\" : [1, 2] } "));
  SW_CHECK(!pv_policy_equal("{\"a\":[1,2]}", "{\"a\":[2,1]}"));
  SW_CHECK(!pv_policy_equal("{\"a\":\"x\"}", "{\"a\":\"x\",\"b\":1}"));
  SW_CHECK(!pv_policy_equal("{\"a\":\"x\"}", "{\"a\":\"X\"}"));
  SW_CHECK(!pv_policy_equal("{\"a\":1}", "{\"a\":\"1\"}"));
  SW_CHECK(!pv_policy_equal("{\"a\":", "{\"a\":1}"));
  SW_CHECK(!pv_policy_equal(NULL, "{}"));
  SW_CHECK(!pv_policy_equal("{}", NULL));
  struct pv_names n = names();
  char *p = pv_policy_bucket(&n);
  SW_CHECK(pv_policy_equal(p, p));
  free(p);
}

static void test_pattern_matches_name_arn_and_partial_arn(void) {
  char out[PV_PATTERN_MAX + 1], err[300];
  SW_CHECK_INT(pv_filter_pattern("TopSecret", SARN, NULL, 0, out, sizeof(out),
                                 err, sizeof(err)),
               0);
  SW_CHECK(strstr(out, "($.eventSource = \"secretsmanager.amazonaws.com\")"));
  SW_CHECK(strstr(out, "($.eventName = \"GetSecretValue\")"));
  SW_CHECK(strstr(out, "($.requestParameters.secretId = \"TopSecret\")"));
  SW_CHECK(strstr(out, "($.requestParameters.secretId = \"" SARN "\")"));
  SW_CHECK(strstr(out,
                  "($.requestParameters.secretId = \"arn:aws:"
                  "secretsmanager:us-east-1:" ACCT ":secret:TopSecret\")"));
  SW_CHECK(out[0] == '{' && out[strlen(out) - 1] == '}');
  SW_CHECK(strstr(out, "userIdentity") == NULL);
}

static void test_pattern_excludes_allowed_principals(void) {
  const char *allow[] = {"arn:aws:sts::" ACCT ":assumed-role/app-*/*",
                         "arn:aws:iam::" ACCT ":user/ci"};
  char out[PV_PATTERN_MAX + 1], err[300], globs[4][300];
  SW_CHECK_INT(pv_filter_pattern("TopSecret", SARN, allow, 2, out, sizeof(out),
                                 err, sizeof(err)),
               0);
  SW_CHECK(strstr(out, "&& ($.userIdentity.arn != \"arn:aws:sts::" ACCT
                       ":assumed-role/app-*/*\")"));
  SW_CHECK_INT(pv_pattern_allowed(out, globs, 4), 2);
  SW_CHECK_STR(globs[1], allow[1]);
  SW_CHECK_INT(pv_pattern_allowed(out, globs, 1), 1);
  SW_CHECK_INT(pv_pattern_allowed("{ ($.userIdentity.arn != \"x", globs, 4), 0);
}

static void test_pattern_refuses_unquotable_or_overlong_input(void) {
  char out[PV_PATTERN_MAX + 1], err[300], big[400];
  const char *quote[] = {"arn:aws:iam::1:user/\"x"};
  const char *qmark[] = {"arn:aws:iam::1:user/a?"};
  SW_CHECK_INT(pv_filter_pattern("a\"b", SARN, NULL, 0, out, sizeof(out), err,
                                 sizeof(err)),
               -1);
  SW_CHECK_INT(pv_filter_pattern("a", "arn:aws:s3:::bucket-AbCdEf", NULL, 0,
                                 out, sizeof(out), err, sizeof(err)),
               -1);
  SW_CHECK_INT(pv_filter_pattern("a", SARN, quote, 1, out, sizeof(out), err,
                                 sizeof(err)),
               -1);
  SW_CHECK_INT(pv_filter_pattern("a", SARN, qmark, 1, out, sizeof(out), err,
                                 sizeof(err)),
               -1);
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  const char *many[] = {big, big, big};
  SW_CHECK_INT(
      pv_filter_pattern("a", SARN, many, 3, out, sizeof(out), err, sizeof(err)),
      -1);
  SW_CHECK(strstr(err, "1024") != NULL);
  SW_CHECK_INT(
      pv_filter_pattern("TopSecret", SARN, NULL, 0, out, 20, err, sizeof(err)),
      -1);
}

static void test_partial_arn_needs_the_random_suffix(void) {
  char out[300];
  SW_CHECK_INT(pv_secret_partial_arn(SARN, out, sizeof(out)), 0);
  SW_CHECK_STR(out,
               "arn:aws:secretsmanager:us-east-1:" ACCT ":secret:TopSecret");
  SW_CHECK_INT(pv_secret_partial_arn("arn:aws:secretsmanager:us-east-1:" ACCT
                                     ":secret:TopSecret",
                                     out, sizeof(out)),
               -1);
  SW_CHECK_INT(pv_secret_partial_arn("arn:aws:secretsmanager:us-east-1:" ACCT
                                     ":secret:Top-Ab/dEf",
                                     out, sizeof(out)),
               -1);
  SW_CHECK_INT(pv_secret_partial_arn("short", out, sizeof(out)), -1);
  SW_CHECK_INT(pv_secret_partial_arn(SARN, out, 10), -1);
}

static void test_collectd_block_has_the_contract_options(void) {
  const char *allow[] = {"arn:aws:iam::1:user/ci"};
  struct pv_conf_secret s[2] = {
      {"TopSecret", SARN, "SecretWatch/sw", "TopSecret-reads",
       "sw-TopSecret-read", NULL, 0},
      {"we\"ird", SARN, "SecretWatch/sw", "m", "a", allow, 1}};
  struct pv_conf_in in = {"sw",
                          "us-east-1",
                          NULL,
                          "https://127.0.0.1:1",
                          "/tmp/ca.pem",
                          "/secretwatch/sw/cloudtrail",
                          "arn:aws:cloudtrail:us-east-1:1:trail/sw",
                          s,
                          2};
  struct sw_buf b;
  sw_buf_init(&b, 0);
  SW_CHECK_INT(pv_collectd_config(&in, &b), 0);
  const char *t = sw_buf_cstr(&b);
  SW_CHECK(strncmp(t, "LoadPlugin secretwatch\n<Plugin secretwatch>\n", 44) ==
           0);
  SW_CHECK(strstr(t, "<Account \"sw\">"));
  SW_CHECK(strstr(t, "Region             \"us-east-1\""));
  SW_CHECK(strstr(t, "EndpointURL        \"https://127.0.0.1:1\""));
  SW_CHECK(strstr(t, "CAFile             \"/tmp/ca.pem\""));
  SW_CHECK(strstr(t, "Profile") == NULL);
  SW_CHECK(strstr(
      t, "Trail              \"arn:aws:cloudtrail:us-east-1:1:trail/sw\""));
  SW_CHECK(strstr(t, "SecretID           \"" SARN "\""));
  SW_CHECK(strstr(t, "Mode               \"honeytoken\""));
  SW_CHECK(strstr(t, "<Secret \"we\\\"ird\">"));
  SW_CHECK(strstr(t, "Mode               \"guarded\""));
  SW_CHECK(strstr(t, "AllowPrincipal     \"arn:aws:iam::1:user/ci\""));
  SW_CHECK(strstr(t, "  </Account>\n</Plugin>\n"));
  sw_buf_clean_up(&b);
  in.region = NULL;
  sw_buf_init(&b, 0);
  SW_CHECK_INT(pv_collectd_config(&in, &b), -1);
  sw_buf_clean_up(&b);
  in.region = "us-east-1";
  sw_buf_init(&b, 64);
  SW_CHECK_INT(pv_collectd_config(&in, &b), -1);
  sw_buf_clean_up(&b);
}

/* Names and ARNs in the block come from AWS: whatever they hold, each
 * option stays one line with one quoted value, and no control character
 * reaches the file. */
static void test_collectd_block_quotes_hostile_text(void) {
  static const char hostile[] =
      "x\"\n  EndpointURL \"http://evil\"\r\x1b[31m\t\\\x7f%n";
  struct pv_conf_secret s = {hostile, hostile, hostile, hostile,
                             hostile, NULL,    0};
  struct pv_conf_in in = {hostile, "us-east-1", hostile, hostile, hostile,
                          hostile, hostile,     &s,      1};
  struct sw_buf b;
  int lines = 0, bad = 0;
  sw_buf_init(&b, 0);
  SW_CHECK_INT(pv_collectd_config(&in, &b), 0);
  for (const char *t = sw_buf_cstr(&b); *t; t++) {
    unsigned char c = (unsigned char)*t;
    lines += c == '\n';
    bad += (c < 0x20 && c != '\n') || c == 0x7f;
  }
  SW_CHECK_INT(bad, 0);
  /* LoadPlugin, <Plugin>, <Account>, 7 account options, Events, Watchdog,
   * <Secret>, 5 secret options, </Secret>, </Account>, </Plugin> */
  SW_CHECK_INT(lines, 21);
  SW_CHECK(strstr(sw_buf_cstr(&b), "\n  EndpointURL \"http://evil") == NULL);
  /* every quote inside a value is escaped: each line has exactly two
   * unescaped quotes (tag lines and options alike) or none */
  for (const char *t = sw_buf_cstr(&b); *t;) {
    int quotes = 0;
    for (; *t && *t != '\n'; t++) {
      if (*t == '\\' && t[1]) {
        t++;
        continue;
      }
      quotes += *t == '"';
    }
    SW_CHECK(quotes == 0 || quotes == 2);
    if (*t)
      t++;
  }
  sw_buf_clean_up(&b);
}

/* Runs fn with stdout and stderr going to one temporary file; returns
 * what they wrote (heap, NUL-terminated) or NULL. */
static char *captured(void (*fn)(void)) {
  FILE *tmp = tmpfile();
  int out, err;
  long n;
  char *text = NULL;
  if (tmp == NULL)
    return NULL;
  fflush(stdout);
  fflush(stderr);
  out = dup(1);
  err = dup(2);
  dup2(fileno(tmp), 1);
  dup2(fileno(tmp), 2);
  fn();
  fflush(stdout);
  fflush(stderr);
  dup2(out, 1);
  dup2(err, 2);
  close(out);
  close(err);
  if ((n = ftell(tmp)) >= 0 && (text = calloc(1, (size_t)n + 1)) != NULL) {
    rewind(tmp);
    if (fread(text, 1, (size_t)n, tmp) != (size_t)n)
      text[0] = '\0';
  }
  fclose(tmp);
  return text;
}

static const char hostile_text[] =
    "AccessDenied\n[1] FAKE LINE\r\x1b[2J\x07%n%s\xff\xfe\t end";

static void report_text_mode(void) {
  struct pv_report *r = pv_report_new("status", 0, 1);
  pv_report_item(r, "alarm", hostile_text, "error", hostile_text);
  pv_report_error(r, hostile_text);
  pv_report_free(r);
}

static void report_json_mode(void) {
  struct pv_report *r = pv_report_new("status", 1, 0);
  pv_report_meta(r, "account", hostile_text);
  pv_report_item(r, "alarm", hostile_text, "error", hostile_text);
  pv_report_error(r, hostile_text);
  pv_report_finish(r, "failed");
  pv_report_free(r);
}

/* Text from AWS (error messages, names, states) reaches the provisioner's
 * output only through the report: in text mode every item and error is
 * one line without control characters (the colours are the report's own
 * escape sequences, only around the action word); in JSON mode the
 * document parses and holds no control character either. */
static void test_report_output_is_safe_from_aws_text(void) {
  char *t = captured(report_text_mode);
  int lines = 0, bad = 0;
  SW_CHECK(t != NULL);
  for (const char *c = t ? t : ""; *c; c++) {
    if (*c == '\n') {
      lines++;
      SW_CHECK(strncmp(c + 1, "[1] FAKE", 8) != 0);
    } else if (*c == '\x1b') {
      /* only the report's own colour codes */
      bad += strncmp(c, "\x1b[31m", 5) != 0 && strncmp(c, "\x1b[0m", 4) != 0;
    } else {
      bad += (unsigned char)*c < 0x20 || *c == 0x7f;
    }
  }
  SW_CHECK_INT(lines, 2);
  SW_CHECK_INT(bad, 0);
  SW_CHECK(t && strstr(t, "%n%s") != NULL); /* printed, not interpreted */
  free(t);
  t = captured(report_json_mode);
  SW_CHECK(t != NULL);
  if (t) {
    /* the error line on stderr first, then the document */
    char *doc = strchr(t, '{');
    struct json_object *o = doc ? json_tokener_parse(doc) : NULL;
    SW_CHECK(o != NULL);
    SW_CHECK(strstr(t, "\\u001b") == NULL && strchr(t, '\x1b') == NULL);
    SW_CHECK(strstr(t, "\\n") == NULL && strstr(t, "\\r") == NULL);
    json_object_put(o);
  }
  free(t);
}

int main(void) {
  SW_RUN(test_names_derive_from_stack_account_region);
  SW_RUN(test_names_use_partition_overrides_and_refuse_long_names);
  SW_RUN(test_secret_names_and_label);
  SW_RUN(test_alarm_description_round_trip_and_foreign_stacks);
  SW_RUN(test_bucket_policy_lets_only_this_trail_write);
  SW_RUN(test_role_policies_trust_this_trail_and_write_only_logs);
  SW_RUN(test_topic_policy_allows_only_the_stack_alarms);
  SW_RUN(test_policy_equal_ignores_order_and_singleton_arrays);
  SW_RUN(test_pattern_matches_name_arn_and_partial_arn);
  SW_RUN(test_pattern_excludes_allowed_principals);
  SW_RUN(test_pattern_refuses_unquotable_or_overlong_input);
  SW_RUN(test_partial_arn_needs_the_random_suffix);
  SW_RUN(test_collectd_block_has_the_contract_options);
  SW_RUN(test_collectd_block_quotes_hostile_text);
  SW_RUN(test_report_output_is_safe_from_aws_text);
  return sw_test_done();
}
