#include "lib/ctrecord.h"
#include "lib/json.h"
#include "lib/svc.h"
#include "lib/timeutil.h"

#include <stdlib.h>
#include <string.h>

/* Copies the string member at a dotted path into a fixed field. */
static void take(struct sw_ctrec *out, char *dst, size_t size,
                 struct json_object *obj, const char *path) {
  const char *s =
      strchr(path, '.') ? sw_json_path_str(obj, path) : sw_json_str(obj, path);
  if (sw_svc_copy(dst, size, s))
    out->truncated = 1;
}

static void take_identity(struct sw_ctrec *out, struct json_object *rec) {
  struct json_object *id = sw_json_obj(rec, "userIdentity");
  struct sw_ctrec_identity *u = &out->identity;
  if (id == NULL)
    return;
  take(out, u->type, sizeof(u->type), id, "type");
  take(out, u->arn, sizeof(u->arn), id, "arn");
  take(out, u->principal_id, sizeof(u->principal_id), id, "principalId");
  take(out, u->account_id, sizeof(u->account_id), id, "accountId");
  take(out, u->access_key_id, sizeof(u->access_key_id), id, "accessKeyId");
  take(out, u->user_name, sizeof(u->user_name), id, "userName");
  take(out, u->invoked_by, sizeof(u->invoked_by), id, "invokedBy");
  take(out, u->issuer_arn, sizeof(u->issuer_arn), id,
       "sessionContext.sessionIssuer.arn");
  take(out, u->issuer_user_name, sizeof(u->issuer_user_name), id,
       "sessionContext.sessionIssuer.userName");
}

/* The id after "on resource: " in an error message, up to the next space.
 */
static void take_denied_resource(struct sw_ctrec *out,
                                 struct json_object *rec) {
  static const char marker[] = "on resource: ";
  const char *msg = sw_json_str(rec, "errorMessage");
  const char *p = msg ? strstr(msg, marker) : NULL;
  size_t n = 0;
  if (p == NULL || out->error_code[0] == '\0' || out->secret_id[0] != '\0')
    return;
  p += sizeof(marker) - 1;
  while (p[n] && p[n] != ' ')
    n++;
  if (n >= sizeof(out->denied_resource)) {
    n = sizeof(out->denied_resource) - 1;
    out->truncated = 1;
  }
  memcpy(out->denied_resource, p, n);
  out->denied_resource[n] = '\0';
}

static void take_resources(struct sw_ctrec *out, struct json_object *rec) {
  struct json_object *arr = sw_json_arr(rec, "resources");
  size_t n = arr ? json_object_array_length(arr) : 0;
  for (size_t i = 0; i < n; i++) {
    const char *arn = sw_json_str(json_object_array_get_idx(arr, i), "ARN");
    if (arn == NULL)
      continue;
    out->resource_total++;
    if (out->resource_count < SW_CTREC_MAX_RESOURCES) {
      char *dst = out->resource_arns[out->resource_count++];
      if (sw_svc_copy(dst, SW_CTREC_ARN_SIZE, arn))
        out->truncated = 1;
    }
  }
}

int sw_ctrec_from_json(struct json_object *rec, struct sw_ctrec *out,
                       struct sw_error *err) {
  const char *ro;
  int b;
  memset(out, 0, sizeof(*out));
  out->read_only = -1;
  if (rec == NULL || !json_object_is_type(rec, json_type_object))
    return sw_error_set(err, SW_ERR_PARSE,
                        "CloudTrail record is not a JSON object");
  take(out, out->event_id, sizeof(out->event_id), rec, "eventID");
  take(out, out->event_time, sizeof(out->event_time), rec, "eventTime");
  if (out->event_time[0] &&
      sw_time_parse_iso8601(out->event_time, &out->event_time_s) == 0)
    out->has_event_time = 1;
  take(out, out->event_name, sizeof(out->event_name), rec, "eventName");
  take(out, out->event_source, sizeof(out->event_source), rec, "eventSource");
  take(out, out->event_type, sizeof(out->event_type), rec, "eventType");
  take(out, out->aws_region, sizeof(out->aws_region), rec, "awsRegion");
  take(out, out->source_ip, sizeof(out->source_ip), rec, "sourceIPAddress");
  take(out, out->user_agent, sizeof(out->user_agent), rec, "userAgent");
  take(out, out->error_code, sizeof(out->error_code), rec, "errorCode");
  take(out, out->error_message, sizeof(out->error_message), rec,
       "errorMessage");
  take(out, out->request_id, sizeof(out->request_id), rec, "requestID");
  take(out, out->recipient_account_id, sizeof(out->recipient_account_id), rec,
       "recipientAccountId");
  take(out, out->vpc_endpoint_id, sizeof(out->vpc_endpoint_id), rec,
       "vpcEndpointId");
  if (sw_json_bool(rec, "readOnly", &b) == 0)
    out->read_only = b;
  else if ((ro = sw_json_str(rec, "readOnly")) != NULL)
    out->read_only = strcmp(ro, "true") == 0    ? 1
                     : strcmp(ro, "false") == 0 ? 0
                                                : -1;
  take_identity(out, rec);
  take(out, out->secret_id, sizeof(out->secret_id), rec,
       "requestParameters.secretId");
  take(out, out->additional_secret_id, sizeof(out->additional_secret_id), rec,
       "additionalEventData.SecretId");
  take_denied_resource(out, rec);
  take_resources(out, rec);
  return 0;
}

int sw_ctrec_parse(const char *text, size_t len, struct sw_ctrec *out,
                   struct sw_error *err) {
  struct json_object *rec;
  int rc;
  memset(out, 0, sizeof(*out));
  out->read_only = -1;
  rec = sw_json_parse(text, len, err);
  if (rec == NULL)
    return -1;
  rc = sw_ctrec_from_json(rec, out, err);
  json_object_put(rec);
  return rc;
}

