/* Tests for lib/credentials.c and lib/credprocess.c: the default chain,
 * profiles, credential_process, STS roles, the cache and its refresh. STS
 * and the container endpoint are loopback scripted servers
 * (tests/unit/scripted_server.py); STS answers are the real sample in the
 * shared test data. */
#include "lib/credentials.h"
#include "lib/credprocess.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "scripted_server.h"
#include "sw_test.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------ */

static char sandbox[64];

static void write_file(const char *name, const char *text) {
  char path[256];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", sandbox, name);
  f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

/* A clean environment: no AWS variables, empty shared files in a temp dir,
 * IMDS disabled (nothing here may reach 169.254.169.254). */
static void reset_env(void) {
  static const char *const vars[] = {"AWS_ACCESS_KEY_ID",
                                     "AWS_SECRET_ACCESS_KEY",
                                     "AWS_SESSION_TOKEN",
                                     "AWS_ACCESS_KEY",
                                     "AWS_SECRET_KEY",
                                     "AWS_SECURITY_TOKEN",
                                     "AWS_PROFILE",
                                     "AWS_DEFAULT_PROFILE",
                                     "AWS_WEB_IDENTITY_TOKEN_FILE",
                                     "AWS_ROLE_ARN",
                                     "AWS_ROLE_SESSION_NAME",
                                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                     "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                                     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                                     "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                     "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                                     "AWS_REGION",
                                     "AWS_DEFAULT_REGION",
                                     "AWS_ENDPOINT_URL",
                                     "AWS_ENDPOINT_URL_STS",
                                     NULL};
  char path[256];
  for (size_t i = 0; vars[i]; i++)
    unsetenv(vars[i]);
  setenv("HOME", sandbox, 1);
  snprintf(path, sizeof(path), "%s/config", sandbox);
  setenv("AWS_CONFIG_FILE", path, 1);
  snprintf(path, sizeof(path), "%s/credentials", sandbox);
  setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  write_file("config", "");
  write_file("credentials", "");
}

/* Gets credentials from a fresh provider built with o. */
static int get_once(const struct sw_creds_opts *o, struct sw_credentials *c,
                    struct sw_error *err) {
  struct sw_creds_provider *p;
  int rc;
  sw_error_clear(err);
  p = sw_creds_provider_new(o, err);
  if (p == NULL)
    return -2;
  rc = sw_creds_get(p, c, err);
  sw_creds_provider_free(p);
  return rc;
}

static char *replace(const char *s, const char *from, const char *to) {
  const char *at = strstr(s, from);
  char *out;
  if (at == NULL)
    return strdup(s);
  out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
  memcpy(out, s, (size_t)(at - s));
  strcpy(out + (at - s), to);
  strcat(out, at + strlen(from));
  return out;
}

/* The real STS AssumeRole sample with a future Expiration and our key id;
 * web makes it an AssumeRoleWithWebIdentity answer. NULL without data. */
static char *sts_answer(const char *akid, int web) {
  char exp[21], *xml, *a, *b;
  xml = sw_test_fixture("aws-responses/sts/assume-role.xml", NULL);
  if (xml == NULL)
    return NULL;
  sw_time_iso8601(time(NULL) + 3600, exp);
  a = replace(xml, "2011-07-15T23:28:33.359Z", exp);
  b = replace(a, "AKIAIOSFODNN7EXAMPLE", akid);
  free(xml);
  free(a);
  if (web) {
    for (int i = 0; i < 4; i++) {
      a = replace(b, i % 2 ? "AssumeRoleResult" : "AssumeRoleResponse",
                  i % 2 ? "AssumeRoleWithWebIdentityResult"
                        : "AssumeRoleWithWebIdentityResponse");
      free(b);
      b = a;
    }
  }
  return b;
}

/* One scripted answer; a list ends with status 0. */
struct step {
  int status;
  const char *body;
  long delay_ms;
};

/* Starts a scripted server answering steps in order and writes its URL
 * (http://127.0.0.1:<port><path>) into url. With verify_secret the server
 * checks each request's SigV4 signature (log field "sig_ok"). 0, or -1 when
 * it did not start. */
static int serve(struct sw_srv *srv, const struct step *steps, const char *path,
                 char *url, size_t url_size, const char *verify_secret) {
  struct json_object *arr = json_object_new_array();
  char *text;
  int rc;
  for (size_t i = 0; steps[i].status; i++) {
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "status", json_object_new_int(steps[i].status));
    json_object_object_add(o, "body", json_object_new_string(steps[i].body));
    json_object_object_add(o, "delay_ms",
                           json_object_new_int64(steps[i].delay_ms));
    json_object_array_add(arr, o);
  }
  text = sw_json_dump(arr);
  json_object_put(arr);
  rc = text ? sw_srv_start(srv, text, NULL, NULL, verify_secret) : -1;
  free(text);
  if (rc == 0)
    snprintf(url, url_size, "http://127.0.0.1:%d%s", srv->port, path);
  return rc;
}

/* reset_env, then a server answering one STS call with the sample for akid
 * (web: as AssumeRoleWithWebIdentity). 0, or -1 when the fixture or the
 * server is not available. */
static int start_sts(struct sw_srv *srv, char *url, size_t url_size,
                     const char *akid, int web, const char *verify_secret) {
  char *xml = sts_answer(akid, web);
  int rc;
  reset_env();
  if (xml == NULL)
    return -1;
  struct step steps[] = {{200, xml, 0}, {0, NULL, 0}};
  rc = serve(srv, steps, "", url, url_size, verify_secret);
  free(xml);
  return rc;
}

