/* Every service call wrapper end to end against the local AWS simulator
 * (tests/awssim): the requests our builders make must pass its botocore
 * validation and SigV4 checks, and its answers must parse. Skipped (77)
 * when the simulator cannot start. The chain is built, exercised and torn
 * down in order, as the provisioner and the plugin would. */
#include "lib/client.h"
#include "lib/cloudtrail.h"
#include "lib/cloudwatch.h"
#include "lib/ctrecord.h"
#include "lib/http.h"
#include "lib/iam.h"
#include "lib/logs.h"
#include "lib/s3.h"
#include "lib/secretsmanager.h"
#include "lib/sns.h"
#include "lib/sts.h"
#include "sw_svc_test.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t sim_pid = -1;
static char sim_dir[] = "/tmp/sw-svc-awssim-XXXXXX";
static char endpoint[256];
static struct sw_client *client;
static struct sw_creds_provider *creds;

#define STACK_TAG \
  { "secretwatch:stack", "svc-test" }
static const struct sw_tag tags[] = {STACK_TAG};
static char topic_arn[512], trail_arn[512], role_arn[512], group_arn[512];

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Checks a call and prints the AWS error when it failed. */
#define CALL_OK(call)                                               \
  do {                                                              \
    struct sw_error e_;                                             \
    sw_error_clear(&e_);                                            \
    err = &e_;                                                      \
    if ((call) != 0) {                                              \
      char b_[800];                                                 \
      fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, \
              sw_error_describe(&e_, b_, sizeof(b_)));              \
      sw_t_cur_failed = 1;                                          \
    }                                                               \
  } while (0)

/* POSTs a JSON body to an admin endpoint; the answer is parsed or NULL. */
static struct json_object *admin(const char *path, const char *body) {
  struct sw_http *h;
  struct sw_http_opts o = {0};
  struct sw_http_request req = {0};
  struct sw_http_response resp;
  struct sw_headers hd;
  struct sw_error err;
  struct json_object *out = NULL;
  char url[512];
  snprintf(url, sizeof(url), "%s/_awssim/%s", endpoint, path);
  o.timeout_ms = 10000;
  h = sw_http_new(&o, &err);
  if (h == NULL)
    return NULL;
  sw_headers_init(&hd);
  sw_headers_add(&hd, "Content-Type", "application/json");
  req.method = "POST";
  req.url = url;
  req.headers = &hd;
  req.body = body;
  req.body_len = strlen(body);
  sw_http_response_init(&resp);
  if (sw_http_perform(h, &req, &resp, &err) == 0 && resp.status == 200)
    out = sw_json_parse(sw_buf_cstr(&resp.body), resp.body.len, &err);
  sw_http_response_clean_up(&resp);
  sw_headers_clean_up(&hd);
  sw_http_free(h);
  return out;
}

/* Starts the simulator; 0, or -1 (the tests then skip). */
static int start_sim(void) {
  const char *src = getenv("SW_SOURCE_DIR");
  char prog[1024], cfg[512];
  struct json_object *conf = NULL;
  if (src == NULL || access("/usr/bin/python3", X_OK) != 0)
    return -1;
  snprintf(prog, sizeof(prog), "%s/tests/awssim/awssim", src);
  if (access(prog, R_OK) != 0 || mkdtemp(sim_dir) == NULL)
    return -1;
  sim_pid = fork();
  if (sim_pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl("/usr/bin/python3", "python3", prog, "--dir", sim_dir, (char *)NULL);
    _exit(127);
  }
  if (sim_pid < 0)
    return -1;
  snprintf(cfg, sizeof(cfg), "%s/awssim.json", sim_dir);
  for (int i = 0; i < 150 && conf == NULL; i++) { /* at most 15 s */
    size_t len;
    char *t = access(cfg, R_OK) == 0 ? sw_test_slurp(cfg, &len) : NULL;
    struct sw_error err;
    conf = t ? sw_json_parse(t, len, &err) : NULL;
    free(t);
    if (conf == NULL)
      sleep_ms(100);
  }
  if (conf == NULL || sw_json_str(conf, "endpoint_http") == NULL) {
    json_object_put(conf);
    return -1;
  }
  snprintf(endpoint, sizeof(endpoint), "%s",
           sw_json_str(conf, "endpoint_http"));
  json_object_put(conf);
  return 0;
}

