/* CloudTrail request builders (exact bodies) and answer parsers (shared
 * fixtures, then malformed, wrong-type and oversized variants). */
#include "lib/cloudtrail.h"
#include "lib/ctrecord.h"
#include "lib/json.h"
#include "sw_svc_test.h"

static void test_lookup_request_bodies(void) {
  struct sw_error err;
  struct sw_ct_lookup_req r = {0};
  check_body(sw_ct_lookup_events_request(&r, &err), "{}");
  r.start_time_s = 1722429000;
  r.end_time_s = 1722430000;
  r.attr_key = "EventName";
  r.attr_value = "GetSecretValue";
  r.max_results = 50;
  check_body(sw_ct_lookup_events_request(&r, &err),
             "{\"StartTime\":1722429000,\"EndTime\":1722430000,"
             "\"LookupAttributes\":[{\"AttributeKey\":\"EventName\","
             "\"AttributeValue\":\"GetSecretValue\"}],\"MaxResults\":50}");
  r.next_token = "tok/+=";
  r.attr_key = "ResourceName";
  r.attr_value = "arn:aws:secretsmanager:us-east-1:1:secret:a\"b";
  check_body(sw_ct_lookup_events_request(&r, &err),
             "{\"StartTime\":1722429000,\"EndTime\":1722430000,"
             "\"LookupAttributes\":[{\"AttributeKey\":\"ResourceName\","
             "\"AttributeValue\":\"arn:aws:secretsmanager:us-east-1:1:"
             "secret:a\\\"b\"}],\"MaxResults\":50,\"NextToken\":\"tok/+=\"}");
}