static const char *req_body(struct json_object *reqs, size_t i) {
  return sw_json_str(json_object_array_get_idx(reqs, i), "body");
}

static int has(const char *hay, const char *needle) {
  if (hay && strstr(hay, needle))
    return 1;
  fprintf(stderr, "\"%s\" lacks \"%s\"\n", hay ? hay : "(null)", needle);
  return 0;
}

static char *ecs_json(const char *akid, long in_s) {
  char exp[21], *out = NULL;
  sw_time_iso8601(time(NULL) + in_s, exp);
  if (asprintf(&out,
               "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"s\","
               "\"Token\":\"t\",\"Expiration\":\"%s\"}",
               akid, exp) < 0)
    return NULL;
  return out;
}

/* ---- JSON documents ----------------------------------------------------- */

static void test_parse_json_documents_table(void) {
  char future[21], past[21];
  sw_time_iso8601(time(NULL) + 3600, future);
  sw_time_iso8601(time(NULL) - 10, past);
  char big_token[SW_CREDS_MAX_TOKEN + 100];
  memset(big_token, 'T', sizeof(big_token) - 1);
  big_token[sizeof(big_token) - 1] = '\0';
  struct {
    enum sw_creds_json_kind kind;
    char text[SW_CREDS_MAX_TOKEN + 400];
    const char *want_err; /* NULL: success */
  } *cases = calloc(24, sizeof(*cases));
  size_t n = 0;
#define CASE(k, w, ...)                                          \
  do {                                                           \
    cases[n].kind = k;                                           \
    snprintf(cases[n].text, sizeof(cases[n].text), __VA_ARGS__); \
    cases[n++].want_err = w;                                     \
  } while (0)
  CASE(SW_CREDS_JSON_PROCESS, NULL,
       "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}");
  CASE(SW_CREDS_JSON_PROCESS, NULL,
       "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
       "\"SessionToken\":\"T\",\"Expiration\":\"%s\"}\n",
       future);
  CASE(SW_CREDS_JSON_PROCESS, "\"Version\" must be",
       "{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}");
  CASE(SW_CREDS_JSON_PROCESS, "\"Version\" must be",
       "{\"Version\":\"1\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}");
  CASE(SW_CREDS_JSON_PROCESS, "\"Version\" must be",
       "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}");
  CASE(SW_CREDS_JSON_PROCESS, "\"AccessKeyId\" missing",
       "{\"Version\":1,\"SecretAccessKey\":\"S\"}");
  CASE(SW_CREDS_JSON_PROCESS, "\"SecretAccessKey\" missing",
       "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":5}");
  CASE(SW_CREDS_JSON_PROCESS, "expired at",
       "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
       "\"Expiration\":\"%s\"}",
       past);
  CASE(SW_CREDS_JSON_PROCESS, "not an ISO 8601",
       "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
       "\"Expiration\":\"tomorrow\"}");
  CASE(SW_CREDS_JSON_PROCESS, "invalid JSON", "{\"Version\":1,,}");
  CASE(SW_CREDS_JSON_PROCESS, "truncated", "{\"Version\":1");
  CASE(SW_CREDS_JSON_PROCESS, "not a JSON object", "[1,2]");
  CASE(SW_CREDS_JSON_PROCESS, "process: invalid JSON", "{\"Version\":1} x");
  CASE(SW_CREDS_JSON_PROCESS, "session token longer",
       "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
       "\"SessionToken\":\"%s\"}",
       big_token);
  CASE(SW_CREDS_JSON_PROCESS, "too long",
       "{\"Version\":1,\"AccessKeyId\":\"%.200s\",\"SecretAccessKey\":\"S\"}",
       big_token);
  CASE(SW_CREDS_JSON_IMDS, NULL,
       "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
       "\"Token\":\"T\",\"Expiration\":\"%s\"}",
       future);
  CASE(SW_CREDS_JSON_IMDS, "Code is",
       "{\"Code\":\"AssumeRoleUnauthorizedAccess\",\"AccessKeyId\":\"A\"}");
  CASE(SW_CREDS_JSON_IMDS, "\"Token\" missing",
       "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\","
       "\"Expiration\":\"%s\"}",
       future);
  CASE(SW_CREDS_JSON_ECS, "\"Expiration\" missing",
       "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Token\":\"T\"}");
  CASE(SW_CREDS_JSON_ECS, "empty", "%s", "");
#undef CASE
  for (size_t i = 0; i < n; i++) {
    struct sw_credentials c = {0};
    struct sw_error err;
    int rc;
    sw_error_clear(&err);
    rc = sw_credentials_parse_json(cases[i].text, strlen(cases[i].text),
                                   cases[i].kind, sw_time_now(), &c, &err);
    if (cases[i].want_err == NULL) {
      if (rc != 0)
        fprintf(stderr, "case %zu: %s\n", i, err.message);
      SW_CHECK_INT(rc, 0);
      SW_CHECK_STR(c.access_key_id, "A");
      SW_CHECK_STR(c.secret_access_key, "S");
    } else {
      SW_CHECK_INT(rc, -1);
      SW_CHECK_INT(err.kind, SW_ERR_CREDENTIALS);
      if (!has(err.message, cases[i].want_err)) {
        fprintf(stderr, "  (case %zu)\n", i);
        SW_CHECK(0);
      }
      /* Messages name fields, never values. */
      SW_CHECK(strstr(err.message, "TTTT") == NULL);
      SW_CHECK(c.session_token == NULL && c.access_key_id[0] == '\0');
    }
    sw_credentials_clean_up(&c);
  }
  free(cases);
}

/* ---- credential_process ------------------------------------------------- */

