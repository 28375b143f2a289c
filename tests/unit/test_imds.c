/* Tests for lib/imds.c: IMDSv2 and container credentials against a loopback
 * scripted server (tests/unit/scripted_server.py). */
#include "lib/http.h"
#include "lib/imds.h"
#include "lib/timeutil.h"
#include "scripted_server.h"
#include "sw_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A credentials JSON document expiring in_s from now. */
static char *creds_json(const char *akid, long in_s, int with_code) {
  char exp[21], *out = NULL;
  sw_time_iso8601(time(NULL) + in_s, exp);
  if (asprintf(&out,
               "{%s\"LastUpdated\": \"2026-01-01T00:00:00Z\", \"Type\": "
               "\"AWS-HMAC\", \"AccessKeyId\": \"%s\", \"SecretAccessKey\": "
               "\"c2VjcmV0\", \"Token\": \"dG9rZW4=\", \"Expiration\": \"%s\"}",
               with_code ? "\"Code\": \"Success\", " : "", akid, exp) < 0)
    return NULL;
  return out;
}

/* A script: a JSON list of {status, body} steps. */
struct script {
  struct json_object *steps;
};

static void script_init(struct script *s) {
  s->steps = json_object_new_array();
}

static void script_add(struct script *s, int status, const char *body) {
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "status", json_object_new_int(status));
  json_object_object_add(o, "body", json_object_new_string(body));
  json_object_array_add(s->steps, o);
}

/* Starts the server with the script; 0 or -1 (and frees the script). */
static int script_start(struct script *s, struct sw_srv *srv) {
  char *text = sw_json_dump(s->steps);
  int rc = text ? sw_srv_start(srv, text, NULL, NULL, NULL) : -1;
  free(text);
  json_object_put(s->steps);
  s->steps = NULL;
  return rc;
}

static const char *req_str(struct json_object *reqs, size_t i,
                           const char *key) {
  return sw_json_str(json_object_array_get_idx(reqs, i), key);
}

static void clear_env(void) {
  static const char *const vars[] = {"AWS_EC2_METADATA_DISABLED",
                                     "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                     "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                     "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                     NULL};
  for (size_t i = 0; vars[i]; i++)
    unsetenv(vars[i]);
}

static void test_imds_v2_token_then_role_then_credentials(void) {
  struct script sc;
  struct sw_srv srv;
  struct sw_imds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  char base[64], *doc = creds_json("ASIAIMDS", 3600, 1);
  clear_env();
  script_init(&sc);
  script_add(&sc, 200, "IMDSTOKEN-abc");
  script_add(&sc, 200, "my-role\n");
  script_add(&sc, 200, doc);
  free(doc);
  if (script_start(&sc, &srv) != 0)
    SW_SKIP("scripted server did not start");
  snprintf(base, sizeof(base), "http://127.0.0.1:%d/", srv.port);
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", base, 1);
  sw_error_clear(&err);
  SW_CHECK_INT(sw_imds_fetch(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIAIMDS");
  SW_CHECK_STR(c.secret_access_key, "c2VjcmV0");
  SW_CHECK_STR(c.session_token, "dG9rZW4=");
  SW_CHECK_STR(c.provider, "imds");
  SW_CHECK(c.expiration_s > time(NULL) + 3000);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 3);
  SW_CHECK_STR(req_str(reqs, 0, "method"), "PUT");
  SW_CHECK_STR(req_str(reqs, 0, "path"), "/latest/api/token");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "X-aws-ec2-metadata-token-ttl-seconds"),
               "21600");
  SW_CHECK_STR(req_str(reqs, 1, "method"), "GET");
  SW_CHECK_STR(req_str(reqs, 1, "path"),
               "/latest/meta-data/iam/security-credentials/");
  SW_CHECK_STR(sw_srv_header(reqs, 1, "X-aws-ec2-metadata-token"),
               "IMDSTOKEN-abc");
  SW_CHECK_STR(req_str(reqs, 2, "path"),
               "/latest/meta-data/iam/security-credentials/my-role");
  SW_CHECK_STR(sw_srv_header(reqs, 2, "X-aws-ec2-metadata-token"),
               "IMDSTOKEN-abc");
  json_object_put(reqs);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
  clear_env();
}

