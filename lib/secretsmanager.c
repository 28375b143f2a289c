#include "lib/secretsmanager.h"
#include "lib/crypto.h"
#include "lib/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int not_object(struct json_object *root, const char *op,
                      struct sw_error *err) {
  if (root && json_object_is_type(root, json_type_object))
    return 0;
  return sw_error_set(err, SW_ERR_PARSE, "%s: answer is not a JSON object", op);
}

/* {"SecretId": id} or NULL with err. */
static struct json_object *id_obj(const char *op, const char *secret_id,
                                  struct sw_error *err) {
  struct json_object *o;
  if (sw_svc_empty(secret_id) || strlen(secret_id) > 2048) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: SecretId must be 1 to 2048 bytes",
                 op);
    return NULL;
  }
  o = json_object_new_object();
  if (o == NULL || sw_json_add_str(o, "SecretId", secret_id) != 0) {
    json_object_put(o);
    sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
    return NULL;
  }
  return o;
}

/* Overwrites the bytes of a string member in place (json-c owns them). */
static void wipe_member(struct json_object *o, const char *key) {
  struct json_object *v;
  if (o && json_object_object_get_ex(o, key, &v) &&
      json_object_is_type(v, json_type_string))
    sw_wipe((char *)json_object_get_string(v),
            (size_t)json_object_get_string_len(v));
}

/* ---- CreateSecret ---- */

void sw_sm_secret_ref_clean_up(struct sw_sm_secret_ref *r) {
  if (r == NULL)
    return;
  free(r->arn);
  free(r->name);
  free(r->version_id);
  memset(r, 0, sizeof(*r));
}

/* A credential-looking decoy: {"username":"svc-<8 hex>","password":"<64
 * hex>"}, all random. The caller wipes it. */
static char *decoy_value(void) {
  uint8_t rnd[SW_SM_DECOY_BYTES + 4];
  char hex[2 * sizeof(rnd) + 1];
  char *out = malloc(96 + sizeof(hex));
  if (out == NULL)
    return NULL;
  if (sw_random_bytes(rnd, sizeof(rnd)) != 0) {
    free(out);
    return NULL;
  }
  sw_hex(rnd, sizeof(rnd), hex);
  snprintf(out, 96 + sizeof(hex),
           "{\"username\":\"svc-%.8s\",\"password\":\"%s\"}", hex, hex + 8);
  sw_wipe(rnd, sizeof(rnd));
  sw_wipe(hex, sizeof(hex));
  return out;
}

char *sw_sm_create_secret_request(const struct sw_sm_create_req *req,
                                  struct sw_error *err) {
  const char *op = "CreateSecret";
  struct json_object *o;
  char *value, *body;
  if (sw_svc_empty(req->name) || strlen(req->name) > 512) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: Name must be 1 to 512 bytes", op);
    return NULL;
  }
  if (req->client_request_token && (strlen(req->client_request_token) < 32 ||
                                    strlen(req->client_request_token) > 64)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: ClientRequestToken must be 32 to 64 bytes", op);
    return NULL;
  }
  if (sw_svc_check_tags(op, req->tags, req->tag_count, SW_SVC_MAX_TAGS, err))
    return NULL;
  value = decoy_value();
  if (value == NULL) {
    sw_error_set(err, SW_ERR_INTERNAL, "%s: no randomness for the decoy value",
                 op);
    return NULL;
  }
  o = json_object_new_object();
  if (o) {
    sw_json_add_str(o, "Name", req->name);
    if (!sw_svc_empty(req->client_request_token))
      sw_json_add_str(o, "ClientRequestToken", req->client_request_token);
    if (!sw_svc_empty(req->description))
      sw_json_add_str(o, "Description", req->description);
    if (!sw_svc_empty(req->kms_key_id))
      sw_json_add_str(o, "KmsKeyId", req->kms_key_id);
    sw_json_add_str(o, "SecretString", value);
    if (req->tag_count)
      json_object_object_add(
          o, "Tags",
          sw_svc_json_tag_array(req->tags, req->tag_count, "Key", "Value"));
  }
  sw_wipe(value, strlen(value));
  free(value);
  body = o ? sw_json_dump(o) : NULL;
  wipe_member(o, "SecretString");
  json_object_put(o);
  if (body == NULL)
    sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
  return body;
}

