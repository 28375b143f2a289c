/* AWS CloudTrail (JSON 1.1): LookupEvents for the plugin; trail management
 * (CreateTrail, GetTrail, DescribeTrails, UpdateTrail, StartLogging,
 * StopLogging, PutEventSelectors, GetEventSelectors, GetTrailStatus,
 * AddTags, ListTags, DeleteTrail) for the provisioner and the watchdog.
 *
 * Per operation: `sw_ct_<op>_request` returns the JSON request body as a
 * heap string the caller frees (NULL with err SW_ERR_CONFIG naming the bad
 * field, or SW_ERR_INTERNAL); `sw_ct_<op>_parse` takes the parsed answer (a
 * borrowed json_object) and fills a caller-owned result that its
 * `_clean_up` frees (clean-up accepts NULL and zeroed structs, and is needed
 * on failure too); `sw_ct_<op>` sends it through lib/client.h. Parsers treat
 * members of the wrong type as absent, bound every list, and fail with
 * SW_ERR_PARSE naming the operation and the member for a malformed answer.
 * Strings in results are raw answer bytes (sanitize before display).
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_CLOUDTRAIL_H
#define SW_CLOUDTRAIL_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define SW_CT_LOOKUP_MAX_RESULTS 50 /* AWS's page size limit */
/* Longest CloudTrailEvent string kept (AWS caps a record at 256 KiB). */
#define SW_CT_MAX_EVENT_JSON ((size_t)256 << 10)

/* ---- LookupEvents ---- */
struct sw_ct_lookup_req {
  int64_t start_time_s;   /* epoch seconds; 0: omitted */
  int64_t end_time_s;     /* epoch seconds; 0: omitted */
  const char *attr_key;   /* one LookupAttribute: "EventName",
                             "ResourceName", "EventSource", ... or NULL */
  const char *attr_value; /* required with attr_key */
  int max_results;        /* 1..50; 0: omitted (AWS default 50) */
  const char *next_token; /* from the previous page, or NULL. AWS requires
                             the same other parameters on every page. */
};

struct sw_ct_event {
  char event_id[128];
  char event_name[128];
  char event_source[128];
  char username[256];
  char read_only[8];   /* "true"/"false" as AWS writes it, or "" */
  double event_time_s; /* valid when has_event_time */
  int has_event_time;
  char *cloudtrail_event; /* heap: the record JSON text (parse it with
                             sw_ctrec_parse), or NULL when absent */
  size_t cloudtrail_event_len;
  /* 1 when CloudTrailEvent was over SW_CT_MAX_EVENT_JSON bytes: the event
   * is kept with its envelope only (cloudtrail_event NULL,
   * cloudtrail_event_len the dropped text's length), so a read is never
   * lost silently. */
  int oversized;
  /* Oversized events only: Resources[].ResourceName, at most
   * SW_CT_MAX_RESOURCE_NAMES names of at most SW_CT_MAX_RESOURCE_NAME
   * bytes, each NUL-terminated, back to back in one heap block (or NULL). */
  char *resource_names;
  size_t resource_count;
};
#define SW_CT_MAX_RESOURCE_NAMES 8
#define SW_CT_MAX_RESOURCE_NAME 1023

struct sw_ct_lookup_resp {
  struct sw_ct_event *events; /* heap, count elements, AWS order (newest
                                 first) */
  size_t count;
  char *next_token; /* heap or NULL when this was the last page */
  size_t skipped;   /* elements left out of events: not an object */
  size_t oversized; /* events kept with `oversized` set (not in skipped) */
};

/* {"StartTime":..,"EndTime":..,"LookupAttributes":[{"AttributeKey":..,
 * "AttributeValue":..}],"MaxResults":..,"NextToken":..}, members present
 * only when set. Refuses max_results outside 0..50, end < start, and an
 * attribute key without a value. */
char *sw_ct_lookup_events_request(const struct sw_ct_lookup_req *req,
                                  struct sw_error *err);
/* Events[] (at most SW_SVC_MAX_LIST) and NextToken. One unusable element
 * never fails the page (it would block every later record while it stays
 * in the window): an element that is not an object is left out and
 * counted in skipped; one whose CloudTrailEvent is over
 * SW_CT_MAX_EVENT_JSON bytes is kept with its envelope only (`oversized`
 * set, counted in oversized). An answer that is not an object, or
 * with too many elements, is SW_ERR_PARSE; a missing Events member is an
 * empty page. */