/* Each failing step is reported for what it is; no IMDSv1 fallback. */
static void test_imds_failures_name_the_step(void) {
  static const struct {
    int st1;
    const char *b1;
    int st2;
    const char *b2;
    int st3;
    const char *b3;
    const char *want;
    size_t want_requests;
  } cases[] = {
      {403, "", 0, NULL, 0, NULL, "no IMDSv1 fallback", 1},
      {405, "", 0, NULL, 0, NULL, "HTTP 405", 1},
      {200, "tok", 404, "", 0, NULL, "no IAM role attached", 2},
      {200, "tok", 200, "../etc/passwd", 0, NULL, "no valid role name", 2},
      {200, "tok", 200, "", 0, NULL, "no valid role name", 2},
      {200, "tok", 200, "r", 200, "{not json", "imds: invalid JSON", 3},
      {200, "tok", 200, "r", 200, "{\"Code\":\"Failure\"}", "Code is", 3},
      {200, "tok", 200, "r", 401, "", "answered HTTP 401", 3},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct script sc;
    struct sw_srv srv;
    struct sw_imds_opts o = {0};
    struct sw_credentials c = {0};
    struct sw_error err;
    char base[64];
    clear_env();
    script_init(&sc);
    script_add(&sc, cases[i].st1, cases[i].b1);
    if (cases[i].b2)
      script_add(&sc, cases[i].st2, cases[i].b2);
    if (cases[i].b3)
      script_add(&sc, cases[i].st3, cases[i].b3);
    if (script_start(&sc, &srv) != 0)
      SW_SKIP("scripted server did not start");
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv.port);
    o.endpoint = base;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_imds_fetch(&o, &c, &err), -1);
    if (strstr(err.message, cases[i].want) == NULL) {
      fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.message,
              cases[i].want);
      SW_CHECK(0);
    }
    struct json_object *reqs = sw_srv_requests(&srv);
    SW_CHECK_INT(json_object_array_length(reqs), cases[i].want_requests);
    json_object_put(reqs);
    sw_credentials_clean_up(&c);
    sw_srv_stop(&srv);
  }
}

static void test_imds_retries_once_on_5xx(void) {
  struct script sc;
  struct sw_srv srv;
  struct sw_imds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  char base[64], *doc = creds_json("ASIARETRY", 3600, 1);
  clear_env();
  script_init(&sc);
  script_add(&sc, 503, "busy");
  script_add(&sc, 200, "tok");
  script_add(&sc, 200, "r");
  script_add(&sc, 200, doc);
  free(doc);
  if (script_start(&sc, &srv) != 0)
    SW_SKIP("scripted server did not start");
  snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv.port);
  o.endpoint = base;
  SW_CHECK_INT(sw_imds_fetch(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIARETRY");
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

/* An answer past SW_IMDS_MAX_RESPONSE is refused, never parsed in part. */
static void test_imds_oversized_answer_is_refused(void) {
  struct script sc;
  struct sw_srv srv;
  struct sw_imds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  char base[64];
  struct json_object *big = json_object_new_object();
  clear_env();
  script_init(&sc);
  script_add(&sc, 200, "tok");
  script_add(&sc, 200, "r");
  json_object_object_add(big, "status", json_object_new_int(200));
  json_object_object_add(
      big, "body_bytes",
      json_object_new_int64((int64_t)SW_IMDS_MAX_RESPONSE + 1000));
  json_object_array_add(sc.steps, big);
  if (script_start(&sc, &srv) != 0)
    SW_SKIP("scripted server did not start");
  snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv.port);
  o.endpoint = base;
  SW_CHECK_INT(sw_imds_fetch(&o, &c, &err), -1);
  SW_CHECK(c.access_key_id[0] == '\0');
  SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 3); /* not retried */
  json_object_put(reqs);
  sw_srv_stop(&srv);
}

