#include "lib/cloudtrail.h"
#include "lib/json.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TRAILS 1000

/* ---- LookupEvents ---- */

char *sw_ct_lookup_events_request(const struct sw_ct_lookup_req *req,
                                  struct sw_error *err) {
  struct json_object *o;
  if (req->max_results < 0 || req->max_results > SW_CT_LOOKUP_MAX_RESULTS) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "LookupEvents: MaxResults %d outside 1..%d", req->max_results,
                 SW_CT_LOOKUP_MAX_RESULTS);
    return NULL;
  }
  if (req->start_time_s < 0 || req->end_time_s < 0 ||
      (req->start_time_s && req->end_time_s &&
       req->end_time_s < req->start_time_s)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "LookupEvents: time range %lld..%lld is invalid",
                 (long long)req->start_time_s, (long long)req->end_time_s);
    return NULL;
  }
  if (!sw_svc_empty(req->attr_key) && sw_svc_empty(req->attr_value)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "LookupEvents: lookup attribute %s needs a value",
                 req->attr_key);
    return NULL;
  }
  o = json_object_new_object();
  if (o == NULL)
    return sw_svc_json_finish(NULL, "LookupEvents", err);
  if (req->start_time_s)
    sw_json_add_int64(o, "StartTime", req->start_time_s);
  if (req->end_time_s)
    sw_json_add_int64(o, "EndTime", req->end_time_s);
  if (!sw_svc_empty(req->attr_key)) {
    struct json_object *attrs = json_object_new_array();
    struct json_object *a = json_object_new_object();
    if (attrs == NULL || a == NULL) {
      json_object_put(attrs);
      json_object_put(a);
      json_object_put(o);
      return sw_svc_json_finish(NULL, "LookupEvents", err);
    }
    sw_json_add_str(a, "AttributeKey", req->attr_key);
    sw_json_add_str(a, "AttributeValue", req->attr_value);
    json_object_array_add(attrs, a);
    json_object_object_add(o, "LookupAttributes", attrs);
  }
  if (req->max_results)
    sw_json_add_int64(o, "MaxResults", req->max_results);
  if (!sw_svc_empty(req->next_token))
    sw_json_add_str(o, "NextToken", req->next_token);
  return sw_svc_json_finish(o, "LookupEvents", err);
}

static int not_object(struct json_object *root, const char *op,
                      struct sw_error *err) {
  if (root && json_object_is_type(root, json_type_object))
    return 0;
  return sw_error_set(err, SW_ERR_PARSE, "%s: answer is not a JSON object", op);
}

/* Marks an element parse_event left out; sw_ct_lookup_events_parse drops
 * it. */
#define NOT_AN_OBJECT ((size_t)-1)

/* Copies the Resources[].ResourceName strings of an oversized event (the
 * only way left to tell which secret it read), bounded in number and size.
 * Names too long to keep whole are left out: a cut name matches nothing. */
static int keep_resource_names(struct json_object *e, struct sw_ct_event *ev,
                               struct sw_error *err) {
  struct json_object *arr = NULL;
  size_t n, used = 0;
  if (!json_object_object_get_ex(e, "Resources", &arr) ||
      !json_object_is_type(arr, json_type_array))
    return 0;
  n = json_object_array_length(arr);
  ev->resource_names =
      malloc(SW_CT_MAX_RESOURCE_NAMES * (SW_CT_MAX_RESOURCE_NAME + 1));
  if (ev->resource_names == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  for (size_t i = 0; i < n && ev->resource_count < SW_CT_MAX_RESOURCE_NAMES;
       i++) {
    const char *name =
        sw_json_str(json_object_array_get_idx(arr, i), "ResourceName");
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > SW_CT_MAX_RESOURCE_NAME)
      continue;
    memcpy(ev->resource_names + used, name, len + 1);
    used += len + 1;
    ev->resource_count++;
  }
  return 0;
}

