/* Matching CloudTrail records to secrets, classifying principals, and the
 * notifications built from them (the sanitizer boundary). */
#include "mock_collectd.h"
#include "sw_test.h"

#include "plugin/match.h"
#include "plugin/notify.h"

#include "lib/buf.h"

#include <stdlib.h>
#include <string.h>

static struct swp_secret_conf secret(const char *id, enum swp_mode mode,
                                     char **allow, size_t allow_num) {
  struct swp_secret_conf s;
  memset(&s, 0, sizeof(s));
  s.label = "TopSecretInfo";
  s.instance = "TopSecretInfo";
  s.secret_id = (char *)id;
  s.metric_namespace = "SecretWatch";
  s.metric_name = "TopSecretInfo-reads";
  s.alarm_name = "secretwatch-TopSecretInfo-read";
  s.mode = mode;
  s.allow = allow;
  s.allow_num = allow_num;
  return s;
}

/* Reads a file of the shared test data; NULL (and a skip) when absent. */
static char *testdata(const char *rel, size_t *len) {
  const char *dir = getenv("SW_TESTDATA");
  char path[4096];
  FILE *f;
  struct sw_buf b;
  char chunk[4096];
  size_t n;
  if (dir == NULL)
    return NULL;
  snprintf(path, sizeof(path), "%s/aws-responses/cloudtrail-records/%s", dir,
           rel);
  if ((f = fopen(path, "rb")) == NULL)
    return NULL;
  sw_buf_init(&b, 0);
  while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    sw_buf_append(&b, chunk, n);
  fclose(f);
  return sw_buf_steal(&b, len);
}

static int load_one(const char *rel, struct sw_ctrec *rec) {
  size_t len = 0;
  char *text = testdata(rel, &len);
  struct sw_error err;
  int rc;
  if (text == NULL)
    return -1;
  rc = sw_ctrec_parse(text, len, rec, &err);
  free(text);
  return rc;
}

static struct sw_ctrec rec; /* large: keep off the stack */

struct match_case {
  const char *file;
  const char *secret_id;
  int want_match;
};

static const struct match_case match_cases[] = {
    {"getsecretvalue.assumedrole-vpce.json", "prod/app/db-credentials", 1},
    {"getsecretvalue.assumedrole-vpce.json",
     "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/"
     "db-credentials-AbCdEf",
     1},
    {"getsecretvalue.assumedrole-vpce.json",
     "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/"
     "db-credentials",
     1},
    /* a prefix of the name is another secret */
    {"getsecretvalue.assumedrole-vpce.json", "prod/app/db", 0},
    {"getsecretvalue.assumedrole-vpce.json", "prod/app/db-credentials-AbC", 0},
    {"getsecretvalue.assumedrole-vpce.json", "other", 0},
    /* requestParameters is null: the secret is named in errorMessage */
    {"getsecretvalue.accessdenied.json", "prod/app/db-credentials", 1},
    {"getsecretvalue.accessdenied.json", "prod/app/db", 0},
};

static void test_match_by_name_full_and_partial_arn(void) {
  for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
    const struct match_case *c = &match_cases[i];
    struct swp_secret_conf s =
        secret(c->secret_id, SWP_MODE_HONEYTOKEN, NULL, 0);
    if (load_one(c->file, &rec) != 0)
      SW_SKIP("SW_TESTDATA cloudtrail-records not available");
    if (swp_match_record(&rec, &s) != c->want_match) {
      fprintf(stderr, "case %zu (%s vs %s)\n", i, c->file, c->secret_id);
      SW_CHECK(0);
    }
  }
}

static int count_matches(const char *file, const char *secret_id,
                         size_t *total) {
  size_t len = 0;
  char *text = testdata(file, &len);
  struct sw_ctrec_list list;
  struct sw_error err;
  struct swp_secret_conf s = secret(secret_id, SWP_MODE_HONEYTOKEN, NULL, 0);
  int n = 0;
  if (text == NULL)
    return -1;
  sw_ctrec_list_init(&list);
  if (sw_ctrec_parse_many(text, len, &list, &err) != 0) {
    free(text);
    return -2;
  }
  for (size_t i = 0; i < list.count; i++)
    n += swp_match_record(&list.items[i], &s);
  *total = list.count;
  sw_ctrec_list_clean_up(&list);
  free(text);
  return n;
}

