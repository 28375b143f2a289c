/* HTTP over libcurl: the only module that includes curl.
 *
 * One struct sw_http wraps one curl easy handle, reused for every request
 * made through it, so connections and TLS sessions are kept alive. A handle
 * is used by one thread at a time (the caller's lock or ownership).
 * TLS peer and host verification are always on for https; ca_file (or the
 * AWS_CA_BUNDLE environment variable) only chooses the trust anchors. Proxies
 * follow libcurl's usual environment variables (https_proxy, no_proxy...). */
#ifndef SW_HTTP_H
#define SW_HTTP_H

#include "lib/buf.h"
#include "lib/error.h"
#include "lib/headers.h"

#include <stddef.h>

#define SW_HTTP_DEFAULT_MAX_RESPONSE ((size_t)16 << 20)

struct sw_http_opts {
  const char *ca_file;       /* NULL: AWS_CA_BUNDLE, else the system store */
  long timeout_ms;           /* whole request; 0 means 10000 */
  long connect_timeout_ms;   /* 0 means min(timeout_ms, 5000) */
  size_t max_response_bytes; /* 0 means SW_HTTP_DEFAULT_MAX_RESPONSE */
  const char *user_agent;    /* NULL means "secretwatch/<version>" */
};

struct sw_http_request {
  const char *method;               /* "GET", "POST", "PUT", "DELETE", "HEAD" */
  const char *url;                  /* absolute http:// or https:// URL */
  const struct sw_headers *headers; /* sent as given, may be NULL */
  const struct sw_headers *headers2; /* more fields (e.g. from the signer) */
  const void *body;
  size_t body_len;
};

struct sw_http_response {
  long status;               /* 0 when no HTTP answer arrived */
  struct sw_headers headers; /* response fields, last response only */
  struct sw_buf body;        /* capped at max_response_bytes */
};

void sw_http_response_init(struct sw_http_response *r);
void sw_http_response_clean_up(struct sw_http_response *r);

/* 0 after curl_global_init; call once at program start (the plugin: in its
 * init callback). */
int sw_http_global_init(void);

/* New handle; NULL with err on failure. Options are copied. */
struct sw_http *sw_http_new(const struct sw_http_opts *opts,
                            struct sw_error *err);
void sw_http_free(struct sw_http *h);

/* Performs one request (no retries here). Returns 0 when any HTTP answer
 * arrived (whatever its status) with resp filled, or -1 with err kind
 * SW_ERR_NETWORK (DNS, connect, TLS, reset, timeout: the message says which)
 * or SW_ERR_INTERNAL (answer larger than the cap: it is not partially
 * parsed). resp is reset first. */
int sw_http_perform(struct sw_http *h, const struct sw_http_request *req,
                    struct sw_http_response *resp, struct sw_error *err);

/* Counters for the benchmarks and self-metrics: new TCP connections and
 * requests made through this handle. */
struct sw_http_stats {
  unsigned long requests;
  unsigned long connections; /* new connections opened (TLS handshakes for
                                https) */
};
void sw_http_get_stats(const struct sw_http *h, struct sw_http_stats *out);

#endif
