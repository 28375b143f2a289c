#include "lib/logs.h"
#include "lib/json.h"

#include <stdlib.h>
#include <string.h>

/* Longest name or ARN we send (AWS: group names 512, ARNs 1011). */
#define NAME_MAX_LEN 1024

static int not_object(struct json_object *root, const char *op,
                      struct sw_error *err) {
  if (root && json_object_is_type(root, json_type_object))
    return 0;
  return sw_error_set(err, SW_ERR_PARSE, "%s: answer is not a JSON object", op);
}

static int need(const char *op, const char *field, const char *v,
                struct sw_error *err) {
  if (sw_svc_empty(v))
    return sw_error_set(err, SW_ERR_CONFIG, "%s: %s is required", op, field);
  if (strlen(v) > NAME_MAX_LEN && strcmp(field, "filterPattern") != 0)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: %s longer than %d bytes", op,
                        field, NAME_MAX_LEN);
  return 0;
}

/* A new object with "logGroupName" set, or NULL (err set). */
static struct json_object *group_obj(const char *op, const char *name,
                                     struct sw_error *err) {
  struct json_object *o;
  if (need(op, "logGroupName", name, err))
    return NULL;
  o = json_object_new_object();
  if (o == NULL || sw_json_add_str(o, "logGroupName", name) != 0) {
    json_object_put(o);
    sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
    return NULL;
  }
  return o;
}

/* Adds "tags":{...} to o when there are tags; 0 or -1 (o released). */
static int add_tag_map(struct json_object *o, const char *op,
                       const struct sw_tag *tags, size_t n,
                       struct sw_error *err) {
  struct json_object *map;
  if (n == 0)
    return 0;
  map = sw_svc_json_tag_map(tags, n);
  if (map == NULL) {
    json_object_put(o);
    return sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
  }
  json_object_object_add(o, "tags", map);
  return 0;
}

/* ---- FilterLogEvents ---- */

char *sw_logs_filter_log_events_request(const struct sw_logs_filter_req *req,
                                        struct sw_error *err) {
  struct json_object *o;
  const char *op = "FilterLogEvents";
  if (req->limit < 0 || req->limit > 10000) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: limit %d outside 1..10000", op,
                 req->limit);
    return NULL;
  }
  if (req->start_time_ms < 0 || req->end_time_ms < 0 ||
      (req->start_time_ms && req->end_time_ms &&
       req->end_time_ms < req->start_time_ms)) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: time range %lld..%lld ms is invalid",
                 op, (long long)req->start_time_ms,
                 (long long)req->end_time_ms);
    return NULL;
  }
  o = group_obj(op, req->log_group_name, err);
  if (o == NULL)
    return NULL;
  if (req->start_time_ms)
    sw_json_add_int64(o, "startTime", req->start_time_ms);
  if (req->end_time_ms)
    sw_json_add_int64(o, "endTime", req->end_time_ms);
  if (!sw_svc_empty(req->filter_pattern))
    sw_json_add_str(o, "filterPattern", req->filter_pattern);
  if (!sw_svc_empty(req->next_token))
    sw_json_add_str(o, "nextToken", req->next_token);
  if (req->limit)
    sw_json_add_int64(o, "limit", req->limit);
  return sw_svc_json_finish(o, op, err);
}

/* Marks (in message_len, with no strings kept) an element parse_log_event
 * left out; sw_logs_filter_log_events_parse drops and counts it. */
#define SKIP_BAD ((size_t)-1)
#define SKIP_OVERSIZED ((size_t)-2)

/* Leaves ev out of the page: one unusable event must not hide the others. */
static int skip_event(struct sw_logs_event *ev, size_t why) {
  free(ev->event_id);
  free(ev->log_stream_name);
  free(ev->message);
  memset(ev, 0, sizeof(*ev));
  ev->message_len = why;
  return 0;
}