static void stop_sim(void) {
  char path[512];
  static const char *files[] = {"awssim.json", "ca.pem",     "ca.key",
                                "server.pem",  "server.key", "mail.spool"};
  if (sim_pid > 0) {
    int status;
    kill(sim_pid, SIGTERM);
    for (int i = 0; i < 50 && waitpid(sim_pid, &status, WNOHANG) == 0; i++)
      sleep_ms(100);
    if (waitpid(sim_pid, &status, WNOHANG) == 0) {
      kill(sim_pid, SIGKILL);
      waitpid(sim_pid, &status, 0);
    }
  }
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    snprintf(path, sizeof(path), "%s/%s", sim_dir, files[i]);
    unlink(path);
  }
  rmdir(sim_dir);
}

static int make_client(void) {
  struct sw_creds_opts co = {0};
  struct sw_client_opts o = {0};
  struct sw_error err;
  co.access_key_id = "AKIAAWSSIMALICE00001";
  co.secret_access_key = "aliceSecretKey/awssim/000000000000000000";
  co.region = "us-east-1";
  creds = sw_creds_provider_new(&co, &err);
  o.region = "us-east-1";
  o.endpoint_url = endpoint;
  o.creds = creds;
  o.timeout_ms = 10000;
  client = creds ? sw_client_new(&o, &err) : NULL;
  return client ? 0 : -1;
}

static void test_sts_identity_and_assume_role(void) {
  struct sw_error *err;
  struct sw_sts_identity id;
  struct sw_sts_assume_role_req ar = {
      "arn:aws:iam::111122223333:role/app-server", "sw-svc-test", "ext-1234",
      900, NULL};
  struct sw_sts_assume_role_resp r;
  CALL_OK(sw_sts_get_caller_identity(client, &id, err));
  SW_CHECK_STR(id.account, "111122223333");
  SW_CHECK_STR(id.arn, "arn:aws:iam::111122223333:user/alice");
  sw_sts_assume_role_resp_init(&r);
  CALL_OK(sw_sts_assume_role(client, &ar, &r, err));
  SW_CHECK(strncmp(r.creds.access_key_id, "ASIA", 4) == 0);
  SW_CHECK(r.creds.session_token != NULL);
  SW_CHECK(r.creds.expiration_s > time(NULL));
  sw_sts_assume_role_resp_clean_up(&r);
}

static void test_secret_lifecycle(void) {
  struct sw_error *err;
  struct sw_sm_create_req cr = {
      "svc-test/secret", "decoy", NULL, tags, 1, NULL};
  struct sw_sm_secret_ref ref;
  struct sw_sm_secret s;
  struct sw_sm_value_info v;
  struct sw_sm_list_req lr = {0};
  struct sw_sm_list_resp l;
  const struct sw_tag more[] = {{"extra", "1"}};
  CALL_OK(sw_sm_create_secret(client, &cr, &ref, err));
  SW_CHECK(ref.arn && strstr(ref.arn, ":secret:svc-test/secret-") != NULL);
  sw_sm_secret_ref_clean_up(&ref);
  CALL_OK(sw_sm_tag_resource(client, "svc-test/secret", more, 1, err));
  CALL_OK(sw_sm_describe_secret(client, "svc-test/secret", &s, err));
  SW_CHECK_STR(sw_tag_list_get(&s.tags, "secretwatch:stack"), "svc-test");
  SW_CHECK_STR(sw_tag_list_get(&s.tags, "extra"), "1");
  sw_sm_secret_clean_up(&s);
  CALL_OK(sw_sm_get_secret_value(client, "svc-test/secret", NULL, &v, err));
  SW_CHECK_INT(v.has_string, 1);
  sw_sm_value_info_clean_up(&v);
  CALL_OK(sw_sm_list_secrets(client, &lr, &l, err));
  SW_CHECK_INT(l.count, 1);
  sw_sm_list_resp_clean_up(&l);
}

