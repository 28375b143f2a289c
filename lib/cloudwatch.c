#include "lib/cloudwatch.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xml.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sw_cw_protocol_from_string(const char *s, enum sw_cw_protocol *out) {
  if (s && strcasecmp(s, "json") == 0)
    *out = SW_CW_JSON;
  else if (s && strcasecmp(s, "query") == 0)
    *out = SW_CW_QUERY;
  else
    return -1;
  return 0;
}

/* ---- shared request plumbing ----
 * Each request is first built as a json-c tree in the JSON 1.0 shape; the
 * query form is the same tree flattened the AWS query way (objects as
 * "A.B", lists as "A.member.N"), so both protocols carry the same fields. */

static int flatten(struct json_object *v, const char *prefix,
                   struct sw_params *p) {
  char name[512];
  switch (json_object_get_type(v)) {
  case json_type_object: {
    json_object_object_foreach(v, key, child) {
      snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key);
      if (flatten(child, name, p) != 0)
        return -1;
    }
    return 0;
  }
  case json_type_array:
    for (size_t i = 0; i < json_object_array_length(v); i++) {
      snprintf(name, sizeof(name), "%s.member.%zu", prefix, i + 1);
      if (flatten(json_object_array_get_idx(v, i), name, p) != 0)
        return -1;
    }
    return 0;
  case json_type_boolean:
    return sw_params_add(p, prefix,
                         json_object_get_boolean(v) ? "true" : "false");
  case json_type_string:
    return sw_params_add(p, prefix, json_object_get_string(v));
  default:
    return sw_params_add(p, prefix, json_object_to_json_string(v));
  }
}

/* Finishes a request tree for either protocol; consumes o. */
/* The size of a query body once form-encoded (RFC 3986 unreserved bytes
 * stay, others become %XX). */
static size_t form_size(const struct sw_params *p) {
  size_t n = 0;
  for (size_t i = 0; i < p->list.count; i++) {
    const char *parts[2] = {p->list.items[i].name, p->list.items[i].value};
    for (int k = 0; k < 2; k++)
      for (const char *s = parts[k]; *s; s++)
        n += ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr("-._~", *s))
                 ? 1
                 : 3;
    n += 2; /* '=' and '&' */
  }
  return n;
}

static int to_params(struct json_object *o, const char *op, struct sw_params *p,
                     struct sw_error *err) {
  int rc = o ? flatten(o, "", p) : -1;
  json_object_put(o);
  if (rc != 0)
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "%s: out of memory building request", op);
  return 0;
}

static struct json_object *str_array(const char *const *items, size_t n) {
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; a && i < n; i++)
    json_object_array_add(a, json_object_new_string(items[i] ? items[i] : ""));
  return a;
}

static struct json_object *dims_array(const struct sw_cw_dimension *d,
                                      size_t n) {
  struct json_object *a = json_object_new_array();
  for (size_t i = 0; a && i < n; i++) {
    struct json_object *o = json_object_new_object();
    sw_json_add_str(o, "Name", d[i].name);
    sw_json_add_str(o, "Value", d[i].value ? d[i].value : "");
    json_object_array_add(a, o);
  }
  return a;
}

static int check_dims(const char *op, const struct sw_cw_dimension *d, size_t n,
                      struct sw_error *err) {
  if (n > SW_CW_MAX_DIMENSIONS)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: %zu dimensions, at most %d",
                        op, n, SW_CW_MAX_DIMENSIONS);
  for (size_t i = 0; i < n; i++)
    if (sw_svc_empty(d[i].name))
      return sw_error_set(err, SW_ERR_CONFIG, "%s: dimension %zu has no name",
                          op, i);
  return 0;
}

/* ---- GetMetricData ---- */

static int query_id_valid(const char *id) {
  if (id == NULL || !(id[0] >= 'a' && id[0] <= 'z') || strlen(id) > 255)
    return 0;
  for (const char *s = id; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '_'))
      return 0;
  return 1;
}

