/* Fuzzes the answer parsers of lib/logs.h on one JSON document:
 * FilterLogEvents (then each event message through sw_ctrec_parse, as the
 * plugin's busy-account source does), DescribeLogGroups,
 * DescribeMetricFilters and ListTagsForResource. Invariants: lists and
 * messages stay within their bounds; results clean up after success and
 * failure. */
#include "fuzz_common.h"
#include "fuzz_record.h"

#include "lib/json.h"
#include "lib/logs.h"

static void filter_events(struct json_object *root) {
  struct sw_logs_filter_resp r;
  struct sw_error err;
  memset(&r, 0, sizeof(r));
  sw_error_clear(&err);
  if (sw_logs_filter_log_events_parse(root, &r, &err) == 0) {
    FUZZ_ASSERT(r.count <= SW_SVC_MAX_LIST);
    for (size_t i = 0; i < r.count; i++)
      fuzz_embedded_record(r.events[i].message, r.events[i].message_len,
                           SW_LOGS_MAX_MESSAGE);
  } else {
    fuzz_check_error(&err);
  }
  sw_logs_filter_resp_clean_up(&r);
}

static void groups_filters_tags(struct json_object *root) {
  struct sw_logs_describe_groups_resp g;
  struct sw_logs_describe_filters_resp f;
  struct sw_tag_list tags;
  struct sw_error err;
  memset(&g, 0, sizeof(g));
  if (sw_logs_describe_log_groups_parse(root, &g, &err) == 0) {
    FUZZ_ASSERT(g.count <= SW_SVC_MAX_LIST);
    for (size_t i = 0; i < g.count; i++)
      if (g.groups[i].name)
        FUZZ_ASSERT(sw_logs_describe_groups_find(&g, g.groups[i].name));
  }
  sw_logs_describe_groups_resp_clean_up(&g);
  memset(&f, 0, sizeof(f));
  if (sw_logs_describe_metric_filters_parse(root, &f, &err) == 0)
    FUZZ_ASSERT(f.count <= SW_SVC_MAX_LIST);
  sw_logs_describe_filters_resp_clean_up(&f);
  sw_tag_list_init(&tags);
  (void)sw_logs_list_tags_parse(root, &tags, &err);
  sw_tag_list_clean_up(&tags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  struct json_object *root = sw_json_parse((const char *)data, size, &err);
  if (root == NULL)
    return 0;
  filter_events(root);
  groups_filters_tags(root);
  json_object_put(root);
  return 0;
}
