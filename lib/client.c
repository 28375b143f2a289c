/* The AWS client: resolve, sign, send, retry, parse (see client.h).
 *
 * Each logical call is a short list of steps (call_run): one attempt
 * (credentials, sign, send), then either the parsed answer or an error
 * parsed by the service's protocol, then the retry decision from retry.c. */
#include "lib/client.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "lib/protocol.h"
#include "lib/retry.h"
#include "lib/sigv4.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sw_client {
  char *region;
  char *endpoint_url;
  char *ca_file;
  char *user_agent;
  int use_fips;
  int sts_global;
  long timeout_ms;
  int max_attempts;
  size_t max_response_bytes;
  struct sw_creds_provider *creds;
  struct sw_http *http[SW_SVC_COUNT];
  struct sw_endpoint endpoint[SW_SVC_COUNT];
  int endpoint_ok[SW_SVC_COUNT];
  struct sw_sigv4_key_cache keys;
  sw_call_observer_fn observer;
  void *observer_ctx;
  void (*sleep_ms)(long ms);
  double clock_offset_s;
};

enum error_style { ERRORS_JSON, ERRORS_JSON_QUERY_COMPATIBLE, ERRORS_XML };

/* One logical call as it will be signed and sent (every attempt). */
struct call {
  enum sw_service svc;
  const char *operation;
  const char *method;
  char host[320];        /* Host header (virtual-hosted S3: bucket.host) */
  char scheme_host[340]; /* "https://host" */
  struct sw_buf path;    /* as sent and signed, starting with '/' */
  const char *query;     /* without '?', or NULL */
  struct sw_headers headers;
  const void *body;
  size_t body_len;
  int s3_mode;
  enum error_style errors;
  long long start_ms; /* for the observer: whole call, all attempts */
  int attempts;
  int throttled;
};

static char *dup_opt(const char *s) {
  return s ? strdup(s) : NULL;
}

struct sw_client *sw_client_new(const struct sw_client_opts *opts,
                                struct sw_error *err) {
  struct sw_client *c;
  if (opts == NULL || opts->region == NULL || !sw_region_valid(opts->region)) {
    sw_error_set(err, SW_ERR_CONFIG, "region \"%s\" is not a valid AWS region",
                 opts && opts->region ? opts->region : "(none)");
    return NULL;
  }
  c = calloc(1, sizeof(*c));
  if (c == NULL) {
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    return NULL;
  }
  c->region = strdup(opts->region);
  c->endpoint_url = dup_opt(opts->endpoint_url);
  c->ca_file = dup_opt(opts->ca_file);
  c->user_agent = dup_opt(opts->user_agent);
  c->use_fips = opts->use_fips;
  c->sts_global = opts->sts_global;
  c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 10000;
  c->max_attempts =
      opts->max_attempts > 0 ? opts->max_attempts : SW_RETRY_MAX_ATTEMPTS;
  c->max_response_bytes = opts->max_response_bytes;
  c->creds = opts->creds;
  c->sleep_ms = sw_sleep_ms;
  sw_sigv4_key_cache_init(&c->keys);
  if (c->region == NULL || (opts->endpoint_url && !c->endpoint_url) ||
      (opts->ca_file && !c->ca_file) || (opts->user_agent && !c->user_agent)) {
    sw_client_free(c);
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    return NULL;
  }
  return c;
}

void sw_client_free(struct sw_client *c) {
  if (c == NULL)
    return;
  for (int i = 0; i < SW_SVC_COUNT; i++)
    sw_http_free(c->http[i]);
  sw_sigv4_key_cache_clean_up(&c->keys);
  free(c->region);
  free(c->endpoint_url);
  free(c->ca_file);
  free(c->user_agent);
  free(c);
}

void sw_client_set_observer(struct sw_client *c, sw_call_observer_fn fn,
                            void *ctx) {
  c->observer = fn;
  c->observer_ctx = ctx;
}

void sw_client_set_sleep(struct sw_client *c, void (*sleep_ms)(long ms)) {
  c->sleep_ms = sleep_ms ? sleep_ms : sw_sleep_ms;
}

double sw_client_clock_offset(const struct sw_client *c) {
  return c->clock_offset_s;
}