static int parse_log_event(struct json_object *e, size_t i, void *item,
                           struct sw_error *err) {
  struct sw_logs_event *ev = item;
  struct json_object *msg = NULL;
  int64_t v;
  (void)i;
  ev->timestamp_ms = -1;
  ev->ingestion_time_ms = -1;
  if (!json_object_is_type(e, json_type_object))
    return skip_event(ev, SKIP_BAD);
  if (sw_json_int64(e, "timestamp", &v) == 0)
    ev->timestamp_ms = v;
  if (sw_json_int64(e, "ingestionTime", &v) == 0)
    ev->ingestion_time_ms = v;
  if (json_object_object_get_ex(e, "message", &msg) &&
      json_object_is_type(msg, json_type_string) &&
      (size_t)json_object_get_string_len(msg) > SW_LOGS_MAX_MESSAGE) {
    /* Kept without its text: the id and time still say a matching record
     * was there. Without an id it cannot be told from the next one. */
    ev->oversized = 1;
    ev->message_len = (size_t)json_object_get_string_len(msg);
    if (sw_svc_json_dup(e, "eventId", 1024, &ev->event_id, err) ||
        sw_svc_json_dup(e, "logStreamName", 1024, &ev->log_stream_name, err)) {
      if (err->kind != SW_ERR_PARSE)
        return -1;
      sw_error_clear(err);
      return skip_event(ev, SKIP_OVERSIZED);
    }
    if (ev->event_id == NULL)
      return skip_event(ev, SKIP_OVERSIZED);
    return 0;
  }
  if (sw_svc_json_dup(e, "eventId", 1024, &ev->event_id, err) ||
      sw_svc_json_dup(e, "logStreamName", 1024, &ev->log_stream_name, err) ||
      sw_svc_json_dup_len(e, "message", SW_LOGS_MAX_MESSAGE,
                          "FilterLogEvents: message", &ev->message,
                          &ev->message_len, err)) {
    if (err->kind != SW_ERR_PARSE)
      return -1; /* out of memory fails the page */
    sw_error_clear(err);
    return skip_event(ev, SKIP_BAD);
  }
  return 0;
}

/* Drops the elements parse_log_event left out, counting them. */
static void drop_skipped_events(struct sw_logs_filter_resp *out) {
  size_t kept = 0;
  for (size_t i = 0; i < out->count; i++) {
    struct sw_logs_event *ev = &out->events[i];
    if (ev->oversized)
      out->oversized++; /* kept, with its envelope only */
    else if (ev->message == NULL && (ev->message_len == SKIP_BAD ||
                                     ev->message_len == SKIP_OVERSIZED)) {
      out->skipped++;
      if (ev->message_len == SKIP_OVERSIZED)
        out->oversized++;
      continue;
    }
    if (kept != i)
      out->events[kept] = *ev;
    kept++;
  }
  out->count = kept;
}

int sw_logs_filter_log_events_parse(struct json_object *root,
                                    struct sw_logs_filter_resp *out,
                                    struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "FilterLogEvents", err) ||
      sw_svc_json_items(root, "events", SW_SVC_MAX_LIST, sizeof(*out->events),
                        parse_log_event, "FilterLogEvents",
                        (void **)&out->events, &out->count, err) ||
      sw_svc_json_dup(root, "nextToken", SW_SVC_MAX_STR, &out->next_token,
                      err)) {
    sw_logs_filter_resp_clean_up(out);
    return -1;
  }
  drop_skipped_events(out);
  return 0;
}

void sw_logs_filter_resp_clean_up(struct sw_logs_filter_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++) {
    free(r->events[i].event_id);
    free(r->events[i].log_stream_name);
    free(r->events[i].message);
  }
  free(r->events);
  free(r->next_token);
  memset(r, 0, sizeof(*r));
}

