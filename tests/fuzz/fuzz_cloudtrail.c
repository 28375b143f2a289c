/* Fuzzes the answer parsers of lib/cloudtrail.h on one JSON document:
 * LookupEvents (then each event's CloudTrailEvent string through
 * sw_ctrec_parse, as the plugin does), the trail parsers, GetTrailStatus,
 * the event selectors and ListTags. Invariants: list counts and string
 * lengths stay within the documented bounds; every result cleans up after
 * success and failure alike (leaks are reported by ASan). */
#include "fuzz_common.h"
#include "fuzz_record.h"

#include "lib/cloudtrail.h"
#include "lib/json.h"

#define TERMINATED(f) FUZZ_ASSERT(memchr((f), '\0', sizeof(f)) != NULL)

static void lookup_events(struct json_object *root) {
  struct sw_ct_lookup_resp r;
  struct sw_error err;
  memset(&r, 0, sizeof(r));
  sw_error_clear(&err);
  if (sw_ct_lookup_events_parse(root, &r, &err) == 0) {
    FUZZ_ASSERT(r.count <= SW_SVC_MAX_LIST);
    for (size_t i = 0; i < r.count; i++) {
      const struct sw_ct_event *e = &r.events[i];
      TERMINATED(e->event_id);
      TERMINATED(e->event_name);
      TERMINATED(e->event_source);
      TERMINATED(e->username);
      TERMINATED(e->read_only);
      fuzz_embedded_record(e->cloudtrail_event, e->cloudtrail_event_len,
                           SW_CT_MAX_EVENT_JSON);
    }
  } else {
    fuzz_check_error(&err);
  }
  sw_ct_lookup_resp_clean_up(&r);
}

static void trails(struct json_object *root) {
  struct sw_ct_trail t;
  struct sw_ct_trail_list l;
  struct sw_error err;
  memset(&t, 0, sizeof(t));
  (void)sw_ct_trail_parse(root, &t, &err);
  sw_ct_trail_clean_up(&t);
  memset(&t, 0, sizeof(t));
  (void)sw_ct_get_trail_parse(root, &t, &err);
  sw_ct_trail_clean_up(&t);
  memset(&l, 0, sizeof(l));
  if (sw_ct_describe_trails_parse(root, &l, &err) == 0)
    FUZZ_ASSERT(l.count <= 1000);
  sw_ct_trail_list_clean_up(&l);
}

static void status_selectors_tags(struct json_object *root) {
  struct sw_ct_trail_status s;
  struct sw_ct_event_selectors sel;
  struct sw_tag_list tags;
  struct sw_error err;
  memset(&s, 0, sizeof(s));
  if (sw_ct_get_trail_status_parse(root, &s, &err) == 0)
    FUZZ_ASSERT(s.is_logging >= -1 && s.is_logging <= 1);
  sw_ct_trail_status_clean_up(&s);
  memset(&sel, 0, sizeof(sel));
  if (sw_ct_event_selectors_parse(root, &sel, &err) == 0) {
    FUZZ_ASSERT(sel.count <= 5);
    for (size_t i = 0; i < sel.count; i++)
      TERMINATED(sel.items[i].read_write_type);
    (void)sw_ct_event_selectors_log_reads(&sel);
  }
  sw_ct_event_selectors_clean_up(&sel);
  sw_tag_list_init(&tags);
  if (sw_ct_list_tags_parse(root, &tags, &err) == 0)
    FUZZ_ASSERT(tags.count <= SW_SVC_MAX_LIST);
  sw_tag_list_clean_up(&tags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  struct json_object *root = sw_json_parse((const char *)data, size, &err);
  if (root == NULL)
    return 0;
  lookup_events(root);
  trails(root);
  status_selectors_tags(root);
  json_object_put(root);
  return 0;
}
