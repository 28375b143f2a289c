/* CloudWatch in both protocols: request bodies (JSON text and query form),
 * the shared fixtures parsed from JSON 1.0 and from XML (which must agree),
 * and malformed, oversized and wrong-type answers. */
#include "lib/cloudwatch.h"
#include "lib/json.h"
#include "lib/xml.h"
#include "sw_svc_test.h"

#include <math.h>

#define CW_DIR "aws-responses/cloudwatch/"

static const struct sw_cw_dimension dims[] = {{"SecretName", "Top"}};

static struct sw_cw_metric_query one_query(const char *id) {
  struct sw_cw_metric_query q = {0};
  q.id = id;
  q.namespace_ = "SecretWatch";
  q.metric_name = "TopSecretInfo-reads";
  q.period_s = 60;
  q.stat = "Sum";
  q.return_data = -1;
  return q;
}

static void test_get_metric_data_requests_both_protocols(void) {
  struct sw_cw_metric_query q[2] = {one_query("m0"), one_query("e1")};
  struct sw_cw_get_metric_data_req r = {0};
  struct sw_params p;
  struct sw_error err;
  q[0].dims = dims;
  q[0].dim_count = 1;
  q[1].metric_name = NULL;
  q[1].expression = "m0*2";
  q[1].label = "double";
  q[1].return_data = 0;
  r.queries = q;
  r.count = 2;
  r.start_time_s = 1727647800;
  r.end_time_s = 1727648100;
  r.next_token = "tok";
  r.scan_by = "TimestampDescending";
  check_body(
      sw_cw_get_metric_data_request_json(&r, &err),
      "{\"MetricDataQueries\":[{\"Id\":\"m0\",\"MetricStat\":{\"Metric\":"
      "{\"Namespace\":\"SecretWatch\",\"MetricName\":\"TopSecretInfo-reads\","
      "\"Dimensions\":[{\"Name\":\"SecretName\",\"Value\":\"Top\"}]},"
      "\"Period\":60,\"Stat\":\"Sum\"}},{\"Id\":\"e1\",\"Expression\":"
      "\"m0*2\",\"Label\":\"double\",\"ReturnData\":false}],\"StartTime\":"
      "1727647800,\"EndTime\":1727648100,\"NextToken\":\"tok\",\"ScanBy\":"
      "\"TimestampDescending\"}");
  sw_params_init(&p);
  SW_CHECK_INT(sw_cw_get_metric_data_request_query(&r, &p, &err), 0);
  check_query(&p, "MetricDataQueries.member.1.Id=m0&"
                  "MetricDataQueries.member.1.MetricStat.Metric.Namespace="
                  "SecretWatch&"
                  "MetricDataQueries.member.1.MetricStat.Metric.MetricName="
                  "TopSecretInfo-reads&"
                  "MetricDataQueries.member.1.MetricStat.Metric.Dimensions."
                  "member.1.Name=SecretName&"
                  "MetricDataQueries.member.1.MetricStat.Metric.Dimensions."
                  "member.1.Value=Top&"
                  "MetricDataQueries.member.1.MetricStat.Period=60&"
                  "MetricDataQueries.member.1.MetricStat.Stat=Sum&"
                  "MetricDataQueries.member.2.Id=e1&"
                  "MetricDataQueries.member.2.Expression=m0*2&"
                  "MetricDataQueries.member.2.Label=double&"
                  "MetricDataQueries.member.2.ReturnData=false&"
                  "StartTime=2024-09-29T22:10:00Z&EndTime=2024-09-29T22:15:00Z&"
                  "NextToken=tok&ScanBy=TimestampDescending");
  sw_params_clean_up(&p);
}