int sw_logs_filter_log_events(struct sw_client *c,
                              const struct sw_logs_filter_req *req,
                              struct sw_logs_filter_resp *out,
                              struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(c, SW_SVC_LOGS, "FilterLogEvents",
                            sw_logs_filter_log_events_request(req, err), 0,
                            &root, err);
  if (rc == 0)
    rc = sw_logs_filter_log_events_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- Log groups ---- */

char *sw_logs_create_log_group_request(const char *name, const char *kms_key_id,
                                       const struct sw_tag *tags,
                                       size_t tag_count, struct sw_error *err) {
  const char *op = "CreateLogGroup";
  struct json_object *o;
  if (sw_svc_check_tags(op, tags, tag_count, SW_SVC_MAX_TAGS, err))
    return NULL;
  o = group_obj(op, name, err);
  if (o == NULL)
    return NULL;
  if (!sw_svc_empty(kms_key_id))
    sw_json_add_str(o, "kmsKeyId", kms_key_id);
  if (add_tag_map(o, op, tags, tag_count, err))
    return NULL;
  return sw_svc_json_finish(o, op, err);
}

int sw_logs_create_log_group(struct sw_client *c, const char *name,
                             const char *kms_key_id, const struct sw_tag *tags,
                             size_t tag_count, struct sw_error *err) {
  return sw_svc_json_call(
      c, SW_SVC_LOGS, "CreateLogGroup",
      sw_logs_create_log_group_request(name, kms_key_id, tags, tag_count, err),
      0, NULL, err);
}

int sw_logs_retention_days_valid(int days) {
  static const int ok[] = {1,    3,    5,    7,    14,   30,  60,  90,
                           120,  150,  180,  365,  400,  545, 731, 1096,
                           1827, 2192, 2557, 2922, 3288, 3653};
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
    if (ok[i] == days)
      return 1;
  return 0;
}

char *sw_logs_put_retention_policy_request(const char *name, int days,
                                           struct sw_error *err) {
  const char *op = "PutRetentionPolicy";
  struct json_object *o;
  if (!sw_logs_retention_days_valid(days)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: %d days is not a retention CloudWatch Logs accepts "
                 "(1, 3, 5, 7, 14, 30, 60, 90, ... 3653)",
                 op, days);
    return NULL;
  }
  o = group_obj(op, name, err);
  if (o == NULL)
    return NULL;
  sw_json_add_int64(o, "retentionInDays", days);
  return sw_svc_json_finish(o, op, err);
}

int sw_logs_put_retention_policy(struct sw_client *c, const char *name,
                                 int days, struct sw_error *err) {
  return sw_svc_json_call(c, SW_SVC_LOGS, "PutRetentionPolicy",
                          sw_logs_put_retention_policy_request(name, days, err),
                          0, NULL, err);
}

char *sw_logs_delete_log_group_request(const char *name, struct sw_error *err) {
  struct json_object *o = group_obj("DeleteLogGroup", name, err);
  return o ? sw_svc_json_finish(o, "DeleteLogGroup", err) : NULL;
}

int sw_logs_delete_log_group(struct sw_client *c, const char *name,
                             struct sw_error *err) {
  return sw_svc_json_call(c, SW_SVC_LOGS, "DeleteLogGroup",
                          sw_logs_delete_log_group_request(name, err), 0, NULL,
                          err);
}

char *
sw_logs_describe_log_groups_request(const struct sw_logs_describe_groups_req *r,
                                    struct sw_error *err) {
  struct json_object *o;
  if (r->limit < 0 || r->limit > 50) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "DescribeLogGroups: limit %d outside 1..50", r->limit);
    return NULL;
  }
  o = json_object_new_object();
  if (o && !sw_svc_empty(r->prefix))
    sw_json_add_str(o, "logGroupNamePrefix", r->prefix);
  if (o && !sw_svc_empty(r->next_token))
    sw_json_add_str(o, "nextToken", r->next_token);
  if (o && r->limit)
    sw_json_add_int64(o, "limit", r->limit);
  return sw_svc_json_finish(o, "DescribeLogGroups", err);
}

void sw_logs_describe_groups_resp_clean_up(
    struct sw_logs_describe_groups_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++) {
    free(r->groups[i].name);
    free(r->groups[i].arn);
    free(r->groups[i].kms_key_id);
  }
  free(r->groups);
  free(r->next_token);
  memset(r, 0, sizeof(*r));
}

const struct sw_logs_group *
sw_logs_describe_groups_find(const struct sw_logs_describe_groups_resp *r,
                             const char *name) {
  if (r == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < r->count; i++)
    if (r->groups[i].name && strcmp(r->groups[i].name, name) == 0)
      return &r->groups[i];
  return NULL;
}

static int parse_group(struct json_object *g, size_t i, void *item,
                       struct sw_error *err) {
  struct sw_logs_group *o = item;
  int64_t v;
  o->creation_time_ms = -1;
  o->stored_bytes = -1;
  o->metric_filter_count = -1;
  if (!json_object_is_type(g, json_type_object))
    return sw_error_set(err, SW_ERR_PARSE,
                        "DescribeLogGroups: logGroups[%zu] is not an object",
                        i);
  if (sw_svc_json_dup(g, "logGroupName", 1024, &o->name, err) ||
      sw_svc_json_dup(g, "arn", 2048, &o->arn, err) ||
      sw_svc_json_dup(g, "kmsKeyId", 2048, &o->kms_key_id, err))
    return -1;
  if (sw_json_int64(g, "retentionInDays", &v) == 0 && v > 0 && v < 100000)
    o->retention_days = (int)v;
  if (sw_json_int64(g, "creationTime", &v) == 0)
    o->creation_time_ms = v;
  if (sw_json_int64(g, "storedBytes", &v) == 0)
    o->stored_bytes = v;
  if (sw_json_int64(g, "metricFilterCount", &v) == 0 && v >= 0 && v < 100000)
    o->metric_filter_count = (int)v;
  return 0;
}

