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

/* Replaces every "{sandbox}", "{url}" and "{pid}" in text (heap; free it). */
static char *expand(const char *text, const char *url) {
  char pid[24], *out = strdup(text), *next;
  snprintf(pid, sizeof(pid), "%ld", (long)getpid());
  const char *const pairs[][2] = {
      {"{sandbox}", sandbox}, {"{url}", url}, {"{pid}", pid}};
  for (size_t i = 0; i < 3; i++) {
    while (out && strstr(out, pairs[i][0])) {
      next = replace(out, pairs[i][0], pairs[i][1]);
      free(out);
      out = next;
    }
  }
  return out;
}

/* Sets each "NAME=value" of the first n (or up to a NULL) of env, the
 * value expanded. */
static void setenv_all(const char *const env[], size_t n, const char *url) {
  for (size_t i = 0; i < n && env[i]; i++) {
    char *kv = expand(env[i], url), *eq = kv ? strchr(kv, '=') : NULL;
    if (eq) {
      *eq = '\0';
      setenv(kv, eq + 1, 1);
    }
    free(kv);
  }
}

/* reset_env, then a container endpoint at <server>/creds answering the n
 * docs in order (freed here), each after delay_ms, and named by
 * AWS_CONTAINER_CREDENTIALS_FULL_URI. 0, or -1 when it did not start. */
