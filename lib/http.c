/* HTTP over libcurl (see http.h). The only file that includes curl. */
#include "lib/http.h"
#include "lib/crypto.h"
#include "lib/text.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef SW_VERSION
#define SW_VERSION "0"
#endif

/* Response header bytes we keep at most: AWS sends a few hundred. */
#define SW_HTTP_MAX_HEADER_BYTES ((size_t)64 << 10)

struct sw_http {
  CURL *curl;
  char *ca_file; /* NULL: libcurl's default store */
  char *user_agent;
  long timeout_ms;
  long connect_timeout_ms;
  size_t max_response_bytes;
  struct sw_http_stats stats;
  /* Per-transfer state for the callbacks. */
  struct sw_http_response *resp;
  size_t header_bytes;
  int body_too_large;
  int headers_too_large;
  char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init_once(void) {
  global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int sw_http_global_init(void) {
  pthread_once(&global_once, global_init_once);
  return global_rc == CURLE_OK ? 0 : -1;
}

void sw_http_response_init(struct sw_http_response *r) {
  r->status = 0;
  sw_headers_init(&r->headers);
  sw_buf_init(&r->body, 0);
}

void sw_http_response_clean_up(struct sw_http_response *r) {
  if (r == NULL)
    return;
  sw_headers_clean_up(&r->headers);
  /* Bodies can hold secret values (GetSecretValue). */
  sw_buf_clean_up_secure(&r->body);
}

static char *dup_or_null(const char *s) {
  return s && *s ? strdup(s) : NULL;
}

struct sw_http *sw_http_new(const struct sw_http_opts *opts,
                            struct sw_error *err) {
  static const struct sw_http_opts defaults = {0};
  struct sw_http *h;
  const char *ca;
  if (opts == NULL)
    opts = &defaults;
  if (sw_http_global_init() != 0) {
    sw_error_set(err, SW_ERR_INTERNAL, "curl_global_init failed");
    return NULL;
  }
  h = calloc(1, sizeof(*h));
  if (h == NULL) {
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    return NULL;
  }
  ca = opts->ca_file ? opts->ca_file : getenv("AWS_CA_BUNDLE");
  h->ca_file = dup_or_null(ca);
  if (opts->user_agent)
    h->user_agent = strdup(opts->user_agent);
  else
    h->user_agent = strdup("secretwatch/" SW_VERSION);
  h->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 10000;
  h->connect_timeout_ms = opts->connect_timeout_ms > 0
                              ? opts->connect_timeout_ms
                              : (h->timeout_ms < 5000 ? h->timeout_ms : 5000);
  h->max_response_bytes = opts->max_response_bytes
                              ? opts->max_response_bytes
                              : SW_HTTP_DEFAULT_MAX_RESPONSE;
  h->curl = curl_easy_init();
  if (h->curl == NULL || h->user_agent == NULL || (ca && *ca && !h->ca_file)) {
    sw_http_free(h);
    sw_error_set(err, SW_ERR_INTERNAL, "curl_easy_init failed");
    return NULL;
  }
  return h;
}

void sw_http_free(struct sw_http *h) {
  if (h == NULL)
    return;
  if (h->curl)
    curl_easy_cleanup(h->curl);
  free(h->ca_file);
  free(h->user_agent);
  free(h);
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx) {
  struct sw_http *h = ctx;
  size_t len = size * n;
  if (h->resp->body.len + len > h->max_response_bytes ||
      sw_buf_append(&h->resp->body, data, len) != 0) {
    h->body_too_large = 1;
    return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
  }
  return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx) {
  struct sw_http *h = ctx;
  size_t len = size * n, name_len, v, end;
  h->header_bytes += len;
  if (h->header_bytes > SW_HTTP_MAX_HEADER_BYTES) {
    h->headers_too_large = 1;
    return 0;
  }
  if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    /* A new response (after 100 Continue): keep only the last one. */
    sw_headers_clean_up(&h->resp->headers);
    return len;
  }
  end = len;
  while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n'))
    end--;
  name_len = 0;
  while (name_len < end && data[name_len] != ':')
    name_len++;
  if (name_len == 0 || name_len == end)
    return len; /* the blank line ending the block, or no field */
  v = name_len + 1;
  while (v < end && (data[v] == ' ' || data[v] == '\t'))
    v++;
  while (end > v && (data[end - 1] == ' ' || data[end - 1] == '\t'))
    end--;
  if (sw_headers_add_n(&h->resp->headers, data, name_len, data + v, end - v) !=
      0) {
    h->headers_too_large = 1;
    return 0;
  }
  return len;
}

/* Names the network failure so an operator can act on it. */
static int network_error(struct sw_http *h, CURLcode rc, const char *url,
                         struct sw_error *err) {
  char host[256];
  const char *p = strstr(url, "://");
  const char *detail = h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc);
  size_t n;
  p = p ? p + 3 : url;
  n = strcspn(p, "/?#");
  snprintf(host, sizeof(host), "%.*s", (int)(n < 255 ? n : 255), p);
  if (err)
    err->http_status = 0;
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return sw_error_set(err, SW_ERR_NETWORK, "DNS lookup failed for %s: %s",
                        host, detail);
  case CURLE_COULDNT_CONNECT:
    return sw_error_set(err, SW_ERR_NETWORK,
                        "connection to %s refused or unreachable: %s", host,
                        detail);
  case CURLE_OPERATION_TIMEDOUT:
    return sw_error_set(err, SW_ERR_NETWORK,
                        "request to %s timed out (timeout %ld ms): %s", host,
                        h->timeout_ms, detail);
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_CRL_BADFILE:
    return sw_error_set(
        err, SW_ERR_NETWORK, "TLS verification with %s failed (CA file %s): %s",
        host, h->ca_file ? h->ca_file : "system default", detail);
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return sw_error_set(err, SW_ERR_NETWORK,
                        "connection to %s reset or closed mid-answer: %s", host,
                        detail);
  default:
    return sw_error_set(err, SW_ERR_NETWORK, "request to %s failed: %s", host,
                        detail);
  }
}