static void test_log_group_and_filter(void) {
  struct sw_error *err;
  struct sw_logs_describe_groups_req dg = {"/svc-test/", NULL, 0};
  struct sw_logs_describe_groups_resp g;
  struct sw_logs_metric_filter_req mf = {
      "/svc-test/ct",
      "svc-test-reads",
      "{ ($.eventSource = \"secretsmanager.amazonaws.com\") && ($.eventName = "
      "\"GetSecretValue\") }",
      "svc-test-reads",
      "SecretWatch",
      "1",
      0,
      1,
      NULL};
  struct sw_logs_describe_filters_req df = {"/svc-test/ct", NULL, NULL, 0};
  struct sw_logs_describe_filters_resp f;
  struct sw_tag_list tl;
  const struct sw_logs_group *grp;
  CALL_OK(sw_logs_create_log_group(client, "/svc-test/ct", NULL, tags, 1, err));
  CALL_OK(sw_logs_put_retention_policy(client, "/svc-test/ct", 30, err));
  CALL_OK(sw_logs_describe_log_groups(client, &dg, &g, err));
  grp = sw_logs_describe_groups_find(&g, "/svc-test/ct");
  SW_CHECK(grp && grp->retention_days == 30 && grp->arn);
  if (grp && grp->arn)
    snprintf(group_arn, sizeof(group_arn), "%s", grp->arn);
  sw_logs_describe_groups_resp_clean_up(&g);
  CALL_OK(sw_logs_put_metric_filter(client, &mf, err));
  CALL_OK(sw_logs_describe_metric_filters(client, &df, &f, err));
  SW_CHECK_INT(f.count, 1);
  if (f.count == 1)
    SW_CHECK_STR(f.filters[0].filter_pattern, mf.filter_pattern);
  sw_logs_describe_filters_resp_clean_up(&f);
  /* TagResource wants the ARN without ":*" */
  char plain[512];
  snprintf(plain, sizeof(plain), "%s", group_arn);
  if (strlen(plain) > 2 && strcmp(plain + strlen(plain) - 2, ":*") == 0)
    plain[strlen(plain) - 2] = '\0';
  const struct sw_tag more[] = {{"extra", "1"}};
  CALL_OK(sw_logs_tag_resource(client, plain, more, 1, err));
  CALL_OK(sw_logs_list_tags(client, plain, &tl, err));
  SW_CHECK_STR(sw_tag_list_get(&tl, "extra"), "1");
  sw_tag_list_clean_up(&tl);
  CALL_OK(sw_logs_tag_log_group(client, "/svc-test/ct", more, 1, err));
}

static void test_role_and_policy(void) {
  struct sw_error *err;
  struct sw_iam_create_role_req rr = {
      "svc-test-ct",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      "\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":"
      "\"sts:AssumeRole\"}]}",
      NULL,
      NULL,
      0,
      tags,
      1};
  const char *policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                       "\"Allow\",\"Action\":[\"logs:CreateLogStream\","
                       "\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}";
  struct sw_iam_role role;
  struct sw_iam_role_policy rp;
  struct sw_iam_tags_page tp;
  const struct sw_tag more[] = {{"extra", "1"}};
  CALL_OK(sw_iam_create_role(client, &rr, &role, err));
  sw_iam_role_clean_up(&role);
  CALL_OK(sw_iam_get_role(client, "svc-test-ct", &role, err));
  SW_CHECK_STR(role.assume_role_policy_document,
               rr.assume_role_policy_document);
  if (role.arn)
    snprintf(role_arn, sizeof(role_arn), "%s", role.arn);
  sw_iam_role_clean_up(&role);
  CALL_OK(sw_iam_put_role_policy(client, "svc-test-ct", "logs", policy, err));
  CALL_OK(sw_iam_get_role_policy(client, "svc-test-ct", "logs", &rp, err));
  SW_CHECK_STR(rp.policy_document, policy);
  sw_iam_role_policy_clean_up(&rp);
  CALL_OK(sw_iam_tag_role(client, "svc-test-ct", more, 1, err));
  CALL_OK(sw_iam_list_role_tags(client, "svc-test-ct", NULL, &tp, err));
  SW_CHECK_INT(tp.tags.count, 2);
  sw_iam_tags_page_clean_up(&tp);
}