static void test_imds_unreachable_fails_fast(void) {
  struct sw_imds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  long long t0 = sw_time_mono_ms();
  /* Port 1 on loopback: connection refused at once. */
  o.endpoint = "http://127.0.0.1:1";
  o.timeout_ms = 300;
  SW_CHECK_INT(sw_imds_fetch(&o, &c, &err), -1);
  SW_CHECK(sw_time_mono_ms() - t0 < 3000);
}

static void test_imds_env_disable_and_endpoint_mode(void) {
  char out[128];
  struct sw_error err;
  clear_env();
  SW_CHECK_INT(sw_imds_disabled_by_env(), 0);
  setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
  SW_CHECK_INT(sw_imds_disabled_by_env(), 1);
  setenv("AWS_EC2_METADATA_DISABLED", "false", 1);
  SW_CHECK_INT(sw_imds_disabled_by_env(), 0);
  SW_CHECK_INT(sw_imds_endpoint_from_env(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "http://169.254.169.254");
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6", 1);
  SW_CHECK_INT(sw_imds_endpoint_from_env(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "http://[fd00:ec2::254]");
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5", 1);
  SW_CHECK_INT(sw_imds_endpoint_from_env(out, sizeof(out), &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://10.0.0.1:80//", 1);
  SW_CHECK_INT(sw_imds_endpoint_from_env(out, sizeof(out), &err), 0);
  SW_CHECK_STR(out, "http://10.0.0.1:80");
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ftp://x", 1);
  SW_CHECK_INT(sw_imds_endpoint_from_env(out, sizeof(out), &err), -1);
  clear_env();
}

static void test_imds_role_names(void) {
  SW_CHECK_INT(sw_imds_role_name_valid("my-role_1.x@y=z,+", 17), 1);
  SW_CHECK_INT(sw_imds_role_name_valid("", 0), 0);
  SW_CHECK_INT(sw_imds_role_name_valid("a/b", 3), 0);
  SW_CHECK_INT(sw_imds_role_name_valid("a b", 3), 0);
  SW_CHECK_INT(sw_imds_role_name_valid("a%2e", 4), 0);
  SW_CHECK_INT(sw_imds_role_name_valid("a\0b", 3), 0);
  char long_name[200];
  memset(long_name, 'a', sizeof(long_name));
  SW_CHECK_INT(sw_imds_role_name_valid(long_name, 129), 0);
  SW_CHECK_INT(sw_imds_role_name_valid(long_name, 128), 1);
}

static void test_ecs_url_policy_matches_the_sdks(void) {
  static const struct {
    const char *url;
    int ok;
  } cases[] = {
      {"https://example.com/creds", 1},
      {"http://127.0.0.1:8080/creds", 1},
      {"http://127.1.2.3/x", 1},
      {"http://localhost/x", 1},
      {"http://[::1]:99/x", 1},
      {"http://169.254.170.2/v2/creds", 1},
      {"http://169.254.170.23/v1/credentials", 1},
      {"http://[fd00:ec2::23]/v1/credentials", 1},
      {"http://10.0.0.1/creds", 0},
      {"http://example.com/creds", 0},
      {"http://127.0.0.1.evil.com/x", 0},
      {"http://user@127.0.0.1/x", 0},
      {"http://128.0.0.1/x", 0},
      {"ftp://127.0.0.1/x", 0},
      {"127.0.0.1/x", 0},
      {"https://", 0},
      {"http://[::1/x", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    if (sw_ecs_url_allowed(cases[i].url) != cases[i].ok) {
      fprintf(stderr, "url %s: want %d\n", cases[i].url, cases[i].ok);
      SW_CHECK(0);
    }
}

static void test_ecs_config_from_env(void) {
  struct sw_ecs_config c;
  struct sw_error err;
  char dir[] = "/tmp/sw-ecs-XXXXXX", path[128];
  FILE *f;
  clear_env();
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), 1);
  setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc", 1);
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/ignored", 1);
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), 0);
  SW_CHECK_STR(c.url, "http://169.254.170.2/v2/credentials/abc");
  SW_CHECK(c.auth_token == NULL);
  sw_ecs_config_clean_up(&c);
  unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.1.2.3/creds", 1);
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), -1);
  SW_CHECK(strstr(err.message, "loopback") != NULL);
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/c", 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok-env", 1);
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), 0);
  SW_CHECK_STR(c.auth_token, "tok-env");
  sw_ecs_config_clean_up(&c);
  /* The token file wins over the variable, without its newline. */
  SW_CHECK(mkdtemp(dir) != NULL);
  snprintf(path, sizeof(path), "%s/token", dir);
  f = fopen(path, "w");
  fputs("tok-file\n", f);
  fclose(f);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path, 1);
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), 0);
  SW_CHECK_STR(c.auth_token, "tok-file");
  sw_ecs_config_clean_up(&c);
  f = fopen(path, "w");
  fputs("tok\r\nInjected: yes\n", f);
  fclose(f);
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), -1);
  SW_CHECK(strstr(err.message, "line breaks") != NULL);
  unlink(path);
  SW_CHECK_INT(sw_ecs_config_from_env(&c, &err), -1);
  SW_CHECK(strstr(err.message, "TOKEN_FILE") != NULL);
  rmdir(dir);
  clear_env();
}