void sw_client_http_stats(const struct sw_client *c,
                          struct sw_http_stats *out) {
  memset(out, 0, sizeof(*out));
  for (int i = 0; i < SW_SVC_COUNT; i++) {
    struct sw_http_stats s;
    if (c->http[i] == NULL)
      continue;
    sw_http_get_stats(c->http[i], &s);
    out->requests += s.requests;
    out->connections += s.connections;
  }
}

/* The endpoint and HTTP handle of svc, made on first use. */
static int service_ready(struct sw_client *c, enum sw_service svc,
                         struct sw_error *err) {
  if (!c->endpoint_ok[svc]) {
    struct sw_endpoint_opts eo = {.region = c->region,
                                  .endpoint_url = c->endpoint_url,
                                  .use_fips = c->use_fips,
                                  .sts_global = c->sts_global};
    if (sw_endpoint_resolve(svc, &eo, &c->endpoint[svc], err) != 0)
      return -1;
    c->endpoint_ok[svc] = 1;
  }
  if (c->http[svc] == NULL) {
    struct sw_http_opts ho = {.ca_file = c->ca_file,
                              .timeout_ms = c->timeout_ms,
                              .max_response_bytes = c->max_response_bytes,
                              .user_agent = c->user_agent};
    c->http[svc] = sw_http_new(&ho, err);
    if (c->http[svc] == NULL)
      return -1;
  }
  return 0;
}

/* The part of the endpoint URL after the host ("" or "/base"). */
static const char *endpoint_base_path(const struct sw_endpoint *ep) {
  const char *after = strstr(ep->url, "://");
  after = after ? after + 3 : ep->url;
  return after + strcspn(after, "/");
}

/* Sets the Host and "scheme://host" of a call to host (NULL: the endpoint's
 * own host). */
static int call_host(struct call *k, const struct sw_endpoint *ep,
                     const char *host, struct sw_error *err) {
  const char *after = strstr(ep->url, "://");
  if (after == NULL)
    return sw_error_set(err, SW_ERR_CONFIG, "endpoint URL without scheme");
  sw_strlcpy(k->host, host ? host : ep->host, sizeof(k->host));
  snprintf(k->scheme_host, sizeof(k->scheme_host), "%.*s://%s",
           (int)(after - ep->url), ep->url, k->host);
  return 0;
}

/* JSON and query requests go to the endpoint's base path + "/". */
static int call_target(struct call *k, const struct sw_endpoint *ep,
                       struct sw_error *err) {
  if (call_host(k, ep, NULL, err) != 0)
    return -1;
  if (sw_buf_append_str(&k->path, endpoint_base_path(ep)) != 0 ||
      sw_buf_append_char(&k->path, '/') != 0)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  return 0;
}

static void call_init(struct call *k, enum sw_service svc,
                      const char *operation, const char *method) {
  memset(k, 0, sizeof(*k));
  k->svc = svc;
  k->operation = operation;
  k->method = method;
  sw_buf_init(&k->path, 8192);
  sw_headers_init(&k->headers);
  k->start_ms = sw_time_mono_ms();
}

static void call_clean_up(struct call *k) {
  sw_buf_clean_up(&k->path);
  sw_headers_clean_up(&k->headers);
}

/* Signs the fields in sent (Host included) and appends the signer's fields to
 * added. Credentials are fetched for this attempt and wiped right after
 * signing. A client without a provider sends unsigned requests (STS
 * AssumeRoleWithWebIdentity). */
static int call_sign(struct sw_client *c, const struct call *k,
                     const struct sw_headers *sent, struct sw_headers *added,
                     struct sw_error *err) {
  const struct sw_endpoint *ep = &c->endpoint[k->svc];
  struct sw_credentials cr;
  int rc;
  if (c->creds == NULL)
    return 0;
  memset(&cr, 0, sizeof(cr));
  if (sw_creds_get(c->creds, &cr, err) != 0) {
    sw_credentials_clean_up(&cr);
    return -1;
  }
  struct sw_sigv4_request sr = {.method = k->method,
                                .path = sw_buf_cstr(&k->path),
                                .query = k->query,
                                .headers = sent,
                                .body = k->body,
                                .body_len = k->body_len};
  struct sw_sigv4_params sp = {.access_key_id = cr.access_key_id,
                               .secret_access_key = cr.secret_access_key,
                               .session_token = cr.session_token,
                               .region = ep->signing_region,
                               .service = ep->signing_name,
                               .time_s =
                                   (time_t)(sw_time_now() + c->clock_offset_s),
                               .s3_mode = k->s3_mode};
  rc = sw_sigv4_sign(&sr, &sp, &c->keys, added, err);
  sw_credentials_clean_up(&cr);
  sw_wipe(&cr, sizeof(cr));
  return rc;
}