static void test_bucket(void) {
  struct sw_error *err;
  struct sw_s3_head_bucket hb;
  struct sw_s3_public_access_block pab = {1, 1, 1, 1};
  struct sw_tag_list tl;
  struct sw_s3_list_req lq = {"AWSLogs/", 100, NULL};
  struct sw_s3_list_resp lo;
  char *got = NULL;
  const char *b = "svc-test-bucket";
  const char *policy =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"acl\",\"Effect\":"
      "\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},"
      "\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::svc-test-"
      "bucket\"},{\"Sid\":\"write\",\"Effect\":\"Allow\",\"Principal\":{"
      "\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\","
      "\"Resource\":\"arn:aws:s3:::svc-test-bucket/AWSLogs/111122223333/*\","
      "\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":\"bucket-owner-full-"
      "control\"}}}]}";
  CALL_OK(sw_s3_head_bucket(client, b, &hb, err));
  SW_CHECK_INT(hb.exists, 0);
  CALL_OK(sw_s3_create_bucket(client, b, "us-east-1", err));
  CALL_OK(sw_s3_head_bucket(client, b, &hb, err));
  SW_CHECK_INT(hb.exists, 1);
  CALL_OK(sw_s3_put_public_access_block(client, b, &pab, err));
  CALL_OK(sw_s3_put_bucket_encryption(client, b, NULL, 0, err));
  CALL_OK(sw_s3_get_bucket_tagging(client, b, &tl, err)); /* none yet */
  SW_CHECK_INT(tl.count, 0);
  CALL_OK(sw_s3_put_bucket_tagging(client, b, tags, 1, err));
  CALL_OK(sw_s3_get_bucket_tagging(client, b, &tl, err));
  SW_CHECK_STR(sw_tag_list_get(&tl, "secretwatch:stack"), "svc-test");
  sw_tag_list_clean_up(&tl);
  CALL_OK(sw_s3_put_bucket_policy(client, b, policy, err));
  CALL_OK(sw_s3_get_bucket_policy(client, b, &got, err));
  SW_CHECK(got && strstr(got, "cloudtrail.amazonaws.com") != NULL);
  free(got);
  CALL_OK(sw_s3_list_objects(client, b, &lq, &lo, err));
  SW_CHECK_INT(lo.count, 0);
  sw_s3_list_resp_clean_up(&lo);
}