static void test_credprocess_split_like_a_shell(void) {
  static const struct {
    const char *cmd;
    const char *want[5]; /* NULL-terminated; want[0] NULL: error */
  } cases[] = {
      {"tool a  b\tc", {"tool", "a", "b", "c", NULL}},
      {"tool 'a b' \"c d\"", {"tool", "a b", "c d", NULL}},
      {"tool a\\ b \"x\\\"y\" 'p\\q'", {"tool", "a b", "x\"y", "p\\q", NULL}},
      {"  tool  ", {"tool", NULL}},
      {"tool ''", {"tool", "", NULL}},
      {"tool $HOME `id`", {"tool", "$HOME", "`id`", NULL}},
      {"tool 'unterminated", {NULL}},
      {"tool \"unterminated", {NULL}},
      {"", {NULL}},
      {"   ", {NULL}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char **argv = NULL;
    struct sw_error err;
    int rc = sw_credprocess_split(cases[i].cmd, &argv, &err);
    if (cases[i].want[0] == NULL) {
      SW_CHECK_INT(rc, -1);
      SW_CHECK(argv == NULL);
      continue;
    }
    SW_CHECK_INT(rc, 0);
    for (size_t j = 0; rc == 0 && j < 5; j++) {
      SW_CHECK_STR(argv[j], cases[i].want[j]);
      if (cases[i].want[j] == NULL || argv[j] == NULL)
        break;
    }
    sw_credprocess_argv_free(argv);
  }
  /* Too many words. */
  char many[400] = "tool";
  for (int i = 0; i < SW_CREDPROCESS_MAX_ARGS + 1; i++)
    strcat(many, " a");
  char **argv = NULL;
  struct sw_error err;
  SW_CHECK_INT(sw_credprocess_split(many, &argv, &err), -1);
  SW_CHECK(has(err.message, "more than"));
}

static void test_credprocess_run_success_and_failures(void) {
  char future[21], ok[256], expired[256];
  sw_time_iso8601(time(NULL) + 3600, future);
  snprintf(ok, sizeof(ok),
           "/bin/echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
           "\"SecretAccessKey\": \"s\", \"SessionToken\": \"t\", "
           "\"Expiration\": \"%s\"}'",
           future);
  snprintf(expired, sizeof(expired),
           "/bin/echo '{\"Version\": 1, \"AccessKeyId\": \"A\", "
           "\"SecretAccessKey\": \"s\", \"Expiration\": "
           "\"2020-01-01T00:00:00Z\"}'");
  static const char *const fails[][2] = {
      {"/bin/sh -c 'exit 3'", "exited with status 3"},
      {"/bin/sh -c 'kill -9 $$'", "killed by signal 9"},
      {"/bin/echo not json", "invalid JSON"},
      {"/bin/true", "empty answer"},
      {"/usr/bin/head -c 70000 /dev/zero", "larger than"},
      /* glibc reports a failed exec from posix_spawn, valgrind's emulation
       * as exit status 127: either way the program is named missing. */
      {"/nonexistent/helper", "not found"},
      {"/bin/echo '{\"Version\": 1}'", "\"AccessKeyId\" missing"},
  };
  struct sw_credentials c = {0};
  struct sw_error err;
  SW_CHECK_INT(sw_credprocess_run(ok, 5000, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDPROC");
  SW_CHECK_STR(c.session_token, "t");
  SW_CHECK_STR(c.provider, "process");
  SW_CHECK(c.expiration_s > time(NULL));
  SW_CHECK_INT(sw_credprocess_run(expired, 5000, &c, &err), -1);
  SW_CHECK(has(err.message, "expired"));
  /* A host ignoring SIGCHLD (the kernel reaps): the output still counts. */
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_act;
  sigaction(SIGCHLD, &ign, &old_act);
  SW_CHECK_INT(sw_credprocess_run(ok, 5000, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDPROC");
  sigaction(SIGCHLD, &old_act, NULL);
  for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
    sw_error_clear(&err);
    SW_CHECK_INT(sw_credprocess_run(fails[i][0], 5000, &c, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CREDENTIALS);
    SW_CHECK(has(err.message, fails[i][1]));
  }
  sw_credentials_clean_up(&c);
}

static void test_credprocess_timeout_kills_the_child(void) {
  struct sw_credentials c = {0};
  struct sw_error err;
  long long t0 = sw_time_mono_ms();
  SW_CHECK_INT(sw_credprocess_run("/bin/sleep 30", 300, &c, &err), -1);
  SW_CHECK(has(err.message, "timed out"));
  SW_CHECK(sw_time_mono_ms() - t0 < 5000);
  /* Closing stdout but staying alive is a timeout too. */
  t0 = sw_time_mono_ms();
  SW_CHECK_INT(
      sw_credprocess_run("/bin/sh -c 'exec >&-; sleep 30'", 300, &c, &err), -1);
  SW_CHECK(has(err.message, "timed out"));
  SW_CHECK(sw_time_mono_ms() - t0 < 5000);
}

/* ---- the chain without network ------------------------------------------
 */

static void test_static_options_come_first(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  reset_env();
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
  o.access_key_id = "AKIDSTATIC";
  o.secret_access_key = "secret";
  o.session_token = "tok";
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDSTATIC");
  SW_CHECK_STR(c.session_token, "tok");
  SW_CHECK_STR(c.provider, "static");
  SW_CHECK_INT(c.expiration_s, 0);
  sw_credentials_clean_up(&c);
}

static void test_contradictory_options_are_refused(void) {
  struct sw_creds_opts o = {0};
  struct sw_error err;
  reset_env();
  o.access_key_id = "AKID";
  SW_CHECK(sw_creds_provider_new(&o, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  memset(&o, 0, sizeof(o));
  o.external_id = "x";
  SW_CHECK(sw_creds_provider_new(&o, &err) == NULL);
  memset(&o, 0, sizeof(o));
  o.role_arn = "arn:aws:iam::1:role/r"; /* no region anywhere */
  SW_CHECK(sw_creds_provider_new(&o, &err) == NULL);
  SW_CHECK(has(err.message, "region"));
}

static void test_env_variables_and_legacy_names(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  reset_env();
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
  setenv("AWS_SESSION_TOKEN", "tok", 1);
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDENV");
  SW_CHECK_STR(c.session_token, "tok");
  SW_CHECK_STR(c.provider, "env");
  reset_env();
  setenv("AWS_ACCESS_KEY", "AKIDLEGACY", 1);
  setenv("AWS_SECRET_KEY", "s", 1);
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDLEGACY");
  SW_CHECK(c.session_token == NULL);
  reset_env();
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  write_file("credentials", "[default]\naws_access_key_id = AKIDFILE\n"
                            "aws_secret_access_key = s\n");
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "partial"));
  sw_credentials_clean_up(&c);
}

static void test_nothing_found_lists_every_provider(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  reset_env();
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CREDENTIALS);
  SW_CHECK(has(err.message, "env: AWS_ACCESS_KEY_ID not set"));
  SW_CHECK(has(err.message, "web-identity: AWS_WEB_IDENTITY_TOKEN_FILE"));
  SW_CHECK(has(err.message, "profile \"default\": not found in"));
  SW_CHECK(has(err.message, "ecs: AWS_CONTAINER_CREDENTIALS"));
  SW_CHECK(has(err.message, "imds: disabled"));
}

static void test_profiles_default_named_and_config_keys(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  reset_env();
  write_file("credentials", "[default]\n"
                            "aws_access_key_id = AKIDDEFAULT\n"
                            "aws_secret_access_key = s1\n"
                            "[dev]\n"
                            "aws_access_key_id = AKIDDEV\n"
                            "aws_secret_access_key = s2\n"
                            "aws_session_token = t2\n");
  write_file("config", "[profile cfg]\n"
                       "aws_access_key_id = AKIDCFG\n"
                       "aws_secret_access_key = s3\n"
                       "[dev]\n" /* not a profile in config: ignored */
                       "aws_access_key_id = WRONG\n");
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDDEFAULT");
  SW_CHECK_STR(c.provider, "profile");
  o.profile = "dev";
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDDEV");
  SW_CHECK_STR(c.session_token, "t2");
  o.profile = NULL;
  setenv("AWS_PROFILE", "cfg", 1);
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDCFG");
  /* The option beats the variable. */
  o.profile = "dev";
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDDEV");
  sw_credentials_clean_up(&c);
}

static void test_missing_named_profile_is_an_error_not_a_fallthrough(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[96], *doc = ecs_json("AKIDECS", 3600);
  reset_env();
  /* A working container endpoint later in the chain must not be used. */
  struct step steps[] = {{200, doc, 0}, {0, NULL, 0}};
  int started = serve(&srv, steps, "/creds", url, sizeof(url), NULL);
  free(doc);
  if (started != 0)
    SW_SKIP("scripted server did not start");
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
  setenv("AWS_PROFILE", "prod", 1);
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "profile \"prod\": not found in"));
  /* ... while a missing default profile does fall through. */
  unsetenv("AWS_PROFILE");
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDECS");
  SW_CHECK_STR(c.provider, "ecs");
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

static void test_profile_errors_are_reported(void) {
  static const struct {
    const char *config;
    const char *credentials;
    const char *want;
  } cases[] = {
      {"[default]\nbroken line\n", "", "config:2: expected"},
      {"", "[default]\naws_access_key_id = A\n", "without aws_secret"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\n", "",
       "needs source_profile"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
       "[profile b]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = "
       "default\n",
       "", "cycle"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = gone\n",
       "", "source_profile \"gone\" of profile \"default\" not found"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
       "credential_source = Environment\n[profile b]\n",
       "", "exclusive"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\n"
       "credential_source = Moon\n",
       "", "unknown credential_source"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\n"
       "credential_source = Environment\n",
       "", "credential_source Environment gave nothing"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\n"
       "source_profile = b\n[profile b]\nregion = x\n",
       "", "source_profile \"b\" holds no credentials"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
       "duration_seconds = 10\n[profile b]\n",
       "[b]\naws_access_key_id = A\naws_secret_access_key = S\n",
       "duration_seconds"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
       "mfa_serial = arn:aws:iam::1:mfa/u\n",
       "", "mfa_serial"},
      {"[default]\ncredential_process = /bin/sh -c 'exit 7'\n", "",
       "exited with status 7"},
      {"[default]\nregion = us-east-1\n", "",
       "no keys, role_arn or credential_process"},
      {"[default]\nsso_session = corp\nsso_account_id = 1\n", "",
       "IAM Identity Center (SSO)"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_creds_opts o = {0};
    struct sw_credentials c = {0};
    struct sw_error err;
    reset_env();
    write_file("config", cases[i].config);
    write_file("credentials", cases[i].credentials);
    SW_CHECK_INT(get_once(&o, &c, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CREDENTIALS);
    if (!has(err.message, cases[i].want)) {
      fprintf(stderr, "  (case %zu)\n", i);
      SW_CHECK(0);
    }
    sw_credentials_clean_up(&c);
  }
}

static void test_credential_process_in_profile(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  reset_env();
  write_file("config", "[profile p]\n"
                       "credential_process = /bin/echo '{\"Version\": 1, "
                       "\"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": "
                       "\"s\"}'\n");
  o.profile = "p";
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDPROC");
  SW_CHECK_STR(c.provider, "process");
  /* Static keys in the credentials file win over the process. */
  write_file("credentials", "[p]\naws_access_key_id = AKIDFILE\n"
                            "aws_secret_access_key = s\n");
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDFILE");
  sw_credentials_clean_up(&c);
}

/* ---- cross-check with botocore ----------------------------------------- */

/* The access key id botocore (the AWS CLI's resolver) picks for profile in
 * the current environment, into out ("" when it finds none). -1 when
 * python3 or botocore is not available. */
static int botocore_akid(const char *profile, char *out, size_t out_size) {
  const char *py = getenv("SW_PYTHON");
  char cmd[512];
  FILE *f;
  size_t n;
  setenv("SW_XPROFILE", profile, 1);
  snprintf(cmd, sizeof(cmd),
           "%s -c 'import os, botocore.session as s\n"
           "c = s.Session(profile=os.environ[\"SW_XPROFILE\"])"
           ".get_credentials()\n"
           "print(\"AKID=\" + (c.access_key if c else \"\"))' 2>/dev/null",
           py ? py : "/usr/bin/python3");
  f = popen(cmd, "r");
  if (f == NULL)
    return -1;
  n = fread(out, 1, out_size - 1, f);
  out[n] = '\0';
  if (pclose(f) != 0 || strncmp(out, "AKID=", 5) != 0)
    return -1;
  memmove(out, out + 5, strlen(out + 5) + 1);
  out[strcspn(out, "\n")] = '\0';
  return 0;
}

/* For the same files, we and botocore choose the same credentials. */
static void test_profile_choice_matches_botocore(void) {
  static const struct {
    const char *config;
    const char *credentials;
    const char *profile;
  } cases[] = {
      {"", "[default]\naws_access_key_id = AKIDA\naws_secret_access_key = s\n",
       "default"},
      {"[profile default]\naws_access_key_id = AKIDB\n"
       "aws_secret_access_key = s\n",
       "", "default"},
      {"[profile c]\naws_access_key_id = AKIDCFG\naws_secret_access_key = s\n",
       "[c]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s\n", "c"},
      {"[profile p]\ncredential_process = /bin/echo '{\"Version\": 1, "
       "\"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\"}'\n"
       "aws_access_key_id = AKIDCFG\naws_secret_access_key = s\n",
       "", "p"},
      {"[profile p]\ncredential_process = /bin/echo '{\"Version\": 1, "
       "\"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\"}'\n",
       "[p]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s\n", "p"},
      {"[p]\naws_access_key_id = AKIDBARE\naws_secret_access_key = s\n"
       "[profile q]\ns3 =\n  aws_access_key_id = AKIDNESTED\n"
       "aws_access_key_id = AKIDQ\naws_secret_access_key = s\n",
       "", "q"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_creds_opts o = {0};
    struct sw_credentials c = {0};
    struct sw_error err;
    char theirs[256];
    reset_env();
    write_file("config", cases[i].config);
    write_file("credentials", cases[i].credentials);
    if (botocore_akid(cases[i].profile, theirs, sizeof(theirs)) != 0) {
      unsetenv("SW_XPROFILE");
      SW_SKIP("python3 with botocore not available");
    }
    o.profile = cases[i].profile;
    SW_CHECK_INT(get_once(&o, &c, &err), 0);
    if (strcmp(c.access_key_id, theirs) != 0) {
      fprintf(stderr, "case %zu: we chose \"%s\", botocore \"%s\"\n", i,
              c.access_key_id, theirs);
      SW_CHECK(0);
    }
    sw_credentials_clean_up(&c);
  }
  unsetenv("SW_XPROFILE");
}

/* ---- STS ---------------------------------------------------------------- */

static void test_assume_role_option_on_top_of_chain(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64], want[64];
  if (start_sts(&srv, url, sizeof(url), "ASIAASSUMED", 0, "s") != 0)
    SW_SKIP("STS fixture or scripted server not available");
  setenv("AWS_ACCESS_KEY_ID", "AKIDSOURCE", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
  o.role_arn = "arn:aws:iam::123456789012:role/demo";
  o.external_id = "ext-123";
  o.region = "us-east-1";
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  if (err.message[0])
    fprintf(stderr, "%s\n", err.message);
  SW_CHECK_STR(c.access_key_id, "ASIAASSUMED");
  SW_CHECK_STR(c.secret_access_key,
               "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  SW_CHECK(c.session_token && strncmp(c.session_token, "AQoDYXdzEPT", 11) == 0);
  SW_CHECK_STR(c.provider, "assume-role");
  SW_CHECK(c.expiration_s > time(NULL) + 3000);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 1);
  const char *body = req_body(reqs, 0);
  snprintf(want, sizeof(want), "RoleSessionName=secretwatch-%ld",
           (long)getpid());
  SW_CHECK(has(body, "Action=AssumeRole"));
  SW_CHECK(
      has(body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"));
  SW_CHECK(has(body, "ExternalId=ext-123"));
  SW_CHECK(has(body, want));
  SW_CHECK(has(body, "DurationSeconds=3600"));
  SW_CHECK(
      has(sw_srv_header(reqs, 0, "Authorization"), "Credential=AKIDSOURCE/"));
  /* botocore, signing independently with the source secret, agrees. */
  struct json_object *sig = NULL;
  json_object_object_get_ex(json_object_array_get_idx(reqs, 0), "sig_ok", &sig);
  SW_CHECK(sig != NULL && json_object_get_boolean(sig));
  json_object_put(reqs);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

/* STS answers that must not give credentials: an error document, broken
 * XML, the sample as recorded (it expired in 2011), no AccessKeyId. */
static void test_assume_role_bad_answers_are_reported(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64];
  char *denied =
      sw_test_fixture("aws-responses/sts/error-access-denied.xml", NULL);
  char *old = sw_test_fixture("aws-responses/sts/assume-role.xml", NULL);
  char *nokey = old ? replace(old,
                              "<AccessKeyId>AKIAIOSFODNN7EXAMPLE"
                              "</AccessKeyId>",
                              "")
                    : NULL;
  if (denied == NULL || old == NULL) {
    free(denied);
    free(old);
    free(nokey);
    SW_SKIP("STS fixture not available");
  }
  reset_env();
  struct step steps[] = {{403, denied, 0},
                         {200, "<AssumeRoleResponse><oops", 0},
                         {200, old, 0},
                         {200, nokey, 0},
                         {0, NULL, 0}};
  int started = serve(&srv, steps, "", url, sizeof(url), NULL);
  free(denied);
  free(old);
  free(nokey);
  if (started != 0)
    SW_SKIP("scripted server did not start");
  o.access_key_id = "AKIDSOURCE";
  o.secret_access_key = "s";
  o.role_arn = "arn:aws:iam::123456789012:role/demo";
  o.region = "us-east-1";
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CREDENTIALS);
  SW_CHECK(has(err.message, "assume-role arn:aws:iam::123456789012:role/demo"));
  SW_CHECK(has(err.message, "AKIDSOURCE"));
  SW_CHECK_STR(err.code, "AccessDenied");
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "assume-role"));
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "expired at 2011-07-15T23:28:33Z"));
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "AccessKeyId"));
  SW_CHECK(c.access_key_id[0] == '\0' && c.session_token == NULL);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

static void test_profile_role_chain_through_source_profiles(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64], cfg[1024];
  char *x1 = sts_answer("ASIAFIRST", 0), *x2 = sts_answer("ASIASECOND", 0);
  if (x1 == NULL || x2 == NULL) {
    free(x1);
    free(x2);
    SW_SKIP("STS fixture not available");
  }
  reset_env();
  struct step steps[] = {{200, x1, 0}, {200, x2, 0}, {0, NULL, 0}};
  int started = serve(&srv, steps, "", url, sizeof(url), NULL);
  free(x1);
  free(x2);
  if (started != 0)
    SW_SKIP("scripted server did not start");
  snprintf(cfg, sizeof(cfg),
           "[profile top]\n"
           "role_arn = arn:aws:iam::222222222222:role/top\n"
           "source_profile = middle\n"
           "external_id = ext-top\n"
           "role_session_name = sess-top\n"
           "duration_seconds = 900\n"
           "region = eu-west-1\n"
           "[profile middle]\n"
           "role_arn = arn:aws:iam::111111111111:role/middle\n"
           "source_profile = base\n");
  write_file("config", cfg);
  write_file("credentials", "[base]\naws_access_key_id = AKIDBASE\n"
                            "aws_secret_access_key = s\n");
  o.profile = "top";
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  if (err.message[0])
    fprintf(stderr, "%s\n", err.message);
  SW_CHECK_STR(c.access_key_id, "ASIASECOND");
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 2);
  SW_CHECK(has(req_body(reqs, 0), "role%2Fmiddle"));
  SW_CHECK(
      has(sw_srv_header(reqs, 0, "Authorization"), "Credential=AKIDBASE/"));
  SW_CHECK(has(req_body(reqs, 1), "role%2Ftop"));
  SW_CHECK(has(req_body(reqs, 1), "ExternalId=ext-top"));
  SW_CHECK(has(req_body(reqs, 1), "RoleSessionName=sess-top"));
  SW_CHECK(has(req_body(reqs, 1), "DurationSeconds=900"));
  SW_CHECK(
      has(sw_srv_header(reqs, 1, "Authorization"), "Credential=ASIAFIRST/"));
  SW_CHECK(has(sw_srv_header(reqs, 1, "Authorization"), "/eu-west-1/sts/"));
  json_object_put(reqs);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

/* A profile naming itself as source_profile uses its own keys. */
static void test_self_source_profile_uses_own_keys(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64];
  if (start_sts(&srv, url, sizeof(url), "ASIASELF", 0, "s") != 0)
    SW_SKIP("STS fixture or scripted server not available");
  write_file("config", "[profile me]\nrole_arn = arn:aws:iam::1:role/me\n"
                       "source_profile = me\n");
  write_file("credentials", "[me]\naws_access_key_id = AKIDME\n"
                            "aws_secret_access_key = s\n");
  o.profile = "me";
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIASELF");
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK(has(sw_srv_header(reqs, 0, "Authorization"), "Credential=AKIDME/"));
  json_object_put(reqs);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

static void test_web_identity_from_env_is_unsigned(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64], path[128];
  if (start_sts(&srv, url, sizeof(url), "ASIAWEB", 1, NULL) != 0)
    SW_SKIP("STS fixture or scripted server not available");
  snprintf(path, sizeof(path), "%s/token", sandbox);
  write_file("token", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n");
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
  setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web", 1);
  setenv("AWS_ROLE_SESSION_NAME", "pod-1", 1);
  setenv("AWS_REGION", "us-west-2", 1);
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIAWEB");
  SW_CHECK_STR(c.provider, "web-identity");
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 1);
  SW_CHECK(has(req_body(reqs, 0), "Action=AssumeRoleWithWebIdentity"));
  SW_CHECK(has(req_body(reqs, 0),
               "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig"));
  SW_CHECK(has(req_body(reqs, 0), "RoleSessionName=pod-1"));
  SW_CHECK(sw_srv_header(reqs, 0, "Authorization") == NULL);
  json_object_put(reqs);
  /* Only one of the two variables: skipped, with the reason. */
  unsetenv("AWS_ROLE_ARN");
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "web-identity: AWS_ROLE_ARN not set"));
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

