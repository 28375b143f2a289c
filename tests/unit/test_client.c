/* lib/client.c end to end against a scripted loopback server: signing and
 * protocol headers on the wire, retries (throttling, 5xx, resets, timeouts),
 * no retry on 4xx, the response cap, clock skew correction, expired tokens,
 * keep-alive, AWS query and S3 REST requests. */
#include "lib/client.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/xml.h"
#include "scripted_server.h"
#include "sw_test.h"

#include <math.h>

static long sleeps[16];
static int n_sleeps;

static void fake_sleep(long ms) {
  if (n_sleeps < 16)
    sleeps[n_sleeps] = ms;
  n_sleeps++;
}

/* Everything lib/ logs during the tests, to prove no secret is in it. */
static struct sw_buf log_text;

static void capture_log(enum sw_log_level level, const char *msg, void *ctx) {
  (void)ctx;
  sw_buf_printf(&log_text, "%d %s\n", (int)level, msg);
}

static struct sw_call_info last_info;
static struct sw_error last_info_err;
static int n_calls;

static void observe(const struct sw_call_info *info, void *ctx) {
  (void)ctx;
  last_info = *info;
  if (info->err) {
    last_info_err = *info->err;
    last_info.err = &last_info_err;
  }
  n_calls++;
}

/* Generous: the machine running the tests may be busy. */
#define LOOPBACK_TIMEOUT_MS 20000

#define SECRET_KEY "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

struct fixture {
  struct sw_srv srv;
  struct sw_creds_provider *creds;
  struct sw_client *c;
  char url[64];
};

/* Starts a server with script and a client pointed at it, with long-term
 * keys or (token set) temporary credentials. */
static int setup_creds(struct fixture *f, const char *script, long timeout_ms,
                       size_t max_bytes, const char *token) {
  struct sw_error err;
  struct sw_creds_opts co = {.access_key_id = "AKIDEXAMPLE",
                             .secret_access_key = SECRET_KEY,
                             .session_token = token};
  memset(f, 0, sizeof(*f));
  if (sw_srv_start(&f->srv, script, NULL, NULL, SECRET_KEY) != 0)
    return -1;
  snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->srv.port);
  sw_error_clear(&err);
  f->creds = sw_creds_provider_new(&co, &err);
  struct sw_client_opts o = {.region = "us-east-1",
                             .endpoint_url = f->url,
                             .timeout_ms = timeout_ms,
                             .max_response_bytes = max_bytes,
                             .creds = f->creds};
  f->c = sw_client_new(&o, &err);
  if (f->creds == NULL || f->c == NULL) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  sw_client_set_sleep(f->c, fake_sleep);
  sw_client_set_observer(f->c, observe, NULL);
  n_sleeps = 0;
  n_calls = 0;
  memset(&last_info, 0, sizeof(last_info));
  return 0;
}

/* Every request that reached the server carries a signature that botocore's
 * signer (an independent implementation) computes the same over the request
 * as it arrived: what was signed is what was sent. */
static void check_signatures(struct fixture *f) {
  struct json_object *reqs = sw_srv_requests(&f->srv);
  for (size_t i = 0; i < json_object_array_length(reqs); i++) {
    struct json_object *r = json_object_array_get_idx(reqs, i);
    int ok = 0;
    SW_CHECK_INT(sw_json_bool(r, "sig_ok", &ok), 0);
    SW_CHECK_INT(ok, 1);
    if (!ok)
      fprintf(stderr, "  request %zu: %s\n", i, sw_json_str(r, "sig_error"));
  }
  json_object_put(reqs);
}

static int setup(struct fixture *f, const char *script, long timeout_ms,
                 size_t max_bytes) {
  return setup_creds(f, script, timeout_ms, max_bytes, NULL);
}

static void teardown(struct fixture *f) {
  check_signatures(f);
  sw_client_free(f->c);
  sw_creds_provider_free(f->creds);
  sw_srv_stop(&f->srv);
}

static size_t n_requests(struct fixture *f) {
  struct json_object *r = sw_srv_requests(&f->srv);
  size_t n = json_object_array_length(r);
  json_object_put(r);
  return n;
}

static void test_json_call_signed_with_protocol_headers(void) {
  struct fixture f;
  if (setup(&f,
            "[{\"body\":\"{\\\"Events\\\":[],\\\"NextToken\\\":\\\"t\\\"}\","
            "\"headers\":{\"Content-Type\":\"application/x-amz-json-1.1\"}}]",
            LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  struct json_object *out = NULL;
  struct sw_error err;
  double t0 = sw_time_now();
  SW_CHECK_INT(sw_client_json(f.c, SW_SVC_CLOUDTRAIL, "LookupEvents",
                              "{\"MaxResults\":50}", &out, &err),
               0);
  SW_CHECK_STR(sw_json_str(out, "NextToken"), "t");
  json_object_put(out);

  struct json_object *reqs = sw_srv_requests(&f.srv);
  struct json_object *r0 = json_object_array_get_idx(reqs, 0);
  SW_CHECK_STR(sw_json_str(r0, "method"), "POST");
  SW_CHECK_STR(sw_json_str(r0, "path"), "/");
  SW_CHECK_STR(sw_json_str(r0, "body"), "{\"MaxResults\":50}");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "X-Amz-Target"),
               "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
               "LookupEvents");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "Content-Type"),
               "application/x-amz-json-1.1");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "Host"), f.url + 7);
  SW_CHECK_STR(sw_srv_header(reqs, 0, "User-Agent"), "secretwatch/" SW_VERSION);
  const char *auth = sw_srv_header(reqs, 0, "Authorization");
  SW_CHECK(auth &&
           strncmp(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 40) == 0);
  SW_CHECK(auth && strstr(auth, "/us-east-1/cloudtrail/aws4_request") != NULL);
  SW_CHECK(auth && strstr(auth, "x-amz-target") != NULL);
  SW_CHECK(auth && strstr(auth, "host") != NULL);
  /* The secret key never goes on the wire. */
  SW_CHECK(auth && strstr(auth, "wJalrXUtnFEMI") == NULL);
  double sent_s = 0;
  SW_CHECK_INT(
      sw_time_parse_iso8601(sw_srv_header(reqs, 0, "X-Amz-Date"), &sent_s), 0);
  SW_CHECK(fabs(sent_s - t0) < 5);
  json_object_put(reqs);

  SW_CHECK_INT(n_calls, 1);
  SW_CHECK_INT(last_info.attempts, 1);
  SW_CHECK_INT(last_info.failed, 0);
  SW_CHECK(last_info.err == NULL);
  SW_CHECK_INT(last_info.service, SW_SVC_CLOUDTRAIL);
  SW_CHECK_STR(last_info.operation, "LookupEvents");
  SW_CHECK(last_info.latency_ms >= 0);
  teardown(&f);
}

