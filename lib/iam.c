#include "lib/iam.h"
#include "lib/xml.h"

#include <stdlib.h>
#include <string.h>

/* IAM names: roles 1..64, policies 1..128 characters [\w+=,.@-]. */
static int name_ok(const char *s, size_t max) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > max)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || strchr("_+=,.@-", *s)))
      return 0;
  return 1;
}

static int check_role_name(const char *op, const char *name,
                           struct sw_error *err) {
  if (!name_ok(name, 64))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: role name \"%s\" must be 1 to 64 characters of "
                        "[A-Za-z0-9_+=,.@-]",
                        op, name ? name : "");
  return 0;
}

static int check_policy_name(const char *op, const char *name,
                             struct sw_error *err) {
  if (!name_ok(name, 128))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: policy name \"%s\" must be 1 to 128 characters "
                        "of [A-Za-z0-9_+=,.@-]",
                        op, name ? name : "");
  return 0;
}

static int oom(const char *op, struct sw_error *err) {
  return sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *sw_iam_url_decode(const char *s, size_t len) {
  char *out = malloc(len + 1), *o = out;
  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '%') {
      *o++ = s[i];
      continue;
    }
    int hi = i + 1 < len ? hexval(s[i + 1]) : -1;
    int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
      free(out);
      return NULL;
    }
    *o++ = (char)(hi * 16 + lo);
    i += 2;
  }
  *o = '\0';
  return out;
}

/* A policy document element: URL-decoded when it is encoded (IAM's
 * answers), else kept as is. */
static int policy_text(xmlNode *parent, const char *path, char **out,
                       struct sw_error *err) {
  char *raw = NULL, *dec;
  *out = NULL;
  if (sw_svc_xml_dup(parent, path, 131072, &raw, err))
    return -1;
  if (raw == NULL)
    return 0;
  dec = sw_iam_url_decode(raw, strlen(raw));
  if (dec) {
    free(raw);
    *out = dec;
  } else {
    *out = raw;
  }
  return 0;
}

static int xml_tags(xmlNode *parent, struct sw_tag_list *out,
                    struct sw_error *err) {
  return sw_svc_xml_pairs(parent, "Tags", "member", "Key", "Value",
                          SW_SVC_MAX_TAGS, "IAM", out, err);
}

/* Sends an IAM action with the parameters a builder filled. */
static int call(struct sw_client *c, const char *action, struct sw_params *p,
                int built, xmlDoc **doc, struct sw_error *err) {
  return sw_svc_query_call(c, SW_SVC_IAM, action, p, built, doc, err);
}

/* ---- Roles ---- */

void sw_iam_role_clean_up(struct sw_iam_role *r) {
  if (r == NULL)
    return;
  free(r->role_name);
  free(r->role_id);
  free(r->arn);
  free(r->path);
  free(r->description);
  free(r->assume_role_policy_document);
  sw_tag_list_clean_up(&r->tags);
  memset(r, 0, sizeof(*r));
  r->max_session_duration_s = -1;
}

int sw_iam_create_role_request(const struct sw_iam_create_role_req *req,
                               struct sw_params *p, struct sw_error *err) {
  const char *op = "CreateRole";
  if (check_role_name(op, req->role_name, err) ||
      sw_svc_check_tags(op, req->tags, req->tag_count, SW_SVC_MAX_TAGS, err))
    return -1;
  if (sw_svc_empty(req->assume_role_policy_document))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: AssumeRolePolicyDocument is required", op);
  if (req->path &&
      (req->path[0] != '/' || req->path[strlen(req->path) - 1] != '/'))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: Path \"%s\" must begin and end with '/'", op,
                        req->path);
  if (req->max_session_duration_s && (req->max_session_duration_s < 3600 ||
                                      req->max_session_duration_s > 43200))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: MaxSessionDuration %d outside 3600..43200", op,
                        req->max_session_duration_s);
  if (sw_params_add(p, "RoleName", req->role_name) ||
      sw_params_add(p, "AssumeRolePolicyDocument",
                    req->assume_role_policy_document) ||
      (req->path && sw_params_add(p, "Path", req->path)) ||
      (!sw_svc_empty(req->description) &&
       sw_params_add(p, "Description", req->description)) ||
      (req->max_session_duration_s &&
       sw_params_addf(p, "MaxSessionDuration", "%d",
                      req->max_session_duration_s)))
    return oom(op, err);
  return sw_svc_params_tags(p, "Tags.member", "Key", "Value", req->tags,
                            req->tag_count, err);
}