static int parse_event(struct json_object *e, size_t i, void *item,
                       struct sw_error *err) {
  struct sw_ct_event *ev = item;
  struct json_object *text = NULL;
  (void)i;
  if (!json_object_is_type(e, json_type_object)) {
    ev->cloudtrail_event_len = NOT_AN_OBJECT;
    return 0;
  }
  sw_svc_copy(ev->event_id, sizeof(ev->event_id), sw_json_str(e, "EventId"));
  sw_svc_copy(ev->event_name, sizeof(ev->event_name),
              sw_json_str(e, "EventName"));
  sw_svc_copy(ev->event_source, sizeof(ev->event_source),
              sw_json_str(e, "EventSource"));
  sw_svc_copy(ev->username, sizeof(ev->username), sw_json_str(e, "Username"));
  sw_svc_copy(ev->read_only, sizeof(ev->read_only), sw_json_str(e, "ReadOnly"));
  if (sw_json_epoch(e, "EventTime", &ev->event_time_s) == 0)
    ev->has_event_time = 1;
  if (json_object_object_get_ex(e, "CloudTrailEvent", &text) &&
      json_object_is_type(text, json_type_string) &&
      (size_t)json_object_get_string_len(text) > SW_CT_MAX_EVENT_JSON) {
    ev->cloudtrail_event_len = (size_t)json_object_get_string_len(text);
    ev->oversized = 1;
    return keep_resource_names(e, ev, err);
  }
  return sw_svc_json_dup_len(e, "CloudTrailEvent", SW_CT_MAX_EVENT_JSON,
                             "LookupEvents: CloudTrailEvent",
                             &ev->cloudtrail_event, &ev->cloudtrail_event_len,
                             err);
}

/* Drops the elements parse_event marked, counting them and the oversized
 * ones it kept. */
static void drop_skipped(struct sw_ct_lookup_resp *out) {
  size_t kept = 0;
  for (size_t i = 0; i < out->count; i++) {
    struct sw_ct_event *ev = &out->events[i];
    if (ev->cloudtrail_event == NULL &&
        ev->cloudtrail_event_len == NOT_AN_OBJECT) {
      out->skipped++;
      continue;
    }
    if (ev->oversized)
      out->oversized++;
    if (kept != i)
      out->events[kept] = *ev;
    kept++;
  }
  out->count = kept;
}

int sw_ct_lookup_events_parse(struct json_object *root,
                              struct sw_ct_lookup_resp *out,
                              struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "LookupEvents", err) ||
      sw_svc_json_items(root, "Events", SW_SVC_MAX_LIST, sizeof(*out->events),
                        parse_event, "LookupEvents", (void **)&out->events,
                        &out->count, err) ||
      sw_svc_json_dup(root, "NextToken", SW_SVC_MAX_STR, &out->next_token,
                      err)) {
    drop_skipped(out); /* clean_up frees only real texts */
    sw_ct_lookup_resp_clean_up(out);
    return -1;
  }
  drop_skipped(out);
  return 0;
}

void sw_ct_lookup_resp_clean_up(struct sw_ct_lookup_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++) {
    free(r->events[i].cloudtrail_event);
    free(r->events[i].resource_names);
  }
  free(r->events);
  free(r->next_token);
  memset(r, 0, sizeof(*r));
}

int sw_ct_lookup_events(struct sw_client *c, const struct sw_ct_lookup_req *req,
                        struct sw_ct_lookup_resp *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc =
      sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "LookupEvents",
                       sw_ct_lookup_events_request(req, err), 0, &root, err);
  if (rc == 0)
    rc = sw_ct_lookup_events_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- Trails ---- */

static void trail_init(struct sw_ct_trail *t) {
  memset(t, 0, sizeof(*t));
  t->include_global_service_events = -1;
  t->is_multi_region_trail = -1;
  t->log_file_validation_enabled = -1;
  t->is_organization_trail = -1;
  t->has_custom_event_selectors = -1;
  t->has_insight_selectors = -1;
}

void sw_ct_trail_clean_up(struct sw_ct_trail *t) {
  if (t == NULL)
    return;
  free(t->name);
  free(t->trail_arn);
  free(t->home_region);
  free(t->s3_bucket_name);
  free(t->s3_key_prefix);
  free(t->sns_topic_arn);
  free(t->cloud_watch_logs_log_group_arn);
  free(t->cloud_watch_logs_role_arn);
  free(t->kms_key_id);
  trail_init(t);
}

static int opt_bool(struct json_object *o, const char *key) {
  int b;
  return sw_json_bool(o, key, &b) == 0 ? b : -1;
}