static void test_real_records_attributed_to_the_right_secret(void) {
  size_t total = 0;
  int n = count_matches("stratus.getsecretvalue.iamuser.json",
                        "stratus-red-team-retrieve-secret-18", &total);
  if (n == -1)
    SW_SKIP("SW_TESTDATA cloudtrail-records not available");
  SW_CHECK_INT(n, 1);
  SW_CHECK_INT(total, 21);
  /* "...-secret-1" must not swallow "...-secret-18" */
  n = count_matches("stratus.getsecretvalue.iamuser.json",
                    "stratus-red-team-retrieve-secret-1", &total);
  SW_CHECK_INT(n, 1);
  /* successful BatchGetSecretValue: per-secret GetSecretValue records
   * are what count, so the batch record itself never matches */
  n = count_matches("stratus.batchgetsecretvalue.iamuser.json",
                    "StratusRedTeam", &total);
  SW_CHECK_INT(n, 0);
  /* records of other services and service events never match */
  n = count_matches("awsdocs.secretsmanager-rotationfailed.json",
                    "MyTestSecret", &total);
  SW_CHECK_INT(n, 0);
}

static void test_classify_by_mode_and_allow_globs(void) {
  char *allow_session[] = {"arn:aws:sts::123456789012:assumed-role/app-*/*"};
  char *allow_role[] = {"arn:aws:iam::123456789012:role/app-server-role"};
  char *allow_other[] = {"arn:aws:iam::123456789012:user/ci", "arn:aws:sts::*:"
                                                              "assumed-role/"
                                                              "admin/*"};
  struct swp_secret_conf s;
  if (load_one("getsecretvalue.assumedrole-vpce.json", &rec) != 0)
    SW_SKIP("SW_TESTDATA cloudtrail-records not available");
  s = secret("prod/app/db-credentials", SWP_MODE_HONEYTOKEN, NULL, 0);
  SW_CHECK_INT(swp_classify(&rec, &s), SWP_VERDICT_UNEXPECTED);
  s = secret("prod/app/db-credentials", SWP_MODE_GUARDED, allow_session, 1);
  SW_CHECK_INT(swp_classify(&rec, &s), SWP_VERDICT_ALLOWED);
  s = secret("prod/app/db-credentials", SWP_MODE_GUARDED, allow_role, 1);
  SW_CHECK_INT(swp_classify(&rec, &s), SWP_VERDICT_ALLOWED);
  s = secret("prod/app/db-credentials", SWP_MODE_GUARDED, allow_other, 2);
  SW_CHECK_INT(swp_classify(&rec, &s), SWP_VERDICT_UNEXPECTED);
  if (load_one("getsecretvalue.accessdenied.json", &rec) != 0)
    SW_SKIP("no accessdenied record");
  /* denied wins over any allow list */
  s = secret("prod/app/db-credentials", SWP_MODE_GUARDED, allow_session, 1);
  SW_CHECK_INT(swp_classify(&rec, &s), SWP_VERDICT_DENIED);
  SW_CHECK_STR(swp_verdict_name(SWP_VERDICT_DENIED), "denied");
}

static const char *hostile_record =
    "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"IAMUser\","
    "\"arn\":\"arn:aws:iam::111122223333:user/alice\",\"accountId\":"
    "\"111122223333\",\"accessKeyId\":\"AKIAEXAMPLE\"},\"eventTime\":"
    "\"2026-11-27T08:01:02Z\",\"eventSource\":\"secretsmanager.amazonaws.com\","
    "\"eventName\":\"GetSecretValue\",\"awsRegion\":\"us-east-1\","
    "\"sourceIPAddress\":\"203.0.113.7\",\"userAgent\":\"curl/8\\n[0] "
    "DISABLE_NOTIFICATIONS\\r\\u0007\\u202e\",\"requestParameters\":"
    "{\"secretId\":\"TopSecretInfo\"},\"eventID\":\"ev-1\","
    "\"recipientAccountId\":\"111122223333\"}";