static void test_ecs_fetch_sends_authorization(void) {
  struct script sc;
  struct sw_srv srv;
  struct sw_ecs_config ec;
  struct sw_credentials c = {0};
  struct sw_error err;
  char url[96], *doc = creds_json("ASIAECS", 3600, 0);
  clear_env();
  script_init(&sc);
  script_add(&sc, 200, doc);
  script_add(&sc, 401, "{\"message\":\"bad token\"}");
  script_add(&sc, 200, "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\"}");
  free(doc);
  if (script_start(&sc, &srv) != 0)
    SW_SKIP("scripted server did not start");
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/credentials", srv.port);
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc", 1);
  SW_CHECK_INT(sw_ecs_config_from_env(&ec, &err), 0);
  SW_CHECK_INT(sw_ecs_fetch(&ec, 2000, NULL, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIAECS");
  SW_CHECK_STR(c.provider, "ecs");
  SW_CHECK_INT(sw_ecs_fetch(&ec, 2000, NULL, &c, &err), -1);
  SW_CHECK(strstr(err.message, "HTTP 401") != NULL);
  /* Without Token and Expiration the answer is refused. */
  SW_CHECK_INT(sw_ecs_fetch(&ec, 2000, NULL, &c, &err), -1);
  SW_CHECK(strstr(err.message, "\"Token\" missing") != NULL);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 3);
  SW_CHECK_STR(req_str(reqs, 0, "path"), "/v1/credentials");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "Authorization"), "Basic abc");
  json_object_put(reqs);
  sw_ecs_config_clean_up(&ec);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
  clear_env();
}

int main(void) {
  sw_srv_isolate_env();
  sw_http_global_init();
  SW_RUN(test_imds_v2_token_then_role_then_credentials);
  SW_RUN(test_imds_failures_name_the_step);
  SW_RUN(test_imds_retries_once_on_5xx);
  SW_RUN(test_imds_oversized_answer_is_refused);
  SW_RUN(test_imds_unreachable_fails_fast);
  SW_RUN(test_imds_env_disable_and_endpoint_mode);
  SW_RUN(test_imds_role_names);
  SW_RUN(test_ecs_url_policy_matches_the_sdks);
  SW_RUN(test_ecs_config_from_env);
  SW_RUN(test_ecs_fetch_sends_authorization);
  return sw_test_done();
}
