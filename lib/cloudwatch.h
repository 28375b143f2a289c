/* Amazon CloudWatch (service "monitoring") in both of its protocols: AWS
 * JSON 1.0 (query-compatible; timestamps epoch seconds, possibly doubles)
 * and AWS query (form body, XML answer; timestamps ISO 8601).
 * Operations: GetMetricData and DescribeAlarms (plugin), PutMetricAlarm and
 * DeleteAlarms (provisioner).
 *
 * Per operation and protocol: `_request_json` returns the JSON body as a
 * heap string (caller frees) and `_request_query` fills a caller-init'ed
 * struct sw_params; both fail with err SW_ERR_CONFIG naming the bad field.
 * `_parse_json` takes the parsed answer (borrowed) and `_parse_xml` the XML
 * document; both fill a caller-owned result freed by its `_clean_up` (which
 * accepts NULL/zeroed structs and is needed after failures too). The call
 * wrappers take the protocol as an argument. Parsers bound every list
 * (SW_SVC_MAX_LIST) and fail with SW_ERR_PARSE naming the member.
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_CLOUDWATCH_H
#define SW_CLOUDWATCH_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stddef.h>
#include <stdint.h>

enum sw_cw_protocol { SW_CW_JSON = 0, SW_CW_QUERY = 1 };

/* Parses "json" / "query" (case-insensitive). 0 or -1. */
int sw_cw_protocol_from_string(const char *s, enum sw_cw_protocol *out);

#define SW_CW_MAX_QUERIES 500 /* GetMetricData queries per call */
#define SW_CW_MAX_ALARM_NAMES 100
#define SW_CW_MAX_DIMENSIONS 30
/* Largest GetMetricData request AWS accepts (bytes of body). */
#define SW_CW_MAX_REQUEST_BYTES 614400

struct sw_cw_dimension {
  const char *name;
  const char *value;
};

/* ---- GetMetricData ---- */
struct sw_cw_metric_query {
  const char *id; /* required: starts with a lowercase letter, then
                     letters, digits, '_' (AWS rule) */
  /* MetricStat form (metric_name set) ... */
  const char *namespace_;
  const char *metric_name;
  const struct sw_cw_dimension *dims;
  size_t dim_count; /* <= 30 */
  int period_s;     /* required with metric_name, > 0 */
  const char *stat; /* required with metric_name, e.g. "Sum" */
  const char *unit; /* optional */
  /* ... or an Expression (metric_name NULL) */
  const char *expression;
  const char *label; /* optional */
  int return_data;   /* -1 omitted, 0, 1 */
};

struct sw_cw_get_metric_data_req {
  const struct sw_cw_metric_query *queries;
  size_t count; /* 1..SW_CW_MAX_QUERIES: a caller with more splits them */
  int64_t start_time_s; /* required */
  int64_t end_time_s;   /* required, > start */
  const char *next_token;
  const char *scan_by; /* "TimestampDescending" / "TimestampAscending" or
                          NULL */
  long max_datapoints; /* 0: omitted */
};

struct sw_cw_message {
  char *code;  /* heap or NULL */
  char *value; /* heap or NULL */
};

struct sw_cw_metric_result {
  char *id;             /* heap or NULL */
  char *label;          /* heap or NULL */
  double *timestamps_s; /* heap, count elements, epoch seconds */
  double *values;       /* heap, count elements, pairs with timestamps_s */
  size_t count;
  char status_code[32]; /* Complete, PartialData, InternalError, Forbidden */
  struct sw_cw_message *messages;
  size_t message_count;
};

struct sw_cw_get_metric_data_resp {
  struct sw_cw_metric_result *results;
  size_t count;
  char *next_token; /* heap or NULL */
  struct sw_cw_message *messages;
  size_t message_count;
};
void sw_cw_get_metric_data_resp_clean_up(struct sw_cw_get_metric_data_resp *r);

/* JSON: {"MetricDataQueries":[{"Id":..,"MetricStat":{"Metric":{"Namespace":
 * ..,"MetricName":..,"Dimensions":[{"Name","Value"}]},"Period":..,"Stat":..,
 * "Unit":..},"Label":..,"ReturnData":..}],"StartTime":s,"EndTime":s,
 * "NextToken":..,"ScanBy":..,"MaxDatapoints":..}. Query:
 * MetricDataQueries.member.N.MetricStat.Metric.Namespace=..., StartTime and
 * EndTime as ISO 8601. Refuses 0 or > 500 queries, bad ids, missing stat or
 * period, end <= start, and a body over SW_CW_MAX_REQUEST_BYTES (for the
 * query form: once form-encoded). */
char *
sw_cw_get_metric_data_request_json(const struct sw_cw_get_metric_data_req *req,
                                   struct sw_error *err);
int sw_cw_get_metric_data_request_query(
    const struct sw_cw_get_metric_data_req *req, struct sw_params *p,
    struct sw_error *err);
/* A result whose Timestamps and Values differ in length is SW_ERR_PARSE.
 * JSON timestamps are epoch seconds (integers or doubles); ISO 8601 strings
 * (the AWS CLI's rendering) are accepted too. */
int sw_cw_get_metric_data_parse_json(struct json_object *root,
                                     struct sw_cw_get_metric_data_resp *out,
                                     struct sw_error *err);
int sw_cw_get_metric_data_parse_xml(xmlDoc *doc,
                                    struct sw_cw_get_metric_data_resp *out,
                                    struct sw_error *err);
int sw_cw_get_metric_data(struct sw_client *c, enum sw_cw_protocol proto,
                          const struct sw_cw_get_metric_data_req *req,
                          struct sw_cw_get_metric_data_resp *out,
                          struct sw_error *err);