/* ---- one call, one scripted server: retries, errors, caps -------------- */

/* An expected count, or 0 (the default) for "not checked". */
#define WANT(n) ((n) + 1)

/* One call against a script and what the client must make of it. Counters
 * hold WANT(n) or 0; strings NULL are not checked. */
struct call_case {
  const char *name; /* the behaviour protected */
  const char *script;
  const char *op, *body;
  const char *out; /* success: the answer (JSON calls) */
  const char *code, *message, *message_has, *request_id;
  struct {
    const char *name, *value, *value_has;
  } headers[4];        /* on request 0 */
  long timeout_ms;     /* 0: LOOPBACK_TIMEOUT_MS */
  long max_elapsed_ms; /* 0: not checked */
  size_t max_bytes;    /* 0: the client's default cap */
  double offset_s;     /* with check_offset: the learnt clock offset */
  enum sw_service svc;
  enum sw_err_kind kind; /* failure: the error kind */
  int query;             /* 1: AWS query (XML) call, 0: AWS JSON */
  int rc;
  int http_status, requests, attempts, throttled, sleeps;
  int http_requests, connections, clock_skew;
  int check_offset;
};

#define ERR_JSON(type, msg)                                              \
  "\"body\":\"{\\\"__type\\\":\\\"" type "\\\",\\\"message\\\":\\\"" msg \
  "\\\"}\""
#define THROTTLE_JSON \
  "{\"status\":400," ERR_JSON("ThrottlingException", "Rate exceeded") "}"
#define QUERY_ERROR(status, offset, code, msg)                  \
  "{\"status\":" status ",\"date_offset_s\":" offset            \
  ",\"body\":\"<ErrorResponse><Error><Code>" code "</Code>" msg \
  "</Error></ErrorResponse>\"}"
#define EXPIRED_TOKEN                                                   \
  QUERY_ERROR("400", "0", "ExpiredToken",                               \
              "<Message>The security token included in the request is " \
              "expired</Message>")
#define REQUEST_EXPIRED QUERY_ERROR("400", "-900", "RequestExpired", "")