static void test_topic(void) {
  struct sw_error *err;
  char *arn = NULL, *sub = NULL;
  struct sw_tag_list attrs, tl;
  struct sw_sns_subscription_list sl;
  struct json_object *r;
  CALL_OK(sw_sns_create_topic(client, "svc-test", tags, 1, &arn, err));
  if (arn)
    snprintf(topic_arn, sizeof(topic_arn), "%s", arn);
  free(arn);
  CALL_OK(sw_sns_set_topic_attributes(client, topic_arn, "DisplayName",
                                      "svc-test", err));
  CALL_OK(sw_sns_get_topic_attributes(client, topic_arn, &attrs, err));
  SW_CHECK_STR(sw_tag_list_get(&attrs, "DisplayName"), "svc-test");
  sw_tag_list_clean_up(&attrs);
  CALL_OK(sw_sns_list_tags(client, topic_arn, &tl, err));
  SW_CHECK_STR(sw_tag_list_get(&tl, "secretwatch:stack"), "svc-test");
  sw_tag_list_clean_up(&tl);
  CALL_OK(sw_sns_subscribe(client, topic_arn, "email", "ops@example.com", &sub,
                           err));
  SW_CHECK(sw_sns_subscription_pending(sub));
  free(sub);
  r = admin("confirm", "{\"email\":\"ops@example.com\"}");
  SW_CHECK(r != NULL);
  json_object_put(r);
  CALL_OK(sw_sns_list_subscriptions(client, topic_arn, NULL, &sl, err));
  SW_CHECK_INT(sl.count, 1);
  if (sl.count == 1) {
    SW_CHECK(!sw_sns_subscription_pending(sl.items[0].subscription_arn));
    SW_CHECK_STR(sl.items[0].endpoint, "ops@example.com");
  }
  sw_sns_subscription_list_clean_up(&sl);
}

static void test_trail(void) {
  struct sw_error *err;
  struct sw_ct_trail_req tr = {0};
  struct sw_ct_trail t;
  struct sw_ct_trail_list tl;
  struct sw_ct_describe_trails_req dt = {NULL, 0, -1};
  struct sw_ct_event_selectors es;
  struct sw_ct_trail_status st;
  struct sw_tag_list tags_got;
  char *cwl = sw_logs_group_arn_for_trail(group_arn);
  tr.name = "svc-test";
  tr.s3_bucket_name = "svc-test-bucket";
  tr.include_global_service_events = SW_CT_UNSET;
  tr.is_multi_region_trail = 1;
  tr.enable_log_file_validation = 1;
  tr.is_organization_trail = SW_CT_UNSET;
  tr.cloud_watch_logs_log_group_arn = cwl;
  tr.cloud_watch_logs_role_arn = role_arn;
  tr.tags = tags;
  tr.tag_count = 1;
  CALL_OK(sw_ct_create_trail(client, &tr, &t, err));
  SW_CHECK_INT(t.is_multi_region_trail, 1);
  if (t.trail_arn)
    snprintf(trail_arn, sizeof(trail_arn), "%s", t.trail_arn);
  sw_ct_trail_clean_up(&t);
  CALL_OK(sw_ct_update_trail(client, &tr, &t, err));
  sw_ct_trail_clean_up(&t);
  CALL_OK(sw_ct_get_trail(client, "svc-test", &t, err));
  SW_CHECK_STR(t.s3_bucket_name, "svc-test-bucket");
  SW_CHECK_INT(t.log_file_validation_enabled, 1);
  sw_ct_trail_clean_up(&t);
  CALL_OK(sw_ct_describe_trails(client, &dt, &tl, err));
  SW_CHECK_INT(tl.count, 1);
  sw_ct_trail_list_clean_up(&tl);
  CALL_OK(sw_ct_put_event_selectors(client, "svc-test", "All", 1, &es, err));
  sw_ct_event_selectors_clean_up(&es);
  CALL_OK(sw_ct_get_event_selectors(client, "svc-test", &es, err));
  SW_CHECK(sw_ct_event_selectors_log_reads(&es));
  sw_ct_event_selectors_clean_up(&es);
  CALL_OK(sw_ct_start_logging(client, "svc-test", err));
  CALL_OK(sw_ct_get_trail_status(client, "svc-test", &st, err));
  SW_CHECK_INT(st.is_logging, 1);
  sw_ct_trail_status_clean_up(&st);
  const struct sw_tag more[] = {{"extra", "1"}};
  CALL_OK(sw_ct_add_tags(client, trail_arn, more, 1, err));
  CALL_OK(sw_ct_list_tags(client, trail_arn, &tags_got, err));
  SW_CHECK_INT(tags_got.count, 2);
  sw_tag_list_clean_up(&tags_got);
  free(cwl);
}

/* A read by another principal reaches LookupEvents and, through the trail,
 * the log group; both give the same record. */