/* Fills t from a trail object; op names the answer in messages. */
static int parse_trail_obj(struct json_object *o, const char *op,
                           struct sw_ct_trail *t, struct sw_error *err) {
  static const struct {
    const char *key;
    size_t off;
  } strs[] = {
      {"Name", offsetof(struct sw_ct_trail, name)},
      {"TrailARN", offsetof(struct sw_ct_trail, trail_arn)},
      {"HomeRegion", offsetof(struct sw_ct_trail, home_region)},
      {"S3BucketName", offsetof(struct sw_ct_trail, s3_bucket_name)},
      {"S3KeyPrefix", offsetof(struct sw_ct_trail, s3_key_prefix)},
      {"SnsTopicARN", offsetof(struct sw_ct_trail, sns_topic_arn)},
      {"CloudWatchLogsLogGroupArn",
       offsetof(struct sw_ct_trail, cloud_watch_logs_log_group_arn)},
      {"CloudWatchLogsRoleArn",
       offsetof(struct sw_ct_trail, cloud_watch_logs_role_arn)},
      {"KmsKeyId", offsetof(struct sw_ct_trail, kms_key_id)},
  };
  trail_init(t);
  if (not_object(o, op, err))
    return -1;
  for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
    if (sw_svc_json_dup(o, strs[i].key, 4096,
                        (char **)((char *)t + strs[i].off), err) != 0) {
      sw_ct_trail_clean_up(t);
      return -1;
    }
  t->include_global_service_events = opt_bool(o, "IncludeGlobalServiceEvents");
  t->is_multi_region_trail = opt_bool(o, "IsMultiRegionTrail");
  t->log_file_validation_enabled = opt_bool(o, "LogFileValidationEnabled");
  t->is_organization_trail = opt_bool(o, "IsOrganizationTrail");
  t->has_custom_event_selectors = opt_bool(o, "HasCustomEventSelectors");
  t->has_insight_selectors = opt_bool(o, "HasInsightSelectors");
  return 0;
}

static char *trail_request(const struct sw_ct_trail_req *r, const char *op,
                           int create, struct sw_error *err) {
  struct json_object *o;
  if (sw_svc_empty(r->name)) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: trail name missing", op);
    return NULL;
  }
  if (create && sw_svc_empty(r->s3_bucket_name)) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: S3BucketName missing", op);
    return NULL;
  }
  if (sw_svc_empty(r->cloud_watch_logs_log_group_arn) !=
      sw_svc_empty(r->cloud_watch_logs_role_arn)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn go "
                 "together",
                 op);
    return NULL;
  }
  if (create &&
      sw_svc_check_tags(op, r->tags, r->tag_count, SW_SVC_MAX_TAGS, err))
    return NULL;
  o = json_object_new_object();
  if (o == NULL)
    return sw_svc_json_finish(NULL, op, err);
  sw_json_add_str(o, "Name", r->name);
  if (!sw_svc_empty(r->s3_bucket_name))
    sw_json_add_str(o, "S3BucketName", r->s3_bucket_name);
  if (!sw_svc_empty(r->s3_key_prefix))
    sw_json_add_str(o, "S3KeyPrefix", r->s3_key_prefix);
  if (!sw_svc_empty(r->sns_topic_name))
    sw_json_add_str(o, "SnsTopicName", r->sns_topic_name);
  if (r->include_global_service_events >= 0)
    sw_json_add_bool(o, "IncludeGlobalServiceEvents",
                     r->include_global_service_events);
  if (r->is_multi_region_trail >= 0)
    sw_json_add_bool(o, "IsMultiRegionTrail", r->is_multi_region_trail);
  if (r->enable_log_file_validation >= 0)
    sw_json_add_bool(o, "EnableLogFileValidation",
                     r->enable_log_file_validation);
  if (!sw_svc_empty(r->cloud_watch_logs_log_group_arn)) {
    sw_json_add_str(o, "CloudWatchLogsLogGroupArn",
                    r->cloud_watch_logs_log_group_arn);
    sw_json_add_str(o, "CloudWatchLogsRoleArn", r->cloud_watch_logs_role_arn);
  }
  if (!sw_svc_empty(r->kms_key_id))
    sw_json_add_str(o, "KmsKeyId", r->kms_key_id);
  if (r->is_organization_trail >= 0)
    sw_json_add_bool(o, "IsOrganizationTrail", r->is_organization_trail);
  if (create && r->tag_count) {
    struct json_object *tags =
        sw_svc_json_tag_array(r->tags, r->tag_count, "Key", "Value");
    if (tags == NULL) {
      json_object_put(o);
      return sw_svc_json_finish(NULL, op, err);
    }
    json_object_object_add(o, "TagsList", tags);
  }
  return sw_svc_json_finish(o, op, err);
}