int sw_logs_describe_log_groups_parse(struct json_object *root,
                                      struct sw_logs_describe_groups_resp *out,
                                      struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "DescribeLogGroups", err) ||
      sw_svc_json_items(root, "logGroups", SW_SVC_MAX_LIST,
                        sizeof(*out->groups), parse_group, "DescribeLogGroups",
                        (void **)&out->groups, &out->count, err) ||
      sw_svc_json_dup(root, "nextToken", SW_SVC_MAX_STR, &out->next_token,
                      err)) {
    sw_logs_describe_groups_resp_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_logs_describe_log_groups(struct sw_client *c,
                                const struct sw_logs_describe_groups_req *req,
                                struct sw_logs_describe_groups_resp *out,
                                struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(c, SW_SVC_LOGS, "DescribeLogGroups",
                            sw_logs_describe_log_groups_request(req, err), 0,
                            &root, err);
  if (rc == 0)
    rc = sw_logs_describe_log_groups_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- Metric filters ---- */

char *
sw_logs_put_metric_filter_request(const struct sw_logs_metric_filter_req *r,
                                  struct sw_error *err) {
  const char *op = "PutMetricFilter";
  struct json_object *o, *arr, *t;
  if (need(op, "filterName", r->filter_name, err) ||
      need(op, "metricName", r->metric_name, err) ||
      need(op, "metricNamespace", r->metric_namespace, err) ||
      need(op, "metricValue", r->metric_value, err))
    return NULL;
  if (r->filter_pattern == NULL || strlen(r->filter_pattern) > 1024) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: filterPattern is required and at most 1024 bytes", op);
    return NULL;
  }
  o = group_obj(op, r->log_group_name, err);
  if (o == NULL)
    return NULL;
  arr = json_object_new_array();
  t = json_object_new_object();
  if (arr == NULL || t == NULL) {
    json_object_put(arr);
    json_object_put(t);
    json_object_put(o);
    return sw_svc_json_finish(NULL, op, err);
  }
  sw_json_add_str(o, "filterName", r->filter_name);
  sw_json_add_str(o, "filterPattern", r->filter_pattern);
  sw_json_add_str(t, "metricName", r->metric_name);
  sw_json_add_str(t, "metricNamespace", r->metric_namespace);
  sw_json_add_str(t, "metricValue", r->metric_value);
  if (r->has_default_value)
    json_object_object_add(t, "defaultValue",
                           json_object_new_double(r->default_value));
  if (!sw_svc_empty(r->unit))
    sw_json_add_str(t, "unit", r->unit);
  json_object_array_add(arr, t);
  json_object_object_add(o, "metricTransformations", arr);
  return sw_svc_json_finish(o, op, err);
}

int sw_logs_put_metric_filter(struct sw_client *c,
                              const struct sw_logs_metric_filter_req *req,
                              struct sw_error *err) {
  return sw_svc_json_call(c, SW_SVC_LOGS, "PutMetricFilter",
                          sw_logs_put_metric_filter_request(req, err), 0, NULL,
                          err);
}

char *sw_logs_describe_metric_filters_request(
    const struct sw_logs_describe_filters_req *r, struct sw_error *err) {
  const char *op = "DescribeMetricFilters";
  struct json_object *o;
  if (r->limit < 0 || r->limit > 50) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: limit %d outside 1..50", op,
                 r->limit);
    return NULL;
  }
  if (!sw_svc_empty(r->filter_name_prefix) && sw_svc_empty(r->log_group_name)) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: filterNamePrefix needs logGroupName",
                 op);
    return NULL;
  }
  o = json_object_new_object();
  if (o && !sw_svc_empty(r->log_group_name))
    sw_json_add_str(o, "logGroupName", r->log_group_name);
  if (o && !sw_svc_empty(r->filter_name_prefix))
    sw_json_add_str(o, "filterNamePrefix", r->filter_name_prefix);
  if (o && !sw_svc_empty(r->next_token))
    sw_json_add_str(o, "nextToken", r->next_token);
  if (o && r->limit)
    sw_json_add_int64(o, "limit", r->limit);
  return sw_svc_json_finish(o, op, err);
}