static void test_reads_reach_events_and_logs(void) {
  struct sw_error *err;
  int64_t now = (int64_t)time(NULL);
  struct sw_ct_lookup_req lk = {now - 3600,       now + 60, "EventName",
                                "GetSecretValue", 50,       NULL};
  struct sw_ct_lookup_resp lr;
  struct sw_logs_filter_req fr = {"/svc-test/ct", NULL, 0, 0, NULL, 0};
  struct sw_logs_filter_resp f;
  struct json_object *r;
  size_t intruder = 0;
  r = admin("read", "{\"secret\":\"svc-test/secret\",\"principal\":\"arn:aws:"
                    "iam::111122223333:user/intruder\",\"source_ip\":"
                    "\"203.0.113.9\",\"user_agent\":\"x\\n[0] y\"}");
  SW_CHECK(r != NULL);
  json_object_put(r);
  json_object_put(admin("tick", "{\"evaluate_alarms\":true}"));
  CALL_OK(sw_ct_lookup_events(client, &lk, &lr, err));
  SW_CHECK(lr.count >= 2); /* our own GetSecretValue and the intruder's */
  for (size_t i = 0; i < lr.count; i++) {
    struct sw_ctrec rec;
    struct sw_error pe;
    SW_CHECK_INT(sw_ctrec_parse(lr.events[i].cloudtrail_event,
                                lr.events[i].cloudtrail_event_len, &rec, &pe),
                 0);
    SW_CHECK(sw_ctrec_names_secret(&rec, "svc-test/secret", NULL));
    if (strcmp(rec.identity.arn, "arn:aws:iam::111122223333:user/intruder") ==
        0) {
      intruder++;
      SW_CHECK_STR(rec.source_ip, "203.0.113.9");
      SW_CHECK_STR(rec.user_agent, "x\n[0] y"); /* raw: sanitized later */
    }
  }
  SW_CHECK_INT(intruder, 1);
  sw_ct_lookup_resp_clean_up(&lr);
  CALL_OK(sw_logs_filter_log_events(client, &fr, &f, err));
  SW_CHECK(f.count >= 1);
  for (size_t i = 0; i < f.count; i++) {
    struct sw_ctrec rec;
    struct sw_error pe;
    SW_CHECK_INT(
        sw_ctrec_parse(f.events[i].message, f.events[i].message_len, &rec, &pe),
        0);
  }
  sw_logs_filter_resp_clean_up(&f);
}

static void test_alarm_both_protocols(void) {
  for (int proto = SW_CW_JSON; proto <= SW_CW_QUERY; proto++) {
    struct sw_error *err;
    const char *actions[] = {topic_arn};
    const char *name = proto == SW_CW_JSON ? "svc-test-json" : "svc-test-query";
    struct sw_cw_put_metric_alarm_req pa = {0};
    struct sw_cw_describe_alarms_req da = {0};
    struct sw_cw_describe_alarms_resp dr;
    struct sw_cw_metric_query q = {0};
    struct sw_cw_get_metric_data_req gq = {0};
    struct sw_cw_get_metric_data_resp gr;
    int64_t now = (int64_t)time(NULL) / 60 * 60;
    pa.alarm_name = name;
    pa.actions_enabled = 1;
    pa.alarm_actions = actions;
    pa.alarm_action_count = 1;
    pa.metric_name = "svc-test-reads";
    pa.namespace_ = "SecretWatch";
    pa.statistic = "Sum";
    pa.period_s = 60;
    pa.evaluation_periods = 1;
    pa.threshold = 1;
    pa.comparison_operator = "GreaterThanOrEqualToThreshold";
    pa.treat_missing_data = "notBreaching";
    CALL_OK(sw_cw_put_metric_alarm(client, proto, &pa, err));
    da.alarm_names = &name;
    da.name_count = 1;
    da.alarm_types = SW_CW_ALARM_TYPE_METRIC | SW_CW_ALARM_TYPE_COMPOSITE;
    CALL_OK(sw_cw_describe_alarms(client, proto, &da, &dr, err));
    SW_CHECK_INT(dr.count, 1);
    if (dr.count == 1) {
      SW_CHECK_INT(dr.alarms[0].actions_enabled, 1);
      SW_CHECK(dr.alarms[0].state_value != NULL);
      SW_CHECK(dr.alarms[0].has_state_updated);
    }
    sw_cw_describe_alarms_resp_clean_up(&dr);
    q.id = "m0";
    q.namespace_ = "SecretWatch";
    q.metric_name = "svc-test-reads";
    q.period_s = 60;
    q.stat = "Sum";
    q.return_data = -1;
    gq.queries = &q;
    gq.count = 1;
    gq.start_time_s = now - 3600;
    gq.end_time_s = now + 60;
    CALL_OK(sw_cw_get_metric_data(client, proto, &gq, &gr, err));
    SW_CHECK_INT(gr.count, 1);
    if (gr.count == 1)
      SW_CHECK_STR(gr.results[0].id, "m0");
    sw_cw_get_metric_data_resp_clean_up(&gr);
    CALL_OK(sw_cw_delete_alarms(client, proto, &name, 1, err));
  }
}