static void test_get_metric_data_query_limits(void) {
  struct sw_cw_metric_query *q = calloc(501, sizeof(*q));
  char(*ids)[16] = calloc(501, 16);
  struct sw_cw_get_metric_data_req r = {0};
  struct sw_error err;
  char *body;
  for (int i = 0; i < 501; i++) {
    snprintf(ids[i], 16, "m%d", i);
    q[i] = one_query(ids[i]);
  }
  r.queries = q;
  r.start_time_s = 1000;
  r.end_time_s = 2000;
  r.count = 500;
  body = sw_cw_get_metric_data_request_json(&r, &err);
  SW_CHECK(body != NULL);
  SW_CHECK(body && strstr(body, "\"Id\":\"m499\"") != NULL);
  free(body);
  r.count = 501;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(strstr(err.message, "501") != NULL);
  struct sw_params p;
  sw_params_init(&p);
  SW_CHECK_INT(sw_cw_get_metric_data_request_query(&r, &p, &err), -1);
  SW_CHECK_INT(p.list.count, 0);
  sw_params_clean_up(&p);
  r.count = 0;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  /* 500 queries whose labels push the body past 614,400 bytes */
  char *label = malloc(1300);
  memset(label, 'L', 1299);
  label[1299] = '\0';
  for (int i = 0; i < 500; i++)
    q[i].label = label;
  r.count = 500;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(strstr(err.message, "614400") != NULL);
  sw_params_init(&p);
  SW_CHECK_INT(sw_cw_get_metric_data_request_query(&r, &p, &err), -1);
  SW_CHECK_INT(p.list.count, 0);
  sw_params_clean_up(&p);
  for (int i = 0; i < 500; i++)
    q[i].label = NULL;
  free(label);
  free(q);
  free(ids);
}

static void test_get_metric_data_request_refusals(void) {
  static const char *bad_ids[] = {"", "M0", "0m", "m-0", "m 0", NULL};
  struct sw_cw_metric_query q = one_query("m0");
  struct sw_cw_get_metric_data_req r = {&q, 1, 1000, 2000, NULL, NULL, 0};
  struct sw_error err;
  for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
    q.id = bad_ids[i];
    SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  }
  q = one_query("m0");
  q.period_s = 0;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  q = one_query("m0");
  q.stat = NULL;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  q = one_query("m0");
  q.metric_name = NULL;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  q = one_query("m0");
  r.end_time_s = 1000;
  SW_CHECK(sw_cw_get_metric_data_request_json(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
}

/* The two renderings of the same answer must parse to the same thing. */
static void check_same_metric_data(const struct sw_cw_get_metric_data_resp *a,
                                   const struct sw_cw_get_metric_data_resp *b) {
  SW_CHECK_INT(a->count, b->count);
  SW_CHECK_STR(a->next_token, b->next_token);
  SW_CHECK_INT(a->message_count, b->message_count);
  for (size_t i = 0; i < a->count && i < b->count; i++) {
    const struct sw_cw_metric_result *x = &a->results[i], *y = &b->results[i];
    SW_CHECK_STR(x->id, y->id);
    SW_CHECK_STR(x->label, y->label);
    SW_CHECK_STR(x->status_code, y->status_code);
    SW_CHECK_INT(x->count, y->count);
    SW_CHECK_INT(x->message_count, y->message_count);
    for (size_t k = 0; k < x->count && k < y->count; k++) {
      SW_CHECK(fabs(x->timestamps_s[k] - y->timestamps_s[k]) < 1e-3);
      SW_CHECK(x->values[k] == y->values[k]);
    }
    for (size_t k = 0; k < x->message_count && k < y->message_count; k++) {
      SW_CHECK_STR(x->messages[k].code, y->messages[k].code);
      SW_CHECK_STR(x->messages[k].value, y->messages[k].value);
    }
  }
}

static void test_get_metric_data_fixtures_agree(void) {
  struct json_object *root;
  xmlDoc *doc;
  struct sw_cw_get_metric_data_resp j, x;
  struct sw_error err;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  root = json_fixture(CW_DIR "get-metric-data.json10.json");
  doc = xml_fixture(CW_DIR "get-metric-data.query.xml");
  SW_CHECK(root && doc);
  SW_CHECK_INT(sw_cw_get_metric_data_parse_json(root, &j, &err), 0);
  SW_CHECK_INT(sw_cw_get_metric_data_parse_xml(doc, &x, &err), 0);
  SW_CHECK_INT(j.count, 4);
  if (j.count == 4) {
    SW_CHECK_STR(j.results[0].id, "m3");
    SW_CHECK_INT(j.results[0].count, 1);
    SW_CHECK(j.results[0].timestamps_s[0] == 1727647800.0);
    SW_CHECK(j.results[0].values[0] == 96.85);
    SW_CHECK_STR(j.results[2].status_code, "PartialData");
    SW_CHECK_INT(j.results[2].count, 3);
    SW_CHECK(j.results[2].values[0] == 1.2345678e7);
    SW_CHECK(j.results[2].values[1] == 1.0e-4);
    SW_CHECK(j.results[2].values[2] == 0.0);
    SW_CHECK_STR(j.results[3].status_code, "Forbidden");
    SW_CHECK_INT(j.results[3].count, 0);
    SW_CHECK_INT(j.results[3].message_count, 1);
    if (j.results[3].message_count == 1)
      SW_CHECK_STR(j.results[3].messages[0].value,
                   "Authentication too complex to retrieve cross region data");
  }
  SW_CHECK_STR(j.next_token, "eyJxdWVyeSI6Im5leHRQYWdlIiwib2Zmc2V0IjozfQ==");
  check_same_metric_data(&j, &x);
  sw_cw_get_metric_data_resp_clean_up(&j);
  sw_cw_get_metric_data_resp_clean_up(&x);
  json_object_put(root);
  xmlFreeDoc(doc);
}

static void test_get_metric_data_cli_examples(void) {
  static const struct {
    const char *file;
    const char *id;
    size_t points;
  } cases[] = {{CW_DIR "get-metric-data.awscli-example-1.json", "m3", 1},
               {CW_DIR "get-metric-data.awscli-example-2.json", "m1", 1}};
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < 2; i++) {
    struct json_object *root = json_fixture(cases[i].file);
    struct sw_cw_get_metric_data_resp r;
    struct sw_error err;
    /* The CLI prints timestamps as ISO strings; they read the same. */
    SW_CHECK(root != NULL);
    SW_CHECK_INT(sw_cw_get_metric_data_parse_json(root, &r, &err), 0);
    SW_CHECK_INT(r.count, 1);
    if (r.count == 1) {
      SW_CHECK_STR(r.results[0].id, cases[i].id);
      SW_CHECK_INT(r.results[0].count, cases[i].points);
    }
    if (i == 0 && r.count == 1 && r.results[0].count == 1) {
      SW_CHECK(r.results[0].timestamps_s[0] == 1727647800.0);
      SW_CHECK(r.results[0].values[0] == 96.85);
    }
    sw_cw_get_metric_data_resp_clean_up(&r);
    json_object_put(root);
  }
}