int sw_ct_lookup_events_parse(struct json_object *root,
                              struct sw_ct_lookup_resp *out,
                              struct sw_error *err);
void sw_ct_lookup_resp_clean_up(struct sw_ct_lookup_resp *r);
int sw_ct_lookup_events(struct sw_client *c, const struct sw_ct_lookup_req *req,
                        struct sw_ct_lookup_resp *out, struct sw_error *err);

/* ---- Trails ---- */

/* Tri-state for optional booleans in requests. */
#define SW_CT_UNSET (-1)

/* A trail as CreateTrail/UpdateTrail/GetTrail/DescribeTrails return it.
 * Strings are heap copies or NULL when absent; booleans are -1 when
 * absent. */
struct sw_ct_trail {
  char *name;
  char *trail_arn;
  char *home_region;
  char *s3_bucket_name;
  char *s3_key_prefix;
  char *sns_topic_arn;
  char *cloud_watch_logs_log_group_arn;
  char *cloud_watch_logs_role_arn;
  char *kms_key_id;
  int include_global_service_events;
  int is_multi_region_trail;
  int log_file_validation_enabled;
  int is_organization_trail;
  int has_custom_event_selectors;
  int has_insight_selectors;
};
void sw_ct_trail_clean_up(struct sw_ct_trail *t);

/* CreateTrail and UpdateTrail (UpdateTrail ignores tags). */
struct sw_ct_trail_req {
  const char *name;           /* required (a name, or an ARN for UpdateTrail) */
  const char *s3_bucket_name; /* required for CreateTrail */
  const char *s3_key_prefix;
  const char *sns_topic_name;
  const char *cloud_watch_logs_log_group_arn; /* ARN ending in ":*" */
  const char *cloud_watch_logs_role_arn;
  const char *kms_key_id;
  int include_global_service_events; /* SW_CT_UNSET, 0, 1 */
  int is_multi_region_trail;
  int enable_log_file_validation;
  int is_organization_trail;
  const struct sw_tag *tags; /* CreateTrail's TagsList */
  size_t tag_count;
};
char *sw_ct_create_trail_request(const struct sw_ct_trail_req *req,
                                 struct sw_error *err);
char *sw_ct_update_trail_request(const struct sw_ct_trail_req *req,
                                 struct sw_error *err);
/* Both answers are a flat trail object (LogFileValidationEnabled...). */
int sw_ct_trail_parse(struct json_object *root, struct sw_ct_trail *out,
                      struct sw_error *err);
int sw_ct_create_trail(struct sw_client *c, const struct sw_ct_trail_req *req,
                       struct sw_ct_trail *out, struct sw_error *err);
int sw_ct_update_trail(struct sw_client *c, const struct sw_ct_trail_req *req,
                       struct sw_ct_trail *out, struct sw_error *err);

/* Body {"Name": name} shared by GetTrail, StartLogging, StopLogging,
 * GetTrailStatus, GetEventSelectors and DeleteTrail. */
char *sw_ct_name_request(const char *name, struct sw_error *err);

/* GetTrail: {"Trail":{...}}. A missing Trail is SW_ERR_PARSE. */
int sw_ct_get_trail_parse(struct json_object *root, struct sw_ct_trail *out,
                          struct sw_error *err);
int sw_ct_get_trail(struct sw_client *c, const char *name,
                    struct sw_ct_trail *out, struct sw_error *err);

/* DescribeTrails. names may be NULL (all trails of the region, shadow
 * trails included when include_shadow_trails). */
struct sw_ct_describe_trails_req {
  const char *const *names;
  size_t name_count;
  int include_shadow_trails; /* SW_CT_UNSET, 0, 1 */
};
struct sw_ct_trail_list {
  struct sw_ct_trail *items;
  size_t count;
};
void sw_ct_trail_list_clean_up(struct sw_ct_trail_list *l);
char *sw_ct_describe_trails_request(const struct sw_ct_describe_trails_req *r,
                                    struct sw_error *err);
/* trailList[] (at most 1000 trails). */
int sw_ct_describe_trails_parse(struct json_object *root,
                                struct sw_ct_trail_list *out,
                                struct sw_error *err);
int sw_ct_describe_trails(struct sw_client *c,
                          const struct sw_ct_describe_trails_req *req,
                          struct sw_ct_trail_list *out, struct sw_error *err);

