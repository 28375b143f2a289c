/* Policy document builders (json-c) and their semantic comparison. */
#include "provision/policy.h"

#include "lib/json.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct json_object *str(const char *s) {
  return json_object_new_string(s);
}

/* {"Service": service} */
static struct json_object *service_principal(const char *service) {
  struct json_object *p = json_object_new_object();
  json_object_object_add(p, "Service", str(service));
  return p;
}

/* {op: {k1: v1[, k2: v2]}} with k2 optional. */
static struct json_object *condition(const char *op, const char *k1,
                                     const char *v1, const char *k2,
                                     const char *v2) {
  struct json_object *c = json_object_new_object();
  struct json_object *inner = json_object_new_object();
  json_object_object_add(inner, k1, str(v1));
  if (k2)
    json_object_object_add(inner, k2, str(v2));
  json_object_object_add(c, op, inner);
  return c;
}

static struct json_object *statement(const char *sid, const char *effect,
                                     struct json_object *principal,
                                     struct json_object *action,
                                     struct json_object *resource,
                                     struct json_object *cond) {
  struct json_object *s = json_object_new_object();
  json_object_object_add(s, "Sid", str(sid));
  json_object_object_add(s, "Effect", str(effect));
  if (principal)
    json_object_object_add(s, "Principal", principal);
  json_object_object_add(s, "Action", action);
  json_object_object_add(s, "Resource", resource);
  if (cond)
    json_object_object_add(s, "Condition", cond);
  return s;
}

/* Serializes {"Version":"2012-10-17","Statement":stmts} and frees it. */
static char *document(struct json_object *stmts) {
  struct json_object *doc = json_object_new_object();
  json_object_object_add(doc, "Version", str("2012-10-17"));
  json_object_object_add(doc, "Statement", stmts);
  char *out = sw_json_dump(doc);
  json_object_put(doc);
  return out;
}

char *pv_policy_bucket(const struct pv_names *n) {
  char objects[200], deny_res[200];
  struct json_object *stmts = json_object_new_array();
  snprintf(objects, sizeof(objects), "%s/AWSLogs/%s/*", n->bucket_arn,
           n->account);
  snprintf(deny_res, sizeof(deny_res), "%s/*", n->bucket_arn);
  json_object_array_add(
      stmts, statement("AWSCloudTrailAclCheck", "Allow",
                       service_principal("cloudtrail.amazonaws.com"),
                       str("s3:GetBucketAcl"), str(n->bucket_arn),
                       condition("StringEquals", "aws:SourceArn", n->trail_arn,
                                 "aws:SourceAccount", n->account)));
  struct json_object *wcond =
      condition("StringEquals", "aws:SourceArn", n->trail_arn,
                "aws:SourceAccount", n->account);
  json_object_object_add(json_object_object_get(wcond, "StringEquals"),
                         "s3:x-amz-acl", str("bucket-owner-full-control"));
  json_object_array_add(stmts,
                        statement("AWSCloudTrailWrite", "Allow",
                                  service_principal("cloudtrail.amazonaws.com"),
                                  str("s3:PutObject"), str(objects), wcond));
  struct json_object *res = json_object_new_array();
  json_object_array_add(res, str(n->bucket_arn));
  json_object_array_add(res, str(deny_res));
  struct json_object *anyone = json_object_new_object();
  json_object_object_add(anyone, "AWS", str("*"));
  json_object_array_add(
      stmts,
      statement("DenyInsecureTransport", "Deny", anyone, str("s3:*"), res,
                condition("Bool", "aws:SecureTransport", "false", NULL, NULL)));
  return document(stmts);
}

char *pv_policy_role_trust(const struct pv_names *n) {
  struct json_object *stmts = json_object_new_array();
  json_object_array_add(
      stmts, statement("CloudTrailAssumeRole", "Allow",
                       service_principal("cloudtrail.amazonaws.com"),
                       str("sts:AssumeRole"), NULL,
                       condition("StringEquals", "aws:SourceArn", n->trail_arn,
                                 "aws:SourceAccount", n->account)));
  /* A trust policy has no Resource: drop the member statement() set. */
  json_object_object_del(json_object_array_get_idx(stmts, 0), "Resource");
  return document(stmts);
}