static void filter_clean_up(struct sw_logs_metric_filter *f) {
  free(f->filter_name);
  free(f->filter_pattern);
  free(f->log_group_name);
  for (size_t i = 0; i < f->transformation_count; i++) {
    free(f->transformations[i].metric_name);
    free(f->transformations[i].metric_namespace);
    free(f->transformations[i].metric_value);
    free(f->transformations[i].unit);
  }
  free(f->transformations);
}

void sw_logs_describe_filters_resp_clean_up(
    struct sw_logs_describe_filters_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++)
    filter_clean_up(&r->filters[i]);
  free(r->filters);
  free(r->next_token);
  memset(r, 0, sizeof(*r));
}

static int parse_transformation(struct json_object *t, size_t i, void *item,
                                struct sw_error *err) {
  struct sw_logs_metric_transformation *x = item;
  (void)i;
  if (sw_svc_json_dup(t, "metricName", 1024, &x->metric_name, err) ||
      sw_svc_json_dup(t, "metricNamespace", 1024, &x->metric_namespace, err) ||
      sw_svc_json_dup(t, "metricValue", 1024, &x->metric_value, err) ||
      sw_svc_json_dup(t, "unit", 64, &x->unit, err))
    return -1;
  if (sw_json_double(t, "defaultValue", &x->default_value) == 0)
    x->has_default_value = 1;
  return 0;
}

static int parse_filter(struct json_object *o, size_t i, void *item,
                        struct sw_error *err) {
  struct sw_logs_metric_filter *f = item;
  int64_t v;
  f->creation_time_ms = -1;
  if (!json_object_is_type(o, json_type_object))
    return sw_error_set(err, SW_ERR_PARSE,
                        "DescribeMetricFilters: metricFilters[%zu] is not an "
                        "object",
                        i);
  if (sw_svc_json_dup(o, "filterName", 1024, &f->filter_name, err) ||
      sw_svc_json_dup(o, "filterPattern", 4096, &f->filter_pattern, err) ||
      sw_svc_json_dup(o, "logGroupName", 1024, &f->log_group_name, err))
    return -1;
  if (sw_json_int64(o, "creationTime", &v) == 0)
    f->creation_time_ms = v;
  return sw_svc_json_items(
      o, "metricTransformations", 10, sizeof(*f->transformations),
      parse_transformation, "DescribeMetricFilters",
      (void **)&f->transformations, &f->transformation_count, err);
}

int sw_logs_describe_metric_filters_parse(
    struct json_object *root, struct sw_logs_describe_filters_resp *out,
    struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "DescribeMetricFilters", err) ||
      sw_svc_json_items(root, "metricFilters", SW_SVC_MAX_LIST,
                        sizeof(*out->filters), parse_filter,
                        "DescribeMetricFilters", (void **)&out->filters,
                        &out->count, err) ||
      sw_svc_json_dup(root, "nextToken", SW_SVC_MAX_STR, &out->next_token,
                      err)) {
    sw_logs_describe_filters_resp_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_logs_describe_metric_filters(
    struct sw_client *c, const struct sw_logs_describe_filters_req *req,
    struct sw_logs_describe_filters_resp *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(c, SW_SVC_LOGS, "DescribeMetricFilters",
                            sw_logs_describe_metric_filters_request(req, err),
                            0, &root, err);
  if (rc == 0)
    rc = sw_logs_describe_metric_filters_parse(root, out, err);
  json_object_put(root);
  return rc;
}

char *sw_logs_delete_metric_filter_request(const char *log_group_name,
                                           const char *filter_name,
                                           struct sw_error *err) {
  const char *op = "DeleteMetricFilter";
  struct json_object *o;
  if (need(op, "filterName", filter_name, err))
    return NULL;
  o = group_obj(op, log_group_name, err);
  if (o == NULL)
    return NULL;
  sw_json_add_str(o, "filterName", filter_name);
  return sw_svc_json_finish(o, op, err);
}

int sw_logs_delete_metric_filter(struct sw_client *c,
                                 const char *log_group_name,
                                 const char *filter_name,
                                 struct sw_error *err) {
  return sw_svc_json_call(
      c, SW_SVC_LOGS, "DeleteMetricFilter",
      sw_logs_delete_metric_filter_request(log_group_name, filter_name, err), 0,
      NULL, err);
}

/* ---- Tags ---- */

/* {"<key>": value, "tags": {...}} with 1..50 tags. */
static char *tag_request(const char *op, const char *key, const char *value,
                         const struct sw_tag *tags, size_t n,
                         struct sw_error *err) {
  struct json_object *o;
  if (need(op, key, value, err))
    return NULL;
  if (n == 0) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: no tags", op);
    return NULL;
  }
  if (sw_svc_check_tags(op, tags, n, SW_SVC_MAX_TAGS, err))
    return NULL;
  o = json_object_new_object();
  if (o == NULL)
    return sw_svc_json_finish(NULL, op, err);
  sw_json_add_str(o, key, value);
  if (add_tag_map(o, op, tags, n, err))
    return NULL;
  return sw_svc_json_finish(o, op, err);
}

