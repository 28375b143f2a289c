/* Credentials from the EC2 instance metadata service (IMDSv2) and from the
 * ECS/EKS container credentials endpoint.
 *
 * IMDSv2 ("Use IMDSv2", Amazon EC2 User Guide): PUT /latest/api/token with
 * X-aws-ec2-metadata-token-ttl-seconds, then with X-aws-ec2-metadata-token
 * GET /latest/meta-data/iam/security-credentials/ (the role name) and
 * .../<role> (the credentials JSON). Each request has a short timeout and is
 * tried twice on network errors and 5xx. There is deliberately no fallback to
 * IMDSv1 (unauthenticated GETs): a token failure is reported as such.
 *
 * Container credentials ("Container credential provider", AWS SDKs and
 * Tools Reference Guide): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is fetched
 * from http://169.254.170.2; AWS_CONTAINER_CREDENTIALS_FULL_URI must be https,
 * or http to a loopback address or to the ECS/EKS agent addresses
 * (169.254.170.2, 169.254.170.23, fd00:ec2::23), as the SDKs require. The
 * Authorization header comes from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
 * (re-read on every fetch: EKS rotates it) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. */
#ifndef SW_IMDS_H
#define SW_IMDS_H

#include "lib/credentials.h"
#include "lib/error.h"

#include <stddef.h>

#define SW_IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define SW_IMDS_DEFAULT_ENDPOINT_V6 "http://[fd00:ec2::254]"
#define SW_ECS_DEFAULT_HOST "http://169.254.170.2"
#define SW_IMDS_TOKEN_TTL_S 21600
#define SW_IMDS_MAX_RESPONSE ((size_t)64 << 10)

struct sw_imds_opts {
  const char *endpoint; /* base URL without trailing '/'; NULL: from env */
  long timeout_ms;      /* per attempt; 0 means 1000 */
  int attempts;         /* 0 means 2 (one retry) */
};

/* 1 when AWS_EC2_METADATA_DISABLED is "true" (any case). */
int sw_imds_disabled_by_env(void);

/* The IMDS base URL: AWS_EC2_METADATA_SERVICE_ENDPOINT, else by
 * AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE ("IPv4" default, "IPv6"). Trailing
 * '/' removed. 0, or -1 with err (SW_ERR_CONFIG) for an unknown mode or a
 * URL that is not http(s) or too long. */
int sw_imds_endpoint_from_env(char *out, size_t out_size, struct sw_error *err);

/* A safe IAM role name as IMDS lists it: 1..128 bytes of
 * [A-Za-z0-9+=,.@_-]. Returns 1 when name is acceptable. */
int sw_imds_role_name_valid(const char *name, size_t len);

/* Fetches role credentials. 0 with out filled (provider "imds"), or -1
 * with err (SW_ERR_CREDENTIALS or SW_ERR_NETWORK) saying which step failed.
 */
int sw_imds_fetch(const struct sw_imds_opts *o, struct sw_credentials *out,
                  struct sw_error *err);

/* Where and how to ask the container endpoint. */
struct sw_ecs_config {
  char url[1024];
  char *auth_token; /* heap, secret, may be NULL */
};
void sw_ecs_config_clean_up(struct sw_ecs_config *c);

/* 1 when url may be fetched: https anywhere, http only to loopback or the
 * ECS/EKS agent addresses. Pure. */
int sw_ecs_url_allowed(const char *url);

/* Reads the AWS_CONTAINER_* variables into c. Returns 1 when neither URI
 * variable is set (the provider does not apply), 0 when c is filled, -1 with
 * err (SW_ERR_CREDENTIALS) for a refused URL, an unreadable token file or a
 * token with line breaks. */
int sw_ecs_config_from_env(struct sw_ecs_config *c, struct sw_error *err);

/* Fetches credentials from c (provider "ecs"). ca_file may be NULL. */
int sw_ecs_fetch(const struct sw_ecs_config *c, long timeout_ms,
                 const char *ca_file, struct sw_credentials *out,
                 struct sw_error *err);

#endif