char *pv_policy_role_logs(const struct pv_names *n) {
  char streams[800];
  snprintf(streams, sizeof(streams), "%s:log-stream:*", n->log_group_arn);
  struct json_object *actions = json_object_new_array();
  json_object_array_add(actions, str("logs:CreateLogStream"));
  json_object_array_add(actions, str("logs:PutLogEvents"));
  struct json_object *stmts = json_object_new_array();
  json_object_array_add(stmts, statement("CloudTrailWritesLogGroup", "Allow",
                                         NULL, actions, str(streams), NULL));
  return document(stmts);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *pv_policy_topic(const struct pv_names *n, const char *const *alarm_arns,
                      size_t alarm_count) {
  struct json_object *arns = json_object_new_array();
  const char **sorted = calloc(alarm_count ? alarm_count : 1, sizeof(*sorted));
  if (!sorted) {
    json_object_put(arns);
    return NULL;
  }
  /* Sorted, so the document does not depend on the order secrets were
   * given or found in (a re-run must compare equal). */
  if (alarm_count)
    memcpy(sorted, alarm_arns, alarm_count * sizeof(*sorted));
  qsort(sorted, alarm_count, sizeof(*sorted), cmp_str);
  for (size_t i = 0; i < alarm_count; i++)
    json_object_array_add(arns, str(sorted[i]));
  free(sorted);
  struct json_object *cond = json_object_new_object();
  struct json_object *like = json_object_new_object();
  json_object_object_add(like, "aws:SourceArn", arns);
  json_object_object_add(cond, "ArnLike", like);
  struct json_object *eq = json_object_new_object();
  json_object_object_add(eq, "aws:SourceAccount", str(n->account));
  json_object_object_add(cond, "StringEquals", eq);
  struct json_object *stmts = json_object_new_array();
  json_object_array_add(stmts,
                        statement("CloudWatchAlarmsPublish", "Allow",
                                  service_principal("cloudwatch.amazonaws.com"),
                                  str("sns:Publish"), str(n->topic_arn), cond));
  return document(stmts);
}

static int equal_values(struct json_object *a, struct json_object *b,
                        int depth);

/* A lone string equals a one-element array holding it. */
static struct json_object *unwrap(struct json_object *v) {
  if (json_object_is_type(v, json_type_array) &&
      json_object_array_length(v) == 1)
    return json_object_array_get_idx(v, 0);
  return v;
}

static int equal_objects(struct json_object *a, struct json_object *b,
                         int depth) {
  if (json_object_object_length(a) != json_object_object_length(b))
    return 0;
  json_object_object_foreach(a, key, va) {
    struct json_object *vb = NULL;
    if (!json_object_object_get_ex(b, key, &vb) ||
        !equal_values(va, vb, depth + 1))
      return 0;
  }
  return 1;
}

static int equal_values(struct json_object *a, struct json_object *b,
                        int depth) {
  if (depth > SW_JSON_MAX_DEPTH)
    return 0;
  a = unwrap(a);
  b = unwrap(b);
  if (!a || !b)
    return a == b;
  enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
  if (ta != tb)
    return 0;
  switch (ta) {
  case json_type_object:
    return equal_objects(a, b, depth);
  case json_type_array: {
    size_t n = json_object_array_length(a);
    if (n != json_object_array_length(b))
      return 0;
    for (size_t i = 0; i < n; i++)
      if (!equal_values(json_object_array_get_idx(a, i),
                        json_object_array_get_idx(b, i), depth + 1))
        return 0;
    return 1;
  }
  case json_type_string:
    return strcmp(json_object_get_string(a), json_object_get_string(b)) == 0;
  default:
    return strcmp(json_object_to_json_string(a),
                  json_object_to_json_string(b)) == 0;
  }
}

int pv_policy_equal(const char *a, const char *b) {
  struct sw_error err;
  if (!a || !b)
    return 0;
  struct json_object *ja = sw_json_parse(a, strlen(a), &err);
  struct json_object *jb = ja ? sw_json_parse(b, strlen(b), &err) : NULL;
  int eq = ja && jb && equal_values(ja, jb, 0);
  json_object_put(ja);
  json_object_put(jb);
  return eq;
}