static int has_control(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return 1;
  return 0;
}

static void test_read_notification_is_sanitized_and_complete(void) {
  struct swp_secret_conf s =
      secret("TopSecretInfo", SWP_MODE_HONEYTOKEN, NULL, 0);
  struct swp_ident id = {"aws-prod", "prod", 60};
  struct sw_error err;
  const struct mock_notif *n;
  static const char *metas[] = {
      "event_id",       "event_time",      "event_name", "principal_arn",
      "principal_type", "access_key_id",   "source_ip",  "user_agent",
      "aws_region",     "account_id",      "secret_id",  "error_code",
      "error_message",  "vpc_endpoint_id", "allowed"};
  mock_reset();
  SW_CHECK_INT(
      sw_ctrec_parse(hostile_record, strlen(hostile_record), &rec, &err), 0);
  SW_CHECK_INT(swp_match_record(&rec, &s), 1);
  SW_CHECK_INT(swp_notify_read(&id, &s, &rec, swp_classify(&rec, &s)), 0);
  SW_CHECK_INT(mock_notifs_num, 1);
  if (mock_notifs_num != 1)
    return;
  n = &mock_notifs[0];
  SW_CHECK_INT(n->severity, NOTIF_FAILURE);
  SW_CHECK_STR(n->host, "aws-prod");
  SW_CHECK_STR(n->plugin, "secretwatch");
  SW_CHECK_STR(n->plugin_instance, "TopSecretInfo");
  SW_CHECK_STR(n->type, "secret_access");
  SW_CHECK_STR(n->type_instance, "GetSecretValue");
  SW_CHECK_STR(n->message, "TopSecretInfo read by "
                           "arn:aws:iam::111122223333:user/alice from "
                           "203.0.113.7 at 2026-11-27T08:01:02Z");
  SW_CHECK(n->time == DOUBLE_TO_CDTIME_T(1795766462.0));
  for (size_t i = 0; i < sizeof(metas) / sizeof(metas[0]); i++) {
    const char *v = mock_meta(n, metas[i]);
    if (v == NULL) {
      fprintf(stderr, "meta %s missing\n", metas[i]);
      SW_CHECK(0);
    } else {
      SW_CHECK(!has_control(v));
    }
  }
  SW_CHECK_STR(mock_meta(n, "user_agent"),
               "curl/8?[0] DISABLE_NOTIFICATIONS???");
  SW_CHECK_STR(mock_meta(n, "allowed"), "false");
  SW_CHECK_STR(mock_meta(n, "principal_type"), "IAMUser");
  SW_CHECK_STR(mock_meta(n, "account_id"), "111122223333");
}

static void test_message_bounded_and_denied_wording(void) {
  struct swp_secret_conf s =
      secret("TopSecretInfo", SWP_MODE_HONEYTOKEN, NULL, 0);
  char msg[256];
  memset(&rec, 0, sizeof(rec));
  memset(rec.identity.arn, 'A', sizeof(rec.identity.arn) - 1);
  strcpy(rec.source_ip, "198.51.100.23");
  strcpy(rec.event_time, "2026-11-27T08:01:02Z");
  strcpy(rec.error_code, "AccessDenied");
  swp_notify_read_message(msg, sizeof(msg), &s, &rec, SWP_VERDICT_DENIED);
  SW_CHECK(strlen(msg) <= 255);
  SW_CHECK(strncmp(msg, "TopSecretInfo read denied (AccessDenied) for AAAA",
                   49) == 0);
  SW_CHECK(strcmp(msg + strlen(msg) - 3, "...") == 0);
  /* a record without a principal says so instead of printing nothing */
  memset(&rec, 0, sizeof(rec));
  swp_notify_read_message(msg, sizeof(msg), &s, &rec, SWP_VERDICT_UNEXPECTED);
  SW_CHECK_STR(msg, "TopSecretInfo read by unknown from - at -");
}

