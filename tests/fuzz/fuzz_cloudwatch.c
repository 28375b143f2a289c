/* Fuzzes the answer parsers of lib/cloudwatch.h in both protocols: input
 * whose first non-blank byte is '<' goes through sw_xml_parse and the query
 * (XML) parsers, anything else through sw_json_parse and the JSON 1.0
 * parsers. GetMetricData and DescribeAlarms both see every input.
 * Invariants: list counts stay within SW_SVC_MAX_LIST, timestamps and
 * values pair up, alarms found by name are in the result, results clean up
 * after success and failure. */
#include "fuzz_common.h"

#include "lib/cloudwatch.h"
#include "lib/json.h"
#include "lib/xml.h"

static void check_metric_data(const struct sw_cw_get_metric_data_resp *r) {
  FUZZ_ASSERT(r->count <= SW_SVC_MAX_LIST);
  for (size_t i = 0; i < r->count; i++) {
    const struct sw_cw_metric_result *m = &r->results[i];
    FUZZ_ASSERT(m->count <= SW_SVC_MAX_LIST);
    FUZZ_ASSERT(m->count == 0 || (m->timestamps_s && m->values));
    FUZZ_ASSERT(memchr(m->status_code, 0, sizeof(m->status_code)) != NULL);
  }
}

static void check_alarms(const struct sw_cw_describe_alarms_resp *r) {
  FUZZ_ASSERT(r->count <= SW_SVC_MAX_LIST);
  for (size_t i = 0; i < r->count; i++) {
    const struct sw_cw_alarm *a = &r->alarms[i];
    FUZZ_ASSERT(a->actions_enabled >= -1 && a->actions_enabled <= 1);
    if (a->alarm_name) {
      const struct sw_cw_alarm *f =
          sw_cw_describe_alarms_find(r, a->alarm_name);
      FUZZ_ASSERT(f != NULL && strcmp(f->alarm_name, a->alarm_name) == 0);
    }
  }
  (void)sw_cw_describe_alarms_find(r, "");
}

/* Both operations on one answer: root (JSON 1.0) or doc (query XML). */
static void answers(struct json_object *root, xmlDoc *doc) {
  struct sw_error err;
  struct sw_cw_get_metric_data_resp md;
  struct sw_cw_describe_alarms_resp da;
  int rc;
  memset(&md, 0, sizeof(md));
  sw_error_clear(&err);
  rc = root ? sw_cw_get_metric_data_parse_json(root, &md, &err)
            : sw_cw_get_metric_data_parse_xml(doc, &md, &err);
  if (rc == 0)
    check_metric_data(&md);
  else
    fuzz_check_error(&err);
  sw_cw_get_metric_data_resp_clean_up(&md);
  memset(&da, 0, sizeof(da));
  sw_error_clear(&err);
  rc = root ? sw_cw_describe_alarms_parse_json(root, &da, &err)
            : sw_cw_describe_alarms_parse_xml(doc, &da, &err);
  if (rc == 0)
    check_alarms(&da);
  else
    fuzz_check_error(&err);
  sw_cw_describe_alarms_resp_clean_up(&da);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t i = 0;
  while (i < size && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                      data[i] == '\t'))
    i++;
  struct sw_error err;
  if (i < size && data[i] == '<') {
    xmlDoc *doc = sw_xml_parse((const char *)data, size, &err);
    if (doc)
      answers(NULL, doc);
    xmlFreeDoc(doc);
  } else {
    struct json_object *root = sw_json_parse((const char *)data, size, &err);
    if (root)
      answers(root, NULL);
    json_object_put(root);
  }
  return 0;
}
