#include "lib/imds.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/headers.h"
#include "lib/http.h"
#include "lib/text.h"
#include "lib/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ECS_MAX_TOKEN ((size_t)16 << 10)

int sw_imds_disabled_by_env(void) {
  const char *v = getenv("AWS_EC2_METADATA_DISABLED");
  return v != NULL && strcasecmp(v, "true") == 0;
}

static int is_http_url(const char *u) {
  return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

int sw_imds_endpoint_from_env(char *out, size_t out_size,
                              struct sw_error *err) {
  const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  const char *mode = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  size_t n;
  if (ep == NULL || ep[0] == '\0') {
    if (mode == NULL || mode[0] == '\0' || strcasecmp(mode, "IPv4") == 0)
      ep = SW_IMDS_DEFAULT_ENDPOINT;
    else if (strcasecmp(mode, "IPv6") == 0)
      ep = SW_IMDS_DEFAULT_ENDPOINT_V6;
    else
      return sw_error_set(err, SW_ERR_CONFIG,
                          "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: expected "
                          "IPv4 or IPv6, got \"%s\"",
                          mode);
  }
  if (!is_http_url(ep))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT: not an http(s) "
                        "URL");
  if (sw_strlcpy(out, ep, out_size) != 0)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT: too long");
  n = strlen(out);
  while (n > 0 && out[n - 1] == '/')
    out[--n] = '\0';
  return 0;
}

int sw_imds_role_name_valid(const char *name, size_t len) {
  if (len == 0 || len > 128)
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || strchr("+=,.@_-", c) != NULL) ||
        c == '\0')
      return 0;
  }
  return 1;
}

/* Wipes and resets a response that may hold a token or credentials. */
static void resp_wipe(struct sw_http_response *r) {
  if (r->body.data)
    sw_wipe(r->body.data, r->body.cap);
  sw_http_response_clean_up(r);
}

/* One request, tried `attempts` times on network errors and 5xx. Returns 0
 * with an HTTP answer in resp (any status), -1 with err. */
static int perform(struct sw_http *h, int attempts,
                   const struct sw_http_request *req,
                   struct sw_http_response *resp, struct sw_error *err) {
  int rc = -1;
  for (int i = 0; i < attempts; i++) {
    resp_wipe(resp);
    sw_http_response_init(resp);
    rc = sw_http_perform(h, req, resp, err);
    if (rc == 0 && resp->status < 500)
      return 0;
    if (rc != 0 && err && err->kind != SW_ERR_NETWORK)
      return rc; /* an oversized answer: asking again will not help */
  }
  return rc;
}

static struct sw_http *new_http(long timeout_ms, const char *ca_file,
                                struct sw_error *err) {
  struct sw_http_opts ho = {0};
  ho.timeout_ms = timeout_ms;
  ho.connect_timeout_ms = timeout_ms;
  ho.max_response_bytes = SW_IMDS_MAX_RESPONSE;
  ho.ca_file = ca_file;
  return sw_http_new(&ho, err);
}

/* PUT /latest/api/token. The token goes into *token (heap, secret). */
static int imds_token(struct sw_http *h, const char *base, int attempts,
                      char **token, struct sw_error *err) {
  char url[1200], ttl[16];
  struct sw_headers hdr;
  struct sw_http_request req = {0};
  struct sw_http_response resp;
  int rc = 0;
  sw_headers_init(&hdr);
  sw_http_response_init(&resp);
  snprintf(url, sizeof(url), "%s/latest/api/token", base);
  snprintf(ttl, sizeof(ttl), "%d", SW_IMDS_TOKEN_TTL_S);
  if (sw_headers_add(&hdr, "X-aws-ec2-metadata-token-ttl-seconds", ttl) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  req.method = "PUT";
  req.url = url;
  req.headers = &hdr;
  if (rc == 0)
    rc = perform(h, attempts, &req, &resp, err);
  if (rc == 0 && resp.status != 200)
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "IMDSv2 token request answered HTTP %ld (no IMDSv1 "
                      "fallback)",
                      resp.status);
  if (rc == 0 && (resp.body.len == 0 || resp.body.len > 1024))
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "IMDSv2 token of %zu bytes refused", resp.body.len);
  if (rc == 0) {
    *token = strndup(resp.body.data, resp.body.len);
    if (*token == NULL)
      rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    else if (strpbrk(*token, "\r\n") != NULL)
      rc =
          sw_error_set(err, SW_ERR_CREDENTIALS, "IMDSv2 token has line breaks");
  }
  resp_wipe(&resp);
  sw_headers_clean_up(&hdr);
  return rc;
}

