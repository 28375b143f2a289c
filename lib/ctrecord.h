/* One CloudTrail record (the JSON document CloudTrail writes per API call)
 * parsed into a flat struct.
 *
 * Records arrive three ways: as the CloudTrailEvent string of a LookupEvents
 * event, as the message of a CloudWatch Logs event (one compact record), and
 * as an element of a log file's {"Records":[...]} array. All three go
 * through sw_ctrec_from_json.
 *
 * Every string is copied raw (NOT sanitized: the plugin sanitizes at its
 * boundary) into a fixed field, cut at the field's size with `truncated`
 * set. A missing member, a JSON null or a member of the wrong type leaves
 * the field empty (""): records of service events have no userIdentity.type,
 * many have no resources, requestParameters may be null. Pure and
 * thread-safe. */
#ifndef SW_CTRECORD_H
#define SW_CTRECORD_H

#include "lib/error.h"

#include <json-c/json.h>
#include <stddef.h>

#define SW_CTREC_ARN_SIZE 1024     /* ARNs, secret ids */
#define SW_CTREC_TEXT_SIZE 1024    /* user agent, error message */
#define SW_CTREC_NAME_SIZE 256     /* names, ids, addresses */
#define SW_CTREC_SHORT_SIZE 64     /* ids, regions, codes */
#define SW_CTREC_MAX_RESOURCES 8   /* resources[].ARN kept per record */
#define SW_CTREC_MAX_RECORDS 10000 /* records taken from one document */

struct sw_ctrec_identity {
  char type[SW_CTREC_SHORT_SIZE]; /* IAMUser, AssumedRole, AWSService, Root,
                                     FederatedUser, ... or "" */
  char arn[SW_CTREC_ARN_SIZE];
  char principal_id[SW_CTREC_NAME_SIZE];
  char account_id[SW_CTREC_SHORT_SIZE];
  char access_key_id[SW_CTREC_NAME_SIZE];
  char user_name[SW_CTREC_NAME_SIZE];
  char invoked_by[SW_CTREC_NAME_SIZE];
  char issuer_arn[SW_CTREC_ARN_SIZE];        /* sessionContext.sessionIssuer.arn
                                              */
  char issuer_user_name[SW_CTREC_NAME_SIZE]; /* ...sessionIssuer.userName */
};

struct sw_ctrec {
  char event_id[SW_CTREC_NAME_SIZE];
  char event_time[SW_CTREC_SHORT_SIZE]; /* ISO 8601 as written */
  double event_time_s;                  /* parsed; valid when has_event_time */
  int has_event_time;
  char event_name[SW_CTREC_NAME_SIZE];
  char event_source[SW_CTREC_NAME_SIZE];
  char event_type[SW_CTREC_SHORT_SIZE]; /* AwsApiCall, AwsServiceEvent... */
  char aws_region[SW_CTREC_SHORT_SIZE];
  char source_ip[SW_CTREC_NAME_SIZE]; /* an address or a service name */
  char user_agent[SW_CTREC_TEXT_SIZE];
  char error_code[SW_CTREC_NAME_SIZE]; /* "" when the call succeeded */
  char error_message[SW_CTREC_TEXT_SIZE];
  char request_id[SW_CTREC_NAME_SIZE];
  char recipient_account_id[SW_CTREC_SHORT_SIZE];
  char vpc_endpoint_id[SW_CTREC_NAME_SIZE];
  int read_only; /* 1, 0, or -1 when absent (bool or "true"/"false") */
  struct sw_ctrec_identity identity;
  char secret_id[SW_CTREC_ARN_SIZE]; /* requestParameters.secretId */
  /* additionalEventData.SecretId (service events such as RotationFailed) */
  char additional_secret_id[SW_CTREC_ARN_SIZE];
  /* AWS leaves requestParameters null on many AccessDenied records; the
   * resource is then only named in errorMessage ("... on resource: <id>
   * because ..."). Set from there when errorCode is set and secretId is
   * not, else "". */
  char denied_resource[SW_CTREC_ARN_SIZE];
  char resource_arns[SW_CTREC_MAX_RESOURCES][SW_CTREC_ARN_SIZE];
  size_t resource_count; /* ARNs kept (<= SW_CTREC_MAX_RESOURCES) */
  size_t resource_total; /* resources[] elements with an ARN string */
  int truncated;         /* 1 when any string was cut to its field */
  /* Never set by the parser: a caller that builds a record from the
   * LookupEvents envelope of an event too large to parse stores the
   * event's size here, so the record is known to be a summary. */
  size_t oversized_bytes;
};

/* Fills out from one parsed record object (a borrowed reference, not
 * released). out is zeroed first. 0, or -1 with err SW_ERR_PARSE when rec
 * is not a JSON object. Missing fields are not errors. */
int sw_ctrec_from_json(struct json_object *rec, struct sw_ctrec *out,
                       struct sw_error *err);

/* Parses len bytes of text holding ONE record (the CloudTrailEvent string or
 * a Logs message) with the limits of sw_json_parse. 0, or -1 with err
 * SW_ERR_PARSE (malformed, too deep, too large, not an object). */
int sw_ctrec_parse(const char *text, size_t len, struct sw_ctrec *out,
                   struct sw_error *err);

/* Records parsed from a document that holds several. */
struct sw_ctrec_list {
  struct sw_ctrec *items; /* heap, count elements */
  size_t count;
};
void sw_ctrec_list_init(struct sw_ctrec_list *l);
void sw_ctrec_list_clean_up(struct sw_ctrec_list *l);

/* Parses a document that is a JSON array of records, a log file
 * {"Records":[...]}, or a single record object, storing every record in
 * out (overwritten without freeing: clean up a previous list first).
 * Non-object elements of the array are an error. 0, or -1 with err
 * SW_ERR_PARSE (malformed, Records not an array, more than
 * SW_CTREC_MAX_RECORDS records); on failure out is left empty. */
int sw_ctrec_parse_many(const char *text, size_t len, struct sw_ctrec_list *out,
                        struct sw_error *err);

/* 1 when the record names the secret `secret` (a name, a full ARN or a
 * partial ARN, i.e. the ARN without its 6-character random suffix) in
 * requestParameters.secretId, additionalEventData.SecretId, the
 * denied_resource of a refused call or a resource ARN; watched_arn (optional,
 * the secret's full ARN if known) is compared too. Secrets Manager rules: a
 * full ARN ends in "-" + 6 characters. */
int sw_ctrec_names_secret(const struct sw_ctrec *rec, const char *secret,
                          const char *watched_arn);

#endif
