/* CloudWatch Logs: exact request bodies, the FilterLogEvents fixture (whose
 * messages are CloudTrail records), and malformed/oversized answers. */
#include "lib/ctrecord.h"
#include "lib/json.h"
#include "lib/logs.h"
#include "sw_svc_test.h"

static void test_filter_request_bodies(void) {
  struct sw_logs_filter_req r = {0};
  struct sw_error err;
  r.log_group_name = "/secretwatch/prod/cloudtrail";
  check_body(sw_logs_filter_log_events_request(&r, &err),
             "{\"logGroupName\":\"/secretwatch/prod/cloudtrail\"}");
  r.filter_pattern = "{ ($.eventName = \"GetSecretValue\") }";
  r.start_time_ms = 1722429000000;
  r.end_time_ms = 1722430000000;
  r.next_token = "nt";
  r.limit = 100;
  check_body(sw_logs_filter_log_events_request(&r, &err),
             "{\"logGroupName\":\"/secretwatch/prod/cloudtrail\",\"startTime\":"
             "1722429000000,\"endTime\":1722430000000,\"filterPattern\":\"{ "
             "($.eventName = \\\"GetSecretValue\\\") }\",\"nextToken\":\"nt\","
             "\"limit\":100}");
  r.limit = 10001;
  SW_CHECK(sw_logs_filter_log_events_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.limit = 0;
  r.end_time_ms = 1;
  SW_CHECK(sw_logs_filter_log_events_request(&r, &err) == NULL);
  r.end_time_ms = 0;
  r.log_group_name = NULL;
  SW_CHECK(sw_logs_filter_log_events_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
}

static void test_filter_fixture_messages_are_records(void) {
  size_t len;
  struct sw_error err;
  char *text;
  struct json_object *root;
  struct sw_logs_filter_resp r;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  text = sw_test_fixture(
      "aws-responses/logs/filter-log-events.cloudtrail-getsecretvalue.json",
      &len);
  root = text ? sw_json_parse(text, len, &err) : NULL;
  free(text);
  SW_CHECK(root != NULL);
  SW_CHECK_INT(sw_logs_filter_log_events_parse(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 6);
  SW_CHECK(r.next_token && strncmp(r.next_token, "Bxkq6kVGFtq2y_", 14) == 0);
  if (r.count == 6) {
    SW_CHECK_INT(r.events[0].timestamp_ms, 1722429412000LL);
    SW_CHECK_INT(r.events[0].ingestion_time_ms, 1722429703000LL);
    SW_CHECK_STR(r.events[0].log_stream_name,
                 "123456789012_CloudTrail_us-east-1");
    SW_CHECK_STR(r.events[0].event_id,
                 "38423781936518592193475613926841275968217306817937571840");
    SW_CHECK_INT(r.events[0].message_len, 1087);
    for (size_t i = 0; i < r.count; i++) {
      struct sw_ctrec rec;
      SW_CHECK_INT(sw_ctrec_parse(r.events[i].message, r.events[i].message_len,
                                  &rec, &err),
                   0);
      /* CloudTrail's eventTime is the Logs timestamp here. */
      SW_CHECK(rec.has_event_time &&
               (long long)rec.event_time_s * 1000 == r.events[i].timestamp_ms);
    }
  }
  sw_logs_filter_resp_clean_up(&r);
  json_object_put(root);
}

static void test_filter_malformed_and_wrong_types(void) {
  /* A bad answer fails; a bad event is only left out and counted. */
  static const struct {
    const char *text;
    int rc;
    size_t count, skipped;
  } cases[] = {
      {"[]", -1, 0, 0},
      {"{\"events\":{}}", 0, 0, 0}, /* wrong type: absent */
      {"{\"events\":[3]}", 0, 0, 1},
      {"{\"events\":[{},\"x\"]}", 0, 1, 1},
      {"{\"events\":[null,{\"eventId\":\"a\"},[],{\"eventId\":\"b\"}]}", 0, 2,
       2},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct json_object *root = json_text(cases[i].text);
    struct sw_logs_filter_resp r;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_logs_filter_log_events_parse(root, &r, &err), cases[i].rc);
    if (cases[i].rc != 0)
      SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK_INT(r.count, cases[i].count);
    SW_CHECK_INT(r.skipped, cases[i].skipped);
    SW_CHECK_INT(r.oversized, 0);
    sw_logs_filter_resp_clean_up(&r);
    json_object_put(root);
  }
  struct json_object *root = json_text(
      "{\"events\":[{\"timestamp\":\"1\",\"message\":5,\"eventId\":[]}],"
      "\"nextToken\":7}");
  struct sw_logs_filter_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_logs_filter_log_events_parse(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 1);
  if (r.count == 1) {
    SW_CHECK_INT(r.events[0].timestamp_ms, -1);
    SW_CHECK(r.events[0].message == NULL);
    SW_CHECK(r.events[0].event_id == NULL);
  }
  SW_CHECK(r.next_token == NULL);
  sw_logs_filter_resp_clean_up(&r);
  json_object_put(root);
}

static struct json_object *log_event(const char *id, const char *msg) {
  struct json_object *e = json_object_new_object();
  json_object_object_add(e, "eventId", json_object_new_string(id));
  json_object_object_add(e, "timestamp", json_object_new_int64(1000));
  json_object_object_add(e, "message", json_object_new_string(msg));
  return e;
}

/* Bad events in the middle of a page (an id over its bound, a stream name
 * over its bound, not an object, a message over the cap without an id) are
 * left out and counted; a message over the cap with an id is kept with its
 * envelope only; the others are kept in order, one exactly at the cap
 * too. */
static void test_filter_oversized_message(void) {
  size_t big = SW_LOGS_MAX_MESSAGE + 1;
  char *s = malloc(big + 1);
  char id[1026];
  struct json_object *root = json_object_new_object();
  struct json_object *arr = json_object_new_array(), *e;
  struct sw_logs_filter_resp r;
  struct sw_error err;
  sw_error_clear(&err);
  memset(s, 'a', big);
  s[big] = '\0';
  memset(id, 'i', sizeof(id) - 1);
  id[sizeof(id) - 1] = '\0';
  json_object_array_add(arr, log_event("first", "{}"));
  json_object_array_add(arr, log_event("big", s));
  e = log_event("big-no-id", s);
  json_object_object_del(e, "eventId");
  json_object_array_add(arr, e);
  json_object_array_add(arr, log_event(id, "{}")); /* 1025-byte id */
  e = log_event("stream", "{}");
  json_object_object_add(e, "logStreamName", json_object_new_string(id));
  json_object_array_add(arr, e);
  json_object_array_add(arr, json_object_new_boolean(1));
  s[big - 1] = '\0'; /* exactly SW_LOGS_MAX_MESSAGE bytes */
  json_object_array_add(arr, log_event("edge", s));
  json_object_array_add(arr, log_event("last", "{}"));
  json_object_object_add(root, "events", arr);
  json_object_object_add(root, "nextToken", json_object_new_string("n"));
  SW_CHECK_INT(sw_logs_filter_log_events_parse(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 4);
  SW_CHECK_INT(r.skipped, 4);
  SW_CHECK_INT(r.oversized, 2);
  SW_CHECK(r.next_token != NULL && strcmp(r.next_token, "n") == 0);
  if (r.count == 4) {
    SW_CHECK_STR(r.events[0].event_id, "first");
    SW_CHECK_INT(r.events[0].oversized, 0);
    SW_CHECK_STR(r.events[1].event_id, "big");
    SW_CHECK_INT(r.events[1].oversized, 1);
    SW_CHECK(r.events[1].message == NULL);
    SW_CHECK_INT(r.events[1].message_len, big);
    SW_CHECK_INT(r.events[1].timestamp_ms, 1000);
    SW_CHECK_STR(r.events[2].event_id, "edge");
    SW_CHECK_INT(r.events[2].oversized, 0);
    SW_CHECK_INT(r.events[2].message_len, SW_LOGS_MAX_MESSAGE);
    SW_CHECK_STR(r.events[3].event_id, "last");
    SW_CHECK_STR(r.events[3].message, "{}");
    SW_CHECK_INT(r.events[3].timestamp_ms, 1000);
  }
  sw_logs_filter_resp_clean_up(&r);
  json_object_put(root);
  free(s);
}

static void test_group_requests(void) {
  struct sw_tag tags[] = {{"secretwatch:stack", "prod"}};
  struct sw_error err;
  check_body(sw_logs_create_log_group_request("/g", NULL, tags, 1, &err),
             "{\"logGroupName\":\"/g\",\"tags\":{\"secretwatch:stack\":"
             "\"prod\"}}");
  check_body(sw_logs_create_log_group_request("/g", "arn:k", NULL, 0, &err),
             "{\"logGroupName\":\"/g\",\"kmsKeyId\":\"arn:k\"}");
  SW_CHECK(sw_logs_create_log_group_request("", NULL, NULL, 0, &err) == NULL);
  check_body(sw_logs_put_retention_policy_request("/g", 90, &err),
             "{\"logGroupName\":\"/g\",\"retentionInDays\":90}");
  SW_CHECK(sw_logs_put_retention_policy_request("/g", 91, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(sw_logs_retention_days_valid(3653));
  SW_CHECK(!sw_logs_retention_days_valid(0));
  check_body(sw_logs_delete_log_group_request("/g", &err),
             "{\"logGroupName\":\"/g\"}");
  struct sw_logs_describe_groups_req d = {"/secretwatch/", "n", 50};
  check_body(sw_logs_describe_log_groups_request(&d, &err),
             "{\"logGroupNamePrefix\":\"/secretwatch/\",\"nextToken\":\"n\","
             "\"limit\":50}");
  d.limit = 51;
  SW_CHECK(sw_logs_describe_log_groups_request(&d, &err) == NULL);
  check_body(sw_logs_tag_resource_request("arn:g", tags, 1, &err),
             "{\"resourceArn\":\"arn:g\",\"tags\":{\"secretwatch:stack\":"
             "\"prod\"}}");
  check_body(sw_logs_tag_log_group_request("/g", tags, 1, &err),
             "{\"logGroupName\":\"/g\",\"tags\":{\"secretwatch:stack\":"
             "\"prod\"}}");
  SW_CHECK(sw_logs_tag_resource_request("arn:g", tags, 0, &err) == NULL);
  check_body(sw_logs_list_tags_request("arn:g", &err),
             "{\"resourceArn\":\"arn:g\"}");
  char *a = sw_logs_group_arn_for_trail("arn:aws:logs:r:1:log-group:/g");
  SW_CHECK_STR(a, "arn:aws:logs:r:1:log-group:/g:*");
  free(a);
  a = sw_logs_group_arn_for_trail("arn:aws:logs:r:1:log-group:/g:*");
  SW_CHECK_STR(a, "arn:aws:logs:r:1:log-group:/g:*");
  free(a);
}

static void test_describe_groups_parse(void) {
  struct json_object *root = json_text(
      "{\"logGroups\":[{\"logGroupName\":\"/a\",\"arn\":\"arn:a:*\","
      "\"retentionInDays\":90,\"creationTime\":1722429000000,"
      "\"storedBytes\":0,\"metricFilterCount\":2},{\"logGroupName\":\"/b\","
      "\"retentionInDays\":\"x\"}],\"nextToken\":\"t\"}");
  struct sw_logs_describe_groups_resp r;
  struct sw_error err;
  const struct sw_logs_group *g;
  SW_CHECK_INT(sw_logs_describe_log_groups_parse(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 2);
  g = sw_logs_describe_groups_find(&r, "/a");
  SW_CHECK(g != NULL);
  if (g) {
    SW_CHECK_INT(g->retention_days, 90);
    SW_CHECK_INT(g->creation_time_ms, 1722429000000LL);
    SW_CHECK_INT(g->metric_filter_count, 2);
    SW_CHECK_STR(g->arn, "arn:a:*");
  }
  g = sw_logs_describe_groups_find(&r, "/b");
  SW_CHECK(g && g->retention_days == 0 && g->stored_bytes == -1);
  SW_CHECK(sw_logs_describe_groups_find(&r, "/c") == NULL);
  SW_CHECK_STR(r.next_token, "t");
  sw_logs_describe_groups_resp_clean_up(&r);
  json_object_put(root);
  root = json_text("{\"logGroups\":[null]}");
  SW_CHECK_INT(sw_logs_describe_log_groups_parse(root, &r, &err), -1);
  SW_CHECK_INT(r.count, 0);
  json_object_put(root);
}

static void test_metric_filter_requests_and_parse(void) {
  struct sw_logs_metric_filter_req m = {0};
  struct sw_error err;
  m.log_group_name = "/g";
  m.filter_name = "secretwatch-Top";
  m.filter_pattern = "{ ($.eventName = \"GetSecretValue\") }";
  m.metric_name = "Top-reads";
  m.metric_namespace = "SecretWatch";
  m.metric_value = "1";
  m.has_default_value = 1;
  m.default_value = 0;
  check_body(sw_logs_put_metric_filter_request(&m, &err),
             "{\"logGroupName\":\"/g\",\"filterName\":\"secretwatch-Top\","
             "\"filterPattern\":\"{ ($.eventName = \\\"GetSecretValue\\\") }\","
             "\"metricTransformations\":[{\"metricName\":\"Top-reads\","
             "\"metricNamespace\":\"SecretWatch\",\"metricValue\":\"1\","
             "\"defaultValue\":0.0}]}");
  m.metric_value = NULL;
  SW_CHECK(sw_logs_put_metric_filter_request(&m, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  struct sw_logs_describe_filters_req d = {"/g", "secretwatch-", NULL, 0};
  check_body(sw_logs_describe_metric_filters_request(&d, &err),
             "{\"logGroupName\":\"/g\",\"filterNamePrefix\":\"secretwatch-\"}");
  d.log_group_name = NULL;
  SW_CHECK(sw_logs_describe_metric_filters_request(&d, &err) == NULL);
  check_body(sw_logs_delete_metric_filter_request("/g", "f", &err),
             "{\"logGroupName\":\"/g\",\"filterName\":\"f\"}");
  SW_CHECK(sw_logs_delete_metric_filter_request("/g", NULL, &err) == NULL);

  struct json_object *root = json_text(
      "{\"metricFilters\":[{\"filterName\":\"f\",\"filterPattern\":\"p\","
      "\"logGroupName\":\"/g\",\"creationTime\":5,\"metricTransformations\":"
      "[{\"metricName\":\"m\",\"metricNamespace\":\"n\",\"metricValue\":\"1\","
      "\"defaultValue\":0.0}]}]}");
  struct sw_logs_describe_filters_resp r;
  SW_CHECK_INT(sw_logs_describe_metric_filters_parse(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 1);
  if (r.count == 1) {
    SW_CHECK_STR(r.filters[0].filter_pattern, "p");
    SW_CHECK_INT(r.filters[0].creation_time_ms, 5);
    SW_CHECK_INT(r.filters[0].transformation_count, 1);
    if (r.filters[0].transformation_count == 1) {
      SW_CHECK_STR(r.filters[0].transformations[0].metric_value, "1");
      SW_CHECK(r.filters[0].transformations[0].has_default_value);
    }
  }
  sw_logs_describe_filters_resp_clean_up(&r);
  json_object_put(root);
  root = json_text("{\"metricFilters\":[7]}");
  SW_CHECK_INT(sw_logs_describe_metric_filters_parse(root, &r, &err), -1);
  json_object_put(root);
}

static void test_list_tags_parse(void) {
  struct json_object *root =
      json_text("{\"tags\":{\"secretwatch:stack\":\"prod\",\"a\":\"\"}}");
  struct sw_tag_list l;
  struct sw_error err;
  SW_CHECK_INT(sw_logs_list_tags_parse(root, &l, &err), 0);
  SW_CHECK_INT(l.count, 2);
  SW_CHECK_STR(sw_tag_list_get(&l, "secretwatch:stack"), "prod");
  sw_tag_list_clean_up(&l);
  json_object_put(root);
  root = json_text("{\"tags\":{\"a\":1}}");
  SW_CHECK_INT(sw_logs_list_tags_parse(root, &l, &err), -1);
  SW_CHECK_INT(l.count, 0);
  json_object_put(root);
  root = json_text("{\"tags\":[]}");
  SW_CHECK_INT(sw_logs_list_tags_parse(root, &l, &err), 0);
  SW_CHECK_INT(l.count, 0);
  json_object_put(root);
}

int main(void) {
  SW_RUN(test_filter_request_bodies);
  SW_RUN(test_filter_fixture_messages_are_records);
  SW_RUN(test_filter_malformed_and_wrong_types);
  SW_RUN(test_filter_oversized_message);
  SW_RUN(test_group_requests);
  SW_RUN(test_describe_groups_parse);
  SW_RUN(test_metric_filter_requests_and_parse);
  SW_RUN(test_list_tags_parse);
  return sw_test_done();
}