static void test_allowed_read_is_okay_with_allowed_true(void) {
  char *allow[] = {"arn:aws:iam::111122223333:user/*"};
  struct swp_secret_conf s =
      secret("TopSecretInfo", SWP_MODE_GUARDED, allow, 1);
  struct swp_ident id = {"h", "prod", 60};
  struct sw_error err;
  mock_reset();
  sw_ctrec_parse(hostile_record, strlen(hostile_record), &rec, &err);
  SW_CHECK_INT(swp_classify(&rec, &s), SWP_VERDICT_ALLOWED);
  swp_notify_read(&id, &s, &rec, SWP_VERDICT_ALLOWED);
  SW_CHECK_INT(mock_notifs_num, 1);
  SW_CHECK_INT(mock_notifs[0].severity, NOTIF_OKAY);
  SW_CHECK_STR(mock_meta(&mock_notifs[0], "allowed"), "true");
}

static void test_alarm_and_chain_notifications(void) {
  struct swp_secret_conf s =
      secret("TopSecretInfo", SWP_MODE_HONEYTOKEN, NULL, 0);
  struct swp_ident id = {"h", "prod", 60};
  mock_reset();
  SW_CHECK_INT(swp_notify_alarm(&id, &s, "secretwatch-TopSecretInfo-read", "OK",
                                "ALARM", "Threshold Crossed:\n1 datapoint",
                                "2026-11-27T08:02:00Z"),
               0);
  SW_CHECK_INT(swp_notify_alarm(&id, &s, "a/b", "ALARM", "INSUFFICIENT_DATA",
                                NULL, NULL),
               0);
  SW_CHECK_INT(swp_notify_alarm(&id, &s, "a", "ALARM", "OK", "", ""), 0);
  SW_CHECK_INT(swp_notify_alarm(&id, &s, "a", "OK", "BOGUS", "", ""), -1);
  SW_CHECK_INT(mock_notifs_num, 3);
  SW_CHECK_INT(mock_notifs[0].severity, NOTIF_FAILURE);
  SW_CHECK_STR(mock_notifs[0].type, "alarm_state");
  SW_CHECK_STR(mock_notifs[0].type_instance, "secretwatch-TopSecretInfo-read");
  SW_CHECK_STR(mock_meta(&mock_notifs[0], "state_reason"),
               "Threshold Crossed:?1 datapoint");
  SW_CHECK_STR(mock_meta(&mock_notifs[0], "state_updated"),
               "2026-11-27T08:02:00Z");
  SW_CHECK(strchr(mock_notifs[0].message, '\n') == NULL);
  SW_CHECK_INT(mock_notifs[1].severity, NOTIF_WARNING);
  SW_CHECK_STR(mock_notifs[1].type_instance, "a_b");
  SW_CHECK_INT(mock_notifs[2].severity, NOTIF_OKAY);
  mock_reset();
  SW_CHECK_INT(swp_notify_chain(&id, NOTIF_FAILURE, "trail_logging",
                                "trail x is not logging"),
               0);
  SW_CHECK_STR(mock_notifs[0].type, "chain");
  SW_CHECK_STR(mock_notifs[0].plugin_instance, "prod");
  SW_CHECK_STR(mock_notifs[0].type_instance, "trail_logging");
  /* collectd refusing is reported */
  mock_dispatch_fail = 1;
  SW_CHECK_INT(swp_notify_chain(&id, NOTIF_FAILURE, "x", "y"), -1);
}

int main(void) {
  SW_RUN(test_match_by_name_full_and_partial_arn);
  SW_RUN(test_real_records_attributed_to_the_right_secret);
  SW_RUN(test_classify_by_mode_and_allow_globs);
  SW_RUN(test_read_notification_is_sanitized_and_complete);
  SW_RUN(test_message_bounded_and_denied_wording);
  SW_RUN(test_allowed_read_is_okay_with_allowed_true);
  SW_RUN(test_alarm_and_chain_notifications);
  return sw_test_done();
}