/* GET path with the token; 200 required. */
static int imds_get(struct sw_http *h, const char *base, const char *path,
                    const char *token, int attempts,
                    struct sw_http_response *resp, struct sw_error *err) {
  char url[1200];
  struct sw_headers hdr;
  struct sw_http_request req = {0};
  int rc = 0;
  sw_headers_init(&hdr);
  snprintf(url, sizeof(url), "%s%s", base, path);
  if (sw_headers_add(&hdr, "X-aws-ec2-metadata-token", token) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  req.method = "GET";
  req.url = url;
  req.headers = &hdr;
  if (rc == 0)
    rc = perform(h, attempts, &req, resp, err);
  if (rc == 0 && resp->status == 404)
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "%s not found (no IAM role attached to the instance?)",
                      path);
  else if (rc == 0 && resp->status != 200)
    rc = sw_error_set(err, SW_ERR_CREDENTIALS, "%s answered HTTP %ld", path,
                      resp->status);
  sw_headers_clean_up(&hdr);
  return rc;
}

/* The first line of the role list. */
static int imds_role(const struct sw_http_response *resp, char *role,
                     size_t role_size, struct sw_error *err) {
  const char *b = resp->body.data ? resp->body.data : "";
  size_t n = strcspn(b, "\r\n");
  if (!sw_imds_role_name_valid(b, n) || n >= role_size)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "IMDS role list holds no valid role name");
  memcpy(role, b, n);
  role[n] = '\0';
  return 0;
}

int sw_imds_fetch(const struct sw_imds_opts *o, struct sw_credentials *out,
                  struct sw_error *err) {
  static const char kCredsPath[] =
      "/latest/meta-data/iam/security-credentials/";
  char base[1024], role[160];
  char *token = NULL;
  struct sw_http *h = NULL;
  struct sw_http_response resp;
  int attempts = o && o->attempts > 0 ? o->attempts : 2;
  long timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 1000;
  int rc = 0;
  sw_http_response_init(&resp);
  if (o && o->endpoint) {
    if (sw_strlcpy(base, o->endpoint, sizeof(base)) != 0)
      rc = sw_error_set(err, SW_ERR_CONFIG, "IMDS endpoint too long");
  } else {
    rc = sw_imds_endpoint_from_env(base, sizeof(base), err);
  }
  if (rc == 0) {
    h = new_http(timeout_ms, NULL, err);
    rc = h ? 0 : -1;
  }
  if (rc == 0)
    rc = imds_token(h, base, attempts, &token, err);
  if (rc == 0)
    rc = imds_get(h, base, kCredsPath, token, attempts, &resp, err);
  if (rc == 0)
    rc = imds_role(&resp, role, sizeof(role), err);
  if (rc == 0) {
    char path[256];
    snprintf(path, sizeof(path), "%s%s", kCredsPath, role);
    rc = imds_get(h, base, path, token, attempts, &resp, err);
  }
  if (rc == 0)
    rc = sw_credentials_parse_json(resp.body.data, resp.body.len,
                                   SW_CREDS_JSON_IMDS, sw_time_now(), out, err);
  resp_wipe(&resp);
  if (token) {
    sw_wipe(token, strlen(token));
    free(token);
  }
  sw_http_free(h);
  return rc;
}

void sw_ecs_config_clean_up(struct sw_ecs_config *c) {
  if (c == NULL)
    return;
  if (c->auth_token) {
    sw_wipe(c->auth_token, strlen(c->auth_token));
    free(c->auth_token);
  }
  memset(c, 0, sizeof(*c));
}