char *sw_ct_create_trail_request(const struct sw_ct_trail_req *req,
                                 struct sw_error *err) {
  return trail_request(req, "CreateTrail", 1, err);
}

char *sw_ct_update_trail_request(const struct sw_ct_trail_req *req,
                                 struct sw_error *err) {
  return trail_request(req, "UpdateTrail", 0, err);
}

int sw_ct_trail_parse(struct json_object *root, struct sw_ct_trail *out,
                      struct sw_error *err) {
  return parse_trail_obj(root, "trail", out, err);
}

/* Calls op with body and parses a trail-returning answer with parse. */
static int trail_call(struct sw_client *c, const char *op, char *body,
                      int (*parse)(struct json_object *, struct sw_ct_trail *,
                                   struct sw_error *),
                      struct sw_ct_trail *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, op, body, 0, &root, err);
  if (rc == 0)
    rc = parse(root, out, err);
  json_object_put(root);
  return rc;
}

int sw_ct_create_trail(struct sw_client *c, const struct sw_ct_trail_req *req,
                       struct sw_ct_trail *out, struct sw_error *err) {
  return trail_call(c, "CreateTrail", sw_ct_create_trail_request(req, err),
                    sw_ct_trail_parse, out, err);
}

int sw_ct_update_trail(struct sw_client *c, const struct sw_ct_trail_req *req,
                       struct sw_ct_trail *out, struct sw_error *err) {
  return trail_call(c, "UpdateTrail", sw_ct_update_trail_request(req, err),
                    sw_ct_trail_parse, out, err);
}

char *sw_ct_name_request(const char *name, struct sw_error *err) {
  struct json_object *o;
  if (sw_svc_empty(name)) {
    sw_error_set(err, SW_ERR_CONFIG, "CloudTrail: trail name missing");
    return NULL;
  }
  o = json_object_new_object();
  if (o)
    sw_json_add_str(o, "Name", name);
  return sw_svc_json_finish(o, "CloudTrail", err);
}

int sw_ct_get_trail_parse(struct json_object *root, struct sw_ct_trail *out,
                          struct sw_error *err) {
  struct json_object *t = sw_json_obj(root, "Trail");
  trail_init(out);
  if (t == NULL)
    return sw_error_set(err, SW_ERR_PARSE, "GetTrail: answer has no Trail");
  return parse_trail_obj(t, "GetTrail", out, err);
}

int sw_ct_get_trail(struct sw_client *c, const char *name,
                    struct sw_ct_trail *out, struct sw_error *err) {
  return trail_call(c, "GetTrail", sw_ct_name_request(name, err),
                    sw_ct_get_trail_parse, out, err);
}

void sw_ct_trail_list_clean_up(struct sw_ct_trail_list *l) {
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    sw_ct_trail_clean_up(&l->items[i]);
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

char *sw_ct_describe_trails_request(const struct sw_ct_describe_trails_req *r,
                                    struct sw_error *err) {
  struct json_object *o = json_object_new_object();
  if (o == NULL)
    return sw_svc_json_finish(NULL, "DescribeTrails", err);
  if (r && r->name_count) {
    struct json_object *names = json_object_new_array();
    for (size_t i = 0; names && i < r->name_count; i++)
      json_object_array_add(
          names, json_object_new_string(r->names[i] ? r->names[i] : ""));
    if (names == NULL) {
      json_object_put(o);
      return sw_svc_json_finish(NULL, "DescribeTrails", err);
    }
    json_object_object_add(o, "trailNameList", names);
  }
  if (r && r->include_shadow_trails >= 0)
    sw_json_add_bool(o, "includeShadowTrails", r->include_shadow_trails);
  return sw_svc_json_finish(o, "DescribeTrails", err);
}

static int parse_trail_item(struct json_object *o, size_t i, void *item,
                            struct sw_error *err) {
  (void)i;
  return parse_trail_obj(o, "DescribeTrails trailList[]", item, err);
}

int sw_ct_describe_trails_parse(struct json_object *root,
                                struct sw_ct_trail_list *out,
                                struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "DescribeTrails", err) ||
      sw_svc_json_items(root, "trailList", MAX_TRAILS, sizeof(*out->items),
                        parse_trail_item, "DescribeTrails",
                        (void **)&out->items, &out->count, err)) {
    sw_ct_trail_list_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_ct_describe_trails(struct sw_client *c,
                          const struct sw_ct_describe_trails_req *req,
                          struct sw_ct_trail_list *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc =
      sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "DescribeTrails",
                       sw_ct_describe_trails_request(req, err), 0, &root, err);
  if (rc == 0)
    rc = sw_ct_describe_trails_parse(root, out, err);
  json_object_put(root);
  return rc;
}