/* Signs and sends once. 0 when an HTTP answer arrived. */
static int call_attempt(struct sw_client *c, struct call *k,
                        struct sw_http_response *resp, struct sw_error *err) {
  struct sw_headers sent, added;
  struct sw_buf url;
  int rc = -1;

  sw_headers_init(&sent);
  sw_headers_init(&added);
  sw_buf_init(&url, 16384);
  if (sw_headers_add(&sent, "Host", k->host) != 0) {
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    goto cleanup;
  }
  for (size_t i = 0; i < k->headers.count; i++)
    if (sw_headers_add(&sent, k->headers.items[i].name,
                       k->headers.items[i].value) != 0) {
      sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
      goto cleanup;
    }
  if (call_sign(c, k, &sent, &added, err) != 0)
    goto cleanup;
  if (sw_buf_printf(&url, "%s%s%s%s", k->scheme_host, sw_buf_cstr(&k->path),
                    k->query ? "?" : "", k->query ? k->query : "") != 0) {
    sw_error_set(err, SW_ERR_INTERNAL, "request URL too long");
    goto cleanup;
  }
  {
    struct sw_http_request hr = {.method = k->method,
                                 .url = sw_buf_cstr(&url),
                                 .headers = &sent,
                                 .headers2 = &added,
                                 .body = k->body,
                                 .body_len = k->body_len};
    rc = sw_http_perform(c->http[k->svc], &hr, resp, err);
  }
cleanup:
  sw_headers_clean_up(&sent);
  sw_headers_clean_up(&added);
  sw_buf_clean_up(&url);
  return rc;
}

static void parse_error(const struct call *k,
                        const struct sw_http_response *resp,
                        struct sw_error *err) {
  const char *body = resp->body.data;
  size_t len = resp->body.len;
  switch (k->errors) {
  case ERRORS_JSON:
  case ERRORS_JSON_QUERY_COMPATIBLE:
    sw_proto_json_error(resp->status, &resp->headers, body, len,
                        k->errors == ERRORS_JSON_QUERY_COMPATIBLE, err);
    break;
  case ERRORS_XML:
    sw_proto_xml_error(resp->status, &resp->headers, body, len, err);
    break;
  }
}

/* Tells the observer how the call went, once per call, whether it failed
 * before, during or after its attempts (parse errors included). */
static void call_report(struct sw_client *c, const struct call *k, int rc,
                        const struct sw_error *err) {
  struct sw_call_info info;
  if (c == NULL || c->observer == NULL)
    return;
  memset(&info, 0, sizeof(info));
  info.service = k->svc;
  info.operation = k->operation;
  info.attempts = k->attempts;
  info.throttled = k->throttled;
  info.failed = rc != 0;
  info.latency_ms = (double)(sw_time_mono_ms() - k->start_ms);
  info.err = rc != 0 ? err : NULL;
  c->observer(&info, c->observer_ctx);
}

/* Runs the attempts of one call. On 0, resp holds a 2xx answer. */
static int call_run(struct sw_client *c, struct call *k,
                    struct sw_http_response *resp, struct sw_error *err) {
  struct sw_retry_state rs;
  int ok = 0;
  /* Corrections (clock, token) come on top of the retry budget. */
  int bound = c->max_attempts + 2;

  sw_retry_state_init(&rs, c->max_attempts);
  while (k->attempts < bound) {
    enum sw_retry_action action;
    long delay_ms = 0;
    double now_s, new_offset_s = 0;
    sw_error_clear(err);
    k->attempts++;
    if (call_attempt(c, k, resp, err) == 0) {
      if (resp->status >= 200 && resp->status < 300) {
        ok = 1;
        break;
      }
      parse_error(k, resp, err);
    }
    if (err && err->kind == SW_ERR_THROTTLED)
      k->throttled++;
    now_s = sw_time_now();
    action = sw_retry_next(&rs, err, sw_headers_get(&resp->headers, "Date"),
                           now_s, c->clock_offset_s, sw_random_unit(),
                           &delay_ms, &new_offset_s);
    if (action == SW_RETRY_STOP)
      break;
    if (action == SW_RETRY_FIX_CLOCK) {
      sw_log(SW_LOG_NOTICE,
             "%s %s: clock skew reported (%s); signing with an offset of "
             "%.0f s from now on",
             sw_service_name(k->svc), k->operation, err->code, new_offset_s);
      c->clock_offset_s = new_offset_s;
    } else if (action == SW_RETRY_REFRESH_CREDS) {
      sw_log(SW_LOG_NOTICE, "%s %s: token expired; refreshing credentials",
             sw_service_name(k->svc), k->operation);
      if (c->creds)
        sw_creds_invalidate(c->creds);
    } else {
      sw_log(SW_LOG_DEBUG, "%s %s: attempt %d failed (%s); retrying in %ld ms",
             sw_service_name(k->svc), k->operation, k->attempts,
             sw_error_kind_name(err->kind), delay_ms);
      c->sleep_ms(delay_ms);
    }
  }
  return ok ? 0 : -1;
}