static void test_lookup_request_refusals(void) {
  struct sw_error err;
  struct sw_ct_lookup_req r = {0};
  r.max_results = 51;
  SW_CHECK(sw_ct_lookup_events_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.max_results = -1;
  SW_CHECK(sw_ct_lookup_events_request(&r, &err) == NULL);
  r.max_results = 0;
  r.start_time_s = 200;
  r.end_time_s = 100;
  SW_CHECK(sw_ct_lookup_events_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.end_time_s = 300;
  r.attr_key = "EventName";
  SW_CHECK(sw_ct_lookup_events_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
}

static void test_lookup_fixture_six_events(void) {
  struct json_object *root;
  struct sw_ct_lookup_resp resp;
  struct sw_error err;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  root = json_fixture("aws-responses/cloudtrail/lookup-events.getsecretvalue."
                      "json");
  SW_CHECK(root != NULL);
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
  SW_CHECK_INT(resp.count, 6);
  SW_CHECK_STR(resp.next_token,
               "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGss"
               "KutDYIyII4lrP4IDbeQdiObkp9YiMcBBY2XaHeGEXAMPLE");
  if (resp.count == 6) {
    static const double times[6] = {1722430210.0, 1722429920.0, 1722429901.0,
                                    1722429693.0, 1722429605.0, 1722429412.0};
    static const char *names[6] = {"GetSecretValue", "RotationSucceeded",
                                   "GetSecretValue", "GetSecretValue",
                                   "GetSecretValue", "GetSecretValue"};
    for (size_t i = 0; i < 6; i++) {
      struct sw_ctrec rec;
      SW_CHECK(resp.events[i].has_event_time);
      SW_CHECK(resp.events[i].event_time_s == times[i]);
      SW_CHECK_STR(resp.events[i].event_name, names[i]);
      SW_CHECK(resp.events[i].cloudtrail_event != NULL);
      /* The embedded record parses and agrees with the envelope. */
      SW_CHECK_INT(sw_ctrec_parse(resp.events[i].cloudtrail_event,
                                  resp.events[i].cloudtrail_event_len, &rec,
                                  &err),
                   0);
      SW_CHECK_STR(rec.event_id, resp.events[i].event_id);
      SW_CHECK_STR(rec.event_name, resp.events[i].event_name);
      SW_CHECK(rec.has_event_time && rec.event_time_s == times[i]);
    }
    SW_CHECK_STR(resp.events[0].event_id,
                 "6e5d4c3b-2a19-4808-97f6-e5d4c3b2a190");
    SW_CHECK_STR(resp.events[0].read_only, "true");
    SW_CHECK_STR(resp.events[0].event_source, "secretsmanager.amazonaws.com");
    SW_CHECK_STR(resp.events[3].username, "jdoe@example.com");
    SW_CHECK_STR(resp.events[0].username, "");
  }
  sw_ct_lookup_resp_clean_up(&resp);
  json_object_put(root);
}

static void test_lookup_fixture_empty_and_cli_example(void) {
  struct json_object *root;
  struct sw_ct_lookup_resp resp;
  struct sw_error err;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  root = json_fixture("aws-responses/cloudtrail/lookup-events.empty.json");
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
  SW_CHECK_INT(resp.count, 0);
  SW_CHECK(resp.next_token == NULL);
  sw_ct_lookup_resp_clean_up(&resp);
  json_object_put(root);
  /* CLI output renders EventTime as ISO 8601 with an offset. */
  root = json_fixture(
      "aws-responses/cloudtrail/lookup-events.awscli-example.json");
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
  SW_CHECK_INT(resp.count, 1);
  if (resp.count == 1) {
    SW_CHECK_STR(resp.events[0].event_name, "ConsoleLogin");
    SW_CHECK(resp.events[0].has_event_time);
    SW_CHECK(resp.events[0].event_time_s == 1637257262.0);
  }
  sw_ct_lookup_resp_clean_up(&resp);
  json_object_put(root);
}

static void test_lookup_malformed_answers(void) {
  static const char *bad[] = {
      "[]",
      "\"Events\"",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct json_object *root = json_text(bad[i]);
    struct sw_ct_lookup_resp resp;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK(root != NULL);
    SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK_INT(resp.count, 0);
    SW_CHECK(resp.events == NULL);
    json_object_put(root);
  }
  SW_CHECK_INT(sw_ct_lookup_events_parse(NULL, &(struct sw_ct_lookup_resp){0},
                                         &(struct sw_error){0}),
               -1);
}

static void test_lookup_wrong_types_are_absent(void) {
  struct json_object *root =
      json_text("{\"Events\":{\"a\":1},\"NextToken\":5}");
  struct sw_ct_lookup_resp resp;
  struct sw_error err;
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
  SW_CHECK_INT(resp.count, 0);
  SW_CHECK(resp.next_token == NULL);
  json_object_put(root);
  root = json_text("{\"Events\":[{\"EventId\":5,\"EventTime\":\"x\","
                   "\"CloudTrailEvent\":{\"a\":1},\"EventName\":null}]}");
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
  SW_CHECK_INT(resp.count, 1);
  if (resp.count == 1) {
    SW_CHECK_STR(resp.events[0].event_id, "");
    SW_CHECK_STR(resp.events[0].event_name, "");
    SW_CHECK_INT(resp.events[0].has_event_time, 0);
    SW_CHECK(resp.events[0].cloudtrail_event == NULL);
  }
  sw_ct_lookup_resp_clean_up(&resp);
  json_object_put(root);
}

/* One unusable element is left out and counted; the page still parses. */
static void test_lookup_bad_elements_are_skipped(void) {
  static const struct {
    const char *text;
    size_t count, skipped;
  } cases[] = {
      {"{\"Events\":[1]}", 0, 1},
      {"{\"Events\":[{\"EventId\":\"a\"},null]}", 1, 1},
      {"{\"Events\":[[],{\"EventId\":\"b\"},\"x\",{\"EventId\":\"c\"}]}", 2, 2},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct json_object *root = json_text(cases[i].text);
    struct sw_ct_lookup_resp resp;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
    SW_CHECK_INT(resp.count, cases[i].count);
    SW_CHECK_INT(resp.skipped, cases[i].skipped);
    SW_CHECK_INT(resp.oversized, 0);
    for (size_t k = 0; k < resp.count; k++)
      SW_CHECK(resp.events[k].event_id[0] != '\0');
    sw_ct_lookup_resp_clean_up(&resp);
    json_object_put(root);
  }
}

static struct json_object *event_obj(const char *id, const char *text) {
  struct json_object *ev = json_object_new_object();
  json_object_object_add(ev, "EventId", json_object_new_string(id));
  json_object_object_add(ev, "EventTime", json_object_new_double(1.7e9));
  json_object_object_add(ev, "CloudTrailEvent", json_object_new_string(text));
  return ev;
}

/* A record over the cap between two good ones (the fault table's poison
 * record): the page parses, every event is kept in order, the big one with
 * its envelope only (ids, user, time, resource names, bounded) and counted
 * as oversized; a record exactly at the cap is kept whole. */
static void test_lookup_oversized_event_and_page(void) {
  size_t big = SW_CT_MAX_EVENT_JSON + 1;
  struct json_object *root = json_object_new_object(), *arr, *ev, *res;
  char *s = malloc(big + 1);
  char longname[SW_CT_MAX_RESOURCE_NAME + 2];
  struct sw_ct_lookup_resp resp;
  struct sw_error err;
  sw_error_clear(&err);
  memset(s, 'x', big);
  s[big] = '\0';
  memset(longname, 'n', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  arr = json_object_new_array();
  json_object_array_add(arr, event_obj("new", "{}"));
  ev = event_obj("big", s);
  json_object_object_add(ev, "EventName",
                         json_object_new_string("GetSecretValue"));
  json_object_object_add(ev, "Username", json_object_new_string("mallory"));
  res = json_object_new_array();
  json_object_array_add(res, json_object_new_int(7)); /* wrong type */
  json_object_array_add(res, json_object_new_object());
  {
    struct json_object *r = json_object_new_object();
    json_object_object_add(r, "ResourceName",
                           json_object_new_string(longname)); /* too long */
    json_object_array_add(res, r);
  }
  for (int i = 0; i < SW_CT_MAX_RESOURCE_NAMES + 3; i++) {
    struct json_object *r = json_object_new_object();
    json_object_object_add(
        r, "ResourceName",
        json_object_new_string(i == 0 ? "arn:aws:secretsmanager:r:1:secret:a"
                                      : "other"));
    json_object_array_add(res, r);
  }
  json_object_object_add(ev, "Resources", res);
  json_object_array_add(arr, ev);
  s[big - 1] = '\0'; /* exactly SW_CT_MAX_EVENT_JSON bytes */
  json_object_array_add(arr, event_obj("edge", s));
  json_object_array_add(arr, json_object_new_int(3)); /* not an object */
  json_object_array_add(arr, event_obj("old", "{}"));
  json_object_object_add(root, "Events", arr);
  json_object_object_add(root, "NextToken", json_object_new_string("t"));
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), 0);
  SW_CHECK_INT(resp.count, 4);
  SW_CHECK_INT(resp.skipped, 1);
  SW_CHECK_INT(resp.oversized, 1);
  SW_CHECK(resp.next_token != NULL && strcmp(resp.next_token, "t") == 0);
  if (resp.count == 4) {
    SW_CHECK_STR(resp.events[0].event_id, "new");
    SW_CHECK_INT(resp.events[0].oversized, 0);
    SW_CHECK_STR(resp.events[1].event_id, "big");
    SW_CHECK_INT(resp.events[1].oversized, 1);
    SW_CHECK(resp.events[1].cloudtrail_event == NULL);
    SW_CHECK_INT(resp.events[1].cloudtrail_event_len, big);
    SW_CHECK_STR(resp.events[1].event_name, "GetSecretValue");
    SW_CHECK_STR(resp.events[1].username, "mallory");
    SW_CHECK_INT(resp.events[1].has_event_time, 1);
    SW_CHECK_INT(resp.events[1].resource_count, SW_CT_MAX_RESOURCE_NAMES);
    SW_CHECK(resp.events[1].resource_names != NULL);
    if (resp.events[1].resource_names) {
      const char *n = resp.events[1].resource_names;
      SW_CHECK_STR(n, "arn:aws:secretsmanager:r:1:secret:a");
      SW_CHECK_STR(n + strlen(n) + 1, "other");
    }
    SW_CHECK_STR(resp.events[2].event_id, "edge");
    SW_CHECK_INT(resp.events[2].oversized, 0);
    SW_CHECK_INT(resp.events[2].cloudtrail_event_len, SW_CT_MAX_EVENT_JSON);
    SW_CHECK(resp.events[2].resource_names == NULL);
    SW_CHECK_STR(resp.events[3].event_id, "old");
    SW_CHECK(resp.events[3].cloudtrail_event != NULL);
  }
  sw_ct_lookup_resp_clean_up(&resp);
  json_object_put(root);
  free(s);
  root = json_object_new_object();
  arr = json_object_new_array();
  for (int i = 0; i < SW_SVC_MAX_LIST + 1; i++)
    json_object_array_add(arr, json_object_new_object());
  json_object_object_add(root, "Events", arr);
  SW_CHECK_INT(sw_ct_lookup_events_parse(root, &resp, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  json_object_put(root);
}

static void test_trail_request_bodies(void) {
  struct sw_error err;
  struct sw_tag tags[] = {{"secretwatch:stack", "prod"}};
  struct sw_ct_trail_req r = {0};
  r.name = "secretwatch-prod";
  r.s3_bucket_name = "bucket";
  r.include_global_service_events = SW_CT_UNSET;
  r.is_multi_region_trail = 1;
  r.enable_log_file_validation = 1;
  r.is_organization_trail = SW_CT_UNSET;
  r.cloud_watch_logs_log_group_arn = "arn:aws:logs:us-east-1:1:log-group:g:*";
  r.cloud_watch_logs_role_arn = "arn:aws:iam::1:role/r";
  r.tags = tags;
  r.tag_count = 1;
  check_body(
      sw_ct_create_trail_request(&r, &err),
      "{\"Name\":\"secretwatch-prod\",\"S3BucketName\":\"bucket\","
      "\"IsMultiRegionTrail\":true,\"EnableLogFileValidation\":true,"
      "\"CloudWatchLogsLogGroupArn\":\"arn:aws:logs:us-east-1:1:log-group:g:"
      "*\",\"CloudWatchLogsRoleArn\":\"arn:aws:iam::1:role/r\",\"TagsList\":"
      "[{\"Key\":\"secretwatch:stack\",\"Value\":\"prod\"}]}");
  check_body(
      sw_ct_update_trail_request(&r, &err),
      "{\"Name\":\"secretwatch-prod\",\"S3BucketName\":\"bucket\","
      "\"IsMultiRegionTrail\":true,\"EnableLogFileValidation\":true,"
      "\"CloudWatchLogsLogGroupArn\":\"arn:aws:logs:us-east-1:1:log-group:g:"
      "*\",\"CloudWatchLogsRoleArn\":\"arn:aws:iam::1:role/r\"}");
  r.cloud_watch_logs_role_arn = NULL;
  SW_CHECK(sw_ct_create_trail_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.cloud_watch_logs_log_group_arn = NULL;
  r.s3_bucket_name = NULL;
  SW_CHECK(sw_ct_create_trail_request(&r, &err) == NULL);
  check_body(sw_ct_update_trail_request(&r, &err),
             "{\"Name\":\"secretwatch-prod\",\"IsMultiRegionTrail\":true,"
             "\"EnableLogFileValidation\":true}");
  tags[0].key = "";
  r.s3_bucket_name = "b";
  SW_CHECK(sw_ct_create_trail_request(&r, &err) == NULL);
  check_body(sw_ct_name_request("t", &err), "{\"Name\":\"t\"}");
  SW_CHECK(sw_ct_name_request("", &err) == NULL);
  check_body(sw_ct_put_event_selectors_request("t", "All", 1, &err),
             "{\"TrailName\":\"t\",\"EventSelectors\":[{\"ReadWriteType\":"
             "\"All\",\"IncludeManagementEvents\":true}]}");
  SW_CHECK(sw_ct_put_event_selectors_request("t", "Some", 1, &err) == NULL);
  tags[0].key = "k";
  check_body(sw_ct_add_tags_request("arn:t", tags, 1, &err),
             "{\"ResourceId\":\"arn:t\",\"TagsList\":[{\"Key\":\"k\","
             "\"Value\":\"prod\"}]}");
  SW_CHECK(sw_ct_add_tags_request("arn:t", tags, 0, &err) == NULL);
  check_body(sw_ct_list_tags_request("arn:t", &err),
             "{\"ResourceIdList\":[\"arn:t\"]}");
  const char *names[] = {"a", "b"};
  struct sw_ct_describe_trails_req d = {names, 2, 0};
  check_body(sw_ct_describe_trails_request(&d, &err),
             "{\"trailNameList\":[\"a\",\"b\"],\"includeShadowTrails\":false}");
  check_body(sw_ct_describe_trails_request(NULL, &err), "{}");
}

static void test_trail_parsers(void) {
  struct sw_error err;
  struct sw_ct_trail t;
  struct sw_ct_trail_list l;
  struct json_object *root = json_text(
      "{\"Trail\":{\"Name\":\"n\",\"TrailARN\":\"arn:aws:cloudtrail:us-east-1:"
      "1:trail/n\",\"S3BucketName\":\"b\",\"IsMultiRegionTrail\":true,"
      "\"LogFileValidationEnabled\":false,\"HomeRegion\":\"us-east-1\","
      "\"CloudWatchLogsLogGroupArn\":7,\"HasCustomEventSelectors\":\"true\"}}");
  SW_CHECK_INT(sw_ct_get_trail_parse(root, &t, &err), 0);
  SW_CHECK_STR(t.name, "n");
  SW_CHECK_STR(t.trail_arn, "arn:aws:cloudtrail:us-east-1:1:trail/n");
  SW_CHECK_INT(t.is_multi_region_trail, 1);
  SW_CHECK_INT(t.log_file_validation_enabled, 0);
  SW_CHECK_INT(t.include_global_service_events, -1);
  SW_CHECK_INT(t.has_custom_event_selectors, -1);
  SW_CHECK(t.cloud_watch_logs_log_group_arn == NULL);
  sw_ct_trail_clean_up(&t);
  json_object_put(root);
  root = json_text("{\"Name\":\"n\"}");
  SW_CHECK_INT(sw_ct_get_trail_parse(root, &t, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  SW_CHECK_INT(sw_ct_trail_parse(root, &t, &err), 0);
  SW_CHECK_STR(t.name, "n");
  sw_ct_trail_clean_up(&t);
  json_object_put(root);
  root = json_text("{\"trailList\":[{\"Name\":\"a\"},{\"Name\":\"b\"}]}");
  SW_CHECK_INT(sw_ct_describe_trails_parse(root, &l, &err), 0);
  SW_CHECK_INT(l.count, 2);
  if (l.count == 2)
    SW_CHECK_STR(l.items[1].name, "b");
  sw_ct_trail_list_clean_up(&l);
  json_object_put(root);
  root = json_text("{\"trailList\":[{\"Name\":\"a\"},3]}");
  SW_CHECK_INT(sw_ct_describe_trails_parse(root, &l, &err), -1);
  SW_CHECK_INT(l.count, 0);
  json_object_put(root);
}

static void test_trail_status_parser(void) {
  struct sw_error err;
  struct sw_ct_trail_status s;
  struct json_object *root =
      json_text("{\"IsLogging\":true,\"LatestDeliveryTime\":1.72243021E9,"
                "\"LatestCloudWatchLogsDeliveryTime\":1722430000,"
                "\"LatestCloudWatchLogsDeliveryError\":\"AccessDenied\","
                "\"StartLoggingTime\":\"2024-07-31T12:00:00Z\"}");
  SW_CHECK_INT(sw_ct_get_trail_status_parse(root, &s, &err), 0);
  SW_CHECK_INT(s.is_logging, 1);
  SW_CHECK(s.has_latest_delivery_time &&
           s.latest_delivery_time_s == 1722430210.0);
  SW_CHECK(s.has_latest_cwl_delivery_time &&
           s.latest_cwl_delivery_time_s == 1722430000.0);
  SW_CHECK_STR(s.latest_cwl_delivery_error, "AccessDenied");
  SW_CHECK(s.latest_delivery_error == NULL);
  SW_CHECK(s.has_start_logging_time && s.start_logging_time_s == 1722427200.0);
  SW_CHECK(!s.has_stop_logging_time);
  sw_ct_trail_status_clean_up(&s);
  json_object_put(root);
  /* IsLogging missing or of the wrong type is refused */
  root = json_text("{\"IsLogging\":\"true\"}");
  SW_CHECK_INT(sw_ct_get_trail_status_parse(root, &s, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  json_object_put(root);
}

static void test_event_selectors(void) {
  static const struct {
    const char *doc;
    int logs_reads;
  } cases[] = {
      {"{\"EventSelectors\":[{\"ReadWriteType\":\"All\","
       "\"IncludeManagementEvents\":true}]}",
       1},
      {"{\"EventSelectors\":[{\"ReadWriteType\":\"WriteOnly\","
       "\"IncludeManagementEvents\":true}]}",
       0},
      {"{\"EventSelectors\":[{\"ReadWriteType\":\"ReadOnly\","
       "\"IncludeManagementEvents\":false}]}",
       0},
      {"{\"EventSelectors\":[{\"ReadWriteType\":\"WriteOnly\"},"
       "{\"ReadWriteType\":\"ReadOnly\"}]}",
       1},
      {"{\"EventSelectors\":[]}", 0},
      {"{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[{\"Field\":"
       "\"eventCategory\",\"Equals\":[\"Management\"]}]}]}",
       1},
      {"{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[{\"Field\":"
       "\"eventCategory\",\"Equals\":[\"Management\"]},{\"Field\":"
       "\"readOnly\",\"Equals\":[\"false\"]}]}]}",
       0},
      {"{\"AdvancedEventSelectors\":[{\"FieldSelectors\":[{\"Field\":"
       "\"eventCategory\",\"Equals\":[\"Data\"]}]}]}",
       0},
      {"{\"EventSelectors\":[5,\"x\"]}", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct json_object *root = json_text(cases[i].doc);
    struct sw_ct_event_selectors s;
    struct sw_error err;
    SW_CHECK_INT(sw_ct_event_selectors_parse(root, &s, &err), 0);
    if (sw_ct_event_selectors_log_reads(&s) != cases[i].logs_reads) {
      fprintf(stderr, "selector case %zu\n", i);
      SW_CHECK(0);
    }
    sw_ct_event_selectors_clean_up(&s);
    json_object_put(root);
  }
}

static void test_list_tags_parser(void) {
  struct sw_error err;
  struct sw_tag_list l;
  struct json_object *root = json_text(
      "{\"ResourceTagList\":[{\"ResourceId\":\"arn:t\",\"TagsList\":[{\"Key\":"
      "\"secretwatch:stack\",\"Value\":\"prod\"},{\"Key\":\"k\"}]}]}");
  SW_CHECK_INT(sw_ct_list_tags_parse(root, &l, &err), 0);
  SW_CHECK_STR(sw_tag_list_get(&l, "secretwatch:stack"), "prod");
  SW_CHECK_STR(sw_tag_list_get(&l, "k"), "");
  SW_CHECK(sw_tag_list_get(&l, "nope") == NULL);
  sw_tag_list_clean_up(&l);
  json_object_put(root);
  root = json_text("{\"ResourceTagList\":[{\"TagsList\":[{\"Value\":\"v\"}]}"
                   "]}");
  SW_CHECK_INT(sw_ct_list_tags_parse(root, &l, &err), -1);
  SW_CHECK_INT(l.count, 0);
  json_object_put(root);
  root = json_text("{}");
  SW_CHECK_INT(sw_ct_list_tags_parse(root, &l, &err), 0);
  SW_CHECK_INT(l.count, 0);
  json_object_put(root);
}

int main(void) {
  SW_RUN(test_lookup_request_bodies);
  SW_RUN(test_lookup_request_refusals);
  SW_RUN(test_lookup_fixture_six_events);
  SW_RUN(test_lookup_fixture_empty_and_cli_example);
  SW_RUN(test_lookup_malformed_answers);
  SW_RUN(test_lookup_wrong_types_are_absent);
  SW_RUN(test_lookup_bad_elements_are_skipped);
  SW_RUN(test_lookup_oversized_event_and_page);
  SW_RUN(test_trail_request_bodies);
  SW_RUN(test_trail_parsers);
  SW_RUN(test_trail_status_parser);
  SW_RUN(test_event_selectors);
  SW_RUN(test_list_tags_parser);
  return sw_test_done();
}