static const struct call_case call_cases[] = {
    {.name = "an unparseable JSON success is a failed call",
     .script = "[{\"body\":\"[1,2]\"}]",
     .svc = SW_SVC_LOGS,
     .op = "DescribeLogGroups",
     .body = "{}",
     .rc = -1,
     .kind = SW_ERR_PARSE,
     .attempts = WANT(1)},
    {.name = "an unparseable XML success is a failed call",
     .script = "[{\"body\":\"<a><b></a>\"}]",
     .query = 1,
     .svc = SW_SVC_SNS,
     .op = "ListTopics",
     .rc = -1,
     .kind = SW_ERR_PARSE,
     .attempts = WANT(1)},
    {.name = "throttled twice then ok takes three attempts",
     .script = "[" THROTTLE_JSON "," THROTTLE_JSON ",{\"body\":\"{}\"}]",
     .svc = SW_SVC_LOGS,
     .op = "FilterLogEvents",
     .body = NULL,
     .rc = 0,
     .out = "{}",
     .requests = WANT(3),
     .attempts = WANT(3),
     .throttled = WANT(2),
     .sleeps = WANT(2)},
    {.name = "three throttles give up",
     .script = "[" THROTTLE_JSON "," THROTTLE_JSON "," THROTTLE_JSON
               ",{\"body\":\"{}\"}]",
     .svc = SW_SVC_LOGS,
     .op = "FilterLogEvents",
     .body = "{}",
     .rc = -1,
     .kind = SW_ERR_THROTTLED,
     .code = "ThrottlingException",
     .http_status = WANT(400),
     .requests = WANT(3),
     .attempts = WANT(3),
     .throttled = WANT(3),
     .sleeps = WANT(2)},
    {.name = "a server error then ok is retried",
     .script = "[{\"status\":500,\"body\":\"{\\\"__type\\\":"
               "\\\"InternalFailure\\\"}\"},{\"status\":503,\"body\":\"<html>"
               "\"},{\"body\":\"{}\"}]",
     .svc = SW_SVC_SECRETSMANAGER,
     .op = "ListSecrets",
     .body = "{}",
     .rc = 0,
     .out = "{}",
     .requests = WANT(3),
     .attempts = WANT(3),
     .throttled = WANT(0)},
    {.name = "a validation error is not retried",
     .script = "[{\"status\":400,\"headers\":{\"x-amzn-RequestId\":\"rid-7\"}"
               "," ERR_JSON("com.amazon.coral.validate#ValidationException",
                            "1 validation error") "},{\"body\":\"{}\"}]",
     .svc = SW_SVC_SECRETSMANAGER,
     .op = "GetSecretValue",
     .body = "{}",
     .rc = -1,
     .kind = SW_ERR_VALIDATION,
     .code = "ValidationException",
     .message = "1 validation error",
     .request_id = "rid-7",
     .requests = WANT(1),
     .sleeps = WANT(0),
     .attempts = WANT(1)},
    {.name = "a reset mid-body is retried on a new connection",
     .script =
         "[{\"reset_mid_body\":true,\"body\":\"{\\\"Events\\\":[1,2,3,4,5,"
         "6,7,8,9]}\"},{\"body\":\"{\\\"ok\\\":true}\"}]",
     .svc = SW_SVC_CLOUDTRAIL,
     .op = "LookupEvents",
     .body = "{}",
     .rc = 0,
     .out = "{\"ok\":true}",
     .attempts = WANT(2),
     .http_requests = WANT(2),
     .connections = WANT(2)},
    {.name = "a timeout is a network error after retries",
     .script = "[{\"delay_ms\":5000},{\"delay_ms\":5000},{\"delay_ms\":5000}]",
     .timeout_ms = 250,
     .svc = SW_SVC_LOGS,
     .op = "DescribeLogGroups",
     .body = "{}",
     .rc = -1,
     .kind = SW_ERR_NETWORK,
     .message_has = "timed out",
     .http_status = WANT(0),
     .attempts = WANT(3),
     .max_elapsed_ms = 4500},
    {.name = "an oversized answer is capped, not retried",
     .script = "[{\"body_bytes\":4096},{\"body\":\"{}\"}]",
     .max_bytes = 1024,
     .svc = SW_SVC_LOGS,
     .op = "DescribeLogGroups",
     .body = "{}",
     .rc = -1,
     .kind = SW_ERR_INTERNAL,
     .message_has = "response larger than 1024 bytes",
     .attempts = WANT(1)},
    {.name = "a skew is corrected only once",
     .script = "[" REQUEST_EXPIRED "," REQUEST_EXPIRED "," REQUEST_EXPIRED "]",
     .query = 1,
     .svc = SW_SVC_STS,
     .op = "GetCallerIdentity",
     .rc = -1,
     .kind = SW_ERR_AUTH,
     .clock_skew = WANT(1),
     .requests = WANT(2),
     .check_offset = 1,
     .offset_s = -900},
    {.name = "an expired token refreshes and retries once",
     .script = "[" EXPIRED_TOKEN "," EXPIRED_TOKEN "," EXPIRED_TOKEN "]",
     .query = 1,
     .svc = SW_SVC_SNS,
     .op = "ListTopics",
     .rc = -1,
     .kind = SW_ERR_AUTH,
     .code = "ExpiredToken",
     .requests = WANT(2),
     .sleeps = WANT(0)},
    {.name = "CloudWatch JSON 1.0 reads the query-compatible error code",
     .script = "[{\"status\":400,\"headers\":{\"x-amzn-query-error\":"
               "\"InvalidParameterValue;Sender\"}," ERR_JSON(
                   "com.amazonaws.cloudwatch#InvalidParameterValueException",
                   "bad") "}]",
     .svc = SW_SVC_CLOUDWATCH,
     .op = "GetMetricData",
     .body = "{}",
     .rc = -1,
     .kind = SW_ERR_VALIDATION,
     .code = "InvalidParameterValue",
     .headers = {{"x-amzn-query-mode", "true", NULL},
                 {"Content-Type", "application/x-amz-json-1.0", NULL},
                 {"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData",
                  NULL},
                 {"Authorization", NULL, "/monitoring/aws4_request"}}},
};

/* Stands for "not set" in an out-parameter: the client must overwrite it. */
static char untouched;

/* Makes the call of k; 0 or -1 as the client answered. *answer is the JSON
 * answer, or for a query call an empty object standing for the parsed XML
 * (json_object_put it), NULL on failure, or &untouched when the client left
 * it as it was. */
static int make_call(struct fixture *f, const struct call_case *k,
                     struct json_object **answer, struct sw_error *err) {
  xmlDoc *doc = (xmlDoc *)&untouched;
  int rc;
  *answer = (struct json_object *)&untouched;
  if (!k->query)
    return sw_client_json(f->c, k->svc, k->op, k->body, answer, err);
  rc = sw_client_query(f->c, k->svc, k->op, NULL, &doc, err);
  if (doc == (xmlDoc *)&untouched) {
    *answer = (struct json_object *)&untouched;
  } else {
    *answer = doc ? json_object_new_object() : NULL;
    xmlFreeDoc(doc);
  }
  return rc;
}

/* The checks every case gets, whatever it expects. */
static void check_call_outcome(const struct call_case *k, int rc,
                               struct json_object *answer,
                               const struct sw_error *err) {
  SW_CHECK_INT(rc, k->rc);
  SW_CHECK_INT(n_calls, 1);
  SW_CHECK_INT(last_info.failed, k->rc != 0);
  SW_CHECK_INT(last_info.service, k->svc);
  SW_CHECK_STR(last_info.operation, k->op);
  if (k->rc == 0) {
    SW_CHECK(answer != NULL);
    SW_CHECK(last_info.err == NULL);
  } else {
    SW_CHECK(answer == NULL);
    SW_CHECK_INT(err->kind, k->kind);
    SW_CHECK(last_info.err && last_info.err->kind == k->kind);
  }
  if (k->out) {
    struct json_object *want = sw_json_parse(k->out, strlen(k->out), NULL);
    SW_CHECK(want != NULL && answer != (struct json_object *)&untouched &&
             json_object_equal(answer, want));
    json_object_put(want);
  }
  /* Full jitter: each backoff below 100 ms doubled per retry. */
  for (int i = 0; i < n_sleeps && i < 16; i++)
    SW_CHECK(sleeps[i] >= 0 && sleeps[i] < (100L << i));
}

