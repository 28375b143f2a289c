/* AWS credentials: the SDK default provider chain, AssumeRole, and a
 * thread-safe cache that refreshes ahead of expiry.
 *
 * Chain order (as the AWS SDKs): static keys from the options -> environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) -> web
 * identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, via STS
 * AssumeRoleWithWebIdentity) -> shared files (AWS_PROFILE or the profile
 * option; AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; role_arn +
 * source_profile / credential_source, credential_process) -> ECS container
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]) -> EC2 IMDSv2 (token then role
 * credentials; AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT).
 * When role_arn is set, the chain's result is the source for STS AssumeRole
 * (with external_id). Secret material is wiped when released and never
 * logged: messages name the provider and the access key id at most. */
#ifndef SW_CREDENTIALS_H
#define SW_CREDENTIALS_H

#include "lib/error.h"

#include <stddef.h>
#include <time.h>

struct sw_credentials {
  char access_key_id[128];
  char secret_access_key[128];
  char *session_token; /* heap, may be NULL; tokens can be kilobytes */
  time_t expiration_s; /* 0 for long-term keys */
  char provider[32];   /* "static", "env", "web-identity", "profile",
                          "process", "ecs", "imds", "assume-role" */
};

/* Wipes and frees the token; the struct can be reused. */
void sw_credentials_clean_up(struct sw_credentials *c);
/* Deep copy (dst is cleaned up first). 0 or -1. */
int sw_credentials_copy(struct sw_credentials *dst,
                        const struct sw_credentials *src);

struct sw_creds_opts {
  const char *access_key_id; /* static keys (all three optional) */
  const char *secret_access_key;
  const char *session_token;
  const char *profile;  /* overrides AWS_PROFILE */
  const char *role_arn; /* AssumeRole on top of the chain */
  const char *external_id;
  const char *role_session_name; /* default "secretwatch-<pid>" */
  const char *region;            /* for STS; required with role_arn */
  const char *endpoint_url;      /* overrides for STS (tests, VPC) */
  const char *ca_file;
  long timeout_ms;      /* per request to IMDS/ECS/STS */
  long refresh_ahead_s; /* refresh this long before expiry;
                           0 means 300 */
};

struct sw_creds_provider;

/* Builds a provider; nothing is fetched yet. Options are copied. NULL with
 * err (SW_ERR_CONFIG) on contradictory options. */
struct sw_creds_provider *sw_creds_provider_new(const struct sw_creds_opts *o,
                                                struct sw_error *err);
void sw_creds_provider_free(struct sw_creds_provider *p);

/* Copies current credentials into out (caller cleans up), fetching or
 * refreshing them first when absent or within refresh_ahead_s of expiry.
 * Thread-safe: one fetch at a time, other callers wait. On failure err has
 * kind SW_ERR_CREDENTIALS and a message naming each provider tried and why
 * it gave nothing (e.g. "env: AWS_ACCESS_KEY_ID not set; profile
 * \"prod\": not found in /root/.aws/config; imds: disabled"). If a refresh
 * fails while the cached credentials are still valid, those are returned. */
int sw_creds_get(struct sw_creds_provider *p, struct sw_credentials *out,
                 struct sw_error *err);

/* Forgets the cache so the next get fetches again (after the service said
 * the token expired). */
void sw_creds_invalidate(struct sw_creds_provider *p);

/* Test hooks: the clock used for expiry decisions (default sw_time_now),
 * and how many times the provider resolved the chain (fetches). */
void sw_creds_set_clock(struct sw_creds_provider *p, double (*now_s)(void));
unsigned long sw_creds_fetch_count(struct sw_creds_provider *p);

/* The JSON documents that carry credentials: credential_process output
 * ({"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
 * "Expiration"?}), IMDS role credentials ({"Code": "Success", ...,
 * "Token", "Expiration"}) and the container endpoint's answer (as IMDS,
 * without Code). */
enum sw_creds_json_kind {
  SW_CREDS_JSON_PROCESS,
  SW_CREDS_JSON_IMDS,
  SW_CREDS_JSON_ECS
};
#define SW_CREDS_MAX_TOKEN 16384

/* Parses text (len bytes) into out (cleaned up first); out->provider is
 * "process", "imds" or "ecs". Errors (SW_ERR_CREDENTIALS) name the field
 * that is missing, of the wrong type, too long, or an Expiration that does
 * not parse or is not after now_s; never a value. The parsed strings that
 * held secrets are wiped before the document is freed (the caller wipes
 * text). Pure: no I/O, no clock. */
int sw_credentials_parse_json(const char *text, size_t len,
                              enum sw_creds_json_kind kind, double now_s,
                              struct sw_credentials *out, struct sw_error *err);

/* Reads a small secret file (a web identity or container token): at most
 * max bytes, trailing whitespace removed. *out is a heap copy the caller
 * wipes and frees. -1 with err (SW_ERR_CREDENTIALS: "<what> <path>: why")
 * when unreadable, too large or empty. Buffers are wiped. */
int sw_credentials_read_token_file(const char *path, size_t max,
                                   const char *what, char **out,
                                   struct sw_error *err);

#endif