int sw_client_json(struct sw_client *c, enum sw_service svc,
                   const char *operation, const char *body,
                   struct json_object **out, struct sw_error *err) {
  struct sw_error local_err;
  struct call k;
  struct sw_http_response resp;
  const struct sw_service_protocol *p = sw_service_protocol(svc);
  int rc = -1;

  if (err == NULL)
    err = &local_err;
  *out = NULL;
  call_init(&k, svc, operation, "POST");
  sw_http_response_init(&resp);
  if (service_ready(c, svc, err) != 0 ||
      call_target(&k, &c->endpoint[svc], err) != 0 ||
      sw_proto_json_headers(svc, operation, &k.headers, err) != 0)
    goto cleanup;
  k.body = body && *body ? body : "{}";
  k.body_len = strlen(k.body);
  k.errors = p->query_compatible ? ERRORS_JSON_QUERY_COMPATIBLE : ERRORS_JSON;
  if (call_run(c, &k, &resp, err) != 0)
    goto cleanup;
  *out = sw_proto_json_result(resp.body.data, resp.body.len, err);
  rc = *out ? 0 : -1;
cleanup:
  call_report(c, &k, rc, err);
  call_clean_up(&k);
  sw_http_response_clean_up(&resp);
  return rc;
}

void sw_params_init(struct sw_params *p) {
  sw_headers_init(&p->list);
}

void sw_params_clean_up(struct sw_params *p) {
  sw_headers_clean_up(&p->list);
}

int sw_params_add(struct sw_params *p, const char *name, const char *value) {
  struct sw_headers *l = &p->list;
  char *n, *v;
  /* Not sw_headers_add: a query request (DescribeAlarms, GetMetricData)
   * can carry far more parameters than an HTTP message has fields. */
  if (name == NULL || value == NULL || l->count >= SW_PARAMS_MAX)
    return -1;
  if (l->count == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    struct sw_header *items = realloc(l->items, cap * sizeof(*items));
    if (items == NULL)
      return -1;
    l->items = items;
    l->cap = cap;
  }
  n = strdup(name);
  v = strdup(value);
  if (n == NULL || v == NULL) {
    free(n);
    free(v);
    return -1;
  }
  l->items[l->count].name = n;
  l->items[l->count].value = v;
  l->count++;
  return 0;
}

int sw_params_addf(struct sw_params *p, const char *name, const char *fmt,
                   ...) {
  struct sw_buf b;
  va_list ap;
  int rc;
  sw_buf_init(&b, 1 << 20);
  va_start(ap, fmt);
  rc = sw_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  if (rc == 0)
    rc = sw_params_add(p, name, sw_buf_cstr(&b));
  sw_buf_clean_up(&b);
  return rc;
}