static int has_field(const struct sw_http_request *req, const char *name) {
  return (req->headers && sw_headers_get(req->headers, name)) ||
         (req->headers2 && sw_headers_get(req->headers2, name));
}

static struct curl_slist *build_header_list(const struct sw_http_request *req,
                                            int *failed) {
  struct curl_slist *list = NULL, *next;
  const struct sw_headers *sets[2] = {req->headers, req->headers2};
  struct sw_buf line;
  /* Session tokens run to kilobytes; nothing legitimate comes near this. */
  sw_buf_init(&line, SW_HTTP_MAX_HEADER_BYTES);
  *failed = 0;
  for (int s = 0; s < 2 && !*failed; s++) {
    for (size_t i = 0; sets[s] && i < sets[s]->count; i++) {
      const struct sw_header *f = &sets[s]->items[i];
      sw_buf_reset(&line);
      /* "Name;" is libcurl's way to send an empty value ("Name:" would
       * remove the field). A field that does not fit or has line breaks
       * would be a different request than the one signed: refuse it. */
      if ((f->value[0] ? sw_buf_printf(&line, "%s: %s", f->name, f->value)
                       : sw_buf_printf(&line, "%s;", f->name)) != 0 ||
          strpbrk(sw_buf_cstr(&line), "\r\n") ||
          (next = curl_slist_append(list, sw_buf_cstr(&line))) == NULL) {
        *failed = 1;
        break;
      }
      list = next;
    }
  }
  sw_buf_clean_up_secure(&line);
  /* libcurl would add "Expect: 100-continue" to larger bodies (one more
   * round trip for nothing) and a form Content-Type to bodies without one
   * (a field the caller did not ask for): an empty value removes each. */
  next = *failed ? NULL : curl_slist_append(list, "Expect:");
  if (next == NULL)
    *failed = 1;
  else
    list = next;
  if (!*failed && !has_field(req, "Content-Type")) {
    next = curl_slist_append(list, "Content-Type:");
    if (next == NULL)
      *failed = 1;
    else
      list = next;
  }
  return list;
}