int sw_sm_secret_ref_parse(struct json_object *root,
                           struct sw_sm_secret_ref *out, struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "Secrets Manager", err))
    return -1;
  if (sw_json_str(root, "ARN") == NULL || sw_json_str(root, "Name") == NULL)
    return sw_error_set(err, SW_ERR_PARSE,
                        "Secrets Manager: answer lacks ARN or Name");
  if (sw_svc_json_dup(root, "ARN", 2048, &out->arn, err) ||
      sw_svc_json_dup(root, "Name", 2048, &out->name, err) ||
      sw_svc_json_dup(root, "VersionId", 256, &out->version_id, err)) {
    sw_sm_secret_ref_clean_up(out);
    return -1;
  }
  if (sw_json_epoch(root, "DeletionDate", &out->deletion_date_s) == 0)
    out->has_deletion_date = 1;
  return 0;
}

int sw_sm_create_secret(struct sw_client *c, const struct sw_sm_create_req *req,
                        struct sw_sm_secret_ref *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc =
      sw_svc_json_call(c, SW_SVC_SECRETSMANAGER, "CreateSecret",
                       sw_sm_create_secret_request(req, err), 1, &root, err);
  if (rc == 0)
    rc = sw_sm_secret_ref_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- DescribeSecret ---- */

void sw_sm_secret_clean_up(struct sw_sm_secret *s) {
  if (s == NULL)
    return;
  free(s->arn);
  free(s->name);
  free(s->description);
  free(s->kms_key_id);
  sw_tag_list_clean_up(&s->tags);
  memset(s, 0, sizeof(*s));
  s->rotation_enabled = -1;
}

char *sw_sm_secret_id_request(const char *secret_id, struct sw_error *err) {
  struct json_object *o = id_obj("Secrets Manager", secret_id, err);
  return o ? sw_svc_json_finish(o, "Secrets Manager", err) : NULL;
}

/* Fills s from one secret object (DescribeSecret answer or a SecretList
 * entry). */
static int parse_secret(struct json_object *o, const char *op,
                        struct sw_sm_secret *s, struct sw_error *err) {
  int b;
  memset(s, 0, sizeof(*s));
  s->rotation_enabled = -1;
  if (not_object(o, op, err))
    return -1;
  if (sw_json_str(o, "ARN") == NULL || sw_json_str(o, "Name") == NULL)
    return sw_error_set(err, SW_ERR_PARSE, "%s: secret lacks ARN or Name", op);
  if (sw_svc_json_dup(o, "ARN", 2048, &s->arn, err) ||
      sw_svc_json_dup(o, "Name", 2048, &s->name, err) ||
      sw_svc_json_dup(o, "Description", 4096, &s->description, err) ||
      sw_svc_json_dup(o, "KmsKeyId", 2048, &s->kms_key_id, err))
    goto fail;
  s->has_created_date =
      sw_json_epoch(o, "CreatedDate", &s->created_date_s) == 0;
  s->has_last_accessed_date =
      sw_json_epoch(o, "LastAccessedDate", &s->last_accessed_date_s) == 0;
  s->has_deleted_date =
      sw_json_epoch(o, "DeletedDate", &s->deleted_date_s) == 0;
  if (sw_json_bool(o, "RotationEnabled", &b) == 0)
    s->rotation_enabled = b;
  if (sw_svc_json_pairs(o, "Tags", "Key", "Value", SW_SVC_MAX_TAGS, op,
                        &s->tags, err))
    goto fail;
  return 0;
fail:
  sw_sm_secret_clean_up(s);
  return -1;
}

int sw_sm_describe_secret_parse(struct json_object *root,
                                struct sw_sm_secret *out,
                                struct sw_error *err) {
  return parse_secret(root, "DescribeSecret", out, err);
}

int sw_sm_describe_secret(struct sw_client *c, const char *secret_id,
                          struct sw_sm_secret *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc =
      sw_svc_json_call(c, SW_SVC_SECRETSMANAGER, "DescribeSecret",
                       sw_sm_secret_id_request(secret_id, err), 0, &root, err);
  if (rc == 0)
    rc = sw_sm_describe_secret_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- DeleteSecret ---- */

char *sw_sm_delete_secret_request(const char *secret_id,
                                  int recovery_window_days, int force,
                                  struct sw_error *err) {
  const char *op = "DeleteSecret";
  struct json_object *o;
  if (force ? recovery_window_days != 0
            : (recovery_window_days < 7 || recovery_window_days > 30)) {
    sw_error_set(err, SW_ERR_CONFIG,
                 "%s: RecoveryWindowInDays %d must be 7..30, or 0 with "
                 "ForceDeleteWithoutRecovery",
                 op, recovery_window_days);
    return NULL;
  }
  o = id_obj(op, secret_id, err);
  if (o == NULL)
    return NULL;
  if (force)
    sw_json_add_bool(o, "ForceDeleteWithoutRecovery", 1);
  else
    sw_json_add_int64(o, "RecoveryWindowInDays", recovery_window_days);
  return sw_svc_json_finish(o, op, err);
}

int sw_sm_delete_secret(struct sw_client *c, const char *secret_id,
                        int recovery_window_days, int force,
                        struct sw_sm_secret_ref *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(
      c, SW_SVC_SECRETSMANAGER, "DeleteSecret",
      sw_sm_delete_secret_request(secret_id, recovery_window_days, force, err),
      0, &root, err);
  if (rc == 0 && out)
    rc = sw_sm_secret_ref_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- TagResource ---- */

char *sw_sm_tag_resource_request(const char *secret_id,
                                 const struct sw_tag *tags, size_t tag_count,
                                 struct sw_error *err) {
  const char *op = "TagResource";
  struct json_object *o, *arr;
  if (tag_count == 0) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: no tags", op);
    return NULL;
  }
  if (sw_svc_check_tags(op, tags, tag_count, SW_SVC_MAX_TAGS, err))
    return NULL;
  o = id_obj(op, secret_id, err);
  if (o == NULL)
    return NULL;
  arr = sw_svc_json_tag_array(tags, tag_count, "Key", "Value");
  if (arr == NULL) {
    json_object_put(o);
    return sw_svc_json_finish(NULL, op, err);
  }
  json_object_object_add(o, "Tags", arr);
  return sw_svc_json_finish(o, op, err);
}

int sw_sm_tag_resource(struct sw_client *c, const char *secret_id,
                       const struct sw_tag *tags, size_t tag_count,
                       struct sw_error *err) {
  return sw_svc_json_call(
      c, SW_SVC_SECRETSMANAGER, "TagResource",
      sw_sm_tag_resource_request(secret_id, tags, tag_count, err), 0, NULL,
      err);
}

/* ---- ListSecrets ---- */

void sw_sm_list_resp_clean_up(struct sw_sm_list_resp *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->count; i++)
    sw_sm_secret_clean_up(&r->secrets[i]);
  free(r->secrets);
  free(r->next_token);
  memset(r, 0, sizeof(*r));
}

char *sw_sm_list_secrets_request(const struct sw_sm_list_req *req,
                                 struct sw_error *err) {
  const char *op = "ListSecrets";
  struct json_object *o;
  if (req->max_results < 0 || req->max_results > 100) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: MaxResults %d outside 1..100", op,
                 req->max_results);
    return NULL;
  }
  if (!sw_svc_empty(req->filter_key) &&
      (req->filter_value_count < 1 || req->filter_value_count > 10 ||
       req->filter_values == NULL)) {
    sw_error_set(err, SW_ERR_CONFIG, "%s: a filter needs 1 to 10 values", op);
    return NULL;
  }
  o = json_object_new_object();
  if (o == NULL)
    return sw_svc_json_finish(NULL, op, err);
  if (req->max_results)
    sw_json_add_int64(o, "MaxResults", req->max_results);
  if (!sw_svc_empty(req->next_token))
    sw_json_add_str(o, "NextToken", req->next_token);
  if (!sw_svc_empty(req->filter_key)) {
    struct json_object *vals = json_object_new_array();
    struct json_object *filters = json_object_new_array();
    struct json_object *f = json_object_new_object();
    for (size_t i = 0; vals && i < req->filter_value_count; i++)
      json_object_array_add(
          vals, json_object_new_string(
                    req->filter_values[i] ? req->filter_values[i] : ""));
    sw_json_add_str(f, "Key", req->filter_key);
    json_object_object_add(f, "Values", vals);
    json_object_array_add(filters, f);
    json_object_object_add(o, "Filters", filters);
  }
  return sw_svc_json_finish(o, op, err);
}