/* The checks a case asks for. */
static void check_call_details(struct fixture *f, const struct call_case *k,
                               const struct sw_error *err, long long ms) {
  if (k->message_has)
    SW_CHECK(strstr(err->message, k->message_has) != NULL);
  if (k->code)
    SW_CHECK_STR(err->code, k->code);
  if (k->message)
    SW_CHECK_STR(err->message, k->message);
  if (k->request_id)
    SW_CHECK_STR(err->request_id, k->request_id);
  if (k->http_status)
    SW_CHECK_INT(err->http_status, k->http_status - 1);
  if (k->clock_skew)
    SW_CHECK_INT(err->clock_skew, k->clock_skew - 1);
  if (k->requests)
    SW_CHECK_INT(n_requests(f), k->requests - 1);
  if (k->attempts)
    SW_CHECK_INT(last_info.attempts, k->attempts - 1);
  if (k->throttled)
    SW_CHECK_INT(last_info.throttled, k->throttled - 1);
  if (k->sleeps)
    SW_CHECK_INT(n_sleeps, k->sleeps - 1);
  if (k->max_elapsed_ms)
    SW_CHECK(ms < k->max_elapsed_ms);
  if (k->check_offset)
    SW_CHECK(fabs(sw_client_clock_offset(f->c) - k->offset_s) < 3);
  if (k->http_requests || k->connections) {
    struct sw_http_stats st;
    sw_client_http_stats(f->c, &st);
    if (k->http_requests)
      SW_CHECK_INT(st.requests, k->http_requests - 1);
    if (k->connections)
      SW_CHECK_INT(st.connections, k->connections - 1);
  }
  struct json_object *reqs = k->headers[0].name ? sw_srv_requests(&f->srv) : 0;
  for (size_t i = 0; i < 4 && k->headers[i].name; i++) {
    const char *v = sw_srv_header(reqs, 0, k->headers[i].name);
    if (k->headers[i].value)
      SW_CHECK_STR(v, k->headers[i].value);
    if (k->headers[i].value_has)
      SW_CHECK(v && strstr(v, k->headers[i].value_has) != NULL);
  }
  json_object_put(reqs);
}

static void test_single_calls_retry_or_fail_as_classified(void) {
  for (size_t i = 0; i < sizeof(call_cases) / sizeof(call_cases[0]); i++) {
    const struct call_case *k = &call_cases[i];
    struct fixture f;
    struct json_object *answer = NULL;
    struct sw_error err;
    int failed_before = sw_t_cur_failed;
    if (setup(&f, k->script,
              k->timeout_ms ? k->timeout_ms : LOOPBACK_TIMEOUT_MS,
              k->max_bytes) != 0)
      SW_SKIP("no scripted server");
    sw_t_cur_failed = 0;
    long long t0 = sw_time_mono_ms();
    int rc = make_call(&f, k, &answer, &err);
    long long ms = sw_time_mono_ms() - t0;
    check_call_outcome(k, rc, answer, &err);
    check_call_details(&f, k, &err, ms);
    if (answer != (struct json_object *)&untouched)
      json_object_put(answer);
    teardown(&f);
    if (sw_t_cur_failed)
      fprintf(stderr, "  (case: %s)\n", k->name);
    sw_t_cur_failed |= failed_before;
  }
}

