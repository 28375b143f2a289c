/* lib/http.c against a scripted loopback server: keep-alive, header capture,
 * the response cap, resets, timeouts, refused connections and TLS
 * verification with a CA made at test time. */
#include "lib/http.h"
#include "lib/timeutil.h"
#include "scripted_server.h"
#include "sw_test.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

/* Generous: the machine running the tests may be busy. */
#define LOOPBACK_TIMEOUT_MS 20000

static char url_buf[256];

static const char *url(const struct sw_srv *s, const char *scheme,
                       const char *path) {
  snprintf(url_buf, sizeof(url_buf), "%s://%s:%d%s", scheme,
           strcmp(scheme, "https") == 0 ? "localhost" : "127.0.0.1", s->port,
           path);
  return url_buf;
}

static struct sw_http *new_http(long timeout_ms, size_t max_bytes) {
  struct sw_http_opts o = {.timeout_ms = timeout_ms,
                           .max_response_bytes = max_bytes};
  struct sw_error err;
  sw_error_clear(&err);
  return sw_http_new(&o, &err);
}

static void test_keep_alive_reuses_one_connection(void) {
  struct sw_srv s;
  if (sw_srv_start(&s,
                   "[{\"body\":\"a\"},{\"body\":\"b\"},{\"body\":\"c\"},"
                   "{\"body\":\"d\"},{\"body\":\"e\"}]",
                   NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  struct sw_http *h = new_http(LOOPBACK_TIMEOUT_MS, 0);
  struct sw_http_response r;
  struct sw_http_stats st;
  struct sw_error err;
  sw_http_response_init(&r);
  for (int i = 0; i < 5; i++) {
    struct sw_http_request req = {.method = "GET", .url = url(&s, "http", "/")};
    sw_error_clear(&err);
    SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
    SW_CHECK_INT(r.status, 200);
    SW_CHECK_INT(r.body.len, 1);
  }
  sw_http_get_stats(h, &st);
  SW_CHECK_INT(st.requests, 5);
  SW_CHECK_INT(st.connections, 1);
  struct json_object *reqs = sw_srv_requests(&s);
  SW_CHECK_INT(json_object_array_length(reqs), 5);
  for (size_t i = 0; i < json_object_array_length(reqs); i++) {
    int64_t conn = 0;
    sw_json_int64(json_object_array_get_idx(reqs, i), "conn", &conn);
    SW_CHECK_INT(conn, 1);
  }
  json_object_put(reqs);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_request_headers_body_and_user_agent_are_sent(void) {
  struct sw_srv s;
  if (sw_srv_start(&s,
                   "[{\"status\":404,\"body\":\"nope\",\"headers\":{\"X-Test\":"
                   "\"  v1  \",\"x-amzn-RequestId\":\"rid\"}},{\"status\":204}"
                   ",{\"status\":200,\"body\":\"should not arrive\"},"
                   "{\"status\":204}]",
                   NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  struct sw_http *h = new_http(LOOPBACK_TIMEOUT_MS, 0);
  struct sw_http_response r;
  struct sw_headers h1, h2;
  struct sw_error err;
  char big[3000];
  memset(big, 'b', sizeof(big));
  sw_headers_init(&h1);
  sw_headers_init(&h2);
  sw_headers_add(&h1, "Content-Type", "application/x-amz-json-1.1");
  sw_headers_add(&h2, "X-Amz-Date", "20261127T000000Z");
  /* A session-token-sized value and an empty value go out as given. */
  char token[12001];
  memset(token, 'T', sizeof(token) - 1);
  token[sizeof(token) - 1] = '\0';
  sw_headers_add(&h2, "X-Amz-Security-Token", token);
  sw_headers_add(&h1, "X-Empty", "");
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "POST",
                                .url = url(&s, "http", "/p?x=1"),
                                .headers = &h1,
                                .headers2 = &h2,
                                .body = big,
                                .body_len = sizeof(big)};
  sw_error_clear(&err);
  /* Any HTTP answer is a success of this layer, whatever its status. */
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_INT(r.status, 404);
  SW_CHECK_STR(sw_buf_cstr(&r.body), "nope");
  SW_CHECK_STR(sw_headers_get(&r.headers, "x-test"), "v1");
  SW_CHECK_STR(sw_headers_get(&r.headers, "X-AMZN-REQUESTID"), "rid");
  SW_CHECK(sw_headers_get(&r.headers, "Date") != NULL);

  struct sw_http_request put = {.method = "PUT",
                                .url = url(&s, "http", "/k"),
                                .body = "xyz",
                                .body_len = 3};
  SW_CHECK_INT(sw_http_perform(h, &put, &r, &err), 0);
  SW_CHECK_INT(r.status, 204);
  SW_CHECK_INT(r.body.len, 0);
  SW_CHECK(sw_headers_get(&r.headers, "X-Test") == NULL); /* reset */

  struct sw_http_request head = {.method = "HEAD",
                                 .url = url(&s, "http", "/h")};
  SW_CHECK_INT(sw_http_perform(h, &head, &r, &err), 0);
  SW_CHECK_INT(r.status, 200);
  SW_CHECK_INT(r.body.len, 0);

  struct sw_http_request del = {.method = "DELETE",
                                .url = url(&s, "http", "/d")};
  SW_CHECK_INT(sw_http_perform(h, &del, &r, &err), 0);
  SW_CHECK_INT(r.status, 204);

  struct json_object *reqs = sw_srv_requests(&s);
  SW_CHECK_INT(json_object_array_length(reqs), 4);
  struct json_object *r0 = json_object_array_get_idx(reqs, 0);
  SW_CHECK_STR(sw_json_str(r0, "method"), "POST");
  SW_CHECK_STR(sw_json_str(r0, "path"), "/p?x=1");
  SW_CHECK_INT(strlen(sw_json_str(r0, "body") ? sw_json_str(r0, "body") : ""),
               sizeof(big));
  SW_CHECK_STR(sw_srv_header(reqs, 0, "User-Agent"), "secretwatch/" SW_VERSION);
  SW_CHECK_STR(sw_srv_header(reqs, 0, "Content-Type"),
               "application/x-amz-json-1.1");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "X-Amz-Date"), "20261127T000000Z");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "X-Amz-Security-Token"), token);
  SW_CHECK_STR(sw_srv_header(reqs, 0, "X-Empty"), "");
  /* No "Expect: 100-continue" round trip for large bodies. */
  SW_CHECK(sw_srv_header(reqs, 0, "Expect") == NULL);
  struct json_object *r1 = json_object_array_get_idx(reqs, 1);
  SW_CHECK_STR(sw_json_str(r1, "method"), "PUT");
  SW_CHECK_STR(sw_json_str(r1, "body"), "xyz");
  /* No field the caller did not ask for (libcurl's form Content-Type). */
  SW_CHECK(sw_srv_header(reqs, 1, "Content-Type") == NULL);
  struct json_object *r3 = json_object_array_get_idx(reqs, 3);
  SW_CHECK_STR(sw_json_str(r3, "method"), "DELETE");
  SW_CHECK_STR(sw_json_str(r3, "body"), "");
  SW_CHECK(sw_srv_header(reqs, 3, "Content-Type") == NULL);
  SW_CHECK_STR(sw_json_str(json_object_array_get_idx(reqs, 2), "method"),
               "HEAD");
  json_object_put(reqs);
  sw_headers_clean_up(&h1);
  sw_headers_clean_up(&h2);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_custom_user_agent(void) {
  struct sw_srv s;
  if (sw_srv_start(&s, "[{}]", NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  struct sw_http_opts o = {.user_agent = "probe/1"};
  struct sw_error err;
  struct sw_http *h = sw_http_new(&o, &err);
  struct sw_http_response r;
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "GET", .url = url(&s, "http", "/")};
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  struct json_object *reqs = sw_srv_requests(&s);
  SW_CHECK_STR(sw_srv_header(reqs, 0, "User-Agent"), "probe/1");
  json_object_put(reqs);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_oversized_body_is_refused_not_truncated(void) {
  /* With a Content-Length past the cap, and without one (read until close):
   * both must fail with the cap named, never hand back a partial body. */
  struct sw_srv s;
  if (sw_srv_start(&s,
                   "[{\"body_bytes\":5000},{\"body_bytes\":5000,\"no_length\":"
                   "true},{\"body_bytes\":1000,\"no_length\":true}]",
                   NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  struct sw_http *h = new_http(LOOPBACK_TIMEOUT_MS, 1000);
  struct sw_http_response r;
  struct sw_error err;
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "GET", .url = url(&s, "http", "/")};
  for (int i = 0; i < 2; i++) {
    sw_error_clear(&err);
    SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
    SW_CHECK(strstr(err.message, "response larger than 1000 bytes") != NULL);
    SW_CHECK_INT(r.body.len, 0);
    SW_CHECK_INT(r.status, 0);
  }
  /* Exactly at the cap is fine. */
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_INT(r.body.len, 1000);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_reset_mid_body_is_a_network_error(void) {
  struct sw_srv s;
  if (sw_srv_start(&s,
                   "[{\"reset_mid_body\":true,\"body\":\"0123456789abcdef\"},"
                   "{\"body\":\"after\"}]",
                   NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  struct sw_http *h = new_http(LOOPBACK_TIMEOUT_MS, 0);
  struct sw_http_response r;
  struct sw_error err;
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "GET", .url = url(&s, "http", "/")};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  SW_CHECK_INT(err.http_status, 0);
  SW_CHECK(strstr(err.message, "reset or closed") != NULL);
  /* The handle recovers with a new connection. */
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&r.body), "after");
  struct sw_http_stats st;
  sw_http_get_stats(h, &st);
  SW_CHECK_INT(st.connections, 2);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_too_many_response_headers_are_refused(void) {
  struct sw_buf script;
  sw_buf_init(&script, 0);
  sw_buf_append_str(&script, "[{\"headers\":{");
  for (int i = 0; i < SW_HEADERS_MAX + 10; i++)
    sw_buf_printf(&script, "%s\"X-H-%d\":\"v\"", i ? "," : "", i);
  sw_buf_append_str(&script, "}},{\"headers\":{\"X-Big\":\"");
  for (int i = 0; i < 70000; i++)
    sw_buf_append_char(&script, 'a');
  sw_buf_append_str(&script, "\"}},{\"body\":\"fine\"}]");
  struct sw_srv s;
  if (sw_srv_start(&s, sw_buf_cstr(&script), NULL, NULL, NULL) != 0) {
    sw_buf_clean_up(&script);
    SW_SKIP("no scripted server");
  }
  sw_buf_clean_up(&script);
  struct sw_http *h = new_http(LOOPBACK_TIMEOUT_MS, 0);
  struct sw_http_response r;
  struct sw_error err;
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "GET", .url = url(&s, "http", "/")};
  for (int i = 0; i < 2; i++) {
    sw_error_clear(&err);
    SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
    SW_CHECK(strstr(err.message, "response headers larger") != NULL);
  }
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&r.body), "fine");
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void *init_thread(void *arg) {
  *(int *)arg = sw_http_global_init();
  return NULL;
}

static void test_global_init_once_from_many_threads(void) {
  pthread_t t[8];
  int rc[8];
  for (int i = 0; i < 8; i++) {
    rc[i] = -2;
    pthread_create(&t[i], NULL, init_thread, &rc[i]);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(t[i], NULL);
    SW_CHECK_INT(rc[i], 0);
  }
  SW_CHECK_INT(sw_http_global_init(), 0);
}

static void test_slow_answer_times_out(void) {
  struct sw_srv s;
  if (sw_srv_start(&s, "[{\"delay_ms\":5000}]", NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  struct sw_http *h = new_http(300, 0);
  struct sw_http_response r;
  struct sw_error err;
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "GET", .url = url(&s, "http", "/")};
  long long t0 = sw_time_mono_ms();
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  SW_CHECK(strstr(err.message, "timed out") != NULL);
  SW_CHECK(sw_time_mono_ms() - t0 < 4500);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_refused_connection_and_bad_urls(void) {
  /* A port that was just free: nothing listens there. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof(a);
  bind(fd, (struct sockaddr *)&a, sizeof(a));
  getsockname(fd, (struct sockaddr *)&a, &alen);
  close(fd);
  struct sw_http *h = new_http(2000, 0);
  struct sw_http_response r;
  struct sw_error err;
  char u[64];
  snprintf(u, sizeof(u), "http://127.0.0.1:%d/", ntohs(a.sin_port));
  sw_http_response_init(&r);
  struct sw_http_request req = {.method = "GET", .url = u};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  SW_CHECK(strstr(err.message, "refused") != NULL);
  SW_CHECK(strstr(err.message, "127.0.0.1") != NULL);

  static const char *const bad[] = {"ftp://127.0.0.1/", "file:///etc/passwd",
                                    "127.0.0.1/", ""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sw_http_request b = {.method = "GET", .url = bad[i]};
    sw_error_clear(&err);
    SW_CHECK_INT(sw_http_perform(h, &b, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  }
  /* A header with a line break would smuggle a second field. */
  struct sw_headers hs;
  sw_headers_init(&hs);
  sw_headers_add(&hs, "X-Evil", "a\r\nX-Injected: 1");
  struct sw_http_request inj = {.method = "GET", .url = u, .headers = &hs};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &inj, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
  sw_headers_clean_up(&hs);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
}

static void test_proxy_from_the_environment(void) {
  struct sw_srv s;
  if (sw_srv_start(&s, "[{\"body\":\"via proxy\"}]", NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  char proxy[64];
  snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", s.port);
  setenv("http_proxy", proxy, 1);
  struct sw_http *h = new_http(LOOPBACK_TIMEOUT_MS, 0);
  struct sw_http_response r;
  struct sw_error err;
  sw_http_response_init(&r);
  /* The host does not resolve: only the proxy can answer. */
  struct sw_http_request req = {
      .method = "GET", .url = "http://logs.eu-west-1.secretwatch.invalid/x"};
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&r.body), "via proxy");
  unsetenv("http_proxy");
  struct json_object *reqs = sw_srv_requests(&s);
  SW_CHECK_STR(sw_json_str(json_object_array_get_idx(reqs, 0), "path"),
               "http://logs.eu-west-1.secretwatch.invalid/x");
  json_object_put(reqs);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
  sw_srv_stop(&s);
}

static void test_dns_failure_is_named(void) {
  struct sw_http *h = new_http(3000, 0);
  struct sw_http_response r;
  struct sw_error err;
  sw_http_response_init(&r);
  /* .invalid never resolves (RFC 6761). */
  struct sw_http_request req = {.method = "GET",
                                .url = "http://secretwatch-test.invalid/"};
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  /* Where the resolver itself is unreachable the lookup times out. */
  SW_CHECK(strstr(err.message, "DNS lookup failed") != NULL ||
           strstr(err.message, "timed out") != NULL);
  SW_CHECK(strstr(err.message, "secretwatch-test.invalid") != NULL);
  sw_http_response_clean_up(&r);
  sw_http_free(h);
}

static void test_https_verifies_against_the_ca_file(void) {
  char dir[] = "/tmp/sw-pki-XXXXXX", cert[256], key[256], ca[256], other[256];
  if (mkdtemp(dir) == NULL || sw_srv_make_pki(dir) != 0)
    SW_SKIP("openssl could not make test certificates");
  snprintf(cert, sizeof(cert), "%s/server.pem", dir);
  snprintf(key, sizeof(key), "%s/server.key", dir);
  snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
  snprintf(other, sizeof(other), "%s/other.pem", dir);
  struct sw_srv s;
  if (sw_srv_start(&s,
                   "[{\"body\":\"tls ok\"},{\"body\":\"again\"},"
                   "{\"body\":\"env\"}]",
                   cert, key, NULL) != 0) {
    SW_CHECK(0);
    return;
  }
  struct sw_error err;
  struct sw_http_response r;
  sw_http_response_init(&r);
  char u[128];
  snprintf(u, sizeof(u), "https://localhost:%d/", s.port);
  struct sw_http_request req = {.method = "GET", .url = u};

  /* The right CA: works, and the second request reuses the connection. */
  struct sw_http_opts good = {.ca_file = ca, .timeout_ms = LOOPBACK_TIMEOUT_MS};
  struct sw_http *h = sw_http_new(&good, &err);
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&r.body), "tls ok");
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  struct sw_http_stats st;
  sw_http_get_stats(h, &st);
  SW_CHECK_INT(st.connections, 1);
  sw_http_free(h);

  /* A CA that did not sign the server: fails closed, says TLS. */
  struct sw_http_opts wrong = {.ca_file = other,
                               .timeout_ms = LOOPBACK_TIMEOUT_MS};
  h = sw_http_new(&wrong, &err);
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  SW_CHECK(strstr(err.message, "TLS verification") != NULL);
  SW_CHECK(strstr(err.message, "other.pem") != NULL);
  fprintf(stderr, "  wrong CA gives: %s\n", err.message);
  SW_CHECK_INT(r.body.len, 0);
  sw_http_free(h);

  /* The system store does not know our CA either. */
  unsetenv("AWS_CA_BUNDLE");
  struct sw_http_opts none = {.timeout_ms = LOOPBACK_TIMEOUT_MS};
  h = sw_http_new(&none, &err);
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), -1);
  SW_CHECK(strstr(err.message, "TLS verification") != NULL);
  sw_http_free(h);

  /* AWS_CA_BUNDLE supplies the CA when the options do not. */
  setenv("AWS_CA_BUNDLE", ca, 1);
  h = sw_http_new(&none, &err);
  unsetenv("AWS_CA_BUNDLE");
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &req, &r, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&r.body), "env");
  sw_http_free(h);

  /* An address the certificate does not name: refused. */
  char u2[128];
  snprintf(u2, sizeof(u2), "https://127.0.0.1:%d/", s.port);
  struct sw_http_request other_host = {.method = "GET", .url = u2};
  h = sw_http_new(&good, &err);
  sw_error_clear(&err);
  SW_CHECK_INT(sw_http_perform(h, &other_host, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  sw_http_free(h);

  sw_http_response_clean_up(&r);
  sw_srv_stop(&s);
  sw_srv_remove_dir(dir);
}

int main(void) {
  sw_srv_isolate_env();
  SW_RUN(test_global_init_once_from_many_threads);
  SW_RUN(test_keep_alive_reuses_one_connection);
  SW_RUN(test_request_headers_body_and_user_agent_are_sent);
  SW_RUN(test_custom_user_agent);
  SW_RUN(test_oversized_body_is_refused_not_truncated);
  SW_RUN(test_reset_mid_body_is_a_network_error);
  SW_RUN(test_too_many_response_headers_are_refused);
  SW_RUN(test_slow_answer_times_out);
  SW_RUN(test_refused_connection_and_bad_urls);
  SW_RUN(test_proxy_from_the_environment);
  SW_RUN(test_dns_failure_is_named);
  SW_RUN(test_https_verifies_against_the_ca_file);
  return sw_test_done();
}