static struct json_object *metric_query(const struct sw_cw_metric_query *q,
                                        size_t i, struct sw_error *err) {
  struct json_object *o;
  if (!query_id_valid(q->id)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "GetMetricData: query %zu id \"%s\" must start with a "
                 "lowercase letter and hold only letters, digits and '_'",
                 i, q->id ? q->id : "");
    return NULL;
  }
  if (sw_svc_empty(q->metric_name) && sw_svc_empty(q->expression)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "GetMetricData: query %s needs a metric or an expression",
                 q->id);
    return NULL;
  }
  if (!sw_svc_empty(q->metric_name) &&
      (sw_svc_empty(q->namespace_) || sw_svc_empty(q->stat) ||
       q->period_s <= 0)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "GetMetricData: query %s needs a namespace, a statistic and "
                 "a period > 0",
                 q->id);
    return NULL;
  }
  if (check_dims("GetMetricData", q->dims, q->dim_count, err))
    return NULL;
  o = json_object_new_object();
  if (o == NULL)
    return NULL;
  sw_json_add_str(o, "Id", q->id);
  if (!sw_svc_empty(q->metric_name)) {
    struct json_object *ms = json_object_new_object();
    struct json_object *m = json_object_new_object();
    sw_json_add_str(m, "Namespace", q->namespace_);
    sw_json_add_str(m, "MetricName", q->metric_name);
    if (q->dim_count)
      json_object_object_add(m, "Dimensions",
                             dims_array(q->dims, q->dim_count));
    json_object_object_add(ms, "Metric", m);
    sw_json_add_int64(ms, "Period", q->period_s);
    sw_json_add_str(ms, "Stat", q->stat);
    if (!sw_svc_empty(q->unit))
      sw_json_add_str(ms, "Unit", q->unit);
    json_object_object_add(o, "MetricStat", ms);
  } else {
    sw_json_add_str(o, "Expression", q->expression);
  }
  if (!sw_svc_empty(q->label))
    sw_json_add_str(o, "Label", q->label);
  if (q->return_data >= 0)
    sw_json_add_bool(o, "ReturnData", q->return_data);
  return o;
}

/* The protocol-neutral part of GetMetricData (no times). */
static struct json_object *
metric_data_tree(const struct sw_cw_get_metric_data_req *r,
                 struct sw_error *err) {
  struct json_object *o, *arr;
  if (r->count == 0 || r->count > SW_CW_MAX_QUERIES || r->queries == NULL) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "GetMetricData: %zu queries, 1 to %d per call (split larger "
                 "sets)",
                 r->count, SW_CW_MAX_QUERIES);
    return NULL;
  }
  if (r->start_time_s <= 0 || r->end_time_s <= r->start_time_s) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "GetMetricData: time range %lld..%lld is invalid",
                 (long long)r->start_time_s, (long long)r->end_time_s);
    return NULL;
  }
  o = json_object_new_object();
  arr = json_object_new_array();
  if (o == NULL || arr == NULL) {
    json_object_put(o);
    json_object_put(arr);
    sw_error_set(err, SW_ERR_INTERNAL, "GetMetricData: out of memory");
    return NULL;
  }
  json_object_object_add(o, "MetricDataQueries", arr);
  for (size_t i = 0; i < r->count; i++) {
    struct json_object *q = metric_query(&r->queries[i], i, err);
    if (q == NULL) {
      json_object_put(o);
      if (err && err->kind == SW_ERR_NONE)
        sw_error_set(err, SW_ERR_INTERNAL, "GetMetricData: out of memory");
      return NULL;
    }
    json_object_array_add(arr, q);
  }
  return o;
}

static void metric_data_tail(struct json_object *o,
                             const struct sw_cw_get_metric_data_req *r) {
  if (!sw_svc_empty(r->next_token))
    sw_json_add_str(o, "NextToken", r->next_token);
  if (!sw_svc_empty(r->scan_by))
    sw_json_add_str(o, "ScanBy", r->scan_by);
  if (r->max_datapoints > 0)
    sw_json_add_int64(o, "MaxDatapoints", r->max_datapoints);
}

char *
sw_cw_get_metric_data_request_json(const struct sw_cw_get_metric_data_req *req,
                                   struct sw_error *err) {
  struct json_object *o;
  sw_error_clear(err);
  o = metric_data_tree(req, err);
  if (o == NULL)
    return NULL;
  char *body;
  sw_json_add_int64(o, "StartTime", req->start_time_s);
  sw_json_add_int64(o, "EndTime", req->end_time_s);
  metric_data_tail(o, req);
  body = sw_svc_json_finish(o, "GetMetricData", err);
  if (body && strlen(body) > SW_CW_MAX_REQUEST_BYTES) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "GetMetricData: request of %zu bytes exceeds AWS's %d",
                 strlen(body), SW_CW_MAX_REQUEST_BYTES);
    free(body);
    return NULL;
  }
  return body;
}

int sw_cw_get_metric_data_request_query(
    const struct sw_cw_get_metric_data_req *req, struct sw_params *p,
    struct sw_error *err) {
  struct json_object *o;
  char iso[21];
  sw_error_clear(err);
  o = metric_data_tree(req, err);
  if (o == NULL)
    return -1;
  sw_time_iso8601((time_t)req->start_time_s, iso);
  sw_json_add_str(o, "StartTime", iso);
  sw_time_iso8601((time_t)req->end_time_s, iso);
  sw_json_add_str(o, "EndTime", iso);
  metric_data_tail(o, req);
  if (to_params(o, "GetMetricData", p, err) != 0)
    return -1;
  if (form_size(p) > SW_CW_MAX_REQUEST_BYTES) {
    size_t n = form_size(p);
    sw_params_clean_up(p);
    sw_params_init(p);
    return sw_error_set(err, SW_ERR_CONFIG,
                        "GetMetricData: request of %zu bytes exceeds AWS's %d",
                        n, SW_CW_MAX_REQUEST_BYTES);
  }
  return 0;
}