int sw_ct_start_logging(struct sw_client *c, const char *name,
                        struct sw_error *err) {
  return sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "StartLogging",
                          sw_ct_name_request(name, err), 0, NULL, err);
}

int sw_ct_stop_logging(struct sw_client *c, const char *name,
                       struct sw_error *err) {
  return sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "StopLogging",
                          sw_ct_name_request(name, err), 0, NULL, err);
}

int sw_ct_delete_trail(struct sw_client *c, const char *name,
                       struct sw_error *err) {
  return sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "DeleteTrail",
                          sw_ct_name_request(name, err), 0, NULL, err);
}

/* ---- GetTrailStatus ---- */

void sw_ct_trail_status_clean_up(struct sw_ct_trail_status *s) {
  if (s == NULL)
    return;
  free(s->latest_delivery_error);
  free(s->latest_cwl_delivery_error);
  free(s->latest_notification_error);
  memset(s, 0, sizeof(*s));
  s->is_logging = -1;
}

int sw_ct_get_trail_status_parse(struct json_object *root,
                                 struct sw_ct_trail_status *out,
                                 struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  out->is_logging = -1;
  if (not_object(root, "GetTrailStatus", err))
    return -1;
  out->is_logging = opt_bool(root, "IsLogging");
  if (out->is_logging < 0)
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetTrailStatus: answer lacks a boolean IsLogging");
  out->has_latest_delivery_time =
      sw_json_epoch(root, "LatestDeliveryTime", &out->latest_delivery_time_s) ==
      0;
  out->has_latest_cwl_delivery_time =
      sw_json_epoch(root, "LatestCloudWatchLogsDeliveryTime",
                    &out->latest_cwl_delivery_time_s) == 0;
  out->has_start_logging_time =
      sw_json_epoch(root, "StartLoggingTime", &out->start_logging_time_s) == 0;
  out->has_stop_logging_time =
      sw_json_epoch(root, "StopLoggingTime", &out->stop_logging_time_s) == 0;
  if (sw_svc_json_dup(root, "LatestDeliveryError", 4096,
                      &out->latest_delivery_error, err) ||
      sw_svc_json_dup(root, "LatestCloudWatchLogsDeliveryError", 4096,
                      &out->latest_cwl_delivery_error, err) ||
      sw_svc_json_dup(root, "LatestNotificationError", 4096,
                      &out->latest_notification_error, err)) {
    sw_ct_trail_status_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_ct_get_trail_status(struct sw_client *c, const char *name,
                           struct sw_ct_trail_status *out,
                           struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "GetTrailStatus",
                            sw_ct_name_request(name, err), 0, &root, err);
  if (rc == 0)
    rc = sw_ct_get_trail_status_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- Event selectors ---- */

void sw_ct_event_selectors_clean_up(struct sw_ct_event_selectors *s) {
  if (s == NULL)
    return;
  free(s->trail_arn);
  memset(s, 0, sizeof(*s));
}

char *sw_ct_put_event_selectors_request(const char *trail_name,
                                        const char *read_write_type,
                                        int include_management_events,
                                        struct sw_error *err) {
  struct json_object *o, *arr, *sel;
  if (sw_svc_empty(trail_name)) {
    sw_error_set(err, SW_ERR_CONFIG, "PutEventSelectors: trail name missing");
    return NULL;
  }
  if (read_write_type == NULL || (strcmp(read_write_type, "All") != 0 &&
                                  strcmp(read_write_type, "ReadOnly") != 0 &&
                                  strcmp(read_write_type, "WriteOnly") != 0)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "PutEventSelectors: ReadWriteType \"%s\" is not All, "
                 "ReadOnly or WriteOnly",
                 read_write_type ? read_write_type : "");
    return NULL;
  }
  o = json_object_new_object();
  arr = json_object_new_array();
  sel = json_object_new_object();
  if (o == NULL || arr == NULL || sel == NULL) {
    json_object_put(o);
    json_object_put(arr);
    json_object_put(sel);
    return sw_svc_json_finish(NULL, "PutEventSelectors", err);
  }
  sw_json_add_str(o, "TrailName", trail_name);
  sw_json_add_str(sel, "ReadWriteType", read_write_type);
  sw_json_add_bool(sel, "IncludeManagementEvents",
                   include_management_events ? 1 : 0);
  json_object_array_add(arr, sel);
  json_object_object_add(o, "EventSelectors", arr);
  return sw_svc_json_finish(o, "PutEventSelectors", err);
}

/* 1 when an advanced selector selects management events including reads:
 * eventCategory Equals ["Management"] and no readOnly filter that keeps
 * only writes. */
static int advanced_logs_reads(struct json_object *sel) {
  struct json_object *fields = sw_json_arr(sel, "FieldSelectors");
  size_t n = fields ? json_object_array_length(fields) : 0;
  int management = 0, writes_only = 0;
  for (size_t i = 0; i < n && i < 100; i++) {
    struct json_object *f = json_object_array_get_idx(fields, i);
    const char *field = sw_json_str(f, "Field");
    struct json_object *eq = sw_json_arr(f, "Equals");
    const char *v0 =
        eq && json_object_array_length(eq) > 0
            ? json_object_get_string(json_object_array_get_idx(eq, 0))
            : NULL;
    if (field == NULL || v0 == NULL)
      continue;
    if (strcmp(field, "eventCategory") == 0 && strcmp(v0, "Management") == 0)
      management = 1;
    if (strcmp(field, "readOnly") == 0 && strcmp(v0, "false") == 0)
      writes_only = 1;
  }
  return management && !writes_only;
}

int sw_ct_event_selectors_parse(struct json_object *root,
                                struct sw_ct_event_selectors *out,
                                struct sw_error *err) {
  struct json_object *arr;
  size_t n;
  memset(out, 0, sizeof(*out));
  if (not_object(root, "GetEventSelectors", err))
    return -1;
  if (sw_svc_json_dup(root, "TrailARN", 4096, &out->trail_arn, err) != 0)
    return -1;
  arr = sw_json_arr(root, "EventSelectors");
  n = arr ? json_object_array_length(arr) : 0;
  for (size_t i = 0; i < n && out->count < 5; i++) {
    struct json_object *s = json_object_array_get_idx(arr, i);
    struct sw_ct_event_selector *e = &out->items[out->count];
    if (!json_object_is_type(s, json_type_object))
      continue;
    sw_svc_copy(e->read_write_type, sizeof(e->read_write_type),
                sw_json_str(s, "ReadWriteType"));
    e->include_management_events = opt_bool(s, "IncludeManagementEvents");
    out->count++;
  }
  arr = sw_json_arr(root, "AdvancedEventSelectors");
  n = arr ? json_object_array_length(arr) : 0;
  if (n > 0)
    out->has_advanced = 1;
  for (size_t i = 0; i < n && i < 1000; i++)
    if (advanced_logs_reads(json_object_array_get_idx(arr, i)))
      out->advanced_includes_management_reads = 1;
  return 0;
}

int sw_ct_put_event_selectors(struct sw_client *c, const char *trail_name,
                              const char *read_write_type,
                              int include_management_events,
                              struct sw_ct_event_selectors *out,
                              struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(
      c, SW_SVC_CLOUDTRAIL, "PutEventSelectors",
      sw_ct_put_event_selectors_request(trail_name, read_write_type,
                                        include_management_events, err),
      0, &root, err);
  if (rc == 0 && out)
    rc = sw_ct_event_selectors_parse(root, out, err);
  json_object_put(root);
  return rc;
}

int sw_ct_get_event_selectors(struct sw_client *c, const char *trail_name,
                              struct sw_ct_event_selectors *out,
                              struct sw_error *err) {
  struct json_object *root = NULL, *o;
  char *body = NULL;
  int rc;
  if (sw_svc_empty(trail_name))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "GetEventSelectors: trail name missing");
  o = json_object_new_object();
  if (o)
    sw_json_add_str(o, "TrailName", trail_name);
  body = sw_svc_json_finish(o, "GetEventSelectors", err);
  rc = sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "GetEventSelectors", body, 0,
                        &root, err);
  if (rc == 0)
    rc = sw_ct_event_selectors_parse(root, out, err);
  json_object_put(root);
  return rc;
}