static int parse_list_entry(struct json_object *o, size_t i, void *item,
                            struct sw_error *err) {
  (void)i;
  return parse_secret(o, "ListSecrets", item, err);
}

int sw_sm_list_secrets_parse(struct json_object *root,
                             struct sw_sm_list_resp *out,
                             struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "ListSecrets", err) ||
      sw_svc_json_items(root, "SecretList", SW_SVC_MAX_LIST,
                        sizeof(*out->secrets), parse_list_entry, "ListSecrets",
                        (void **)&out->secrets, &out->count, err) ||
      sw_svc_json_dup(root, "NextToken", SW_SVC_MAX_STR, &out->next_token,
                      err)) {
    sw_sm_list_resp_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_sm_list_secrets(struct sw_client *c, const struct sw_sm_list_req *req,
                       struct sw_sm_list_resp *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc =
      sw_svc_json_call(c, SW_SVC_SECRETSMANAGER, "ListSecrets",
                       sw_sm_list_secrets_request(req, err), 0, &root, err);
  if (rc == 0)
    rc = sw_sm_list_secrets_parse(root, out, err);
  json_object_put(root);
  return rc;
}

/* ---- GetSecretValue ---- */

void sw_sm_value_info_clean_up(struct sw_sm_value_info *v) {
  if (v == NULL)
    return;
  free(v->arn);
  free(v->name);
  free(v->version_id);
  memset(v, 0, sizeof(*v));
}

char *sw_sm_get_secret_value_request(const char *secret_id,
                                     const char *version_stage,
                                     struct sw_error *err) {
  struct json_object *o = id_obj("GetSecretValue", secret_id, err);
  if (o == NULL)
    return NULL;
  if (!sw_svc_empty(version_stage))
    sw_json_add_str(o, "VersionStage", version_stage);
  return sw_svc_json_finish(o, "GetSecretValue", err);
}

int sw_sm_get_secret_value_parse(struct json_object *root,
                                 struct sw_sm_value_info *out,
                                 struct sw_error *err) {
  memset(out, 0, sizeof(*out));
  if (not_object(root, "GetSecretValue", err))
    return -1;
  if (sw_json_str(root, "ARN") == NULL)
    return sw_error_set(err, SW_ERR_PARSE, "GetSecretValue: answer lacks ARN");
  if (sw_svc_json_dup(root, "ARN", 2048, &out->arn, err) ||
      sw_svc_json_dup(root, "Name", 2048, &out->name, err) ||
      sw_svc_json_dup(root, "VersionId", 256, &out->version_id, err)) {
    sw_sm_value_info_clean_up(out);
    return -1;
  }
  out->has_created_date =
      sw_json_epoch(root, "CreatedDate", &out->created_date_s) == 0;
  out->has_string = sw_json_str(root, "SecretString") != NULL;
  out->has_binary = sw_json_str(root, "SecretBinary") != NULL;
  return 0;
}

void sw_sm_wipe_secret_value(struct json_object *root) {
  wipe_member(root, "SecretString");
  wipe_member(root, "SecretBinary");
}

int sw_sm_get_secret_value(struct sw_client *c, const char *secret_id,
                           const char *version_stage,
                           struct sw_sm_value_info *out, struct sw_error *err) {
  struct json_object *root = NULL;
  int rc = sw_svc_json_call(
      c, SW_SVC_SECRETSMANAGER, "GetSecretValue",
      sw_sm_get_secret_value_request(secret_id, version_stage, err), 0, &root,
      err);
  if (rc == 0)
    rc = sw_sm_get_secret_value_parse(root, out, err);
  sw_sm_wipe_secret_value(root);
  json_object_put(root);
  return rc;
}