int sw_iam_role_parse(xmlDoc *doc, const char *action, struct sw_iam_role *out,
                      struct sw_error *err) {
  xmlNode *res, *role;
  long long v;
  memset(out, 0, sizeof(*out));
  out->max_session_duration_s = -1;
  res = sw_svc_query_result(doc, action, err);
  if (res == NULL)
    return -1;
  role = sw_xml_child(res, "Role");
  if (role == NULL)
    return sw_error_set(err, SW_ERR_PARSE, "%s: answer has no Role", action);
  if (sw_svc_xml_dup(role, "RoleName", 256, &out->role_name, err) ||
      sw_svc_xml_dup(role, "RoleId", 256, &out->role_id, err) ||
      sw_svc_xml_dup(role, "Arn", 2048, &out->arn, err) ||
      sw_svc_xml_dup(role, "Path", 1024, &out->path, err) ||
      sw_svc_xml_dup(role, "Description", 4096, &out->description, err) ||
      policy_text(role, "AssumeRolePolicyDocument",
                  &out->assume_role_policy_document, err) ||
      xml_tags(role, &out->tags, err))
    goto fail;
  if (out->role_name == NULL || out->arn == NULL) {
    sw_error_set(err, SW_ERR_PARSE, "%s: Role lacks RoleName or Arn", action);
    goto fail;
  }
  out->has_create_date =
      sw_svc_xml_time(role, "CreateDate", &out->create_date_s) == 0;
  if (sw_svc_xml_int64(role, "MaxSessionDuration", &v) == 0)
    out->max_session_duration_s = v;
  return 0;
fail:
  sw_iam_role_clean_up(out);
  return -1;
}

int sw_iam_create_role(struct sw_client *c,
                       const struct sw_iam_create_role_req *req,
                       struct sw_iam_role *out, struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  rc = call(c, "CreateRole", &p, sw_iam_create_role_request(req, &p, err), &doc,
            err);
  if (rc == 0)
    rc = sw_iam_role_parse(doc, "CreateRole", out, err);
  xmlFreeDoc(doc);
  return rc;
}

int sw_iam_role_name_request(const char *role_name, struct sw_params *p,
                             struct sw_error *err) {
  if (check_role_name("IAM", role_name, err))
    return -1;
  return sw_params_add(p, "RoleName", role_name) ? oom("IAM", err) : 0;
}

int sw_iam_get_role(struct sw_client *c, const char *role_name,
                    struct sw_iam_role *out, struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  rc = call(c, "GetRole", &p, sw_iam_role_name_request(role_name, &p, err),
            &doc, err);
  if (rc == 0)
    rc = sw_iam_role_parse(doc, "GetRole", out, err);
  xmlFreeDoc(doc);
  return rc;
}

int sw_iam_delete_role(struct sw_client *c, const char *role_name,
                       struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(c, "DeleteRole", &p, sw_iam_role_name_request(role_name, &p, err),
              NULL, err);
}

/* ---- UpdateAssumeRolePolicy ---- */

int sw_iam_update_assume_role_policy_request(const char *role_name,
                                             const char *policy_document,
                                             struct sw_params *p,
                                             struct sw_error *err) {
  const char *op = "UpdateAssumeRolePolicy";
  if (check_role_name(op, role_name, err))
    return -1;
  if (sw_svc_empty(policy_document) || strlen(policy_document) > 131072)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: PolicyDocument for role %s must be 1 to 131072 "
                        "bytes",
                        op, role_name);
  if (sw_params_add(p, "RoleName", role_name) ||
      sw_params_add(p, "PolicyDocument", policy_document))
    return oom(op, err);
  return 0;
}

int sw_iam_update_assume_role_policy_parse(xmlDoc *doc, struct sw_error *err) {
  xmlNode *root = sw_xml_root(doc);
  if (root == NULL || root->name == NULL ||
      strcmp((const char *)root->name, "UpdateAssumeRolePolicyResponse") != 0)
    return sw_error_set(err, SW_ERR_PARSE,
                        "UpdateAssumeRolePolicy: expected "
                        "<UpdateAssumeRolePolicyResponse>, got <%s>",
                        root && root->name ? (const char *)root->name : "");
  return 0;
}

int sw_iam_update_assume_role_policy(struct sw_client *c, const char *role_name,
                                     const char *policy_document,
                                     struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc = NULL;
  int rc;
  sw_params_init(&p);
  rc = call(c, "UpdateAssumeRolePolicy", &p,
            sw_iam_update_assume_role_policy_request(role_name, policy_document,
                                                     &p, err),
            &doc, err);
  if (rc == 0)
    rc = sw_iam_update_assume_role_policy_parse(doc, err);
  xmlFreeDoc(doc);
  return rc;
}

/* ---- Inline policies ---- */

int sw_iam_put_role_policy_request(const char *role_name,
                                   const char *policy_name,
                                   const char *policy_document,
                                   struct sw_params *p, struct sw_error *err) {
  const char *op = "PutRolePolicy";
  if (check_role_name(op, role_name, err) ||
      check_policy_name(op, policy_name, err))
    return -1;
  if (sw_svc_empty(policy_document) || strlen(policy_document) > 10240)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: PolicyDocument must be 1 to 10240 bytes", op);
  if (sw_params_add(p, "RoleName", role_name) ||
      sw_params_add(p, "PolicyName", policy_name) ||
      sw_params_add(p, "PolicyDocument", policy_document))
    return oom(op, err);
  return 0;
}

int sw_iam_put_role_policy(struct sw_client *c, const char *role_name,
                           const char *policy_name, const char *policy_document,
                           struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(c, "PutRolePolicy", &p,
              sw_iam_put_role_policy_request(role_name, policy_name,
                                             policy_document, &p, err),
              NULL, err);
}

