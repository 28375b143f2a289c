#include "lib/sts.h"
#include "lib/crypto.h"
#include "lib/svc.h"
#include "lib/text.h"
#include "lib/xml.h"

#include <libxml/dict.h>
#include <stdlib.h>
#include <string.h>

/* Overwrites the text under the Credentials element of an answer so the
 * secret key and token do not linger in freed memory. */
static void wipe_credentials(xmlDoc *doc) {
  xmlNode *res, *cr;
  xmlNode *root = sw_xml_root(doc);
  if (root == NULL)
    return;
  for (res = root->children; res; res = res->next) {
    cr =
        res->type == XML_ELEMENT_NODE ? sw_xml_child(res, "Credentials") : NULL;
    for (xmlNode *f = cr ? cr->children : NULL; f; f = f->next)
      for (xmlNode *t = f->children; t; t = t->next)
        if (t->type == XML_TEXT_NODE && t->content &&
            !(doc->dict && xmlDictOwns(doc->dict, t->content)))
          sw_wipe(t->content, strlen((const char *)t->content));
  }
}

int sw_sts_get_caller_identity_parse(xmlDoc *doc, struct sw_sts_identity *out,
                                     struct sw_error *err) {
  xmlNode *res;
  memset(out, 0, sizeof(*out));
  res = sw_svc_query_result(doc, "GetCallerIdentity", err);
  if (res == NULL)
    return -1;
  if (sw_xml_path_copy(res, "Account", out->account, sizeof(out->account)) !=
          0 ||
      sw_xml_path_copy(res, "Arn", out->arn, sizeof(out->arn)) != 0)
    return sw_error_set(err, SW_ERR_PARSE,
                        "GetCallerIdentity: answer lacks Account or Arn");
  sw_xml_path_copy(res, "UserId", out->user_id, sizeof(out->user_id));
  return 0;
}

int sw_sts_get_caller_identity(struct sw_client *c, struct sw_sts_identity *out,
                               struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc = NULL;
  int rc;
  sw_params_init(&p);
  rc = sw_svc_query_call(c, SW_SVC_STS, "GetCallerIdentity", &p, 0, &doc, err);
  if (rc == 0)
    rc = sw_sts_get_caller_identity_parse(doc, out, err);
  xmlFreeDoc(doc);
  return rc;
}

void sw_sts_assume_role_resp_init(struct sw_sts_assume_role_resp *r) {
  memset(r, 0, sizeof(*r));
  r->packed_policy_size = -1;
}

void sw_sts_assume_role_resp_clean_up(struct sw_sts_assume_role_resp *r) {
  if (r == NULL)
    return;
  if (r->creds.session_token) {
    sw_wipe(r->creds.session_token, strlen(r->creds.session_token));
    free(r->creds.session_token);
  }
  sw_wipe(r, sizeof(*r));
  r->packed_policy_size = -1;
}

static int check_role(const char *op, const char *role_arn,
                      const char *session_name, struct sw_error *err) {
  size_t n;
  if (role_arn == NULL || strncmp(role_arn, "arn:", 4) != 0)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: RoleArn \"%s\" is not an ARN",
                        op, role_arn ? role_arn : "");
  n = session_name ? strlen(session_name) : 0;
  if (n < 2 || n > 64)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: RoleSessionName must be 2 to 64 characters", op);
  for (const char *s = session_name; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || strchr("_+=,.@-", *s)))
      return sw_error_set(err, SW_ERR_CONFIG,
                          "%s: RoleSessionName \"%s\" has a character outside "
                          "[A-Za-z0-9_+=,.@-]",
                          op, session_name);
  return 0;
}

int sw_sts_assume_role_request(const struct sw_sts_assume_role_req *req,
                               struct sw_params *p, struct sw_error *err) {
  if (check_role("AssumeRole", req->role_arn, req->role_session_name, err))
    return -1;
  if (req->external_id &&
      (strlen(req->external_id) < 2 || strlen(req->external_id) > 1224))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "AssumeRole: ExternalId must be 2 to 1224 characters");
  if (req->duration_s < 0 || (req->duration_s > 0 && req->duration_s < 900) ||
      req->duration_s > 43200)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "AssumeRole: DurationSeconds %d outside 900..43200",
                        req->duration_s);
  if (sw_params_add(p, "RoleArn", req->role_arn) ||
      sw_params_add(p, "RoleSessionName", req->role_session_name) ||
      (req->external_id && sw_params_add(p, "ExternalId", req->external_id)) ||
      (req->duration_s &&
       sw_params_addf(p, "DurationSeconds", "%d", req->duration_s)) ||
      (req->policy && sw_params_add(p, "Policy", req->policy)))
    return sw_error_set(err, SW_ERR_INTERNAL, "AssumeRole: out of memory");
  return 0;
}

/* Copies a secret element's text into a fixed field, wiping the temporary.
 * 0, or -1 when absent, empty or too long. */
static int copy_secret(xmlNode *parent, const char *name, char *dst,
                       size_t size) {
  char *s = sw_xml_path_text(parent, name);
  size_t n;
  int rc = -1;
  if (s == NULL)
    return -1;
  n = strlen(s);
  if (n > 0 && n < size) {
    memcpy(dst, s, n + 1);
    rc = 0;
  }
  sw_wipe(s, n);
  free(s);
  return rc;
}