static void wipe_slist(struct curl_slist *list) {
  /* Header lines include the Authorization and the session token. */
  for (struct curl_slist *l = list; l; l = l->next)
    sw_wipe(l->data, strlen(l->data));
  curl_slist_free_all(list);
}

static void set_common_options(struct sw_http *h) {
  CURL *c = h->curl;
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  /* Send the path exactly as signed: no "/../" squashing. */
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  /* Verification is never turned off; only the trust anchors vary. */
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (h->ca_file)
    curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   (curl_off_t)h->max_response_bytes);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
}

static void set_method(CURL *c, const struct sw_http_request *req) {
  const char *m = req->method ? req->method : "GET";
  if (strcmp(m, "HEAD") == 0) {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    return;
  }
  if (strcmp(m, "GET") == 0 && req->body_len == 0) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (strcmp(m, "DELETE") == 0 && req->body_len == 0) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
    return;
  }
  /* POSTFIELDS sends the body as given (with Content-Length); for other
   * methods the verb is replaced. */
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
  if (strcmp(m, "POST") != 0)
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
}

int sw_http_perform(struct sw_http *h, const struct sw_http_request *req,
                    struct sw_http_response *resp, struct sw_error *err) {
  struct curl_slist *list;
  CURLcode rc;
  long status = 0, connects = 0;
  int failed;

  sw_error_clear(err);
  sw_headers_clean_up(&resp->headers);
  sw_buf_clean_up_secure(&resp->body);
  sw_buf_init(&resp->body, h->max_response_bytes);
  resp->status = 0;
  if (req->url == NULL || (strncmp(req->url, "http://", 7) != 0 &&
                           strncmp(req->url, "https://", 8) != 0))
    return sw_error_set(err, SW_ERR_CONFIG, "not an http(s) URL");

  /* Reset keeps live connections, the TLS session and DNS caches. */
  curl_easy_reset(h->curl);
  set_common_options(h);
  list = build_header_list(req, &failed);
  if (failed) {
    wipe_slist(list);
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "request header too long, with a line break, or "
                        "out of memory");
  }
  curl_easy_setopt(h->curl, CURLOPT_URL, req->url);
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, list);
  set_method(h->curl, req);
  h->resp = resp;
  h->header_bytes = 0;
  h->body_too_large = 0;
  h->headers_too_large = 0;
  h->errbuf[0] = '\0';

  rc = curl_easy_perform(h->curl);
  h->stats.requests++;
  if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &connects) ==
          CURLE_OK &&
      connects > 0)
    h->stats.connections += (unsigned long)connects;
  curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
  /* The list must outlive the transfer; curl keeps no copy. */
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
  wipe_slist(list);
  h->resp = NULL;

  if (h->body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    sw_buf_clean_up_secure(&resp->body);
    sw_buf_init(&resp->body, h->max_response_bytes);
    if (err)
      err->http_status = status;
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "response larger than %zu bytes (HTTP %ld); refused",
                        h->max_response_bytes, status);
  }
  if (h->headers_too_large)
    return sw_error_set(err, SW_ERR_INTERNAL,
                        "response headers larger than %zu bytes or more than "
                        "%d fields; refused",
                        SW_HTTP_MAX_HEADER_BYTES, SW_HEADERS_MAX);
  if (rc != CURLE_OK)
    return network_error(h, rc, req->url, err);
  resp->status = status;
  return 0;
}

void sw_http_get_stats(const struct sw_http *h, struct sw_http_stats *out) {
  if (h == NULL) {
    memset(out, 0, sizeof(*out));
    return;
  }
  *out = h->stats;
}