static void messages_free(struct sw_cw_message *m, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(m[i].code);
    free(m[i].value);
  }
  free(m);
}

void sw_cw_get_metric_data_resp_clean_up(struct sw_cw_get_metric_data_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++) {
    struct sw_cw_metric_result *m = &r->results[i];
    free(m->id);
    free(m->label);
    free(m->timestamps_s);
    free(m->values);
    messages_free(m->messages, m->message_count);
  }
  free(r->results);
  free(r->next_token);
  messages_free(r->messages, r->message_count);
  memset(r, 0, sizeof(*r));
}

static int json_message(struct json_object *m, size_t i, void *item,
                        struct sw_error *err) {
  struct sw_cw_message *msg = item;
  (void)i;
  return sw_svc_json_dup(m, "Code", 1024, &msg->code, err) ||
                 sw_svc_json_dup(m, "Value", 4096, &msg->value, err)
             ? -1
             : 0;
}

static int xml_message(xmlNode *m, size_t i, void *item, struct sw_error *err) {
  struct sw_cw_message *msg = item;
  (void)i;
  return sw_svc_xml_dup(m, "Code", 1024, &msg->code, err) ||
                 sw_svc_xml_dup(m, "Value", 4096, &msg->value, err)
             ? -1
             : 0;
}

/* Messages [{Code, Value}] (at most 100) of a result or of the answer. */
static int json_messages(struct json_object *parent, struct sw_cw_message **out,
                         size_t *count, struct sw_error *err) {
  return sw_svc_json_items(parent, "Messages", 100, sizeof(**out), json_message,
                           "GetMetricData", (void **)out, count, err);
}

static int xml_messages(xmlNode *parent, struct sw_cw_message **out,
                        size_t *count, struct sw_error *err) {
  return sw_svc_xml_items(parent, "Messages", "member", 100, sizeof(**out),
                          xml_message, "GetMetricData", (void **)out, count,
                          err);
}

static int alloc_points(struct sw_cw_metric_result *m, size_t n,
                        struct sw_error *err) {
  if (n > SW_SVC_MAX_LIST * 10)
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetMetricData: result %s has %zu datapoints",
                        m->id ? m->id : "?", n);
  if (n == 0)
    return 0;
  m->timestamps_s = calloc(n, sizeof(double));
  m->values = calloc(n, sizeof(double));
  if (m->timestamps_s == NULL || m->values == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  return 0;
}

static int json_result(struct json_object *o, size_t i, void *item,
                       struct sw_error *err) {
  struct sw_cw_metric_result *m = item;
  struct json_object *ts, *vs;
  size_t nt, nv;
  if (!json_object_is_type(o, json_type_object))
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetMetricData: MetricDataResults[%zu] is not an "
                        "object",
                        i);
  if (sw_svc_json_dup(o, "Id", 1024, &m->id, err) ||
      sw_svc_json_dup(o, "Label", 4096, &m->label, err))
    return -1;
  sw_svc_copy(m->status_code, sizeof(m->status_code),
              sw_json_str(o, "StatusCode"));
  ts = sw_json_arr(o, "Timestamps");
  vs = sw_json_arr(o, "Values");
  nt = ts ? json_object_array_length(ts) : 0;
  nv = vs ? json_object_array_length(vs) : 0;
  if (nt != nv)
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetMetricData: result %s has %zu timestamps but %zu "
                        "values",
                        m->id ? m->id : "?", nt, nv);
  if (alloc_points(m, nt, err))
    return -1;
  for (size_t k = 0; k < nt; k++) {
    struct json_object *t = json_object_array_get_idx(ts, k);
    struct json_object *v = json_object_array_get_idx(vs, k);
    int t_ok = json_object_is_type(t, json_type_double) ||
               json_object_is_type(t, json_type_int);
    /* Epoch seconds on the wire; ISO 8601 strings as the CLI prints them. */
    if (!t_ok && json_object_is_type(t, json_type_string) &&
        sw_time_parse_iso8601(json_object_get_string(t), &m->timestamps_s[k]) ==
            0)
      t_ok = 2;
    if (!t_ok || (!json_object_is_type(v, json_type_double) &&
                  !json_object_is_type(v, json_type_int)))
      return sw_error_set(err, SW_ERR_PARSE,
                          "GetMetricData: result %s point %zu is not numeric",
                          m->id ? m->id : "?", k);
    if (t_ok == 1)
      m->timestamps_s[k] = json_object_get_double(t);
    m->values[k] = json_object_get_double(v);
    m->count = k + 1;
  }
  return json_messages(o, &m->messages, &m->message_count, err);
}