static void test_clock_skew_is_corrected_and_retried_once(void) {
  struct fixture f;
  /* The server's clock is 20 minutes ahead of ours. */
  if (setup(&f,
            "[{\"status\":403,\"date_offset_s\":1200,\"body\":\"<Error><Code>"
            "RequestTimeTooSkewed</Code><Message>The difference between the "
            "request time and the current time is too large.</Message>"
            "</Error>\"},{\"date_offset_s\":1200,\"body\":\"<ListAllMyBuckets"
            "Result><Buckets/></ListAllMyBucketsResult>\"}]",
            LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  struct sw_rest_request req = {.method = "GET"};
  struct sw_http_response resp;
  struct sw_error err;
  sw_http_response_init(&resp);
  double t0 = sw_time_now();
  SW_CHECK_INT(sw_client_rest(f.c, SW_SVC_S3, &req, &resp, &err), 0);
  SW_CHECK_INT(resp.status, 200);
  SW_CHECK(strstr(sw_buf_cstr(&resp.body), "ListAllMyBuckets") != NULL);
  SW_CHECK(fabs(sw_client_clock_offset(f.c) - 1200) < 3);
  SW_CHECK_INT(last_info.attempts, 2);
  SW_CHECK_INT(n_sleeps, 0);

  struct json_object *reqs = sw_srv_requests(&f.srv);
  SW_CHECK_INT(json_object_array_length(reqs), 2);
  double d0 = 0, d1 = 0;
  SW_CHECK_INT(sw_time_parse_iso8601(sw_srv_header(reqs, 0, "X-Amz-Date"), &d0),
               0);
  SW_CHECK_INT(sw_time_parse_iso8601(sw_srv_header(reqs, 1, "X-Amz-Date"), &d1),
               0);
  SW_CHECK(fabs(d0 - t0) < 5);
  SW_CHECK(fabs(d1 - (t0 + 1200)) < 5);
  json_object_put(reqs);
  sw_http_response_clean_up(&resp);
  teardown(&f);
}

static void test_signature_mismatch_is_a_skew_only_with_clocks_apart(void) {
  struct fixture f;
  const char *a = QUERY_ERROR("403", "600", "SignatureDoesNotMatch", "");
  char script[1024];
  /* 10 minutes apart: corrected and retried; then, with the corrected
   * clock in sync with the server's, a mismatch means a wrong key: not
   * retried. */
  snprintf(script, sizeof(script), "[%s,{\"body\":\"<R/>\"},%s,%s]", a, a, a);
  if (setup(&f, script, LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  xmlDoc *doc = NULL;
  struct sw_error err;
  SW_CHECK_INT(sw_client_query(f.c, SW_SVC_IAM, "GetUser", NULL, &doc, &err),
               0);
  xmlFreeDoc(doc);
  SW_CHECK_INT(last_info.attempts, 2);
  SW_CHECK(fabs(sw_client_clock_offset(f.c) - 600) < 3);
  doc = NULL;
  SW_CHECK_INT(sw_client_query(f.c, SW_SVC_IAM, "GetUser", NULL, &doc, &err),
               -1);
  SW_CHECK_STR(err.code, "SignatureDoesNotMatch");
  SW_CHECK_INT(err.kind, SW_ERR_AUTH);
  SW_CHECK_INT(last_info.attempts, 1);
  SW_CHECK_INT(n_requests(&f), 3);
  teardown(&f);
}

static void test_keep_alive_across_calls(void) {
  struct fixture f;
  if (setup(&f,
            "[{\"body\":\"{}\"},{\"body\":\"{}\"},{\"body\":\"{}\"},{\"body\":"
            "\"{}\"},{\"body\":\"{}\"}]",
            LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  for (int i = 0; i < 5; i++) {
    struct json_object *out = NULL;
    struct sw_error err;
    SW_CHECK_INT(
        sw_client_json(f.c, SW_SVC_LOGS, "DescribeLogGroups", "{}", &out, &err),
        0);
    json_object_put(out);
  }
  struct sw_http_stats st;
  sw_client_http_stats(f.c, &st);
  SW_CHECK_INT(st.requests, 5);
  SW_CHECK_INT(st.connections, 1);
  struct json_object *reqs = sw_srv_requests(&f.srv);
  int64_t conn = 0;
  sw_json_int64(json_object_array_get_idx(reqs, 4), "conn", &conn);
  SW_CHECK_INT(conn, 1);
  json_object_put(reqs);
  SW_CHECK_INT(n_calls, 5);
  teardown(&f);
}

static void test_query_call_and_error(void) {
  struct fixture f;
  if (setup(&f,
            "[{\"body\":\"<GetCallerIdentityResponse><GetCallerIdentityResult>"
            "<Account>123456789012</Account></GetCallerIdentityResult>"
            "</GetCallerIdentityResponse>\"},{\"status\":404,\"body\":\""
            "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity"
            "</Code><Message>The user with name x cannot be found.</Message>"
            "</Error><RequestId>r-404</RequestId></ErrorResponse>\"}]",
            LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  struct sw_params p;
  xmlDoc *doc = NULL;
  struct sw_error err;
  sw_params_init(&p);
  SW_CHECK_INT(sw_params_add(&p, "Tag.member.1.Key", "a b"), 0);
  SW_CHECK_INT(sw_params_addf(&p, "DurationSeconds", "%d", 900), 0);
  SW_CHECK_INT(
      sw_client_query(f.c, SW_SVC_STS, "GetCallerIdentity", &p, &doc, &err), 0);
  char acct[32] = "";
  sw_xml_path_copy(sw_xml_root(doc), "GetCallerIdentityResult/Account", acct,
                   sizeof(acct));
  SW_CHECK_STR(acct, "123456789012");
  xmlFreeDoc(doc);

  doc = NULL;
  SW_CHECK_INT(sw_client_query(f.c, SW_SVC_IAM, "GetUser", NULL, &doc, &err),
               -1);
  SW_CHECK(doc == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_NOT_FOUND);
  SW_CHECK_STR(err.code, "NoSuchEntity");
  SW_CHECK_STR(err.request_id, "r-404");
  SW_CHECK_INT(err.http_status, 404);

  struct json_object *reqs = sw_srv_requests(&f.srv);
  struct json_object *r0 = json_object_array_get_idx(reqs, 0);
  SW_CHECK_STR(sw_json_str(r0, "body"),
               "Action=GetCallerIdentity&Version=2011-06-15&Tag.member.1.Key="
               "a%20b&DurationSeconds=900");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "Content-Type"),
               "application/x-www-form-urlencoded; charset=utf-8");
  const char *auth = sw_srv_header(reqs, 0, "Authorization");
  SW_CHECK(auth && strstr(auth, "/us-east-1/sts/aws4_request") != NULL);
  /* IAM through an override signs for the configured region. */
  auth = sw_srv_header(reqs, 1, "Authorization");
  SW_CHECK(auth && strstr(auth, "/us-east-1/iam/aws4_request") != NULL);
  SW_CHECK_STR(sw_json_str(json_object_array_get_idx(reqs, 1), "body"),
               "Action=GetUser&Version=2010-05-08");
  json_object_put(reqs);
  sw_params_clean_up(&p);
  teardown(&f);
}

static void test_s3_rest_path_style_and_head_errors(void) {
  struct fixture f;
  if (setup(&f,
            "[{\"body\":\"data\"},{\"status\":200},{\"status\":404,\"body\":"
            "\"\"},{\"status\":409,\"body\":\"<Error><Code>"
            "BucketAlreadyOwnedByYou</Code><Message>m</Message><RequestId>"
            "R1</RequestId></Error>\"}]",
            LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  struct sw_http_response resp;
  struct sw_error err;
  sw_http_response_init(&resp);
  struct sw_rest_request get = {
      .method = "GET", .bucket = "my-bucket", .key = "AWSLogs/a b+c.json"};
  SW_CHECK_INT(sw_client_rest(f.c, SW_SVC_S3, &get, &resp, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&resp.body), "data");

  struct sw_headers extra;
  sw_headers_init(&extra);
  sw_headers_add(&extra, "Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==");
  struct sw_rest_request put = {.method = "PUT",
                                .bucket = "my-bucket",
                                .query = "policy",
                                .headers = &extra,
                                .body = "{\"Version\":\"2012-10-17\"}",
                                .body_len = 24};
  SW_CHECK_INT(sw_client_rest(f.c, SW_SVC_S3, &put, &resp, &err), 0);

  struct sw_rest_request head = {.method = "HEAD", .bucket = "gone-bucket"};
  SW_CHECK_INT(sw_client_rest(f.c, SW_SVC_S3, &head, &resp, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NOT_FOUND);
  SW_CHECK_STR(err.code, "404");
  SW_CHECK_INT(last_info.attempts, 1);

  struct sw_rest_request create = {.method = "PUT", .bucket = "my-bucket"};
  SW_CHECK_INT(sw_client_rest(f.c, SW_SVC_S3, &create, &resp, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFLICT);
  SW_CHECK_STR(err.request_id, "R1");

  struct json_object *reqs = sw_srv_requests(&f.srv);
  struct json_object *r0 = json_object_array_get_idx(reqs, 0);
  /* Path style on an override; the key encoded once, '/' kept. */
  SW_CHECK_STR(sw_json_str(r0, "path"), "/my-bucket/AWSLogs/a%20b%2Bc.json");
  SW_CHECK_STR(sw_srv_header(reqs, 0, "x-amz-content-sha256"),
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8"
               "55");
  const char *auth = sw_srv_header(reqs, 0, "Authorization");
  SW_CHECK(auth && strstr(auth, "/us-east-1/s3/aws4_request") != NULL);
  SW_CHECK(auth && strstr(auth, "x-amz-content-sha256") != NULL);
  struct json_object *r1 = json_object_array_get_idx(reqs, 1);
  SW_CHECK_STR(sw_json_str(r1, "method"), "PUT");
  SW_CHECK_STR(sw_json_str(r1, "path"), "/my-bucket/?policy");
  SW_CHECK_STR(sw_json_str(r1, "body"), "{\"Version\":\"2012-10-17\"}");
  SW_CHECK_STR(sw_srv_header(reqs, 1, "Content-MD5"),
               "1B2M2Y8AsgTpgAmY7PhCfg==");
  SW_CHECK_STR(sw_json_str(json_object_array_get_idx(reqs, 2), "method"),
               "HEAD");
  json_object_put(reqs);
  sw_headers_clean_up(&extra);
  sw_http_response_clean_up(&resp);
  teardown(&f);
}

static void test_session_token_is_sent_and_signed(void) {
  struct fixture f;
  const char *token = "FwoGZXIvYXdzEXAMPLE//token+with/slashes==";
  if (setup_creds(&f, "[{\"body\":\"{}\"},{\"body\":\"data\"}]",
                  LOOPBACK_TIMEOUT_MS, 0, token) != 0)
    SW_SKIP("no scripted server");
  struct json_object *out = NULL;
  struct sw_error err;
  SW_CHECK_INT(sw_client_json(f.c, SW_SVC_SECRETSMANAGER, "ListSecrets", "{}",
                              &out, &err),
               0);
  json_object_put(out);
  struct sw_http_response resp;
  sw_http_response_init(&resp);
  struct sw_rest_request get = {.method = "GET", .bucket = "b-1", .key = "k"};
  SW_CHECK_INT(sw_client_rest(f.c, SW_SVC_S3, &get, &resp, &err), 0);
  sw_http_response_clean_up(&resp);
  struct json_object *reqs = sw_srv_requests(&f.srv);
  for (size_t i = 0; i < 2; i++) {
    SW_CHECK_STR(sw_srv_header(reqs, i, "X-Amz-Security-Token"), token);
    const char *auth = sw_srv_header(reqs, i, "Authorization");
    SW_CHECK(auth && strstr(auth, "x-amz-security-token") != NULL);
  }
  json_object_put(reqs);
  teardown(&f);
}

static void test_s3_targets_virtual_hosted_on_aws_path_style_otherwise(void) {
  static const struct {
    const char *region;
    const char *override;
    const char *bucket, *key;
    const char *host, *path;
  } cases[] = {
      {"eu-west-1", NULL, "my-bucket", "AWSLogs/1/x y.json.gz",
       "my-bucket.s3.eu-west-1.amazonaws.com", "/AWSLogs/1/x%20y.json.gz"},
      {"eu-west-1", NULL, NULL, NULL, "s3.eu-west-1.amazonaws.com", "/"},
      {"eu-west-1", NULL, "my-bucket", NULL,
       "my-bucket.s3.eu-west-1.amazonaws.com", "/"},
      {"cn-north-1", NULL, "logs-1", "a",
       "logs-1.s3.cn-north-1.amazonaws.com.cn", "/a"},
      /* dotted or upper-case names cannot be a DNS label under TLS */
      {"us-east-1", NULL, "my.dotted.bucket", "k", "s3.us-east-1.amazonaws.com",
       "/my.dotted.bucket/k"},
      {"us-east-1", NULL, "Legacy_Bucket", "k", "s3.us-east-1.amazonaws.com",
       "/Legacy_Bucket/k"},
      /* overrides: path style under the override's base path */
      {"us-east-1", "http://127.0.0.1:9000", "my-bucket", "a/b",
       "127.0.0.1:9000", "/my-bucket/a/b"},
      {"us-east-1", "https://proxy.local/s3", "my-bucket", "k~1+2",
       "proxy.local", "/s3/my-bucket/k~1%2B2"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_endpoint_opts eo = {.region = cases[i].region,
                                  .endpoint_url = cases[i].override,
                                  .ignore_env = 1};
    struct sw_endpoint ep;
    struct sw_error err;
    struct sw_buf path;
    char host[320];
    sw_buf_init(&path, 0);
    SW_CHECK_INT(sw_endpoint_resolve(SW_SVC_S3, &eo, &ep, &err), 0);
    struct sw_rest_request r = {
        .method = "GET", .bucket = cases[i].bucket, .key = cases[i].key};
    SW_CHECK_INT(
        sw_client_rest_target(&ep, &r, host, sizeof(host), &path, &err), 0);
    SW_CHECK_STR(host, cases[i].host);
    SW_CHECK_STR(sw_buf_cstr(&path), cases[i].path);
    sw_buf_clean_up(&path);
  }
  /* Bad bucket names are refused before any request. */
  static const char *const bad[] = {"", "a/b", "../x"};
  struct sw_endpoint_opts eo = {.region = "us-east-1", .ignore_env = 1};
  struct sw_endpoint ep;
  struct sw_error err;
  sw_endpoint_resolve(SW_SVC_S3, &eo, &ep, &err);
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sw_buf path;
    char host[320];
    sw_buf_init(&path, 0);
    struct sw_rest_request r = {.method = "GET", .bucket = bad[i]};
    sw_error_clear(&err);
    SW_CHECK_INT(
        sw_client_rest_target(&ep, &r, host, sizeof(host), &path, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
    sw_buf_clean_up(&path);
  }
}

static void test_client_without_provider_sends_unsigned(void) {
  struct sw_srv srv;
  if (sw_srv_start(&srv, "[{\"body\":\"<R/>\"}]", NULL, NULL, NULL) != 0)
    SW_SKIP("no scripted server");
  char url[64];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
  struct sw_error err;
  struct sw_client_opts o = {.region = "us-east-1", .endpoint_url = url};
  struct sw_client *c = sw_client_new(&o, &err);
  SW_CHECK(c != NULL);
  struct sw_params p;
  sw_params_init(&p);
  sw_params_add(&p, "WebIdentityToken", "eyJ.token");
  xmlDoc *doc = NULL;
  SW_CHECK_INT(sw_client_query(c, SW_SVC_STS, "AssumeRoleWithWebIdentity", &p,
                               &doc, &err),
               0);
  xmlFreeDoc(doc);
  struct json_object *reqs = sw_srv_requests(&srv);
  SW_CHECK_INT(json_object_array_length(reqs), 1);
  SW_CHECK(sw_srv_header(reqs, 0, "Authorization") == NULL);
  SW_CHECK(sw_srv_header(reqs, 0, "X-Amz-Security-Token") == NULL);
  json_object_put(reqs);
  sw_params_clean_up(&p);
  sw_client_free(c);
  sw_srv_stop(&srv);
}

static void test_https_endpoint_with_ca_file(void) {
  char dir[] = "/tmp/sw-pki-XXXXXX", cert[256], key[256], ca[256], url[64];
  if (mkdtemp(dir) == NULL || sw_srv_make_pki(dir) != 0)
    SW_SKIP("openssl could not make test certificates");
  snprintf(cert, sizeof(cert), "%s/server.pem", dir);
  snprintf(key, sizeof(key), "%s/server.key", dir);
  snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
  struct sw_srv srv;
  if (sw_srv_start(&srv, "[{\"body\":\"{}\"}]", cert, key, SECRET_KEY) != 0) {
    SW_CHECK(0);
    sw_srv_remove_dir(dir);
    return;
  }
  snprintf(url, sizeof(url), "https://localhost:%d", srv.port);
  struct sw_error err;
  struct sw_creds_opts co = {.access_key_id = "AKIDEXAMPLE",
                             .secret_access_key = SECRET_KEY};
  struct sw_creds_provider *p = sw_creds_provider_new(&co, &err);
  /* Without the CA the connection fails closed; with it, it works. */
  struct sw_client_opts bad = {
      .region = "eu-west-1", .endpoint_url = url, .creds = p};
  struct sw_client *c = sw_client_new(&bad, &err);
  sw_client_set_sleep(c, fake_sleep);
  struct json_object *out = NULL;
  SW_CHECK_INT(
      sw_client_json(c, SW_SVC_LOGS, "DescribeLogGroups", "{}", &out, &err),
      -1);
  SW_CHECK_INT(err.kind, SW_ERR_NETWORK);
  SW_CHECK(strstr(err.message, "TLS verification") != NULL);
  sw_client_free(c);
  struct sw_client_opts good = {
      .region = "eu-west-1", .endpoint_url = url, .ca_file = ca, .creds = p};
  c = sw_client_new(&good, &err);
  SW_CHECK_INT(
      sw_client_json(c, SW_SVC_LOGS, "DescribeLogGroups", "{}", &out, &err), 0);
  json_object_put(out);
  struct json_object *reqs = sw_srv_requests(&srv);
  int ok = 0;
  SW_CHECK_INT(json_object_array_length(reqs), 1);
  sw_json_bool(json_object_array_get_idx(reqs, 0), "sig_ok", &ok);
  SW_CHECK_INT(ok, 1);
  json_object_put(reqs);
  sw_client_free(c);
  sw_creds_provider_free(p);
  sw_srv_stop(&srv);
  sw_srv_remove_dir(dir);
}

static void test_oversized_query_request_is_refused_before_sending(void) {
  struct fixture f;
  if (setup(&f, "[{\"body\":\"<R/>\"}]", LOOPBACK_TIMEOUT_MS, 0) != 0)
    SW_SKIP("no scripted server");
  struct sw_params p;
  sw_params_init(&p);
  char big[10000];
  memset(big, 'v', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  for (int i = 0; i < 120; i++)
    sw_params_addf(&p, "AlarmNames.member.1", "%s", big);
  xmlDoc *doc = NULL;
  struct sw_error err;
  SW_CHECK_INT(
      sw_client_query(f.c, SW_SVC_CLOUDWATCH, "DescribeAlarms", &p, &doc, &err),
      -1);
  SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
  SW_CHECK_INT(n_requests(&f), 0);
  sw_params_clean_up(&p);
  teardown(&f);
}

static void test_logs_hold_no_secret(void) {
  /* Runs last: everything logged by the calls above (retries, skew, token
   * refresh) is in log_text. */
  SW_CHECK(strstr(sw_buf_cstr(&log_text), "clock skew") != NULL);
  SW_CHECK(strstr(sw_buf_cstr(&log_text), "token expired") != NULL);
  SW_CHECK(strstr(sw_buf_cstr(&log_text), SECRET_KEY) == NULL);
  SW_CHECK(strstr(sw_buf_cstr(&log_text), "FwoGZXIvYXdz") == NULL);
  SW_CHECK(strstr(sw_buf_cstr(&log_text), "Signature=") == NULL);
}

static void test_bad_options_and_calls_fail_cleanly(void) {
  struct sw_error err;
  struct sw_creds_opts co = {.access_key_id = "AKIDEXAMPLE",
                             .secret_access_key = "secret"};
  struct sw_creds_provider *p = sw_creds_provider_new(&co, &err);
  static const char *const bad_regions[] = {NULL, "", "us east 1",
                                            "us-east-1.evil.com"};
  for (size_t i = 0; i < sizeof(bad_regions) / sizeof(bad_regions[0]); i++) {
    struct sw_client_opts o = {.region = bad_regions[i], .creds = p};
    sw_error_clear(&err);
    SW_CHECK(sw_client_new(&o, &err) == NULL);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  }
  SW_CHECK(sw_client_new(NULL, &err) == NULL);

  /* Calls that cannot be built fail before any I/O. */
  struct sw_client_opts o = {
      .region = "us-east-1", .endpoint_url = "http://127.0.0.1:9", .creds = p};
  struct sw_client *c = sw_client_new(&o, &err);
  sw_client_set_observer(c, observe, NULL);
  n_calls = 0;
  struct json_object *out = (struct json_object *)&err;
  xmlDoc *doc = (xmlDoc *)&err;
  SW_CHECK_INT(sw_client_json(c, SW_SVC_SNS, "Publish", "{}", &out, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(out == NULL);
  SW_CHECK_INT(sw_client_query(c, SW_SVC_LOGS, "X", NULL, &doc, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK(doc == NULL);
  struct sw_http_response resp;
  sw_http_response_init(&resp);
  struct sw_rest_request r = {.method = "GET", .bucket = "a/b"};
  SW_CHECK_INT(sw_client_rest(c, SW_SVC_S3, &r, &resp, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  sw_http_response_clean_up(&resp);
  /* Calls that fail before any attempt are still reported. */
  SW_CHECK_INT(n_calls, 3);
  SW_CHECK_INT(last_info.attempts, 0);
  SW_CHECK_INT(last_info.failed, 1);
  struct sw_http_stats st;
  sw_client_http_stats(c, &st);
  SW_CHECK_INT(st.requests, 0);
  SW_CHECK_INT(sw_client_clock_offset(c) == 0, 1);
  sw_client_free(c);
  sw_client_free(NULL);
  sw_creds_provider_free(p);
}

static void test_params_hold_more_than_header_limit(void) {
  struct sw_params p;
  sw_params_init(&p);
  for (int i = 0; i < 3000; i++)
    SW_CHECK_INT(sw_params_addf(&p, "AlarmNames.member.1", "alarm-%d", i), 0);
  SW_CHECK_INT(p.list.count, 3000);
  SW_CHECK_STR(p.list.items[2999].value, "alarm-2999");
  SW_CHECK_INT(sw_params_add(&p, NULL, "x"), -1);
  SW_CHECK_INT(sw_params_add(&p, "x", NULL), -1);
  sw_params_clean_up(&p);
  sw_params_clean_up(&p); /* twice is harmless */
}

int main(void) {
  sw_srv_isolate_env();
  sw_buf_init(&log_text, 1 << 20);
  sw_log_set_handler(capture_log, NULL);
  SW_RUN(test_json_call_signed_with_protocol_headers);
  SW_RUN(test_single_calls_retry_or_fail_as_classified);
  SW_RUN(test_clock_skew_is_corrected_and_retried_once);
  SW_RUN(test_signature_mismatch_is_a_skew_only_with_clocks_apart);
  SW_RUN(test_keep_alive_across_calls);
  SW_RUN(test_query_call_and_error);
  SW_RUN(test_s3_rest_path_style_and_head_errors);
  SW_RUN(test_session_token_is_sent_and_signed);
  SW_RUN(test_s3_targets_virtual_hosted_on_aws_path_style_otherwise);
  SW_RUN(test_client_without_provider_sends_unsigned);
  SW_RUN(test_https_endpoint_with_ca_file);
  SW_RUN(test_bad_options_and_calls_fail_cleanly);
  SW_RUN(test_params_hold_more_than_header_limit);
  SW_RUN(test_oversized_query_request_is_refused_before_sending);
  SW_RUN(test_logs_hold_no_secret);
  sw_log_set_handler(NULL, NULL);
  sw_buf_clean_up(&log_text);
  return sw_test_done();
}