static int start_ecs(struct sw_srv *srv, char *docs[], size_t n,
                     long delay_ms) {
  struct step steps[4];
  char url[96];
  int rc = -1;
  reset_env();
  for (size_t i = 0; i < n && i < 3; i++)
    steps[i] = (struct step){200, docs[i], delay_ms};
  steps[n < 3 ? n : 3] = (struct step){0, NULL, 0};
  if (n < 4 && serve(srv, steps, "/creds", url, sizeof(url), NULL) == 0) {
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    rc = 0;
  }
  for (size_t i = 0; i < n; i++)
    free(docs[i]);
  return rc;
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
  static const char *const env[] = {"AWS_ACCESS_KEY_ID=AKIDENV",
                                    "AWS_SECRET_ACCESS_KEY=s"};
  reset_env();
  setenv_all(env, 2, "");
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
  static const struct {
    const char *env[3];
    const char *credentials;
    const char *akid, *token;
    const char *error; /* or this error instead */
  } cases[] = {
      {{"AWS_ACCESS_KEY_ID=AKIDENV", "AWS_SECRET_ACCESS_KEY=s",
        "AWS_SESSION_TOKEN=tok"},
       NULL,
       "AKIDENV",
       "tok",
       NULL},
      {{"AWS_ACCESS_KEY=AKIDLEGACY", "AWS_SECRET_KEY=s"},
       NULL,
       "AKIDLEGACY",
       NULL,
       NULL},
      /* A key id without its secret is not completed from the file. */
      {{"AWS_ACCESS_KEY_ID=AKIDENV"},
       "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n",
       NULL,
       NULL,
       "partial"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_creds_opts o = {0};
    struct sw_credentials c = {0};
    struct sw_error err;
    reset_env();
    setenv_all(cases[i].env, 3, "");
    if (cases[i].credentials)
      write_file("credentials", cases[i].credentials);
    if (cases[i].error) {
      SW_CHECK_INT(get_once(&o, &c, &err), -1);
      SW_CHECK_INT(err.kind, SW_ERR_CREDENTIALS);
      SW_CHECK(has(err.message, cases[i].error));
      SW_CHECK(c.access_key_id[0] == '\0');
    } else {
      SW_CHECK_INT(get_once(&o, &c, &err), 0);
      SW_CHECK_STR(c.access_key_id, cases[i].akid);
      SW_CHECK_STR(c.session_token, cases[i].token);
      SW_CHECK_STR(c.provider, "env");
    }
    sw_credentials_clean_up(&c);
  }
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
  char *docs[] = {ecs_json("AKIDECS", 3600)};
  /* A working container endpoint later in the chain must not be used. */
  if (start_ecs(&srv, docs, 1, 0) != 0)
    SW_SKIP("scripted server did not start");
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

/* What request i the server saw must show. */
enum seen { BODY_HAS = 1, HEADER_HAS, NO_HEADER, PATH_IS, SIG_OK };
struct want_req {
  enum seen what;
  size_t i;
  const char *name; /* header name, or NULL */
  const char *text; /* expanded */
};

/* One credential source ending in an STS role: what is configured and what
 * the STS (or container) endpoint, scripted, must have been asked. */
struct sts_case {
  const char *name;
  const char *answers[3]; /* "sts:AKID", "web:AKID" (web identity), or
                             "ecs:AKID" (container endpoint) */
  const char *verify_secret;
  const char *config, *credentials, *token; /* files (expanded) */
  const char *env[5];                       /* "NAME=value" (expanded) */
  const char *profile, *role_arn, *external_id, *region;
  const char *akid, *provider;
  size_t n_requests;
  struct want_req seen[10];
  const char *unset, *then_error; /* unset that variable: this error */
};

static const struct sts_case sts_cases[] = {
    {.name = "assume-role option on top of the chain",
     .answers = {"sts:ASIAASSUMED"},
     .verify_secret = "s",
     .env = {"AWS_ACCESS_KEY_ID=AKIDSOURCE", "AWS_SECRET_ACCESS_KEY=s"},
     .role_arn = "arn:aws:iam::123456789012:role/demo",
     .external_id = "ext-123",
     .region = "us-east-1",
     .akid = "ASIAASSUMED",
     .provider = "assume-role",
     .n_requests = 1,
     .seen = {{BODY_HAS, 0, NULL, "Action=AssumeRole"},
              {BODY_HAS, 0, NULL,
               "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"},
              {BODY_HAS, 0, NULL, "ExternalId=ext-123"},
              {BODY_HAS, 0, NULL, "RoleSessionName=secretwatch-{pid}"},
              {BODY_HAS, 0, NULL, "DurationSeconds=3600"},
              {HEADER_HAS, 0, "Authorization", "Credential=AKIDSOURCE/"},
              /* botocore, signing independently with the source secret,
               * agrees. */
              {SIG_OK, 0, NULL, NULL}}},
    {.name = "a role chain through source profiles",
     .answers = {"sts:ASIAFIRST", "sts:ASIASECOND"},
     .config = "[profile top]\n"
               "role_arn = arn:aws:iam::222222222222:role/top\n"
               "source_profile = middle\n"
               "external_id = ext-top\n"
               "role_session_name = sess-top\n"
               "duration_seconds = 900\n"
               "region = eu-west-1\n"
               "[profile middle]\n"
               "role_arn = arn:aws:iam::111111111111:role/middle\n"
               "source_profile = base\n",
     .credentials = "[base]\naws_access_key_id = AKIDBASE\n"
                    "aws_secret_access_key = s\n",
     .profile = "top",
     .akid = "ASIASECOND",
     .n_requests = 2,
     .seen = {{BODY_HAS, 0, NULL, "role%2Fmiddle"},
              {HEADER_HAS, 0, "Authorization", "Credential=AKIDBASE/"},
              {BODY_HAS, 1, NULL, "role%2Ftop"},
              {BODY_HAS, 1, NULL, "ExternalId=ext-top"},
              {BODY_HAS, 1, NULL, "RoleSessionName=sess-top"},
              {BODY_HAS, 1, NULL, "DurationSeconds=900"},
              {HEADER_HAS, 1, "Authorization", "Credential=ASIAFIRST/"},
              {HEADER_HAS, 1, "Authorization", "/eu-west-1/sts/"}}},
    {.name = "a profile naming itself as source_profile uses its own keys",
     .answers = {"sts:ASIASELF"},
     .verify_secret = "s",
     .config = "[profile me]\nrole_arn = arn:aws:iam::1:role/me\n"
               "source_profile = me\n",
     .credentials = "[me]\naws_access_key_id = AKIDME\n"
                    "aws_secret_access_key = s\n",
     .profile = "me",
     .akid = "ASIASELF",
     .n_requests = 1,
     .seen = {{HEADER_HAS, 0, "Authorization", "Credential=AKIDME/"},
              {SIG_OK, 0, NULL, NULL}}},
    {.name = "web identity from the environment is unsigned",
     .answers = {"web:ASIAWEB"},
     .token = "eyJhbGciOiJSUzI1NiJ9.payload.sig\n",
     .env = {"AWS_WEB_IDENTITY_TOKEN_FILE={sandbox}/token",
             "AWS_ROLE_ARN=arn:aws:iam::123456789012:role/web",
             "AWS_ROLE_SESSION_NAME=pod-1", "AWS_REGION=us-west-2"},
     .akid = "ASIAWEB",
     .provider = "web-identity",
     .n_requests = 1,
     .seen = {{BODY_HAS, 0, NULL, "Action=AssumeRoleWithWebIdentity"},
              {BODY_HAS, 0, NULL,
               "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig"},
              {BODY_HAS, 0, NULL, "RoleSessionName=pod-1"},
              {NO_HEADER, 0, "Authorization", NULL}},
     /* Only one of the two variables: skipped, with the reason. */
     .unset = "AWS_ROLE_ARN",
     .then_error = "web-identity: AWS_ROLE_ARN not set"},
    {.name = "a profile's web_identity_token_file",
     .answers = {"web:ASIAWEBPROF"},
     .token = "jwt-from-profile",
     .config = "[profile w]\nrole_arn = arn:aws:iam::1:role/w\n"
               "web_identity_token_file = {sandbox}/token\n"
               "region = us-west-2\n",
     .profile = "w",
     .akid = "ASIAWEBPROF",
     .provider = "web-identity",
     .n_requests = 1,
     .seen = {{BODY_HAS, 0, NULL, "WebIdentityToken=jwt-from-profile"},
              {NO_HEADER, 0, "Authorization", NULL}}},
    /* credential_source = EcsContainer: the container endpoint's
     * credentials sign the AssumeRole call (one server plays both). */
    {.name = "credential_source EcsContainer then assume-role",
     .answers = {"ecs:AKIDECSSRC", "sts:ASIAFROMECS"},
     .config = "[default]\nrole_arn = arn:aws:iam::1:role/x\n"
               "credential_source = EcsContainer\n",
     .env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI={url}/creds",
             "AWS_REGION=us-east-1"},
     .akid = "ASIAFROMECS",
     .provider = "assume-role",
     .n_requests = 2,
     .seen = {{PATH_IS, 0, NULL, "/creds"},
              {HEADER_HAS, 1, "Authorization", "Credential=AKIDECSSRC/"},
              {HEADER_HAS, 1, "X-Amz-Security-Token", "t"}}},
};

/* The scripted answers of k into steps (bodies on the heap: free_steps).
 * -1 when the STS sample is not available. */
static int sts_steps(const struct sts_case *k, struct step *steps) {
  size_t n = 0;
  for (; n < 3 && k->answers[n]; n++) {
    const char *kind = k->answers[n], *akid = kind + 4;
    char *body = strncmp(kind, "ecs:", 4) == 0
                     ? ecs_json(akid, 900)
                     : sts_answer(akid, strncmp(kind, "web:", 4) == 0);
    steps[n] = (struct step){200, body, 0};
    if (body == NULL) {
      steps[n].status = 0;
      return -1;
    }
  }
  steps[n] = (struct step){0, NULL, 0};
  return 0;
}

static void free_steps(struct step *steps) {
  for (size_t i = 0; steps[i].status; i++)
    free((char *)steps[i].body);
}

/* Writes k's files and variables, expanded, after reset_env. */
static void sts_configure(const struct sts_case *k, const char *url) {
  const char *const files[][2] = {{"config", k->config},
                                  {"credentials", k->credentials},
                                  {"token", k->token}};
  for (size_t i = 0; i < 3; i++) {
    char *text = files[i][1] ? expand(files[i][1], url) : NULL;
    if (text)
      write_file(files[i][0], text);
    free(text);
  }
  setenv_all(k->env, 5, url);
}

/* Checks what request w.i showed against w. */
static void check_seen(struct json_object *reqs, const struct want_req *w,
                       const char *url) {
  struct json_object *r = json_object_array_get_idx(reqs, w->i);
  char *text = w->text ? expand(w->text, url) : NULL;
  switch (w->what) {
  case BODY_HAS:
    SW_CHECK(text && has(req_body(reqs, w->i), text));
    break;
  case HEADER_HAS:
    SW_CHECK(text && has(sw_srv_header(reqs, w->i, w->name), text));
    break;
  case NO_HEADER:
    SW_CHECK(sw_srv_header(reqs, w->i, w->name) == NULL);
    break;
  case PATH_IS:
    SW_CHECK_STR(sw_json_str(r, "path"), text);
    break;
  case SIG_OK: {
    int ok = 0;
    SW_CHECK(sw_json_bool(r, "sig_ok", &ok) == 0 && ok);
    break;
  }
  }
  free(text);
}

/* The STS answer's credentials (the sample's secret and token) came
 * through, with the future expiry sts_answer gave them. */
static void check_sts_credentials(const struct sts_case *k,
                                  const struct sw_credentials *c) {
  SW_CHECK_STR(c->access_key_id, k->akid);
  SW_CHECK_STR(c->secret_access_key,
               "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  SW_CHECK(c->session_token &&
           strncmp(c->session_token, "AQoDYXdzEPT", 11) == 0);
  SW_CHECK(c->expiration_s > time(NULL) + 3000);
  if (k->provider)
    SW_CHECK_STR(c->provider, k->provider);
}

/* Runs case k against a scripted server; 1 when it could not start. */
static int run_sts_case(const struct sts_case *k) {
  struct sw_creds_opts o = {.profile = k->profile,
                            .role_arn = k->role_arn,
                            .external_id = k->external_id,
                            .region = k->region};
  struct sw_credentials c = {0};
  struct sw_error err;
  struct sw_srv srv;
  struct step steps[4];
  char url[64];
  int started;
  reset_env();
  started = sts_steps(k, steps) == 0 &&
            serve(&srv, steps, "", url, sizeof(url), k->verify_secret) == 0;
  free_steps(steps);
  if (!started)
    return 1;
  sts_configure(k, url);
  o.endpoint_url = url;
  SW_CHECK_INT(get_once(&o, &c, &err), 0);
  if (err.message[0])
    fprintf(stderr, "%s\n", err.message);
  check_sts_credentials(k, &c);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), k->n_requests);
  for (size_t i = 0; i < 10 && k->seen[i].what; i++)
    check_seen(reqs, &k->seen[i], url);
  json_object_put(reqs);
  if (k->unset) {
    unsetenv(k->unset);
    SW_CHECK_INT(get_once(&o, &c, &err), -1);
    SW_CHECK(k->then_error && has(err.message, k->then_error));
  }
  sw_credentials_clean_up(&c);
  sw_srv_stop(&srv);
  return 0;
}