static int parse_assumed(xmlDoc *doc, const char *op,
                         struct sw_sts_assume_role_resp *out,
                         struct sw_error *err) {
  xmlNode *res = sw_svc_query_result(doc, op, err), *cr;
  double exp_s;
  long long pps;
  char *token = NULL;
  if (res == NULL)
    return -1;
  cr = sw_xml_child(res, "Credentials");
  if (cr == NULL)
    return sw_error_set(err, SW_ERR_PARSE, "%s: answer has no Credentials", op);
  if (copy_secret(cr, "AccessKeyId", out->creds.access_key_id,
                  sizeof(out->creds.access_key_id)) != 0)
    return sw_error_set(err, SW_ERR_PARSE,
                        "%s: missing, empty or oversized AccessKeyId", op);
  if (copy_secret(cr, "SecretAccessKey", out->creds.secret_access_key,
                  sizeof(out->creds.secret_access_key)) != 0)
    return sw_error_set(err, SW_ERR_PARSE,
                        "%s: missing, empty or oversized SecretAccessKey", op);
  if (sw_svc_xml_time(cr, "Expiration", &exp_s) != 0)
    return sw_error_set(err, SW_ERR_PARSE,
                        "%s: missing or malformed Expiration", op);
  out->creds.expiration_s = (time_t)exp_s;
  token = sw_xml_path_text(cr, "SessionToken");
  if (token == NULL || token[0] == '\0' || strlen(token) > SW_SVC_MAX_STR) {
    if (token) {
      sw_wipe(token, strlen(token));
      free(token);
    }
    return sw_error_set(err, SW_ERR_PARSE,
                        "%s: missing, empty or oversized SessionToken", op);
  }
  out->creds.session_token = token;
  sw_xml_path_copy(res, "AssumedRoleUser/Arn", out->assumed_role_arn,
                   sizeof(out->assumed_role_arn));
  sw_xml_path_copy(res, "AssumedRoleUser/AssumedRoleId", out->assumed_role_id,
                   sizeof(out->assumed_role_id));
  if (sw_svc_xml_int64(res, "PackedPolicySize", &pps) == 0)
    out->packed_policy_size = (long)pps;
  sw_xml_path_copy(res, "SubjectFromWebIdentityToken",
                   out->subject_from_web_identity_token,
                   sizeof(out->subject_from_web_identity_token));
  sw_xml_path_copy(res, "Provider", out->provider, sizeof(out->provider));
  sw_xml_path_copy(res, "Audience", out->audience, sizeof(out->audience));
  return 0;
}

int sw_sts_assume_role_parse(xmlDoc *doc, struct sw_sts_assume_role_resp *out,
                             struct sw_error *err) {
  sw_sts_assume_role_resp_init(out);
  if (parse_assumed(doc, "AssumeRole", out, err) != 0) {
    sw_sts_assume_role_resp_clean_up(out);
    return -1;
  }
  return 0;
}

/* Sends an assume-role action (params from a builder; built is its
 * result) and parses the answer with parse; the answer's credential text
 * is wiped before it is freed. */
static int assume_call(
    struct sw_client *c, const char *action, struct sw_params *p, int built,
    int (*parse)(xmlDoc *, struct sw_sts_assume_role_resp *, struct sw_error *),
    struct sw_sts_assume_role_resp *out, struct sw_error *err) {
  xmlDoc *doc = NULL;
  int rc = sw_svc_query_call(c, SW_SVC_STS, action, p, built, &doc, err);
  if (rc == 0)
    rc = parse(doc, out, err);
  wipe_credentials(doc);
  xmlFreeDoc(doc);
  return rc;
}

int sw_sts_assume_role(struct sw_client *c,
                       const struct sw_sts_assume_role_req *req,
                       struct sw_sts_assume_role_resp *out,
                       struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return assume_call(c, "AssumeRole", &p,
                     sw_sts_assume_role_request(req, &p, err),
                     sw_sts_assume_role_parse, out, err);
}

int sw_sts_web_identity_request(const struct sw_sts_web_identity_req *req,
                                struct sw_params *p, struct sw_error *err) {
  size_t n;
  if (check_role("AssumeRoleWithWebIdentity", req->role_arn,
                 req->role_session_name, err))
    return -1;
  n = req->web_identity_token ? strlen(req->web_identity_token) : 0;
  if (n < 4 || n > 20000)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "AssumeRoleWithWebIdentity: WebIdentityToken must be "
                        "4 to 20000 characters, got %zu",
                        n);
  if (req->duration_s < 0 || (req->duration_s > 0 && req->duration_s < 900) ||
      req->duration_s > 43200)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "AssumeRoleWithWebIdentity: DurationSeconds %d "
                        "outside 900..43200",
                        req->duration_s);
  if (sw_params_add(p, "RoleArn", req->role_arn) ||
      sw_params_add(p, "RoleSessionName", req->role_session_name) ||
      sw_params_add(p, "WebIdentityToken", req->web_identity_token) ||
      (req->duration_s &&
       sw_params_addf(p, "DurationSeconds", "%d", req->duration_s)))
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "AssumeRoleWithWebIdentity: out of memory");
  return 0;
}

int sw_sts_web_identity_parse(xmlDoc *doc, struct sw_sts_assume_role_resp *out,
                              struct sw_error *err) {
  sw_sts_assume_role_resp_init(out);
  if (parse_assumed(doc, "AssumeRoleWithWebIdentity", out, err) != 0) {
    sw_sts_assume_role_resp_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_sts_web_identity(struct sw_client *c,
                        const struct sw_sts_web_identity_req *req,
                        struct sw_sts_assume_role_resp *out,
                        struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return assume_call(c, "AssumeRoleWithWebIdentity", &p,
                     sw_sts_web_identity_request(req, &p, err),
                     sw_sts_web_identity_parse, out, err);
}