/* 1 for a dotted IPv4 address in 127.0.0.0/8. */
static int is_loopback_v4(const char *h) {
  unsigned a, b, c, d;
  char tail;
  if (sscanf(h, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4)
    return 0;
  return a == 127 && b < 256 && c < 256 && d < 256;
}

int sw_ecs_url_allowed(const char *url) {
  static const char *const kAllowed[] = {"localhost",      "[::1]",
                                         "169.254.170.2",  "169.254.170.23",
                                         "[fd00:ec2::23]", NULL};
  char host[256];
  const char *p, *e;
  size_t n;
  if (url == NULL)
    return 0;
  if (strncmp(url, "https://", 8) == 0)
    return url[8] != '\0';
  if (strncmp(url, "http://", 7) != 0)
    return 0;
  p = url + 7;
  e = p + strcspn(p, "/?#");
  if (memchr(p, '@', (size_t)(e - p)) != NULL)
    return 0; /* user info could hide the real host from a naive reader */
  if (*p == '[') {
    const char *close = memchr(p, ']', (size_t)(e - p));
    if (close == NULL)
      return 0;
    e = close + 1;
  } else {
    const char *colon = memchr(p, ':', (size_t)(e - p));
    if (colon)
      e = colon;
  }
  n = (size_t)(e - p);
  if (n == 0 || n >= sizeof(host))
    return 0;
  memcpy(host, p, n);
  host[n] = '\0';
  if (is_loopback_v4(host))
    return 1;
  for (size_t i = 0; kAllowed[i]; i++)
    if (strcasecmp(host, kAllowed[i]) == 0)
      return 1;
  return 0;
}

static int ecs_url_from_env(struct sw_ecs_config *c, struct sw_error *err) {
  const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (rel && rel[0]) {
    /* The variable is a path; AWS documents it with its leading '/'. */
    const char *sep = strchr("/", rel[0]) ? "" : "/";
    int n = snprintf(c->url, sizeof(c->url), "%s%s%s", SW_ECS_DEFAULT_HOST, sep,
                     rel);
    if (n < 0 || (size_t)n >= sizeof(c->url))
      return sw_error_set(err, SW_ERR_CREDENTIALS,
                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI too long");
    return 0;
  }
  if (full == NULL || full[0] == '\0')
    return 1;
  if (!sw_ecs_url_allowed(full))
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or "
                        "http to a loopback or ECS/EKS agent address");
  if (sw_strlcpy(c->url, full, sizeof(c->url)) != 0)
    return sw_error_set(err, SW_ERR_CREDENTIALS,
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI too long");
  return 0;
}

int sw_ecs_config_from_env(struct sw_ecs_config *c, struct sw_error *err) {
  const char *tok_file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  int rc;
  memset(c, 0, sizeof(*c));
  rc = ecs_url_from_env(c, err);
  if (rc != 0)
    return rc;
  if (tok_file && tok_file[0])
    rc = sw_credentials_read_token_file(
        tok_file, ECS_MAX_TOKEN, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        &c->auth_token, err);
  else if (tok && tok[0] && (c->auth_token = strdup(tok)) == NULL)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  if (rc == 0 && c->auth_token && strpbrk(c->auth_token, "\r\n") != NULL)
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "container authorization token has line breaks");
  if (rc != 0)
    sw_ecs_config_clean_up(c);
  return rc;
}

int sw_ecs_fetch(const struct sw_ecs_config *c, long timeout_ms,
                 const char *ca_file, struct sw_credentials *out,
                 struct sw_error *err) {
  struct sw_http *h;
  struct sw_headers hdr;
  struct sw_http_request req = {0};
  struct sw_http_response resp;
  int rc = 0;
  sw_headers_init(&hdr);
  sw_http_response_init(&resp);
  h = new_http(timeout_ms > 0 ? timeout_ms : 2000, ca_file, err);
  if (h == NULL)
    rc = -1;
  if (rc == 0 && c->auth_token &&
      sw_headers_add(&hdr, "Authorization", c->auth_token) != 0)
    rc = sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  req.method = "GET";
  req.url = c->url;
  req.headers = &hdr;
  if (rc == 0)
    rc = perform(h, 2, &req, &resp, err);
  if (rc == 0 && resp.status != 200)
    rc = sw_error_set(err, SW_ERR_CREDENTIALS,
                      "container endpoint answered HTTP %ld", resp.status);
  if (rc == 0)
    rc = sw_credentials_parse_json(resp.body.data, resp.body.len,
                                   SW_CREDS_JSON_ECS, sw_time_now(), out, err);
  resp_wipe(&resp);
  sw_headers_clean_up(&hdr);
  sw_http_free(h);
  return rc;
}