static void test_profile_web_identity_token_file(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64], cfg[512];
  if (start_sts(&srv, url, sizeof(url), "ASIAWEBPROF", 1, NULL) != 0)
    SW_SKIP("STS fixture or scripted server not available");
  write_file("token", "jwt-from-profile");
  snprintf(cfg, sizeof(cfg),
           "[profile w]\nrole_arn = arn:aws:iam::1:role/w\n"
           "web_identity_token_file = %s/token\nregion = us-west-2\n",
           sandbox);
  write_file("config", cfg);
  o.profile = "w";
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIAWEBPROF");
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK(has(req_body(reqs, 0), "WebIdentityToken=jwt-from-profile"));
  SW_CHECK(sw_srv_header(reqs, 0, "Authorization") == NULL);
  json_object_put(reqs);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

/* credential_source = EcsContainer: the container endpoint's credentials
 * sign the AssumeRole call (one scripted server plays both). */
static void test_credential_source_ecs_container_then_assume_role(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64], full[96];
  char *xml = sts_answer("ASIAFROMECS", 0), *ecs = ecs_json("AKIDECSSRC", 900);
  if (xml == NULL) {
    free(ecs);
    SW_SKIP("STS fixture not available");
  }
  reset_env();
  struct step steps[] = {{200, ecs, 0}, {200, xml, 0}, {0, NULL, 0}};
  int started = serve(&srv, steps, "", url, sizeof(url), NULL);
  free(xml);
  free(ecs);
  if (started != 0)
    SW_SKIP("scripted server did not start");
  snprintf(full, sizeof(full), "%s/creds", url);
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", full, 1);
  write_file("config", "[default]\nrole_arn = arn:aws:iam::1:role/x\n"
                       "credential_source = EcsContainer\n");
  setenv("AWS_REGION", "us-east-1", 1);
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIAFROMECS");
  SW_CHECK_STR(c.provider, "assume-role");
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 2);
  SW_CHECK_STR(sw_json_str(json_object_array_get_idx(reqs, 0), "path"),
               "/creds");
  SW_CHECK(
      has(sw_srv_header(reqs, 1, "Authorization"), "Credential=AKIDECSSRC/"));
  SW_CHECK(has(sw_srv_header(reqs, 1, "X-Amz-Security-Token"), "t"));
  json_object_put(reqs);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