int sw_cw_get_metric_data_parse_json(struct json_object *root,
                                     struct sw_cw_get_metric_data_resp *out,
                                     struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (root == NULL || !json_object_is_type(root, json_type_object))
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetMetricData: answer is not a JSON object");
  if (sw_svc_json_items(root, "MetricDataResults", SW_SVC_MAX_LIST,
                        sizeof(*out->results), json_result, "GetMetricData",
                        (void **)&out->results, &out->count, err) ||
      sw_svc_json_dup(root, "NextToken", SW_SVC_MAX_STR, &out->next_token,
                      err) ||
      json_messages(root, &out->messages, &out->message_count, err)) {
    sw_cw_get_metric_data_resp_clean_up(out);
    return -1;
  }
  return 0;
}

static size_t xml_count(xmlNode *list) {
  size_t n = 0;
  for (xmlNode *m = sw_xml_child(list, "member"); m; m = sw_xml_next(m))
    n++;
  return n;
}

static int xml_result(xmlNode *node, size_t i, void *item,
                      struct sw_error *err) {
  struct sw_cw_metric_result *m = item;
  xmlNode *ts = sw_xml_child(node, "Timestamps");
  xmlNode *vs = sw_xml_child(node, "Values"), *t, *v;
  size_t nt = xml_count(ts), nv = xml_count(vs), k = 0;
  (void)i;
  if (sw_svc_xml_dup(node, "Id", 1024, &m->id, err) ||
      sw_svc_xml_dup(node, "Label", 4096, &m->label, err))
    return -1;
  sw_xml_path_copy(node, "StatusCode", m->status_code, sizeof(m->status_code));
  if (nt != nv)
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetMetricData: result %s has %zu timestamps but %zu "
                        "values",
                        m->id ? m->id : "?", nt, nv);
  if (alloc_points(m, nt, err))
    return -1;
  for (t = sw_xml_child(ts, "member"), v = sw_xml_child(vs, "member"); t && v;
       t = sw_xml_next(t), v = sw_xml_next(v), k++) {
    if (sw_svc_xml_time(t, "", &m->timestamps_s[k]) != 0 ||
        sw_svc_xml_double(v, "", &m->values[k]) != 0)
      return sw_error_set(err, SW_ERR_PARSE,
                          "GetMetricData: result %s point %zu is malformed",
                          m->id ? m->id : "?", k);
    m->count = k + 1;
  }
  return xml_messages(node, &m->messages, &m->message_count, err);
}

int sw_cw_get_metric_data_parse_xml(xmlDoc *doc,
                                    struct sw_cw_get_metric_data_resp *out,
                                    struct sw_error *err) {
  xmlNode *res;
  memset(out, 0, sizeof(*out));
  res = sw_svc_query_result(doc, "GetMetricData", err);
  if (res == NULL)
    return -1;
  if (sw_svc_xml_items(res, "MetricDataResults", "member", SW_SVC_MAX_LIST,
                       sizeof(*out->results), xml_result, "GetMetricData",
                       (void **)&out->results, &out->count, err) ||
      sw_svc_xml_dup(res, "NextToken", SW_SVC_MAX_STR, &out->next_token, err) ||
      xml_messages(res, &out->messages, &out->message_count, err)) {
    sw_cw_get_metric_data_resp_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_cw_get_metric_data(struct sw_client *c, enum sw_cw_protocol proto,
                          const struct sw_cw_get_metric_data_req *req,
                          struct sw_cw_get_metric_data_resp *out,
                          struct sw_error *err) {
  const char *op = "GetMetricData";
  struct json_object *root = NULL;
  xmlDoc *doc = NULL;
  struct sw_params p;
  int rc;
  sw_params_init(&p);
  if (proto == SW_CW_JSON)
    rc = sw_svc_json_call(c, SW_SVC_CLOUDWATCH, op,
                          sw_cw_get_metric_data_request_json(req, err), 0,
                          &root, err);
  else
    rc = sw_svc_query_call(c, SW_SVC_CLOUDWATCH, op, &p,
                           sw_cw_get_metric_data_request_query(req, &p, err),
                           &doc, err);
  if (rc == 0)
    rc = root ? sw_cw_get_metric_data_parse_json(root, out, err)
              : sw_cw_get_metric_data_parse_xml(doc, out, err);
  json_object_put(root);
  xmlFreeDoc(doc);
  return rc;
}

/* ---- DescribeAlarms ---- */

static struct json_object *
describe_tree(const struct sw_cw_describe_alarms_req *r, struct sw_error *err) {
  struct json_object *o, *types;
  if (r->name_count > SW_CW_MAX_ALARM_NAMES ||
      (r->name_count && r->alarm_names == NULL)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "DescribeAlarms: %zu alarm names, at most %d per call",
                 r->name_count, SW_CW_MAX_ALARM_NAMES);
    return NULL;
  }
  if (r->name_count && !sw_svc_empty(r->alarm_name_prefix)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "DescribeAlarms: AlarmNames and AlarmNamePrefix exclude "
                 "each other");
    return NULL;
  }
  if (r->max_records < 0 || r->max_records > 100) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "DescribeAlarms: MaxRecords %d outside 1..100",
                 r->max_records);
    return NULL;
  }
  o = json_object_new_object();
  if (o == NULL)
    goto oom;
  if (r->name_count)
    json_object_object_add(o, "AlarmNames",
                           str_array(r->alarm_names, r->name_count));
  if (!sw_svc_empty(r->alarm_name_prefix))
    sw_json_add_str(o, "AlarmNamePrefix", r->alarm_name_prefix);
  if (r->alarm_types) {
    types = json_object_new_array();
    if (r->alarm_types & SW_CW_ALARM_TYPE_METRIC)
      json_object_array_add(types, json_object_new_string("MetricAlarm"));
    if (r->alarm_types & SW_CW_ALARM_TYPE_COMPOSITE)
      json_object_array_add(types, json_object_new_string("CompositeAlarm"));
    json_object_object_add(o, "AlarmTypes", types);
  }
  if (!sw_svc_empty(r->state_value))
    sw_json_add_str(o, "StateValue", r->state_value);
  if (r->max_records)
    sw_json_add_int64(o, "MaxRecords", r->max_records);
  if (!sw_svc_empty(r->next_token))
    sw_json_add_str(o, "NextToken", r->next_token);
  return o;