static void test_get_metric_data_malformed(void) {
  static const char *bad_json[] = {
      "[]",
      "{\"MetricDataResults\":[5]}",
      "{\"MetricDataResults\":[{\"Id\":\"a\",\"Timestamps\":[1,2],"
      "\"Values\":[1]}]}",
      "{\"MetricDataResults\":[{\"Id\":\"a\",\"Timestamps\":[\"x\"],"
      "\"Values\":[1]}]}",
      "{\"MetricDataResults\":[{\"Id\":\"a\",\"Timestamps\":[1],"
      "\"Values\":[null]}]}",
  };
  static const char *bad_xml[] = {
      "<Other/>",
      "<GetMetricDataResponse/>",
      "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>"
      "<member><Timestamps><member>2024-09-29T22:10:00Z</member></Timestamps>"
      "<Values/></member></MetricDataResults></GetMetricDataResult>"
      "</GetMetricDataResponse>",
      "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>"
      "<member><Timestamps><member>yesterday</member></Timestamps>"
      "<Values><member>1</member></Values></member></MetricDataResults>"
      "</GetMetricDataResult></GetMetricDataResponse>",
      "<GetMetricDataResponse><GetMetricDataResult><MetricDataResults>"
      "<member><Timestamps><member>2024-09-29T22:10:00Z</member></Timestamps>"
      "<Values><member>1x</member></Values></member></MetricDataResults>"
      "</GetMetricDataResult></GetMetricDataResponse>",
  };
  for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
    struct json_object *root = json_text(bad_json[i]);
    struct sw_cw_get_metric_data_resp r;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_cw_get_metric_data_parse_json(root, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK_INT(r.count, 0);
    json_object_put(root);
  }
  for (size_t i = 0; i < sizeof(bad_xml) / sizeof(bad_xml[0]); i++) {
    xmlDoc *doc = xml_text(bad_xml[i]);
    struct sw_cw_get_metric_data_resp r;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK(doc != NULL);
    SW_CHECK_INT(sw_cw_get_metric_data_parse_xml(doc, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK_INT(r.count, 0);
    xmlFreeDoc(doc);
  }
}

static void test_get_metric_data_wrong_types_absent(void) {
  struct json_object *root =
      json_text("{\"MetricDataResults\":{\"a\":1},\"NextToken\":[1],"
                "\"Messages\":\"x\"}");
  struct sw_cw_get_metric_data_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_cw_get_metric_data_parse_json(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 0);
  SW_CHECK(r.next_token == NULL);
  json_object_put(root);
  root = json_text("{\"MetricDataResults\":[{\"Id\":5,\"StatusCode\":1}]}");
  SW_CHECK_INT(sw_cw_get_metric_data_parse_json(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 1);
  if (r.count == 1) {
    SW_CHECK(r.results[0].id == NULL);
    SW_CHECK_STR(r.results[0].status_code, "");
  }
  sw_cw_get_metric_data_resp_clean_up(&r);
  json_object_put(root);
}

static void test_describe_alarms_requests(void) {
  const char *names[] = {"a1", "a2"};
  struct sw_cw_describe_alarms_req r = {0};
  struct sw_params p;
  struct sw_error err;
  r.alarm_names = names;
  r.name_count = 2;
  r.alarm_types = SW_CW_ALARM_TYPE_METRIC | SW_CW_ALARM_TYPE_COMPOSITE;
  r.next_token = "n";
  check_body(sw_cw_describe_alarms_request_json(&r, &err),
             "{\"AlarmNames\":[\"a1\",\"a2\"],\"AlarmTypes\":[\"MetricAlarm\","
             "\"CompositeAlarm\"],\"NextToken\":\"n\"}");
  sw_params_init(&p);
  SW_CHECK_INT(sw_cw_describe_alarms_request_query(&r, &p, &err), 0);
  check_query(&p, "AlarmNames.member.1=a1&AlarmNames.member.2=a2&"
                  "AlarmTypes.member.1=MetricAlarm&"
                  "AlarmTypes.member.2=CompositeAlarm&NextToken=n");
  sw_params_clean_up(&p);
  r.alarm_name_prefix = "x";
  SW_CHECK(sw_cw_describe_alarms_request_json(&r, &err) == NULL);
  r.alarm_name_prefix = NULL;
  r.name_count = 101;
  SW_CHECK(sw_cw_describe_alarms_request_json(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.name_count = 0;
  r.max_records = 101;
  SW_CHECK(sw_cw_describe_alarms_request_json(&r, &err) == NULL);
}

static void check_same_alarm(const struct sw_cw_alarm *a,
                             const struct sw_cw_alarm *b) {
  SW_CHECK_INT(a->kind, b->kind);
  SW_CHECK_STR(a->alarm_name, b->alarm_name);
  SW_CHECK_STR(a->alarm_arn, b->alarm_arn);
  SW_CHECK_STR(a->alarm_description, b->alarm_description);
  SW_CHECK_STR(a->state_value, b->state_value);
  SW_CHECK_STR(a->state_reason, b->state_reason);
  SW_CHECK_STR(a->state_reason_data, b->state_reason_data);
  SW_CHECK_INT(a->has_state_updated, b->has_state_updated);
  SW_CHECK(fabs(a->state_updated_s - b->state_updated_s) < 1e-3);
  SW_CHECK_INT(a->has_state_transitioned, b->has_state_transitioned);
  SW_CHECK(fabs(a->config_updated_s - b->config_updated_s) < 1e-3);
  SW_CHECK_INT(a->actions_enabled, b->actions_enabled);
  SW_CHECK_INT(a->alarm_actions.count, b->alarm_actions.count);
  SW_CHECK_INT(a->ok_actions.count, b->ok_actions.count);
  SW_CHECK_INT(a->insufficient_data_actions.count,
               b->insufficient_data_actions.count);
  SW_CHECK_STR(a->metric_name, b->metric_name);
  SW_CHECK_STR(a->namespace_, b->namespace_);
  SW_CHECK_STR(a->statistic, b->statistic);
  SW_CHECK_STR(a->comparison_operator, b->comparison_operator);
  SW_CHECK_STR(a->treat_missing_data, b->treat_missing_data);
  SW_CHECK_INT(a->dimensions.count, b->dimensions.count);
  SW_CHECK_INT(a->period_s, b->period_s);
  SW_CHECK_INT(a->evaluation_periods, b->evaluation_periods);
  SW_CHECK_INT(a->has_datapoints_to_alarm, b->has_datapoints_to_alarm);
  SW_CHECK(a->threshold == b->threshold);
}

static void test_describe_alarms_fixtures_agree(void) {
  struct json_object *root, *cli;
  xmlDoc *doc;
  struct sw_cw_describe_alarms_resp j, x, c;
  const struct sw_cw_alarm *a;
  struct sw_error err;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  root = json_fixture(CW_DIR "describe-alarms.json10.json");
  doc = xml_fixture(CW_DIR "describe-alarms.query.xml");
  cli = json_fixture(CW_DIR "describe-alarms.awscli-example.json");
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &j, &err), 0);
  SW_CHECK_INT(sw_cw_describe_alarms_parse_xml(doc, &x, &err), 0);
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(cli, &c, &err), 0);
  SW_CHECK_INT(j.count, 2);
  SW_CHECK_INT(x.count, 2);
  for (size_t i = 0; i < j.count && i < x.count; i++)
    check_same_alarm(&j.alarms[i], &x.alarms[i]);
  a = sw_cw_describe_alarms_find(&x, "secrets-getsecretvalue-denied");
  SW_CHECK(a != NULL);
  if (a) {
    SW_CHECK_STR(a->state_value, "ALARM");
    SW_CHECK_STR(a->alarm_description,
                 "GetSecretValue AccessDenied events from CloudTrail metric "
                 "filter & <escaped> chars");
    SW_CHECK(a->state_updated_s == 1722430022.155);
    SW_CHECK_INT(a->actions_enabled, 1);
    SW_CHECK_INT(a->alarm_actions.count, 1);
    SW_CHECK_STR(a->alarm_actions.items[0],
                 "arn:aws:sns:us-east-1:123456789012:secops");
    SW_CHECK_INT(a->dimensions.count, 0);
    SW_CHECK(a->has_datapoints_to_alarm && a->datapoints_to_alarm == 1);
    SW_CHECK(a->threshold == 1.0);
  }
  a = sw_cw_describe_alarms_find(&j, "myalarm");
  SW_CHECK(a != NULL);
  if (a) {
    SW_CHECK_STR(sw_tag_list_get(&a->dimensions, "InstanceId"), "i-0c986c72");
    SW_CHECK(strncmp(a->state_reason_data, "{\"version\":\"1.0\"", 16) == 0);
    SW_CHECK(a->period_s == 300 && a->evaluation_periods == 2);
  }
  /* CLI output (ISO timestamps) reads the same as the wire forms. */
  SW_CHECK_INT(c.count, 1);
  if (c.count >= 1)
    check_same_alarm(&c.alarms[0], &x.alarms[0]);
  SW_CHECK(sw_cw_describe_alarms_find(&x, "nope") == NULL);
  sw_cw_describe_alarms_resp_clean_up(&j);
  sw_cw_describe_alarms_resp_clean_up(&x);
  sw_cw_describe_alarms_resp_clean_up(&c);
  json_object_put(root);
  json_object_put(cli);
  xmlFreeDoc(doc);
}

static void test_describe_alarms_composite_and_malformed(void) {
  struct json_object *root = json_text(
      "{\"CompositeAlarms\":[{\"AlarmName\":\"c\",\"AlarmRule\":\"ALARM(a)\","
      "\"StateValue\":\"OK\",\"ActionsEnabled\":\"yes\"}],\"MetricAlarms\":"
      "[{\"AlarmName\":\"m\",\"Period\":\"60\"}],\"NextToken\":\"t\"}");
  xmlDoc *doc = xml_text(
      "<DescribeAlarmsResponse><DescribeAlarmsResult><CompositeAlarms>"
      "<member><AlarmName>c</AlarmName><AlarmRule>ALARM(a)</AlarmRule>"
      "<ActionsEnabled>false</ActionsEnabled></member></CompositeAlarms>"
      "</DescribeAlarmsResult></DescribeAlarmsResponse>");
  struct sw_cw_describe_alarms_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 2);
  if (r.count == 2) {
    SW_CHECK_INT(r.alarms[0].kind, SW_CW_METRIC_ALARM);
    SW_CHECK_INT(r.alarms[0].has_period, 0);
    SW_CHECK_INT(r.alarms[1].kind, SW_CW_COMPOSITE_ALARM);
    SW_CHECK_STR(r.alarms[1].alarm_rule, "ALARM(a)");
    SW_CHECK_INT(r.alarms[1].actions_enabled, -1);
  }
  SW_CHECK_STR(r.next_token, "t");
  sw_cw_describe_alarms_resp_clean_up(&r);
  json_object_put(root);
  SW_CHECK_INT(sw_cw_describe_alarms_parse_xml(doc, &r, &err), 0);
  SW_CHECK_INT(r.count, 1);
  if (r.count == 1) {
    SW_CHECK_INT(r.alarms[0].kind, SW_CW_COMPOSITE_ALARM);
    SW_CHECK_INT(r.alarms[0].actions_enabled, 0);
  }
  sw_cw_describe_alarms_resp_clean_up(&r);
  xmlFreeDoc(doc);
  /* malformed */
  root = json_text("{\"MetricAlarms\":[1]}");
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  json_object_put(root);
  root = json_text("{\"CompositeAlarms\":[null]}");
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &r, &err), -1);
  json_object_put(root);
  root = json_text("{\"MetricAlarms\":[{\"Dimensions\":[{\"Value\":\"v\"}]}]}");
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &r, &err), -1);
  json_object_put(root);
  root = json_text("{\"MetricAlarms\":[{\"AlarmActions\":[1]}]}");
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &r, &err), -1);
  json_object_put(root);
  doc = xml_text("<GetMetricDataResponse/>");
  SW_CHECK_INT(sw_cw_describe_alarms_parse_xml(doc, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  xmlFreeDoc(doc);
}

static void test_describe_alarms_oversized_page(void) {
  struct json_object *root = json_object_new_object();
  struct json_object *arr = json_object_new_array();
  struct sw_cw_describe_alarms_resp r;
  struct sw_error err;
  for (int i = 0; i <= SW_SVC_MAX_LIST; i++)
    json_object_array_add(arr, json_object_new_object());
  json_object_object_add(root, "MetricAlarms", arr);
  SW_CHECK_INT(sw_cw_describe_alarms_parse_json(root, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  json_object_put(root);
}

static void test_put_and_delete_alarm_requests(void) {
  const char *actions[] = {"arn:aws:sns:us-east-1:1:t"};
  struct sw_tag tags[] = {{"secretwatch:stack", "prod"}};
  struct sw_cw_put_metric_alarm_req r = {0};
  struct sw_params p;
  struct sw_error err;
  r.alarm_name = "secretwatch-Top-read";
  r.actions_enabled = 1;
  r.alarm_actions = actions;
  r.alarm_action_count = 1;
  r.metric_name = "Top-reads";
  r.namespace_ = "SecretWatch";
  r.statistic = "Sum";
  r.period_s = 60;
  r.evaluation_periods = 1;
  r.threshold = 1;
  r.comparison_operator = "GreaterThanOrEqualToThreshold";
  r.treat_missing_data = "notBreaching";
  r.tags = tags;
  r.tag_count = 1;
  check_body(sw_cw_put_metric_alarm_request_json(&r, &err),
             "{\"AlarmName\":\"secretwatch-Top-read\",\"ActionsEnabled\":true,"
             "\"AlarmActions\":[\"arn:aws:sns:us-east-1:1:t\"],\"MetricName\":"
             "\"Top-reads\",\"Namespace\":\"SecretWatch\",\"Statistic\":"
             "\"Sum\",\"Period\":60,\"EvaluationPeriods\":1,\"Threshold\":1.0,"
             "\"ComparisonOperator\":\"GreaterThanOrEqualToThreshold\","
             "\"TreatMissingData\":\"notBreaching\",\"Tags\":[{\"Key\":"
             "\"secretwatch:stack\",\"Value\":\"prod\"}]}");
  sw_params_init(&p);
  SW_CHECK_INT(sw_cw_put_metric_alarm_request_query(&r, &p, &err), 0);
  check_query(&p, "AlarmName=secretwatch-Top-read&ActionsEnabled=true&"
                  "AlarmActions.member.1=arn:aws:sns:us-east-1:1:t&"
                  "MetricName=Top-reads&Namespace=SecretWatch&Statistic=Sum&"
                  "Period=60&EvaluationPeriods=1&Threshold=1.0&"
                  "ComparisonOperator=GreaterThanOrEqualToThreshold&"
                  "TreatMissingData=notBreaching&"
                  "Tags.member.1.Key=secretwatch:stack&"
                  "Tags.member.1.Value=prod");
  sw_params_clean_up(&p);
  r.datapoints_to_alarm = 2;
  SW_CHECK(sw_cw_put_metric_alarm_request_json(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.datapoints_to_alarm = 0;
  r.statistic = NULL;
  SW_CHECK(sw_cw_put_metric_alarm_request_json(&r, &err) == NULL);
  const char *names[] = {"a", "b"};
  check_body(sw_cw_delete_alarms_request_json(names, 2, &err),
             "{\"AlarmNames\":[\"a\",\"b\"]}");
  sw_params_init(&p);
  SW_CHECK_INT(sw_cw_delete_alarms_request_query(names, 2, &p, &err), 0);
  check_query(&p, "AlarmNames.member.1=a&AlarmNames.member.2=b");
  sw_params_clean_up(&p);
  SW_CHECK(sw_cw_delete_alarms_request_json(names, 0, &err) == NULL);
  SW_CHECK(sw_cw_delete_alarms_request_json(names, 101, &err) == NULL);
}

static void test_protocol_names(void) {
  enum sw_cw_protocol p;
  SW_CHECK_INT(sw_cw_protocol_from_string("json", &p), 0);
  SW_CHECK_INT(p, SW_CW_JSON);
  SW_CHECK_INT(sw_cw_protocol_from_string("QUERY", &p), 0);
  SW_CHECK_INT(p, SW_CW_QUERY);
  SW_CHECK_INT(sw_cw_protocol_from_string("xml", &p), -1);
  SW_CHECK_INT(sw_cw_protocol_from_string(NULL, &p), -1);
}

int main(void) {
  SW_RUN(test_get_metric_data_requests_both_protocols);
  SW_RUN(test_get_metric_data_query_limits);
  SW_RUN(test_get_metric_data_request_refusals);
  SW_RUN(test_get_metric_data_fixtures_agree);
  SW_RUN(test_get_metric_data_cli_examples);
  SW_RUN(test_get_metric_data_malformed);
  SW_RUN(test_get_metric_data_wrong_types_absent);
  SW_RUN(test_describe_alarms_requests);
  SW_RUN(test_describe_alarms_fixtures_agree);
  SW_RUN(test_describe_alarms_composite_and_malformed);
  SW_RUN(test_describe_alarms_oversized_page);
  SW_RUN(test_put_and_delete_alarm_requests);
  SW_RUN(test_protocol_names);
  return sw_test_done();
}