/* With nothing else configured, IMDSv2 at the end of the chain answers. */
static void test_chain_ends_with_imds(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  char url[64], exp[21], doc[512];
  sw_time_iso8601(time(NULL) + 3600, exp);
  snprintf(doc, sizeof(doc),
           "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\","
           "\"SecretAccessKey\":\"s\",\"Token\":\"t\",\"Expiration\":\"%s\"}",
           exp);
  reset_env();
  struct step steps[] = {
      {200, "tok", 0}, {200, "role", 0}, {200, doc, 0}, {0, NULL, 0}};
  if (serve(&srv, steps, "", url, sizeof(url), NULL) != 0)
    SW_SKIP("scripted server did not start");
  /* Disabled: not one request reaches the endpoint. */
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "imds: disabled by AWS_EC2_METADATA_DISABLED"));
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 0);
  json_object_put(reqs);
  unsetenv("AWS_EC2_METADATA_DISABLED");
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "ASIAIMDS");
  SW_CHECK_STR(c.provider, "imds");
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
  /* And when it fails, the reason ends the list. */
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
  SW_CHECK_INT(get_once(&o, &c, &err), -1);
  SW_CHECK(has(err.message, "; imds: "));
  reset_env();
}

/* ---- cache, refresh, threads -------------------------------------------- */