int sw_client_query(struct sw_client *c, enum sw_service svc,
                    const char *action, const struct sw_params *params,
                    xmlDoc **out, struct sw_error *err) {
  struct sw_error local_err;
  struct call k;
  struct sw_http_response resp;
  struct sw_buf body;
  int rc = -1;

  if (err == NULL)
    err = &local_err;
  *out = NULL;
  call_init(&k, svc, action, "POST");
  sw_http_response_init(&resp);
  sw_buf_init(&body, SW_CLIENT_MAX_QUERY_BODY);
  if (service_ready(c, svc, err) != 0 ||
      call_target(&k, &c->endpoint[svc], err) != 0 ||
      sw_proto_query_body(svc, action, params ? &params->list : NULL, &body,
                          err) != 0)
    goto cleanup;
  if (sw_headers_add(&k.headers, "Content-Type", SW_PROTO_FORM_CONTENT_TYPE) !=
      0) {
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    goto cleanup;
  }
  k.body = sw_buf_cstr(&body);
  k.body_len = body.len;
  k.errors = ERRORS_XML;
  if (call_run(c, &k, &resp, err) != 0)
    goto cleanup;
  *out = sw_proto_xml_result(resp.body.data, resp.body.len, err);
  rc = *out ? 0 : -1;
cleanup:
  call_report(c, &k, rc, err);
  call_clean_up(&k);
  sw_http_response_clean_up(&resp);
  sw_buf_clean_up(&body);
  return rc;
}

/* Bucket names that are safe as a DNS label under a TLS wildcard: no dots,
 * lowercase, 3-63 characters (S3 "Bucket naming rules"). */
static int bucket_virtual_host_ok(const char *b) {
  size_t n = strlen(b);
  if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') ||
          b[i] == '-'))
      return 0;
  return 1;
}

static int rest_path(struct sw_buf *path, const struct sw_rest_request *req,
                     int path_style) {
  int rc = 0;
  if (path_style && req->bucket) {
    rc |= sw_buf_append_char(path, '/');
    rc |= sw_uri_encode(path, req->bucket, strlen(req->bucket), 0);
  }
  rc |= sw_buf_append_char(path, '/');
  if (req->key)
    rc |= sw_uri_encode(path, req->key, strlen(req->key), 1);
  return rc ? -1 : 0;
}

int sw_client_rest_target(const struct sw_endpoint *ep,
                          const struct sw_rest_request *req, char *host,
                          size_t host_size, struct sw_buf *path,
                          struct sw_error *err) {
  int path_style, n;
  if (req->bucket && (req->bucket[0] == '\0' || strchr(req->bucket, '/') ||
                      strlen(req->bucket) > 255))
    return sw_error_set(err, SW_ERR_CONFIG, "bucket name \"%s\" is not valid",
                        req->bucket);
  /* Virtual-hosted style on AWS hosts; path style for overrides (local
   * endpoints rarely resolve bucket subdomains) and for names that are not
   * one DNS label (dots would break the TLS wildcard certificate). */
  path_style =
      ep->is_override || (req->bucket && !bucket_virtual_host_ok(req->bucket));
  if (req->bucket && !path_style)
    n = snprintf(host, host_size, "%s.%s", req->bucket, ep->host);
  else
    n = snprintf(host, host_size, "%s", ep->host);
  if (n < 0 || (size_t)n >= host_size)
    return sw_error_set(err, SW_ERR_CONFIG, "S3 host name too long");
  if (sw_buf_append_str(path, endpoint_base_path(ep)) != 0 ||
      rest_path(path, req, path_style) != 0)
    return sw_error_set(err, SW_ERR_INTERNAL, "S3 request path too long");
  return 0;
}

int sw_client_rest(struct sw_client *c, enum sw_service svc,
                   const struct sw_rest_request *req,
                   struct sw_http_response *resp, struct sw_error *err) {
  struct sw_error local_err;
  struct call k;
  char host[sizeof(k.host)];
  int rc = -1;

  if (err == NULL)
    err = &local_err;
  call_init(&k, svc, req->method ? req->method : "GET",
            req->method ? req->method : "GET");
  if (service_ready(c, svc, err) != 0 ||
      sw_client_rest_target(&c->endpoint[svc], req, host, sizeof(host), &k.path,
                            err) != 0 ||
      call_host(&k, &c->endpoint[svc], host, err) != 0)
    goto cleanup;
  for (size_t i = 0; req->headers && i < req->headers->count; i++)
    if (sw_headers_add(&k.headers, req->headers->items[i].name,
                       req->headers->items[i].value) != 0) {
      sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
      goto cleanup;
    }
  k.query = req->query && *req->query ? req->query : NULL;
  k.body = req->body;
  k.body_len = req->body_len;
  k.s3_mode = svc == SW_SVC_S3;
  k.errors = ERRORS_XML;
  rc = call_run(c, &k, resp, err);
cleanup:
  call_report(c, &k, rc, err);
  call_clean_up(&k);
  return rc;
}
