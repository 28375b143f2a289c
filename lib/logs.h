/* Amazon CloudWatch Logs (JSON 1.1): FilterLogEvents for the plugin's
 * busy-account event source; log groups, retention, metric filters and tags
 * for the provisioner. Times are integer epoch MILLISECONDS (Logs' unit).
 *
 * Per operation: `sw_logs_<op>_request` returns the JSON body as a heap
 * string the caller frees (NULL with err SW_ERR_CONFIG naming the bad field
 * or SW_ERR_INTERNAL); `sw_logs_<op>_parse` takes the parsed answer
 * (borrowed) and fills a caller-owned result freed by its `_clean_up`
 * (accepts NULL/zeroed structs; call it after failures too); `sw_logs_<op>`
 * calls through lib/client.h. Lists are bounded (SW_SVC_MAX_LIST), members
 * of the wrong type are absent, and a malformed answer is SW_ERR_PARSE
 * naming the operation and member.
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_LOGS_H
#define SW_LOGS_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Longest event message kept (CloudWatch Logs caps an event at 256 KiB). */
#define SW_LOGS_MAX_MESSAGE ((size_t)256 << 10)

/* ---- FilterLogEvents ---- */
struct sw_logs_filter_req {
  const char *log_group_name; /* required */
  const char *filter_pattern; /* optional */
  int64_t start_time_ms;      /* 0: omitted */
  int64_t end_time_ms;        /* 0: omitted */
  const char *next_token;
  int limit; /* 1..10000; 0: omitted */
};

struct sw_logs_event {
  char *event_id;            /* heap or NULL */
  char *log_stream_name;     /* heap or NULL */
  int64_t timestamp_ms;      /* -1 when absent */
  int64_t ingestion_time_ms; /* -1 when absent */
  char *message;             /* heap or NULL (a CloudTrail record for us) */
  size_t message_len;
  /* 1 when the message was over SW_LOGS_MAX_MESSAGE: kept with its id,
   * stream and time (message NULL, message_len its length), so a
   * matching record is never lost silently. */
  int oversized;
};

struct sw_logs_filter_resp {
  struct sw_logs_event *events;
  size_t count;
  char *next_token; /* heap or NULL when done */
  size_t skipped;   /* events left out: not an object, an id or stream name
                       over 1024 bytes, a message over SW_LOGS_MAX_MESSAGE
                       with no eventId */
  size_t oversized; /* events whose message was over SW_LOGS_MAX_MESSAGE:
                       kept (oversized set) or, without an id, left out */
};
void sw_logs_filter_resp_clean_up(struct sw_logs_filter_resp *r);

char *sw_logs_filter_log_events_request(const struct sw_logs_filter_req *req,
                                        struct sw_error *err);
/* events[] (at most SW_SVC_MAX_LIST) and nextToken. One unusable event
 * never fails the page (it would block every later record while it stays
 * in the window): it is left out and counted in skipped; one with a
 * message over the cap is kept with its envelope (see oversized).
 * An answer that is not an object, too many events or out of memory fail
 * it. */
int sw_logs_filter_log_events_parse(struct json_object *root,
                                    struct sw_logs_filter_resp *out,
                                    struct sw_error *err);
int sw_logs_filter_log_events(struct sw_client *c,
                              const struct sw_logs_filter_req *req,
                              struct sw_logs_filter_resp *out,
                              struct sw_error *err);

/* ---- Log groups ---- */
/* CreateLogGroup {"logGroupName","kmsKeyId","tags":{k:v}}. */
char *sw_logs_create_log_group_request(const char *name, const char *kms_key_id,
                                       const struct sw_tag *tags,
                                       size_t tag_count, struct sw_error *err);
int sw_logs_create_log_group(struct sw_client *c, const char *name,
                             const char *kms_key_id, const struct sw_tag *tags,
                             size_t tag_count, struct sw_error *err);

/* PutRetentionPolicy {"logGroupName","retentionInDays"}; days must be one
 * of the values AWS accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
 * 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653). */
int sw_logs_retention_days_valid(int days);
char *sw_logs_put_retention_policy_request(const char *name, int days,
                                           struct sw_error *err);
int sw_logs_put_retention_policy(struct sw_client *c, const char *name,
                                 int days, struct sw_error *err);

/* DeleteLogGroup {"logGroupName"}. */
char *sw_logs_delete_log_group_request(const char *name, struct sw_error *err);
int sw_logs_delete_log_group(struct sw_client *c, const char *name,
                             struct sw_error *err);

/* DescribeLogGroups. */
struct sw_logs_describe_groups_req {
  const char *prefix; /* logGroupNamePrefix, optional */
  const char *next_token;
  int limit; /* 1..50; 0: omitted */
};
struct sw_logs_group {
  char *name; /* heap or NULL */
  char *arn;  /* heap or NULL */
  char *kms_key_id;
  int retention_days;       /* 0 when never expiring/absent */
  int64_t creation_time_ms; /* -1 when absent */
  int64_t stored_bytes;     /* -1 when absent */
  int metric_filter_count;  /* -1 when absent */
};
struct sw_logs_describe_groups_resp {
  struct sw_logs_group *groups;
  size_t count;
  char *next_token;
};
void sw_logs_describe_groups_resp_clean_up(
    struct sw_logs_describe_groups_resp *r);