/* StartLogging, StopLogging, DeleteTrail: the answer is empty. */
int sw_ct_start_logging(struct sw_client *c, const char *name,
                        struct sw_error *err);
int sw_ct_stop_logging(struct sw_client *c, const char *name,
                       struct sw_error *err);
int sw_ct_delete_trail(struct sw_client *c, const char *name,
                       struct sw_error *err);

/* GetTrailStatus (the watchdog). Times are epoch seconds, valid when the
 * matching has_ flag is set; strings heap or NULL. */
struct sw_ct_trail_status {
  int is_logging; /* -1 when absent */
  double latest_delivery_time_s;
  int has_latest_delivery_time;
  double latest_cwl_delivery_time_s; /* LatestCloudWatchLogsDeliveryTime */
  int has_latest_cwl_delivery_time;
  double start_logging_time_s;
  int has_start_logging_time;
  double stop_logging_time_s;
  int has_stop_logging_time;
  char *latest_delivery_error;
  char *latest_cwl_delivery_error; /* LatestCloudWatchLogsDeliveryError */
  char *latest_notification_error;
};
void sw_ct_trail_status_clean_up(struct sw_ct_trail_status *s);
/* A missing IsLogging is SW_ERR_PARSE (the watchdog's main signal). */
int sw_ct_get_trail_status_parse(struct json_object *root,
                                 struct sw_ct_trail_status *out,
                                 struct sw_error *err);
int sw_ct_get_trail_status(struct sw_client *c, const char *name,
                           struct sw_ct_trail_status *out,
                           struct sw_error *err);

/* Event selectors, classic form only (what the provisioner writes):
 * management events with a read/write type. */
struct sw_ct_event_selector {
  char read_write_type[16];      /* "All", "ReadOnly", "WriteOnly" */
  int include_management_events; /* -1 when absent */
};
struct sw_ct_event_selectors {
  struct sw_ct_event_selector items[5]; /* AWS allows 5 per trail */
  size_t count;
  int has_advanced; /* the trail uses AdvancedEventSelectors instead */
  /* From advanced selectors: 1 when one selects eventCategory Management
   * without restricting readOnly to true-only-writes (so reads are logged)*/
  int advanced_includes_management_reads;
  char *trail_arn;
};
void sw_ct_event_selectors_clean_up(struct sw_ct_event_selectors *s);
/* PutEventSelectors with one classic selector (ReadWriteType=read_write_type,
 * IncludeManagementEvents=include_management_events, no data resources). */
char *sw_ct_put_event_selectors_request(const char *trail_name,
                                        const char *read_write_type,
                                        int include_management_events,
                                        struct sw_error *err);
/* Parses both PutEventSelectors and GetEventSelectors answers. */
int sw_ct_event_selectors_parse(struct json_object *root,
                                struct sw_ct_event_selectors *out,
                                struct sw_error *err);
int sw_ct_put_event_selectors(struct sw_client *c, const char *trail_name,
                              const char *read_write_type,
                              int include_management_events,
                              struct sw_ct_event_selectors *out,
                              struct sw_error *err);
int sw_ct_get_event_selectors(struct sw_client *c, const char *trail_name,
                              struct sw_ct_event_selectors *out,
                              struct sw_error *err);
/* 1 when the selectors log read management events (the watchdog check). */
int sw_ct_event_selectors_log_reads(const struct sw_ct_event_selectors *s);

/* AddTags {"ResourceId": trail_arn, "TagsList": [{"Key","Value"}]}. */
char *sw_ct_add_tags_request(const char *trail_arn, const struct sw_tag *tags,
                             size_t tag_count, struct sw_error *err);
int sw_ct_add_tags(struct sw_client *c, const char *trail_arn,
                   const struct sw_tag *tags, size_t tag_count,
                   struct sw_error *err);
/* ListTags for one trail ARN: {"ResourceIdList":[arn]}. The answer's
 * ResourceTagList[0].TagsList goes into out (init'ed by the caller). */
char *sw_ct_list_tags_request(const char *trail_arn, struct sw_error *err);
int sw_ct_list_tags_parse(struct json_object *root, struct sw_tag_list *out,
                          struct sw_error *err);
int sw_ct_list_tags(struct sw_client *c, const char *trail_arn,
                    struct sw_tag_list *out, struct sw_error *err);

#endif