int sw_iam_role_policy_request(const char *role_name, const char *policy_name,
                               struct sw_params *p, struct sw_error *err) {
  if (check_role_name("IAM", role_name, err) ||
      check_policy_name("IAM", policy_name, err))
    return -1;
  if (sw_params_add(p, "RoleName", role_name) ||
      sw_params_add(p, "PolicyName", policy_name))
    return oom("IAM", err);
  return 0;
}

void sw_iam_role_policy_clean_up(struct sw_iam_role_policy *p) {
  if (p == NULL)
    return;
  free(p->role_name);
  free(p->policy_name);
  free(p->policy_document);
  memset(p, 0, sizeof(*p));
}

int sw_iam_get_role_policy_parse(xmlDoc *doc, struct sw_iam_role_policy *out,
                                 struct sw_error *err) {
  xmlNode *res;
  memset(out, 0, sizeof(*out));
  res = sw_svc_query_result(doc, "GetRolePolicy", err);
  if (res == NULL)
    return -1;
  if (sw_svc_xml_dup(res, "RoleName", 256, &out->role_name, err) ||
      sw_svc_xml_dup(res, "PolicyName", 256, &out->policy_name, err) ||
      policy_text(res, "PolicyDocument", &out->policy_document, err))
    goto fail;
  if (out->policy_document == NULL) {
    sw_error_set(err, SW_ERR_PARSE,
                 "GetRolePolicy: answer has no "
                 "PolicyDocument");
    goto fail;
  }
  return 0;
fail:
  sw_iam_role_policy_clean_up(out);
  return -1;
}

int sw_iam_get_role_policy(struct sw_client *c, const char *role_name,
                           const char *policy_name,
                           struct sw_iam_role_policy *out,
                           struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  rc = call(c, "GetRolePolicy", &p,
            sw_iam_role_policy_request(role_name, policy_name, &p, err), &doc,
            err);
  if (rc == 0)
    rc = sw_iam_get_role_policy_parse(doc, out, err);
  xmlFreeDoc(doc);
  return rc;
}

int sw_iam_delete_role_policy(struct sw_client *c, const char *role_name,
                              const char *policy_name, struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(c, "DeleteRolePolicy", &p,
              sw_iam_role_policy_request(role_name, policy_name, &p, err), NULL,
              err);
}

/* ---- Tags ---- */

int sw_iam_tag_role_request(const char *role_name, const struct sw_tag *tags,
                            size_t tag_count, struct sw_params *p,
                            struct sw_error *err) {
  const char *op = "TagRole";
  if (check_role_name(op, role_name, err) ||
      sw_svc_check_tags(op, tags, tag_count, SW_SVC_MAX_TAGS, err))
    return -1;
  if (tag_count == 0)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: no tags", op);
  if (sw_params_add(p, "RoleName", role_name))
    return oom(op, err);
  return sw_svc_params_tags(p, "Tags.member", "Key", "Value", tags, tag_count,
                            err);
}

int sw_iam_tag_role(struct sw_client *c, const char *role_name,
                    const struct sw_tag *tags, size_t tag_count,
                    struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(c, "TagRole", &p,
              sw_iam_tag_role_request(role_name, tags, tag_count, &p, err),
              NULL, err);
}

void sw_iam_tags_page_clean_up(struct sw_iam_tags_page *t) {
  if (t == NULL)
    return;
  sw_tag_list_clean_up(&t->tags);
  free(t->marker);
  memset(t, 0, sizeof(*t));
}

int sw_iam_list_role_tags_request(const char *role_name, const char *marker,
                                  struct sw_params *p, struct sw_error *err) {
  if (check_role_name("ListRoleTags", role_name, err))
    return -1;
  if (sw_params_add(p, "RoleName", role_name) ||
      (!sw_svc_empty(marker) && sw_params_add(p, "Marker", marker)))
    return oom("ListRoleTags", err);
  return 0;
}

int sw_iam_list_role_tags_parse(xmlDoc *doc, struct sw_iam_tags_page *out,
                                struct sw_error *err) {
  xmlNode *res;
  memset(out, 0, sizeof(*out));
  res = sw_svc_query_result(doc, "ListRoleTags", err);
  if (res == NULL)
    return -1;
  if (xml_tags(res, &out->tags, err) ||
      sw_svc_xml_dup(res, "Marker", SW_SVC_MAX_STR, &out->marker, err)) {
    sw_iam_tags_page_clean_up(out);
    return -1;
  }
  if (sw_svc_xml_bool(res, "IsTruncated", &out->is_truncated) != 0)
    out->is_truncated = 0;
  return 0;
}

int sw_iam_list_role_tags(struct sw_client *c, const char *role_name,
                          const char *marker, struct sw_iam_tags_page *out,
                          struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  memset(out, 0, sizeof(*out));
  rc = call(c, "ListRoleTags", &p,
            sw_iam_list_role_tags_request(role_name, marker, &p, err), &doc,
            err);
  if (rc == 0)
    rc = sw_iam_list_role_tags_parse(doc, out, err);
  xmlFreeDoc(doc);
  return rc;
}