int sw_ct_event_selectors_log_reads(const struct sw_ct_event_selectors *s) {
  if (s == NULL)
    return 0;
  if (s->has_advanced)
    return s->advanced_includes_management_reads;
  for (size_t i = 0; i < s->count; i++) {
    const char *rw = s->items[i].read_write_type;
    /* AWS defaults: ReadWriteType All, IncludeManagementEvents true. */
    if (s->items[i].include_management_events != 0 &&
        (rw[0] == '\0' || strcmp(rw, "All") == 0 ||
         strcmp(rw, "ReadOnly") == 0))
      return 1;
  }
  return 0;
}

/* ---- Tags ---- */

char *sw_ct_add_tags_request(const char *trail_arn, const struct sw_tag *tags,
                             size_t tag_count, struct sw_error *err) {
  struct json_object *o, *arr;
  if (sw_svc_empty(trail_arn)) {
    sw_error_set(err, SW_ERR_CONFIG, "AddTags: trail ARN missing");
    return NULL;
  }
  if (tag_count == 0) {
    sw_error_set(err, SW_ERR_CONFIG, "AddTags: no tags");
    return NULL;
  }
  if (sw_svc_check_tags("AddTags", tags, tag_count, SW_SVC_MAX_TAGS, err))
    return NULL;
  o = json_object_new_object();
  arr = sw_svc_json_tag_array(tags, tag_count, "Key", "Value");
  if (o == NULL || arr == NULL) {
    json_object_put(o);
    json_object_put(arr);
    return sw_svc_json_finish(NULL, "AddTags", err);
  }
  sw_json_add_str(o, "ResourceId", trail_arn);
  json_object_object_add(o, "TagsList", arr);
  return sw_svc_json_finish(o, "AddTags", err);
}