oom:
  sw_error_set(err, SW_ERR_INTERNAL, "DescribeAlarms: out of memory");
  return NULL;
}

char *
sw_cw_describe_alarms_request_json(const struct sw_cw_describe_alarms_req *req,
                                   struct sw_error *err) {
  struct json_object *o = describe_tree(req, err);
  return o ? sw_svc_json_finish(o, "DescribeAlarms", err) : NULL;
}

int sw_cw_describe_alarms_request_query(
    const struct sw_cw_describe_alarms_req *req, struct sw_params *p,
    struct sw_error *err) {
  struct json_object *o = describe_tree(req, err);
  return o ? to_params(o, "DescribeAlarms", p, err) : -1;
}

enum field_type { F_STR, F_TIME, F_BOOL, F_INT, F_DOUBLE, F_LIST };

/* The alarm members we keep: name, type, where, and where its has_ flag is
 * (or (size_t)-1). */
static const struct alarm_field {
  const char *name;
  enum field_type type;
  size_t off;
  size_t has_off;
} alarm_fields[] = {
#define NO_FLAG ((size_t)-1)
#define F(n, t, m) \
  { n, t, offsetof(struct sw_cw_alarm, m), NO_FLAG }
#define FH(n, t, m, h) \
  { n, t, offsetof(struct sw_cw_alarm, m), offsetof(struct sw_cw_alarm, h) }
    F("AlarmName", F_STR, alarm_name),
    F("AlarmArn", F_STR, alarm_arn),
    F("AlarmDescription", F_STR, alarm_description),
    F("StateValue", F_STR, state_value),
    F("StateReason", F_STR, state_reason),
    F("StateReasonData", F_STR, state_reason_data),
    F("MetricName", F_STR, metric_name),
    F("Namespace", F_STR, namespace_),
    F("Statistic", F_STR, statistic),
    F("ExtendedStatistic", F_STR, extended_statistic),
    F("ComparisonOperator", F_STR, comparison_operator),
    F("TreatMissingData", F_STR, treat_missing_data),
    F("Unit", F_STR, unit),
    F("AlarmRule", F_STR, alarm_rule),
    FH("StateUpdatedTimestamp", F_TIME, state_updated_s, has_state_updated),
    FH("StateTransitionedTimestamp", F_TIME, state_transitioned_s,
       has_state_transitioned),
    FH("AlarmConfigurationUpdatedTimestamp", F_TIME, config_updated_s,
       has_config_updated),
    F("ActionsEnabled", F_BOOL, actions_enabled),
    F("AlarmActions", F_LIST, alarm_actions),
    F("OKActions", F_LIST, ok_actions),
    F("InsufficientDataActions", F_LIST, insufficient_data_actions),
    FH("Period", F_INT, period_s, has_period),
    FH("EvaluationPeriods", F_INT, evaluation_periods, has_evaluation_periods),
    FH("DatapointsToAlarm", F_INT, datapoints_to_alarm,
       has_datapoints_to_alarm),
    FH("Threshold", F_DOUBLE, threshold, has_threshold),
#undef F
#undef FH
};
#define N_ALARM_FIELDS (sizeof(alarm_fields) / sizeof(alarm_fields[0]))
#define AT(a, off, type) ((type *)((char *)(a) + (off)))

static void alarm_init(struct sw_cw_alarm *a, enum sw_cw_alarm_kind kind) {
  memset(a, 0, sizeof(*a));
  a->kind = kind;
  a->actions_enabled = -1;
}

static void alarm_clean_up(struct sw_cw_alarm *a) {
  for (size_t i = 0; i < N_ALARM_FIELDS; i++) {
    if (alarm_fields[i].type == F_STR)
      free(*AT(a, alarm_fields[i].off, char *));
    else if (alarm_fields[i].type == F_LIST)
      sw_str_list_clean_up(AT(a, alarm_fields[i].off, struct sw_str_list));
  }
  sw_tag_list_clean_up(&a->dimensions);
}