static void test_sts_sources_ask_for_the_right_role(void) {
  for (size_t i = 0; i < sizeof(sts_cases) / sizeof(sts_cases[0]); i++) {
    int failed_before = sw_t_cur_failed;
    sw_t_cur_failed = 0;
    if (run_sts_case(&sts_cases[i]) != 0)
      SW_SKIP("STS fixture or scripted server not available");
    if (sw_t_cur_failed)
      fprintf(stderr, "  (case: %s)\n", sts_cases[i].name);
    sw_t_cur_failed |= failed_before;
  }
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
  char *docs[] = {ecs_json("AKIDONE", 3600), ecs_json("AKIDTWO", 3600)};
  int leaked = 0;
  if (start_ecs(&srv, docs, 2, 0) != 0)
    SW_SKIP("scripted server did not start");
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
  char *docs[] = {ecs_json("AKIDSHARED", 3600)};
  /* A slow answer, so every thread piles up behind the one fetch. */
  if (start_ecs(&srv, docs, 1, 300) != 0)
    SW_SKIP("scripted server did not start");
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
  SW_RUN(test_sts_sources_ask_for_the_right_role);
  SW_RUN(test_assume_role_bad_answers_are_reported);
  SW_RUN(test_chain_ends_with_imds);
  SW_RUN(test_refresh_ahead_of_expiry_and_stale_fallback);
  SW_RUN(test_concurrent_callers_share_one_fetch);
  SW_RUN(test_credentials_copy_and_clean_up);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sandbox);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", sandbox);
  return sw_test_done();
}