/* ---- DescribeAlarms ---- */
#define SW_CW_ALARM_TYPE_METRIC 1
#define SW_CW_ALARM_TYPE_COMPOSITE 2

struct sw_cw_describe_alarms_req {
  const char *const *alarm_names; /* may be NULL */
  size_t name_count;              /* <= 100 */
  const char *alarm_name_prefix;  /* not with alarm_names */
  int alarm_types; /* SW_CW_ALARM_TYPE_* bits; 0: omitted (AWS then returns
                      metric alarms only) */
  const char *state_value; /* OK, ALARM, INSUFFICIENT_DATA or NULL */
  int max_records;         /* 1..100; 0: omitted */
  const char *next_token;
};

enum sw_cw_alarm_kind { SW_CW_METRIC_ALARM = 0, SW_CW_COMPOSITE_ALARM = 1 };

/* Strings heap or NULL; numbers valid when their has_ flag is set;
 * actions_enabled -1 when absent. */
struct sw_cw_alarm {
  enum sw_cw_alarm_kind kind;
  char *alarm_name;
  char *alarm_arn;
  char *alarm_description;
  char *state_value; /* OK, ALARM, INSUFFICIENT_DATA */
  char *state_reason;
  char *state_reason_data;
  double state_updated_s;
  int has_state_updated;
  double state_transitioned_s;
  int has_state_transitioned;
  double config_updated_s;
  int has_config_updated;
  int actions_enabled;
  struct sw_str_list alarm_actions;
  struct sw_str_list ok_actions;
  struct sw_str_list insufficient_data_actions;
  /* metric alarms */
  char *metric_name;
  char *namespace_;
  char *statistic;
  char *extended_statistic;
  char *comparison_operator;
  char *treat_missing_data;
  char *unit;
  struct sw_tag_list dimensions; /* Name -> key, Value -> value */
  long long period_s;
  int has_period;
  long long evaluation_periods;
  int has_evaluation_periods;
  long long datapoints_to_alarm;
  int has_datapoints_to_alarm;
  double threshold;
  int has_threshold;
  /* composite alarms */
  char *alarm_rule;
};

struct sw_cw_describe_alarms_resp {
  struct sw_cw_alarm *alarms; /* metric alarms first, then composite */
  size_t count;
  char *next_token; /* heap or NULL */
};
void sw_cw_describe_alarms_resp_clean_up(struct sw_cw_describe_alarms_resp *r);
/* The alarm named name in r, or NULL. */
const struct sw_cw_alarm *
sw_cw_describe_alarms_find(const struct sw_cw_describe_alarms_resp *r,
                           const char *name);

char *
sw_cw_describe_alarms_request_json(const struct sw_cw_describe_alarms_req *req,
                                   struct sw_error *err);
int sw_cw_describe_alarms_request_query(
    const struct sw_cw_describe_alarms_req *req, struct sw_params *p,
    struct sw_error *err);
int sw_cw_describe_alarms_parse_json(struct json_object *root,
                                     struct sw_cw_describe_alarms_resp *out,
                                     struct sw_error *err);
int sw_cw_describe_alarms_parse_xml(xmlDoc *doc,
                                    struct sw_cw_describe_alarms_resp *out,
                                    struct sw_error *err);
int sw_cw_describe_alarms(struct sw_client *c, enum sw_cw_protocol proto,
                          const struct sw_cw_describe_alarms_req *req,
                          struct sw_cw_describe_alarms_resp *out,
                          struct sw_error *err);

/* ---- PutMetricAlarm (a metric alarm on one metric) ---- */
struct sw_cw_put_metric_alarm_req {
  const char *alarm_name; /* required */
  const char *alarm_description;
  int actions_enabled; /* -1 omitted, 0, 1 */
  const char *const *alarm_actions;
  size_t alarm_action_count;
  const char *const *ok_actions;
  size_t ok_action_count;
  const char *const *insufficient_data_actions;
  size_t insufficient_data_action_count;
  const char *metric_name; /* required */
  const char *namespace_;  /* required */
  const char *statistic;   /* required, e.g. "Sum" */
  const struct sw_cw_dimension *dims;
  size_t dim_count;
  int period_s;            /* required, > 0 */
  int evaluation_periods;  /* required, >= 1 */
  int datapoints_to_alarm; /* 0: omitted */
  double threshold;
  const char *comparison_operator; /* required */
  const char *treat_missing_data;  /* optional: notBreaching, ... */
  const char *unit;
  const struct sw_tag *tags; /* only applied on creation by AWS */
  size_t tag_count;
};
char *
sw_cw_put_metric_alarm_request_json(const struct sw_cw_put_metric_alarm_req *r,
                                    struct sw_error *err);
int sw_cw_put_metric_alarm_request_query(
    const struct sw_cw_put_metric_alarm_req *r, struct sw_params *p,
    struct sw_error *err);
int sw_cw_put_metric_alarm(struct sw_client *c, enum sw_cw_protocol proto,
                           const struct sw_cw_put_metric_alarm_req *req,
                           struct sw_error *err);

/* ---- DeleteAlarms (1..100 names) ---- */
char *sw_cw_delete_alarms_request_json(const char *const *names, size_t count,
                                       struct sw_error *err);
int sw_cw_delete_alarms_request_query(const char *const *names, size_t count,
                                      struct sw_params *p,
                                      struct sw_error *err);
int sw_cw_delete_alarms(struct sw_client *c, enum sw_cw_protocol proto,
                        const char *const *names, size_t count,
                        struct sw_error *err);

#endif