static void set_flag(struct sw_cw_alarm *a, const struct alarm_field *f) {
  if (f->has_off != NO_FLAG)
    *AT(a, f->has_off, int) = 1;
}

/* Fills a from one alarm, given as a JSON object (j) or an XML element
 * (x): the same members in either protocol. */
static int fill_alarm(struct json_object *j, xmlNode *x, struct sw_cw_alarm *a,
                      struct sw_error *err) {
  for (size_t i = 0; i < N_ALARM_FIELDS; i++) {
    const struct alarm_field *f = &alarm_fields[i];
    void *dst = (char *)a + f->off;
    int64_t jv;
    long long xv;
    int b, got = 0;
    switch (f->type) {
    case F_STR:
      if (j ? sw_svc_json_dup(j, f->name, SW_SVC_MAX_STR, dst, err)
            : sw_svc_xml_dup(x, f->name, SW_SVC_MAX_STR, dst, err))
        return -1;
      break;
    case F_TIME:
      got = (j ? sw_json_epoch(j, f->name, dst)
               : sw_svc_xml_time(x, f->name, dst)) == 0;
      break;
    case F_BOOL:
      if ((j ? sw_json_bool(j, f->name, &b)
             : sw_svc_xml_bool(x, f->name, &b)) == 0)
        *(int *)dst = b;
      break;
    case F_INT:
      if (j ? sw_json_int64(j, f->name, &jv) == 0
            : sw_svc_xml_int64(x, f->name, &xv) == 0) {
        *(long long *)dst = j ? (long long)jv : xv;
        got = 1;
      }
      break;
    case F_DOUBLE:
      got = (j ? sw_json_double(j, f->name, dst)
               : sw_svc_xml_double(x, f->name, dst)) == 0;
      break;
    case F_LIST:
      if (j ? sw_svc_json_str_list(j, f->name, 5 * SW_SVC_MAX_TAGS, dst, err)
            : sw_svc_xml_str_list(x, f->name, 5 * SW_SVC_MAX_TAGS, dst, err))
        return -1;
      break;
    }
    if (got)
      set_flag(a, f);
  }
  return j ? sw_svc_json_pairs(j, "Dimensions", "Name", "Value",
                               SW_CW_MAX_DIMENSIONS, "DescribeAlarms",
                               &a->dimensions, err)
           : sw_svc_xml_pairs(x, "Dimensions", "member", "Name", "Value",
                              SW_CW_MAX_DIMENSIONS, "DescribeAlarms",
                              &a->dimensions, err);
}

void sw_cw_describe_alarms_resp_clean_up(struct sw_cw_describe_alarms_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++)
    alarm_clean_up(&r->alarms[i]);
  free(r->alarms);
  free(r->next_token);
  memset(r, 0, sizeof(*r));
}

const struct sw_cw_alarm *
sw_cw_describe_alarms_find(const struct sw_cw_describe_alarms_resp *r,
                           const char *name) {
  if (r == NULL || name == NULL)
    return NULL;
  for (size_t i = 0; i < r->count; i++)
    if (r->alarms[i].alarm_name && strcmp(r->alarms[i].alarm_name, name) == 0)
      return &r->alarms[i];
  return NULL;
}

int sw_cw_describe_alarms_parse_json(struct json_object *root,
                                     struct sw_cw_describe_alarms_resp *out,
                                     struct sw_error *err) {
  struct json_object *ma, *ca;
  size_t nm, nc;
  memset(out, 0, sizeof(*out));
  if (root == NULL || !json_object_is_type(root, json_type_object))
    return sw_error_set(err, SW_ERR_PARSE,
                        "DescribeAlarms: answer is not a JSON object");
  ma = sw_json_arr(root, "MetricAlarms");
  ca = sw_json_arr(root, "CompositeAlarms");
  nm = ma ? json_object_array_length(ma) : 0;
  nc = ca ? json_object_array_length(ca) : 0;
  if (nm + nc > SW_SVC_MAX_LIST)
    return sw_error_set(err, SW_ERR_PARSE, "DescribeAlarms: %zu alarms",
                        nm + nc);
  if (nm + nc) {
    out->alarms = calloc(nm + nc, sizeof(*out->alarms));
    if (out->alarms == NULL)
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  }
  for (size_t i = 0; i < nm + nc; i++) {
    struct sw_cw_alarm *a = &out->alarms[i];
    alarm_init(a, i < nm ? SW_CW_METRIC_ALARM : SW_CW_COMPOSITE_ALARM);
    out->count = i + 1;
    struct json_object *e = i < nm ? json_object_array_get_idx(ma, i)
                                   : json_object_array_get_idx(ca, i - nm);
    if (!json_object_is_type(e, json_type_object)) {
      sw_error_set(err, SW_ERR_PARSE,
                   "DescribeAlarms: alarm %zu is not an object", i);
      goto fail;
    }
    if (fill_alarm(e, NULL, a, err))
      goto fail;
  }
  if (sw_svc_json_dup(root, "NextToken", SW_SVC_MAX_STR, &out->next_token, err))
    goto fail;
  return 0;
fail:
  sw_cw_describe_alarms_resp_clean_up(out);
  return -1;
}