static double clock_offset_s;
static double fake_now(void) {
  return sw_time_now() + clock_offset_s;
}

static int warnings;
static void count_warnings(enum sw_log_level level, const char *msg,
                           void *ctx) {
  if (level == SW_LOG_WARNING)
    warnings++;
  /* Nothing secret may reach the log. */
  if (strstr(msg, "SECRETVALUE") || strstr(msg, "TOKENVALUE"))
    *(int *)ctx = 1;
}

static void test_refresh_ahead_of_expiry_and_stale_fallback(void) {
  struct sw_creds_opts o = {0};
  struct sw_credentials c = {0};
  struct sw_creds_provider *p;
  struct sw_error err;
  struct sw_srv srv;
  char url[96], *d1 = ecs_json("AKIDONE", 3600),
                *d2 = ecs_json("AKIDTWO", 3600);
  int leaked = 0;
  reset_env();
  struct step steps[] = {{200, d1, 0}, {200, d2, 0}, {0, NULL, 0}};
  int started = serve(&srv, steps, "/creds", url, sizeof(url), NULL);
  free(d1);
  free(d2);
  if (started != 0)
    SW_SKIP("scripted server did not start");
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
  sw_log_set_handler(count_warnings, &leaked);
  warnings = 0;
  clock_offset_s = 0;
  p = sw_creds_provider_new(&o, &err);
  sw_creds_set_clock(p, fake_now);
  SW_CHECK_INT(sw_creds_get(p, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDONE");
  SW_CHECK_INT(sw_creds_get(p, &c, &err), 0);
  SW_CHECK_INT(sw_creds_fetch_count(p), 1);
  /* Within refresh_ahead_s (300 by default) of expiry: fetched again. */
  clock_offset_s = 3600 - 200;
  SW_CHECK_INT(sw_creds_get(p, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDTWO");
  SW_CHECK_INT(sw_creds_fetch_count(p), 2);
  /* The endpoint now fails (script exhausted: 500): the cached credentials
   * are still valid, so they are returned with a warning. */
  clock_offset_s = 3600 - 100;
  SW_CHECK_INT(sw_creds_get(p, &c, &err), 0);
  SW_CHECK_STR(c.access_key_id, "AKIDTWO");
  SW_CHECK_INT(sw_creds_fetch_count(p), 3);
  SW_CHECK(warnings >= 1);
  /* Past expiry, the failure is reported. */
  clock_offset_s = 3600 + 10;
  SW_CHECK_INT(sw_creds_get(p, &c, &err), -1);
  SW_CHECK(has(err.message, "ecs:"));
  /* invalidate forgets the cache. */
  sw_creds_invalidate(p);
  clock_offset_s = 0;
  SW_CHECK_INT(sw_creds_get(p, &c, &err), -1);
  SW_CHECK_INT(leaked, 0);
  sw_log_set_handler(NULL, NULL);
  sw_creds_provider_free(p);
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
}

struct worker {
  struct sw_creds_provider *p;
  int rc;
  char akid[128];
};

static void *worker_main(void *arg) {
  struct worker *w = arg;
  struct sw_credentials c = {0};
  struct sw_error err;
  w->rc = sw_creds_get(w->p, &c, &err);
  memcpy(w->akid, c.access_key_id, sizeof(w->akid));
  sw_credentials_clean_up(&c);
  return NULL;
}

static void test_concurrent_callers_share_one_fetch(void) {
  struct sw_creds_opts o = {0};
  struct sw_creds_provider *p;
  struct sw_error err;
  struct sw_srv srv;
  struct worker w[8];
  pthread_t t[8];
  char url[96], *d = ecs_json("AKIDSHARED", 3600);
  reset_env();
  /* A slow answer, so every thread piles up behind the one fetch. */
  struct step steps[] = {{200, d, 300}, {0, NULL, 0}};
  int started = serve(&srv, steps, "/creds", url, sizeof(url), NULL);
  free(d);
  if (started != 0)
    SW_SKIP("scripted server did not start");
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
  p = sw_creds_provider_new(&o, &err);
  for (int i = 0; i < 8; i++) {
    w[i].p = p;
    w[i].rc = -5;
    pthread_create(&t[i], NULL, worker_main, &w[i]);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(t[i], NULL);
    SW_CHECK_INT(w[i].rc, 0);
    SW_CHECK_STR(w[i].akid, "AKIDSHARED");
  }
  SW_CHECK_INT(sw_creds_fetch_count(p), 1);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 1);
  json_object_put(reqs);
  sw_creds_provider_free(p);
  sw_srv_stop(&srv);
}

static void test_credentials_copy_and_clean_up(void) {
  struct sw_credentials a = {0}, b = {0};
  strcpy(a.access_key_id, "AKID");
  strcpy(a.secret_access_key, "SECRETVALUE");
  a.session_token = strdup("TOKENVALUE");
  a.expiration_s = 42;
  SW_CHECK_INT(sw_credentials_copy(&b, &a), 0);
  SW_CHECK(b.session_token != a.session_token);
  SW_CHECK_STR(b.session_token, "TOKENVALUE");
  SW_CHECK_INT(b.expiration_s, 42);
  sw_credentials_clean_up(&a);
  SW_CHECK(a.session_token == NULL && a.secret_access_key[0] == '\0');
  sw_credentials_clean_up(&b);
  sw_credentials_clean_up(NULL);
  sw_creds_provider_free(NULL);
  sw_creds_invalidate(NULL);
}

int main(void) {
  char cmd[128];
  snprintf(sandbox, sizeof(sandbox), "/tmp/sw-creds-XXXXXX");
  if (mkdtemp(sandbox) == NULL)
    return 1;
  sw_srv_isolate_env();
  sw_http_global_init();
  SW_RUN(test_parse_json_documents_table);
  SW_RUN(test_credprocess_split_like_a_shell);
  SW_RUN(test_credprocess_run_success_and_failures);
  SW_RUN(test_credprocess_timeout_kills_the_child);
  SW_RUN(test_static_options_come_first);
  SW_RUN(test_contradictory_options_are_refused);
  SW_RUN(test_env_variables_and_legacy_names);
  SW_RUN(test_nothing_found_lists_every_provider);
  SW_RUN(test_profiles_default_named_and_config_keys);
  SW_RUN(test_missing_named_profile_is_an_error_not_a_fallthrough);
  SW_RUN(test_profile_errors_are_reported);
  SW_RUN(test_credential_process_in_profile);
  SW_RUN(test_profile_choice_matches_botocore);
  SW_RUN(test_assume_role_option_on_top_of_chain);
  SW_RUN(test_assume_role_bad_answers_are_reported);
  SW_RUN(test_profile_role_chain_through_source_profiles);
  SW_RUN(test_self_source_profile_uses_own_keys);
  SW_RUN(test_web_identity_from_env_is_unsigned);
  SW_RUN(test_profile_web_identity_token_file);
  SW_RUN(test_credential_source_ecs_container_then_assume_role);
  SW_RUN(test_chain_ends_with_imds);
  SW_RUN(test_refresh_ahead_of_expiry_and_stale_fallback);
  SW_RUN(test_concurrent_callers_share_one_fetch);
  SW_RUN(test_credentials_copy_and_clean_up);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", sandbox);
  return sw_test_done();
}
