/* AWS STS (query protocol): GetCallerIdentity, AssumeRole (with
 * ExternalId) and AssumeRoleWithWebIdentity.
 *
 * Builders fill a caller-initialized struct sw_params (sw_params_init) with
 * the operation's parameters (Action and Version are added by
 * sw_client_query). Parsers take the XML answer document and fill a
 * caller-owned result. Results holding credentials are wiped by their
 * clean-up function; nothing here logs. The session token stays on the heap
 * (tokens can be kilobytes). */
#ifndef SW_STS_H
#define SW_STS_H

#include "lib/client.h"
#include "lib/error.h"

#include <libxml/tree.h>
#include <time.h>

/* GetCallerIdentity: no parameters. */
struct sw_sts_identity {
  char account[32];
  char arn[2048];
  char user_id[256];
};
/* 0, or -1 with err SW_ERR_PARSE when the answer has no
 * GetCallerIdentityResult or no Account/Arn. out is zeroed first. */
int sw_sts_get_caller_identity_parse(xmlDoc *doc, struct sw_sts_identity *out,
                                     struct sw_error *err);
/* Calls GetCallerIdentity through c. 0 or -1 with err. */
int sw_sts_get_caller_identity(struct sw_client *c, struct sw_sts_identity *out,
                               struct sw_error *err);

/* Temporary credentials returned by STS. */
struct sw_sts_credentials {
  char access_key_id[128];
  char secret_access_key[128];
  char *session_token; /* heap, owned; wiped and freed by clean-up */
  time_t expiration_s; /* epoch seconds */
};
/* Result of AssumeRole and AssumeRoleWithWebIdentity. */
struct sw_sts_assume_role_resp {
  struct sw_sts_credentials creds;
  char assumed_role_arn[2048];
  char assumed_role_id[256];
  long packed_policy_size; /* -1 when absent */
  /* AssumeRoleWithWebIdentity only ("" otherwise) */
  char subject_from_web_identity_token[256];
  char provider[256];
  char audience[256];
};
void sw_sts_assume_role_resp_init(struct sw_sts_assume_role_resp *r);
/* Wipes the secret key and session token and frees the token. NULL ok. */
void sw_sts_assume_role_resp_clean_up(struct sw_sts_assume_role_resp *r);

struct sw_sts_assume_role_req {
  const char *role_arn;          /* required */
  const char *role_session_name; /* required, 2..64 chars [\w+=,.@-] */
  const char *external_id;       /* optional, 2..1224 chars */
  int duration_s;                /* 0: omitted (AWS default 3600) */
  const char *policy;            /* optional session policy JSON */
};
/* Adds RoleArn, RoleSessionName, [ExternalId], [DurationSeconds], [Policy].
 * 0, or -1 with err SW_ERR_CONFIG naming the missing/invalid field. */
int sw_sts_assume_role_request(const struct sw_sts_assume_role_req *req,
                               struct sw_params *p, struct sw_error *err);
/* Parses <AssumeRoleResponse>. 0, or -1 with err SW_ERR_PARSE (no
 * credentials, missing key/secret/expiration, bad expiration). out is
 * overwritten (clean up a previous result first); on failure it is wiped. */
int sw_sts_assume_role_parse(xmlDoc *doc, struct sw_sts_assume_role_resp *out,
                             struct sw_error *err);
/* Calls AssumeRole through c (signed with c's credentials). */
int sw_sts_assume_role(struct sw_client *c,
                       const struct sw_sts_assume_role_req *req,
                       struct sw_sts_assume_role_resp *out,
                       struct sw_error *err);

struct sw_sts_web_identity_req {
  const char *role_arn;           /* required */
  const char *role_session_name;  /* required */
  const char *web_identity_token; /* required; secret: never logged */
  int duration_s;                 /* 0: omitted */
};
/* Adds RoleArn, RoleSessionName, WebIdentityToken, [DurationSeconds]. The
 * token is copied into p: sw_params_clean_up wipes it. 0 or -1 (CONFIG). */
int sw_sts_web_identity_request(const struct sw_sts_web_identity_req *req,
                                struct sw_params *p, struct sw_error *err);
/* Parses <AssumeRoleWithWebIdentityResponse>; as sw_sts_assume_role_parse.
 */
int sw_sts_web_identity_parse(xmlDoc *doc, struct sw_sts_assume_role_resp *out,
                              struct sw_error *err);
/* Calls AssumeRoleWithWebIdentity through c. This operation is not signed
 * by AWS's rules; the client decides how it sends it (a client without a
 * credentials provider sends it unsigned). */
int sw_sts_web_identity(struct sw_client *c,
                        const struct sw_sts_web_identity_req *req,
                        struct sw_sts_assume_role_resp *out,
                        struct sw_error *err);

#endif