int sw_cw_describe_alarms_parse_xml(xmlDoc *doc,
                                    struct sw_cw_describe_alarms_resp *out,
                                    struct sw_error *err) {
  xmlNode *res, *ml, *cl, *m;
  size_t nm, nc, i = 0;
  memset(out, 0, sizeof(*out));
  res = sw_svc_query_result(doc, "DescribeAlarms", err);
  if (res == NULL)
    return -1;
  ml = sw_xml_child(res, "MetricAlarms");
  cl = sw_xml_child(res, "CompositeAlarms");
  nm = xml_count(ml);
  nc = xml_count(cl);
  if (nm + nc > SW_SVC_MAX_LIST)
    return sw_error_set(err, SW_ERR_PARSE, "DescribeAlarms: %zu alarms",
                        nm + nc);
  if (nm + nc) {
    out->alarms = calloc(nm + nc, sizeof(*out->alarms));
    if (out->alarms == NULL)
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  }
  for (int pass = 0; pass < 2; pass++)
    for (m = sw_xml_child(pass ? cl : ml, "member"); m;
         m = sw_xml_next(m), i++) {
      alarm_init(&out->alarms[i],
                 pass ? SW_CW_COMPOSITE_ALARM : SW_CW_METRIC_ALARM);
      out->count = i + 1;
      if (fill_alarm(NULL, m, &out->alarms[i], err))
        goto fail;
    }
  if (sw_svc_xml_dup(res, "NextToken", SW_SVC_MAX_STR, &out->next_token, err))
    goto fail;
  return 0;
fail:
  sw_cw_describe_alarms_resp_clean_up(out);
  return -1;
}

int sw_cw_describe_alarms(struct sw_client *c, enum sw_cw_protocol proto,
                          const struct sw_cw_describe_alarms_req *req,
                          struct sw_cw_describe_alarms_resp *out,
                          struct sw_error *err) {
  const char *op = "DescribeAlarms";
  struct json_object *root = NULL;
  xmlDoc *doc = NULL;
  struct sw_params p;
  int rc;
  sw_params_init(&p);
  if (proto == SW_CW_JSON)
    rc = sw_svc_json_call(c, SW_SVC_CLOUDWATCH, op,
                          sw_cw_describe_alarms_request_json(req, err), 0,
                          &root, err);
  else
    rc = sw_svc_query_call(c, SW_SVC_CLOUDWATCH, op, &p,
                           sw_cw_describe_alarms_request_query(req, &p, err),
                           &doc, err);
  if (rc == 0)
    rc = root ? sw_cw_describe_alarms_parse_json(root, out, err)
              : sw_cw_describe_alarms_parse_xml(doc, out, err);
  json_object_put(root);
  xmlFreeDoc(doc);
  return rc;
}

/* ---- PutMetricAlarm ---- */

static struct json_object *
put_alarm_tree(const struct sw_cw_put_metric_alarm_req *r,
               struct sw_error *err) {
  struct json_object *o;
  const char *op = "PutMetricAlarm";
  if (sw_svc_empty(r->alarm_name) || sw_svc_empty(r->metric_name) ||
      sw_svc_empty(r->namespace_) || sw_svc_empty(r->statistic) ||
      sw_svc_empty(r->comparison_operator)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: AlarmName, MetricName, Namespace, Statistic and "
                 "ComparisonOperator are required",
                 op);
    return NULL;
  }
  if (r->period_s <= 0 || r->evaluation_periods < 1 ||
      r->datapoints_to_alarm < 0 ||
      r->datapoints_to_alarm > r->evaluation_periods) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: alarm %s needs Period > 0, EvaluationPeriods >= 1 and "
                 "DatapointsToAlarm <= EvaluationPeriods",
                 op, r->alarm_name);
    return NULL;
  }
  if (r->alarm_action_count > 5 || r->ok_action_count > 5 ||
      r->insufficient_data_action_count > 5) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: at most 5 actions of each kind", op);
    return NULL;
  }
  if (check_dims(op, r->dims, r->dim_count, err) ||
      sw_svc_check_tags(op, r->tags, r->tag_count, SW_SVC_MAX_TAGS, err))
    return NULL;
  o = json_object_new_object();
  if (o == NULL) {
    sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
    return NULL;
  }
  sw_json_add_str(o, "AlarmName", r->alarm_name);
  if (!sw_svc_empty(r->alarm_description))
    sw_json_add_str(o, "AlarmDescription", r->alarm_description);
  if (r->actions_enabled >= 0)
    sw_json_add_bool(o, "ActionsEnabled", r->actions_enabled);
  if (r->ok_action_count)
    json_object_object_add(o, "OKActions",
                           str_array(r->ok_actions, r->ok_action_count));
  if (r->alarm_action_count)
    json_object_object_add(o, "AlarmActions",
                           str_array(r->alarm_actions, r->alarm_action_count));
  if (r->insufficient_data_action_count)
    json_object_object_add(o, "InsufficientDataActions",
                           str_array(r->insufficient_data_actions,
                                     r->insufficient_data_action_count));
  sw_json_add_str(o, "MetricName", r->metric_name);
  sw_json_add_str(o, "Namespace", r->namespace_);
  sw_json_add_str(o, "Statistic", r->statistic);
  if (r->dim_count)
    json_object_object_add(o, "Dimensions", dims_array(r->dims, r->dim_count));
  sw_json_add_int64(o, "Period", r->period_s);
  if (!sw_svc_empty(r->unit))
    sw_json_add_str(o, "Unit", r->unit);
  sw_json_add_int64(o, "EvaluationPeriods", r->evaluation_periods);
  if (r->datapoints_to_alarm)
    sw_json_add_int64(o, "DatapointsToAlarm", r->datapoints_to_alarm);
  json_object_object_add(o, "Threshold", json_object_new_double(r->threshold));
  sw_json_add_str(o, "ComparisonOperator", r->comparison_operator);
  if (!sw_svc_empty(r->treat_missing_data))
    sw_json_add_str(o, "TreatMissingData", r->treat_missing_data);
  if (r->tag_count)
    json_object_object_add(
        o, "Tags",
        sw_svc_json_tag_array(r->tags, r->tag_count, "Key", "Value"));
  return o;
}