/* The group named name in r, or NULL. */
const struct sw_logs_group *
sw_logs_describe_groups_find(const struct sw_logs_describe_groups_resp *r,
                             const char *name);
char *
sw_logs_describe_log_groups_request(const struct sw_logs_describe_groups_req *r,
                                    struct sw_error *err);
int sw_logs_describe_log_groups_parse(struct json_object *root,
                                      struct sw_logs_describe_groups_resp *out,
                                      struct sw_error *err);
int sw_logs_describe_log_groups(struct sw_client *c,
                                const struct sw_logs_describe_groups_req *req,
                                struct sw_logs_describe_groups_resp *out,
                                struct sw_error *err);

/* ---- Metric filters ---- */
struct sw_logs_metric_filter_req {
  const char *log_group_name;   /* required */
  const char *filter_name;      /* required */
  const char *filter_pattern;   /* required (may be "") */
  const char *metric_name;      /* required */
  const char *metric_namespace; /* required */
  const char *metric_value;     /* required, e.g. "1" */
  double default_value;
  int has_default_value;
  const char *unit; /* optional */
};
/* {"logGroupName","filterName","filterPattern","metricTransformations":
 * [{"metricName","metricNamespace","metricValue","defaultValue","unit"}]}. */
char *
sw_logs_put_metric_filter_request(const struct sw_logs_metric_filter_req *r,
                                  struct sw_error *err);
int sw_logs_put_metric_filter(struct sw_client *c,
                              const struct sw_logs_metric_filter_req *req,
                              struct sw_error *err);

struct sw_logs_metric_transformation {
  char *metric_name;
  char *metric_namespace;
  char *metric_value;
  char *unit;
  double default_value;
  int has_default_value;
};
struct sw_logs_metric_filter {
  char *filter_name;
  char *filter_pattern;
  char *log_group_name;
  int64_t creation_time_ms; /* -1 when absent */
  struct sw_logs_metric_transformation *transformations;
  size_t transformation_count;
};
struct sw_logs_describe_filters_req {
  const char *log_group_name;     /* optional */
  const char *filter_name_prefix; /* optional, needs log_group_name */
  const char *next_token;
  int limit; /* 1..50; 0: omitted */
};
struct sw_logs_describe_filters_resp {
  struct sw_logs_metric_filter *filters;
  size_t count;
  char *next_token;
};
void sw_logs_describe_filters_resp_clean_up(
    struct sw_logs_describe_filters_resp *r);
char *sw_logs_describe_metric_filters_request(
    const struct sw_logs_describe_filters_req *r, struct sw_error *err);
int sw_logs_describe_metric_filters_parse(
    struct json_object *root, struct sw_logs_describe_filters_resp *out,
    struct sw_error *err);
int sw_logs_describe_metric_filters(
    struct sw_client *c, const struct sw_logs_describe_filters_req *req,
    struct sw_logs_describe_filters_resp *out, struct sw_error *err);

/* DeleteMetricFilter {"logGroupName","filterName"}. */
char *sw_logs_delete_metric_filter_request(const char *log_group_name,
                                           const char *filter_name,
                                           struct sw_error *err);
int sw_logs_delete_metric_filter(struct sw_client *c,
                                 const char *log_group_name,
                                 const char *filter_name, struct sw_error *err);

/* ---- Tags ---- */
/* TagResource {"resourceArn","tags":{k:v}} (the log group ARN without the
 * trailing ":*"). */
char *sw_logs_tag_resource_request(const char *resource_arn,
                                   const struct sw_tag *tags, size_t tag_count,
                                   struct sw_error *err);
int sw_logs_tag_resource(struct sw_client *c, const char *resource_arn,
                         const struct sw_tag *tags, size_t tag_count,
                         struct sw_error *err);
/* TagLogGroup (older API) {"logGroupName","tags":{k:v}}. */
char *sw_logs_tag_log_group_request(const char *log_group_name,
                                    const struct sw_tag *tags, size_t tag_count,
                                    struct sw_error *err);
int sw_logs_tag_log_group(struct sw_client *c, const char *log_group_name,
                          const struct sw_tag *tags, size_t tag_count,
                          struct sw_error *err);
/* ListTagsForResource {"resourceArn"} -> {"tags":{k:v}} into out
 * (init'ed by the caller). */
char *sw_logs_list_tags_request(const char *resource_arn, struct sw_error *err);
int sw_logs_list_tags_parse(struct json_object *root, struct sw_tag_list *out,
                            struct sw_error *err);
int sw_logs_list_tags(struct sw_client *c, const char *resource_arn,
                      struct sw_tag_list *out, struct sw_error *err);

/* The log group ARN for CloudTrail's CloudWatchLogsLogGroupArn: the group
 * ARN with ":*" appended when it lacks it. Heap string or NULL. */
char *sw_logs_group_arn_for_trail(const char *group_arn);

#endif
