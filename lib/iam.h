/* AWS IAM (query protocol): the role CloudTrail assumes to write the log
 * group, its inline policy and its tags (provisioner).
 *
 * Builders fill a caller-init'ed struct sw_params (Action/Version added by
 * sw_client_query) and fail with err SW_ERR_CONFIG naming the bad field.
 * Parsers take the XML answer and fill caller-owned results freed by their
 * `_clean_up` (NULL ok; call after failures too). IAM returns policy
 * documents URL-encoded (RFC 3986); the parsers decode them. A document that
 * is not the expected <OpResponse><OpResult> is SW_ERR_PARSE.
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_IAM_H
#define SW_IAM_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <libxml/tree.h>
#include <stddef.h>

struct sw_iam_role {
  char *role_name;
  char *role_id;
  char *arn;
  char *path;
  char *description;
  char *assume_role_policy_document; /* URL-decoded JSON, or NULL */
  double create_date_s;
  int has_create_date;
  long long max_session_duration_s; /* -1 when absent */
  struct sw_tag_list tags;          /* GetRole includes tags */
};
void sw_iam_role_clean_up(struct sw_iam_role *r);

/* ---- CreateRole ---- */
struct sw_iam_create_role_req {
  const char *role_name;                   /* required */
  const char *assume_role_policy_document; /* required, JSON */
  const char *path;                        /* optional, "/x/" */
  const char *description;
  int max_session_duration_s; /* 0: omitted */
  const struct sw_tag *tags;
  size_t tag_count;
};
int sw_iam_create_role_request(const struct sw_iam_create_role_req *req,
                               struct sw_params *p, struct sw_error *err);
/* Parses CreateRoleResult/Role and GetRoleResult/Role. action is
 * "CreateRole" or "GetRole". RoleName and Arn are required. */
int sw_iam_role_parse(xmlDoc *doc, const char *action, struct sw_iam_role *out,
                      struct sw_error *err);
int sw_iam_create_role(struct sw_client *c,
                       const struct sw_iam_create_role_req *req,
                       struct sw_iam_role *out, struct sw_error *err);

/* ---- GetRole / DeleteRole (RoleName) ---- */
int sw_iam_role_name_request(const char *role_name, struct sw_params *p,
                             struct sw_error *err);
int sw_iam_get_role(struct sw_client *c, const char *role_name,
                    struct sw_iam_role *out, struct sw_error *err);
int sw_iam_delete_role(struct sw_client *c, const char *role_name,
                       struct sw_error *err);

/* ---- UpdateAssumeRolePolicy: RoleName, PolicyDocument ----
 * Replaces the role's trust policy. The document is JSON of 1..131072 bytes
 * (the API's limit; IAM's own quota on trust policy length is lower and
 * answered as LimitExceeded). IAM answers MalformedPolicyDocument
 * (SW_ERR_VALIDATION) for a document it refuses and NoSuchEntity
 * (SW_ERR_NOT_FOUND) for an unknown role. */
int sw_iam_update_assume_role_policy_request(const char *role_name,
                                             const char *policy_document,
                                             struct sw_params *p,
                                             struct sw_error *err);
/* Checks that doc is <UpdateAssumeRolePolicyResponse> (the answer has no
 * result element); anything else is SW_ERR_PARSE. */
int sw_iam_update_assume_role_policy_parse(xmlDoc *doc, struct sw_error *err);
int sw_iam_update_assume_role_policy(struct sw_client *c, const char *role_name,
                                     const char *policy_document,
                                     struct sw_error *err);

/* ---- Inline policies ---- */
int sw_iam_put_role_policy_request(const char *role_name,
                                   const char *policy_name,
                                   const char *policy_document,
                                   struct sw_params *p, struct sw_error *err);
int sw_iam_put_role_policy(struct sw_client *c, const char *role_name,
                           const char *policy_name, const char *policy_document,
                           struct sw_error *err);
/* GetRolePolicy / DeleteRolePolicy: RoleName, PolicyName. */
int sw_iam_role_policy_request(const char *role_name, const char *policy_name,
                               struct sw_params *p, struct sw_error *err);
struct sw_iam_role_policy {
  char *role_name;
  char *policy_name;
  char *policy_document; /* URL-decoded JSON */
};
void sw_iam_role_policy_clean_up(struct sw_iam_role_policy *p);
int sw_iam_get_role_policy_parse(xmlDoc *doc, struct sw_iam_role_policy *out,
                                 struct sw_error *err);
int sw_iam_get_role_policy(struct sw_client *c, const char *role_name,
                           const char *policy_name,
                           struct sw_iam_role_policy *out,
                           struct sw_error *err);
int sw_iam_delete_role_policy(struct sw_client *c, const char *role_name,
                              const char *policy_name, struct sw_error *err);

/* ---- Tags ---- */
/* TagRole: RoleName, Tags.member.N.Key/Value (1..50 tags). */
int sw_iam_tag_role_request(const char *role_name, const struct sw_tag *tags,
                            size_t tag_count, struct sw_params *p,
                            struct sw_error *err);
int sw_iam_tag_role(struct sw_client *c, const char *role_name,
                    const struct sw_tag *tags, size_t tag_count,
                    struct sw_error *err);
/* ListRoleTags: RoleName, [Marker]. */
struct sw_iam_tags_page {
  struct sw_tag_list tags;
  int is_truncated;
  char *marker; /* heap or NULL */
};
void sw_iam_tags_page_clean_up(struct sw_iam_tags_page *t);
int sw_iam_list_role_tags_request(const char *role_name, const char *marker,
                                  struct sw_params *p, struct sw_error *err);
int sw_iam_list_role_tags_parse(xmlDoc *doc, struct sw_iam_tags_page *out,
                                struct sw_error *err);
int sw_iam_list_role_tags(struct sw_client *c, const char *role_name,
                          const char *marker, struct sw_iam_tags_page *out,
                          struct sw_error *err);

/* Decodes %XX escapes (RFC 3986; '+' stays '+', as the SDKs' unquote) of
 * len bytes into a heap string; NULL on a malformed escape or no memory. */
char *sw_iam_url_decode(const char *s, size_t len);

#endif