int sw_ct_add_tags(struct sw_client *c, const char *trail_arn,
                   const struct sw_tag *tags, size_t tag_count,
                   struct sw_error *err) {
  return sw_svc_json_call(
      c, SW_SVC_CLOUDTRAIL, "AddTags",
      sw_ct_add_tags_request(trail_arn, tags, tag_count, err), 0, NULL, err);
}

char *sw_ct_list_tags_request(const char *trail_arn, struct sw_error *err) {
  struct json_object *o, *arr;
  if (sw_svc_empty(trail_arn)) {
    sw_error_set(err, SW_ERR_CONFIG, "ListTags: trail ARN missing");
    return NULL;
  }
  o = json_object_new_object();
  arr = json_object_new_array();
  if (o == NULL || arr == NULL) {
    json_object_put(o);
    json_object_put(arr);
    return sw_svc_json_finish(NULL, "ListTags", err);
  }
  json_object_array_add(arr, json_object_new_string(trail_arn));
  json_object_object_add(o, "ResourceIdList", arr);
  return sw_svc_json_finish(o, "ListTags", err);
}

int sw_ct_list_tags_parse(struct json_object *root, struct sw_tag_list *out,
                          struct sw_error *err) {
  struct json_object *arr;
  sw_tag_list_init(out);
  if (not_object(root, "ListTags", err))
    return -1;
  arr = sw_json_arr(root, "ResourceTagList");
  return sw_svc_json_pairs(arr && json_object_array_length(arr) > 0
                               ? json_object_array_get_idx(arr, 0)
                               : NULL,
                           "TagsList", "Key", "Value", SW_SVC_MAX_TAGS,
                           "ListTags", out, err);
}

int sw_ct_list_tags(struct sw_client *c, const char *trail_arn,
                    struct sw_tag_list *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc =
      sw_svc_json_call(c, SW_SVC_CLOUDTRAIL, "ListTags",
                       sw_ct_list_tags_request(trail_arn, err), 0, &root, err);
  if (rc == 0)
    rc = sw_ct_list_tags_parse(root, out, err);
  json_object_put(root);
  return rc;
}