char *sw_logs_tag_resource_request(const char *resource_arn,
                                   const struct sw_tag *tags, size_t tag_count,
                                   struct sw_error *err) {
  return tag_request("TagResource", "resourceArn", resource_arn, tags,
                     tag_count, err);
}

int sw_logs_tag_resource(struct sw_client *c, const char *resource_arn,
                         const struct sw_tag *tags, size_t tag_count,
                         struct sw_error *err) {
  return sw_svc_json_call(
      c, SW_SVC_LOGS, "TagResource",
      sw_logs_tag_resource_request(resource_arn, tags, tag_count, err), 0, NULL,
      err);
}

char *sw_logs_tag_log_group_request(const char *log_group_name,
                                    const struct sw_tag *tags, size_t tag_count,
                                    struct sw_error *err) {
  return tag_request("TagLogGroup", "logGroupName", log_group_name, tags,
                     tag_count, err);
}

int sw_logs_tag_log_group(struct sw_client *c, const char *log_group_name,
                          const struct sw_tag *tags, size_t tag_count,
                          struct sw_error *err) {
  return sw_svc_json_call(
      c, SW_SVC_LOGS, "TagLogGroup",
      sw_logs_tag_log_group_request(log_group_name, tags, tag_count, err), 0,
      NULL, err);
}

char *sw_logs_list_tags_request(const char *resource_arn,
                                struct sw_error *err) {
  struct json_object *o;
  if (need("ListTagsForResource", "resourceArn", resource_arn, err))
    return NULL;
  o = json_object_new_object();
  if (o)
    sw_json_add_str(o, "resourceArn", resource_arn);
  return sw_svc_json_finish(o, "ListTagsForResource", err);
}

int sw_logs_list_tags_parse(struct json_object *root, struct sw_tag_list *out,
                            struct sw_error *err) {
  struct json_object *tags;
  sw_tag_list_init(out);
  if (not_object(root, "ListTagsForResource", err))
    return -1;
  tags = sw_json_obj(root, "tags");
  if (tags == NULL)
    return 0;
  json_object_object_foreach(tags, k, v) {
    if (!json_object_is_type(v, json_type_string)) {
      sw_tag_list_clean_up(out);
      return sw_error_set(err, SW_ERR_PARSE,
                          "ListTagsForResource: tag value is not a string");
    }
    if (sw_tag_list_add(out, k, json_object_get_string(v), SW_SVC_MAX_TAGS,
                        err)) {
      sw_tag_list_clean_up(out);
      return -1;
    }
  }
  return 0;
}

int sw_logs_list_tags(struct sw_client *c, const char *resource_arn,
                      struct sw_tag_list *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(c, SW_SVC_LOGS, "ListTagsForResource",
                            sw_logs_list_tags_request(resource_arn, err), 0,
                            &root, err);
  if (rc == 0)
    rc = sw_logs_list_tags_parse(root, out, err);
  json_object_put(root);
  return rc;
}

char *sw_logs_group_arn_for_trail(const char *group_arn) {
  size_t n;
  char *s;
  if (group_arn == NULL)
    return NULL;
  n = strlen(group_arn);
  s = malloc(n + 3);
  if (s == NULL)
    return NULL;
  memcpy(s, group_arn, n + 1);
  if (n < 2 || strcmp(group_arn + n - 2, ":*") != 0)
    memcpy(s + n, ":*", 3);
  return s;
}