void sw_ctrec_list_init(struct sw_ctrec_list *l) {
  l->items = NULL;
  l->count = 0;
}

void sw_ctrec_list_clean_up(struct sw_ctrec_list *l) {
  if (l == NULL)
    return;
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

/* Appends every element of arr (all must be objects). */
static int take_array(struct json_object *arr, struct sw_ctrec_list *out,
                      struct sw_error *err) {
  size_t n = json_object_array_length(arr);
  struct sw_ctrec *items;
  if (n > SW_CTREC_MAX_RECORDS)
    return sw_error_set(err, SW_ERR_PARSE,
                        "CloudTrail document holds %zu records, more than %d",
                        n, SW_CTREC_MAX_RECORDS);
  if (n == 0)
    return 0;
  items = calloc(n, sizeof(*items));
  if (items == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  for (size_t i = 0; i < n; i++) {
    struct json_object *rec = json_object_array_get_idx(arr, i);
    if (rec == NULL || !json_object_is_type(rec, json_type_object)) {
      free(items);
      return sw_error_set(err, SW_ERR_PARSE,
                          "CloudTrail record %zu is not a JSON object", i);
    }
    sw_ctrec_from_json(rec, &items[i], err);
  }
  out->items = items;
  out->count = n;
  return 0;
}

int sw_ctrec_parse_many(const char *text, size_t len, struct sw_ctrec_list *out,
                        struct sw_error *err) {
  struct json_object *doc, *records = NULL;
  int rc = -1;
  sw_ctrec_list_init(out);
  doc = sw_json_parse(text, len, err);
  if (doc == NULL)
    return -1;
  if (json_object_is_type(doc, json_type_array)) {
    rc = take_array(doc, out, err);
  } else if (!json_object_is_type(doc, json_type_object)) {
    sw_error_set(err, SW_ERR_PARSE,
                 "CloudTrail document is neither an object nor an array");
  } else if (json_object_object_get_ex(doc, "Records", &records)) {
    if (records && json_object_is_type(records, json_type_array))
      rc = take_array(records, out, err);
    else
      sw_error_set(err, SW_ERR_PARSE,
                   "CloudTrail log file: Records is not an array");
  } else {
    out->items = calloc(1, sizeof(*out->items));
    if (out->items == NULL) {
      sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    } else {
      out->count = 1;
      rc = sw_ctrec_from_json(doc, out->items, err);
    }
  }
  json_object_put(doc);
  if (rc != 0)
    sw_ctrec_list_clean_up(out);
  return rc;
}

/* A secret reference split into the ARN prefix (through ":secret:", or
 * empty for a bare name) and the name part. */
struct secret_ref {
  const char *prefix;
  size_t prefix_len;
  const char *name;
  size_t name_len;
};

static void split_ref(const char *s, struct secret_ref *r) {
  const char *mark = strncmp(s, "arn:", 4) == 0 ? strstr(s, ":secret:") : NULL;
  r->prefix = s;
  r->prefix_len = mark ? (size_t)(mark - s) + 8 : 0;
  r->name = s + r->prefix_len;
  r->name_len = strlen(r->name);
}

/* Length of the name of a full ARN's name part without "-XXXXXX" (the
 * random suffix Secrets Manager appends), or 0 when it has none. */
static size_t unsuffixed_len(const struct secret_ref *r) {
  if (r->prefix_len == 0 || r->name_len < 8 || r->name[r->name_len - 7] != '-')
    return 0;
  for (size_t i = r->name_len - 6; i < r->name_len; i++) {
    char c = r->name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return 0;
  }
  return r->name_len - 7;
}

/* 1 when a and b may name the same secret: equal names, or one is a full
 * ARN whose name without its suffix equals the other's name. A partial ARN
 * cannot be told from a full one whose name ends in "-" and 6 characters
 * (AWS documents this ambiguity); both readings are accepted, so a watched
 * secret is never missed. ARN prefixes (partition, region, account) must
 * agree when both sides have one. */
static int same_secret(const char *a, const char *b) {
  struct secret_ref ra, rb;
  size_t ua, ub;
  if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0')
    return 0;
  split_ref(a, &ra);
  split_ref(b, &rb);
  if (ra.prefix_len && rb.prefix_len &&
      (ra.prefix_len != rb.prefix_len ||
       memcmp(ra.prefix, rb.prefix, ra.prefix_len) != 0))
    return 0;
  if (ra.name_len == rb.name_len && memcmp(ra.name, rb.name, ra.name_len) == 0)
    return 1;
  ua = unsuffixed_len(&ra);
  ub = unsuffixed_len(&rb);
  if (ua && ua == rb.name_len && memcmp(ra.name, rb.name, ua) == 0)
    return 1;
  if (ub && ub == ra.name_len && memcmp(ra.name, rb.name, ub) == 0)
    return 1;
  return 0;
}

static int rec_names(const struct sw_ctrec *rec, const char *want) {
  if (want == NULL || want[0] == '\0')
    return 0;
  if (same_secret(rec->secret_id, want) ||
      same_secret(rec->additional_secret_id, want) ||
      same_secret(rec->denied_resource, want))
    return 1;
  for (size_t i = 0; i < rec->resource_count; i++)
    if (same_secret(rec->resource_arns[i], want))
      return 1;
  return 0;
}

int sw_ctrec_names_secret(const struct sw_ctrec *rec, const char *secret,
                          const char *watched_arn) {
  if (rec == NULL)
    return 0;
  return rec_names(rec, secret) || rec_names(rec, watched_arn);
}
