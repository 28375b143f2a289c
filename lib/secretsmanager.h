/* AWS Secrets Manager (JSON 1.1): CreateSecret (with a random decoy value),
 * DescribeSecret, DeleteSecret, TagResource, ListSecrets, and
 * GetSecretValue for the provisioner's verify step.
 *
 * Secret values never leave this module: CreateSecret generates the decoy
 * value inside the request builder (the body is wiped by the wrapper after
 * sending), and GetSecretValue's parser records only whether a value was
 * present; the wrapper wipes the value in the parsed answer before freeing
 * it. Conventions as the other service modules: `_request` returns a heap
 * JSON body the caller frees (NULL with err SW_ERR_CONFIG/INTERNAL),
 * `_parse` fills a caller-owned result freed by its `_clean_up` (NULL ok),
 * lists are bounded, malformed answers are SW_ERR_PARSE. Timestamps are
 * epoch seconds (AWS writes Java doubles like 1.523477145713E9).
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_SECRETSMANAGER_H
#define SW_SECRETSMANAGER_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <json-c/json.h>
#include <stddef.h>

/* Bytes of randomness in a decoy value (written as 64 hex digits inside a
 * small JSON document so it looks like a credential). */
#define SW_SM_DECOY_BYTES 32

/* ---- CreateSecret ---- */
struct sw_sm_create_req {
  const char *name; /* required */
  const char *description;
  const char *kms_key_id;
  const struct sw_tag *tags;
  size_t tag_count;
  const char *client_request_token; /* optional idempotency token (32..64) */
};
struct sw_sm_secret_ref {
  char *arn;              /* heap or NULL */
  char *name;             /* heap or NULL */
  char *version_id;       /* heap or NULL */
  double deletion_date_s; /* DeleteSecret only; valid when has_deletion_date */
  int has_deletion_date;
};
void sw_sm_secret_ref_clean_up(struct sw_sm_secret_ref *r);
/* Returns the body with a fresh random SecretString (from the CSPRNG). The
 * caller must wipe it (sw_wipe(body, strlen(body))) before freeing. NULL with
 * err SW_ERR_INTERNAL when no randomness is available. */
char *sw_sm_create_secret_request(const struct sw_sm_create_req *req,
                                  struct sw_error *err);
/* Parses {ARN, Name, VersionId} (CreateSecret) and {ARN, Name,
 * DeletionDate} (DeleteSecret). ARN and Name are required. */
int sw_sm_secret_ref_parse(struct json_object *root,
                           struct sw_sm_secret_ref *out, struct sw_error *err);
/* Sends CreateSecret and wipes the request body in every case. */
int sw_sm_create_secret(struct sw_client *c, const struct sw_sm_create_req *req,
                        struct sw_sm_secret_ref *out, struct sw_error *err);

/* ---- DescribeSecret ---- */
struct sw_sm_secret {
  char *arn;
  char *name;
  char *description;
  char *kms_key_id;
  double created_date_s;
  int has_created_date;
  double last_accessed_date_s;
  int has_last_accessed_date;
  double deleted_date_s; /* scheduled for deletion when has_deleted_date */
  int has_deleted_date;
  int rotation_enabled; /* -1 when absent */
  struct sw_tag_list tags;
};
void sw_sm_secret_clean_up(struct sw_sm_secret *s);
/* {"SecretId": id}: shared by DescribeSecret and the ops that take just it.
 */
char *sw_sm_secret_id_request(const char *secret_id, struct sw_error *err);
/* ARN and Name are required. */
int sw_sm_describe_secret_parse(struct json_object *root,
                                struct sw_sm_secret *out, struct sw_error *err);
int sw_sm_describe_secret(struct sw_client *c, const char *secret_id,
                          struct sw_sm_secret *out, struct sw_error *err);

/* ---- DeleteSecret ---- */
/* recovery_window_days 7..30, or 0 with force set for
 * ForceDeleteWithoutRecovery (the two are exclusive). */
char *sw_sm_delete_secret_request(const char *secret_id,
                                  int recovery_window_days, int force,
                                  struct sw_error *err);
int sw_sm_delete_secret(struct sw_client *c, const char *secret_id,
                        int recovery_window_days, int force,
                        struct sw_sm_secret_ref *out, struct sw_error *err);

/* ---- TagResource {"SecretId","Tags":[{"Key","Value"}]} ---- */
char *sw_sm_tag_resource_request(const char *secret_id,
                                 const struct sw_tag *tags, size_t tag_count,
                                 struct sw_error *err);
int sw_sm_tag_resource(struct sw_client *c, const char *secret_id,
                       const struct sw_tag *tags, size_t tag_count,
                       struct sw_error *err);

/* ---- ListSecrets ---- */
struct sw_sm_list_req {
  int max_results; /* 1..100; 0: omitted */
  const char *next_token;
  const char *filter_key; /* e.g. "tag-key", "tag-value", "name"; optional */
  const char *const *filter_values;
  size_t filter_value_count; /* 1..10 with filter_key */
};
struct sw_sm_list_resp {
  struct sw_sm_secret *secrets; /* SecretList entries */
  size_t count;
  char *next_token;
};
void sw_sm_list_resp_clean_up(struct sw_sm_list_resp *r);
char *sw_sm_list_secrets_request(const struct sw_sm_list_req *req,
                                 struct sw_error *err);
int sw_sm_list_secrets_parse(struct json_object *root,
                             struct sw_sm_list_resp *out, struct sw_error *err);
int sw_sm_list_secrets(struct sw_client *c, const struct sw_sm_list_req *req,
                       struct sw_sm_list_resp *out, struct sw_error *err);

/* ---- GetSecretValue (verify only) ---- */
struct sw_sm_value_info {
  char *arn;
  char *name;
  char *version_id;
  double created_date_s;
  int has_created_date;
  int has_string; /* SecretString was present (its bytes are not kept) */
  int has_binary; /* SecretBinary was present (not kept) */
};
void sw_sm_value_info_clean_up(struct sw_sm_value_info *v);
/* {"SecretId": id, "VersionStage": stage} (stage optional). */
char *sw_sm_get_secret_value_request(const char *secret_id,
                                     const char *version_stage,
                                     struct sw_error *err);
/* Fills out without copying the value. ARN is required. */
int sw_sm_get_secret_value_parse(struct json_object *root,
                                 struct sw_sm_value_info *out,
                                 struct sw_error *err);
/* Overwrites SecretString/SecretBinary bytes in a parsed answer (in place)
 * so they do not linger in freed memory. root may be NULL. */
void sw_sm_wipe_secret_value(struct json_object *root);
/* Reads the secret once (this is what CloudTrail then records) and wipes the
 * answer's value before releasing it. */
int sw_sm_get_secret_value(struct sw_client *c, const char *secret_id,
                           const char *version_stage,
                           struct sw_sm_value_info *out, struct sw_error *err);

#endif
