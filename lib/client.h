/* The AWS client: the one place that builds, signs, sends and retries AWS
 * requests and turns error answers into struct sw_error.
 *
 * A client is bound to a region and a credentials provider and keeps one HTTP
 * handle per service endpoint (connections reused). A client is used by one
 * thread at a time; create one per thread or per collectd account.
 *
 * Retries follow the SDKs' "standard" mode: up to max_attempts (3) attempts,
 * exponential backoff with full jitter (base 100 ms, cap 20 s) on throttling
 * codes, HTTP 429, 5xx and connection errors, never on other 4xx. A clock
 * skew error (RequestTimeTooSkewed, "Signature expired", SignatureDoesNotMatch
 * with a skewed Date header) corrects the client's clock offset from the
 * server's Date header and is retried once. An expired-token error
 * invalidates the provider's cache and is retried once. */
#ifndef SW_CLIENT_H
#define SW_CLIENT_H

#include "lib/buf.h"
#include "lib/credentials.h"
#include "lib/endpoint.h"
#include "lib/error.h"
#include "lib/headers.h"
#include "lib/http.h"

#include <json-c/json.h>
#include <libxml/tree.h>

struct sw_client_opts {
  const char *region;       /* required */
  const char *endpoint_url; /* optional override for every service */
  const char *ca_file;      /* optional trust anchors */
  int use_fips;
  int sts_global;
  long timeout_ms;                 /* per attempt; 0 means 10000 */
  int max_attempts;                /* 0 means 3 */
  size_t max_response_bytes;       /* 0 means SW_HTTP_DEFAULT_MAX_RESPONSE */
  struct sw_creds_provider *creds; /* borrowed; must outlive the client;
                                      NULL: requests go unsigned (STS
                                      AssumeRoleWithWebIdentity) */
  const char *user_agent;          /* NULL means "secretwatch/<version>" */
};

/* What one logical call cost, reported to the observer after it ends
 * (success or not), for self-metrics and benchmarks. */
struct sw_call_info {
  enum sw_service service;
  const char *operation;      /* "LookupEvents", ... */
  int attempts;               /* 1 + retries */
  int throttled;              /* attempts answered with throttling */
  int failed;                 /* the call failed in the end */
  double latency_ms;          /* wall time, all attempts and backoff included */
  const struct sw_error *err; /* final error, or NULL on success */
};
typedef void (*sw_call_observer_fn)(const struct sw_call_info *info, void *ctx);

struct sw_client *sw_client_new(const struct sw_client_opts *opts,
                                struct sw_error *err);
void sw_client_free(struct sw_client *c);

void sw_client_set_observer(struct sw_client *c, sw_call_observer_fn fn,
                            void *ctx);
/* Test hook: sleep function for backoff (default nanosleep). */
void sw_client_set_sleep(struct sw_client *c, void (*sleep_ms)(long ms));
/* Seconds to add to the local clock when signing (learnt from skew). */
double sw_client_clock_offset(const struct sw_client *c);
/* Summed HTTP stats of every handle of the client. */
void sw_client_http_stats(const struct sw_client *c, struct sw_http_stats *out);

/* AWS JSON 1.0/1.1 (which one, the target prefix, and CloudWatch's
 * x-amzn-query-mode header come from the service). body is the JSON request
 * text ("{}" when empty). On success *out is a new reference to the parsed
 * answer (json_object_put it; an empty body gives an empty object). */
int sw_client_json(struct sw_client *c, enum sw_service svc,
                   const char *operation, const char *body,
                   struct json_object **out, struct sw_error *err);

/* Most parameters in one query request, and the largest form body. */
#define SW_PARAMS_MAX 20000
#define SW_CLIENT_MAX_QUERY_BODY ((size_t)1 << 20)

/* AWS query parameters, in insertion order. sw_params_add copies name and
 * value; 0, or -1 past SW_PARAMS_MAX or on out of memory. */
struct sw_params {
  struct sw_headers list; /* reused as a name/value list */
};
void sw_params_init(struct sw_params *p);
void sw_params_clean_up(struct sw_params *p);
int sw_params_add(struct sw_params *p, const char *name, const char *value);
int sw_params_addf(struct sw_params *p, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* AWS query protocol: POSTs Action, Version (from the service) and params
 * form-encoded; parses the XML answer. On success *out is the document
 * (xmlFreeDoc it). Errors come from <ErrorResponse><Error>. */
int sw_client_query(struct sw_client *c, enum sw_service svc,
                    const char *action, const struct sw_params *params,
                    xmlDoc **out, struct sw_error *err);

/* REST (S3). The bucket goes in the host (virtual-hosted style) unless the
 * endpoint is an override, where path style is used. */
struct sw_rest_request {
  const char *method;
  const char *bucket;               /* may be NULL (ListBuckets) */
  const char *key;                  /* object key or NULL */
  const char *query;                /* e.g. "policy" or "tagging", or NULL */
  const struct sw_headers *headers; /* extra fields (Content-MD5, ...) */
  const void *body;
  size_t body_len;
};
/* On success (2xx) resp holds status, headers and body (caller cleans up
 * resp in every case). Errors come from the bare <Error> document, or from
 * the status alone for HEAD. */
int sw_client_rest(struct sw_client *c, enum sw_service svc,
                   const struct sw_rest_request *req,
                   struct sw_http_response *resp, struct sw_error *err);

/* Where sw_client_rest sends req for endpoint ep: the Host header value into
 * host, and the path as sent (single-encoded key, '/' kept) appended to path.
 * Pure. 0, or -1 with err (SW_ERR_CONFIG for a bucket name with '/', empty
 * or too long). */
int sw_client_rest_target(const struct sw_endpoint *ep,
                          const struct sw_rest_request *req, char *host,
                          size_t host_size, struct sw_buf *path,
                          struct sw_error *err);

#endif