static void test_teardown(void) {
  struct sw_error *err;
  struct sw_sm_secret_ref ref;
  struct sw_sns_subscription_list sl;
  CALL_OK(sw_ct_stop_logging(client, "svc-test", err));
  CALL_OK(sw_ct_delete_trail(client, "svc-test", err));
  CALL_OK(sw_sns_list_subscriptions(client, topic_arn, NULL, &sl, err));
  for (size_t i = 0; i < sl.count; i++)
    CALL_OK(sw_sns_unsubscribe(client, sl.items[i].subscription_arn, err));
  sw_sns_subscription_list_clean_up(&sl);
  CALL_OK(sw_sns_delete_topic(client, topic_arn, err));
  CALL_OK(sw_iam_delete_role_policy(client, "svc-test-ct", "logs", err));
  CALL_OK(sw_iam_delete_role(client, "svc-test-ct", err));
  CALL_OK(sw_logs_delete_metric_filter(client, "/svc-test/ct", "svc-test-reads",
                                       err));
  CALL_OK(sw_logs_delete_log_group(client, "/svc-test/ct", err));
  CALL_OK(sw_sm_delete_secret(client, "svc-test/secret", 7, 0, &ref, err));
  SW_CHECK(ref.has_deletion_date);
  sw_sm_secret_ref_clean_up(&ref);
}

int main(void) {
  struct json_object *r;
  if (sw_http_global_init() != 0 || start_sim() != 0) {
    fprintf(stderr, "skip: the AWS simulator could not start\n");
    stop_sim();
    return 77;
  }
  /* Whatever AWS does later, the simulator does now. */
  r = admin("delays", "{\"cloudtrail_delivery\":0,\"logs_delivery\":0,"
                      "\"metric_filter\":0,\"alarm_evaluation\":0,"
                      "\"sns_delivery\":0,\"iam_role_propagation\":0}");
  if (r == NULL || make_client() != 0) {
    fprintf(stderr, "skip: the AWS simulator does not answer\n");
    json_object_put(r);
    stop_sim();
    return 77;
  }
  json_object_put(r);
  SW_RUN(test_sts_identity_and_assume_role);
  SW_RUN(test_secret_lifecycle);
  SW_RUN(test_log_group_and_filter);
  SW_RUN(test_role_and_policy);
  SW_RUN(test_bucket);
  SW_RUN(test_topic);
  SW_RUN(test_trail);
  SW_RUN(test_reads_reach_events_and_logs);
  SW_RUN(test_alarm_both_protocols);
  SW_RUN(test_teardown);
  sw_client_free(client);
  sw_creds_provider_free(creds);
  stop_sim();
  return sw_test_done();
}