char *
sw_cw_put_metric_alarm_request_json(const struct sw_cw_put_metric_alarm_req *r,
                                    struct sw_error *err) {
  struct json_object *o = put_alarm_tree(r, err);
  return o ? sw_svc_json_finish(o, "PutMetricAlarm", err) : NULL;
}

int sw_cw_put_metric_alarm_request_query(
    const struct sw_cw_put_metric_alarm_req *r, struct sw_params *p,
    struct sw_error *err) {
  struct json_object *o = put_alarm_tree(r, err);
  return o ? to_params(o, "PutMetricAlarm", p, err) : -1;
}

/* Sends a request tree built for op in the chosen protocol and ignores the
 * (empty) answer. */
static int send_tree(struct sw_client *c, enum sw_cw_protocol proto,
                     const char *op, struct json_object *o,
                     struct sw_error *err) {
  struct sw_params p;
  if (o == NULL)
    return -1;
  if (proto == SW_CW_JSON)
    return sw_svc_json_call(c, SW_SVC_CLOUDWATCH, op,
                            sw_svc_json_finish(o, op, err), 0, NULL, err);
  sw_params_init(&p);
  return sw_svc_query_call(c, SW_SVC_CLOUDWATCH, op, &p,
                           to_params(o, op, &p, err), NULL, err);
}

int sw_cw_put_metric_alarm(struct sw_client *c, enum sw_cw_protocol proto,
                           const struct sw_cw_put_metric_alarm_req *req,
                           struct sw_error *err) {
  return send_tree(c, proto, "PutMetricAlarm", put_alarm_tree(req, err), err);
}

/* ---- DeleteAlarms ---- */

static struct json_object *delete_tree(const char *const *names, size_t count,
                                       struct sw_error *err) {
  struct json_object *o;
  if (count == 0 || count > SW_CW_MAX_ALARM_NAMES || names == NULL) {
    sw_error_set(err, SW_ERR_CONFIG, "DeleteAlarms: %zu names, 1 to %d", count,
                 SW_CW_MAX_ALARM_NAMES);
    return NULL;
  }
  for (size_t i = 0; i < count; i++)
    if (sw_svc_empty(names[i])) {
      sw_error_set(err, SW_ERR_CONFIG, "DeleteAlarms: name %zu is empty", i);
      return NULL;
    }
  o = json_object_new_object();
  if (o == NULL) {
    sw_error_set(err, SW_ERR_INTERNAL, "DeleteAlarms: out of memory");
    return NULL;
  }
  json_object_object_add(o, "AlarmNames", str_array(names, count));
  return o;
}

char *sw_cw_delete_alarms_request_json(const char *const *names, size_t count,
                                       struct sw_error *err) {
  struct json_object *o = delete_tree(names, count, err);
  return o ? sw_svc_json_finish(o, "DeleteAlarms", err) : NULL;
}

int sw_cw_delete_alarms_request_query(const char *const *names, size_t count,
                                      struct sw_params *p,
                                      struct sw_error *err) {
  struct json_object *o = delete_tree(names, count, err);
  return o ? to_params(o, "DeleteAlarms", p, err) : -1;
}

int sw_cw_delete_alarms(struct sw_client *c, enum sw_cw_protocol proto,
                        const char *const *names, size_t count,
                        struct sw_error *err) {
  return send_tree(c, proto, "DeleteAlarms", delete_tree(names, count, err),
                   err);
}
