/* lib/protocol.c: request headers and bodies of the AWS protocols, and error
 * parsing against the botocore protocol tests and the real fixtures in the
 * shared test data, plus hostile answers. */
#include "lib/json.h"
#include "lib/protocol.h"
#include "sw_test.h"

#include <stdlib.h>

static void test_json_headers_per_service(void) {
  static const struct {
    enum sw_service svc;
    const char *content_type;
    const char *target;
    const char *query_mode;
  } cases[] = {
      {SW_SVC_CLOUDTRAIL, "application/x-amz-json-1.1",
       "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
       NULL},
      {SW_SVC_LOGS, "application/x-amz-json-1.1", "Logs_20140328.LookupEvents",
       NULL},
      {SW_SVC_SECRETSMANAGER, "application/x-amz-json-1.1",
       "secretsmanager.LookupEvents", NULL},
      {SW_SVC_CLOUDWATCH, "application/x-amz-json-1.0",
       "GraniteServiceVersion20100801.LookupEvents", "true"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_headers h;
    struct sw_error err;
    sw_headers_init(&h);
    sw_error_clear(&err);
    SW_CHECK_INT(sw_proto_json_headers(cases[i].svc, "LookupEvents", &h, &err),
                 0);
    SW_CHECK_STR(sw_headers_get(&h, "Content-Type"), cases[i].content_type);
    SW_CHECK_STR(sw_headers_get(&h, "X-Amz-Target"), cases[i].target);
    SW_CHECK_STR(sw_headers_get(&h, "x-amzn-query-mode"), cases[i].query_mode);
    /* Called twice, the fields are replaced, not duplicated. */
    SW_CHECK_INT(sw_proto_json_headers(cases[i].svc, "Other", &h, &err), 0);
    SW_CHECK_INT(h.count, cases[i].query_mode ? 3 : 2);
    sw_headers_clean_up(&h);
  }
  static const struct {
    enum sw_service svc;
    const char *op;
  } bad[] = {{SW_SVC_SNS, "Publish"}, {SW_SVC_S3, "ListBuckets"},
             {SW_SVC_IAM, "GetUser"}, {SW_SVC_LOGS, ""},
             {SW_SVC_LOGS, NULL},     {SW_SVC_LOGS, "Filter\r\nX-Evil: 1"},
             {SW_SVC_LOGS, "a.b"},    {SW_SVC_COUNT, "LookupEvents"}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sw_headers h;
    struct sw_error err;
    sw_headers_init(&h);
    sw_error_clear(&err);
    SW_CHECK_INT(sw_proto_json_headers(bad[i].svc, bad[i].op, &h, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
    SW_CHECK_INT(h.count, 0);
    sw_headers_clean_up(&h);
  }
}

/* The botocore input test for query-compatible JSON 1.0: the same headers
 * with the CloudWatch prefix. */
static void test_query_compatible_request_matches_botocore_case(void) {
  size_t len;
  char *text = sw_test_fixture(
      "aws-responses/protocol-tests/json_1_0-query-compatible.input.json",
      &len);
  if (text == NULL)
    SW_SKIP("fixture absent");
  struct json_object *doc = sw_json_parse(text, len, NULL);
  struct json_object *c = json_object_array_get_idx(
      sw_json_arr(json_object_array_get_idx(doc, 0), "cases"), 0);
  struct json_object *hdrs =
      sw_json_obj(sw_json_obj(c, "serialized"), "headers");
  struct sw_headers h;
  struct sw_error err;
  sw_headers_init(&h);
  SW_CHECK_INT(sw_proto_json_headers(SW_SVC_CLOUDWATCH,
                                     "QueryCompatibleOperation", &h, &err),
               0);
  SW_CHECK_STR(sw_headers_get(&h, "Content-Type"),
               sw_json_str(hdrs, "Content-Type"));
  SW_CHECK_STR(sw_headers_get(&h, "x-amzn-query-mode"),
               sw_json_str(hdrs, "x-amzn-query-mode"));
  const char *want = sw_json_str(hdrs, "X-Amz-Target");
  const char *got = sw_headers_get(&h, "X-Amz-Target");
  SW_CHECK(want && got && strchr(want, '.') && strchr(got, '.'));
  if (want && got && strchr(want, '.') && strchr(got, '.'))
    SW_CHECK_STR(strchr(got, '.'), strchr(want, '.'));
  sw_headers_clean_up(&h);
  json_object_put(doc);
  free(text);
}

static void test_query_body_encoding(void) {
  struct sw_headers p;
  struct sw_buf b;
  struct sw_error err;
  sw_headers_init(&p);
  sw_buf_init(&b, 0);
  sw_headers_add(&p, "TopicArn", "arn:aws:sns:us-east-1:123456789012:t");
  sw_headers_add(&p, "Message", "a b&c=d/\xc3\xa9~+*");
  sw_headers_add(&p, "Empty", "");
  SW_CHECK_INT(sw_proto_query_body(SW_SVC_SNS, "Publish", &p, &b, &err), 0);
  SW_CHECK_STR(sw_buf_cstr(&b),
               "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%"
               "3Aus-east-1%3A123456789012%3At&Message=a%20b%26c%3Dd%2F%C3%A9~%"
               "2B%2A&Empty=");
  static const struct {
    enum sw_service svc;
    const char *want;
  } versions[] = {
      {SW_SVC_STS, "Action=X&Version=2011-06-15"},
      {SW_SVC_IAM, "Action=X&Version=2010-05-08"},
      {SW_SVC_CLOUDWATCH, "Action=X&Version=2010-08-01"},
  };
  for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
    sw_buf_reset(&b);
    SW_CHECK_INT(sw_proto_query_body(versions[i].svc, "X", NULL, &b, &err), 0);
    SW_CHECK_STR(sw_buf_cstr(&b), versions[i].want);
  }
  /* No query API, bad action names, and a body past its cap. */
  sw_buf_reset(&b);
  SW_CHECK_INT(sw_proto_query_body(SW_SVC_LOGS, "X", NULL, &b, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK_INT(sw_proto_query_body(SW_SVC_S3, "X", NULL, &b, &err), -1);
  SW_CHECK_INT(sw_proto_query_body(SW_SVC_SNS, "A&Version=1", NULL, &b, &err),
               -1);
  SW_CHECK_INT(sw_proto_query_body(SW_SVC_SNS, "", NULL, &b, &err), -1);
  struct sw_buf small;
  sw_buf_init(&small, 40);
  sw_error_clear(&err);
  SW_CHECK_INT(sw_proto_query_body(SW_SVC_SNS, "Publish", &p, &small, &err),
               -1);
  SW_CHECK_INT(err.kind, SW_ERR_INTERNAL);
  sw_buf_clean_up(&small);
  sw_buf_clean_up(&b);
  sw_headers_clean_up(&p);
}

static void test_strip_error_type(void) {
  static const char *const cases[][2] = {
      {"FooError", "FooError"},
      {"aws.protocoltests.restjson#FooError", "FooError"},
      {"FooError:http://internal.amazon.com/coral/x/", "FooError"},
      {"aws.a#FooError:http://internal.amazon.com/x#y", "FooError"},
      {"com.amazonaws.cloudwatch#InvalidParameterValueException",
       "InvalidParameterValueException"},
      {"#", ""},
      {"", ""},
      {"a#b#C", "C"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char s[128];
    snprintf(s, sizeof(s), "%s", cases[i][0]);
    SW_CHECK_STR(sw_proto_strip_error_type(s), cases[i][1]);
  }
  SW_CHECK(sw_proto_strip_error_type(NULL) == NULL);
}

/* Fills h from a JSON object of header fields. */
static void headers_from_json(struct json_object *o, struct sw_headers *h) {
  if (o == NULL)
    return;
  json_object_object_foreach(o, k, v) {
    sw_headers_add(h, k, json_object_get_string(v));
  }
}

static int check_case(struct json_object *c, int query_compatible) {
  struct json_object *resp = sw_json_obj(c, "response");
  const char *proto = sw_json_str(c, "protocol");
  const char *id = sw_json_str(c, "id");
  const char *want_code = sw_json_str(c, "errorCode");
  const char *want_msg = sw_json_str(c, "errorMessage");
  const char *body = sw_json_str(resp, "body");
  int64_t status = 0;
  struct sw_headers h;
  struct sw_error err;
  int ok = 1;
  sw_json_int64(resp, "status_code", &status);
  sw_headers_init(&h);
  headers_from_json(sw_json_obj(resp, "headers"), &h);
  sw_error_clear(&err);
  if (proto && (strcmp(proto, "query") == 0 || strcmp(proto, "rest-xml") == 0))
    sw_proto_xml_error(status, &h, body, body ? strlen(body) : 0, &err);
  else
    sw_proto_json_error(status, &h, body, body ? strlen(body) : 0,
                        query_compatible, &err);
  if (want_code == NULL || strcmp(err.code, want_code) != 0) {
    fprintf(stderr, "%s: code \"%s\", want \"%s\"\n", id, err.code,
            want_code ? want_code : "(null)");
    ok = 0;
  }
  /* botocore models some shapes without a message member (null); only the
   * JSON protocols then really have no message. */
  if (want_msg && strcmp(err.message, want_msg) != 0) {
    fprintf(stderr, "%s: message \"%s\", want \"%s\"\n", id, err.message,
            want_msg);
    ok = 0;
  }
  if (!want_msg && proto && strcmp(proto, "json") == 0 && err.message[0]) {
    fprintf(stderr, "%s: unexpected message \"%s\"\n", id, err.message);
    ok = 0;
  }
  if (err.http_status != status) {
    fprintf(stderr, "%s: status %ld\n", id, err.http_status);
    ok = 0;
  }
  if (body && strstr(body, "<RequestId>foo-id</RequestId>") &&
      strcmp(err.request_id, "foo-id") != 0) {
    fprintf(stderr, "%s: request id \"%s\"\n", id, err.request_id);
    ok = 0;
  }
  sw_headers_clean_up(&h);
  return ok;
}

static void test_botocore_error_cases(void) {
  size_t len;
  char *text =
      sw_test_fixture("aws-responses/protocol-tests/error-cases.json", &len);
  if (text == NULL)
    SW_SKIP("fixture absent");
  struct json_object *doc = sw_json_parse(text, len, NULL);
  size_t n = json_object_array_length(doc), passed = 0;
  SW_CHECK_INT(n, 29);
  for (size_t i = 0; i < n; i++)
    passed += (size_t)check_case(json_object_array_get_idx(doc, i), 0);
  SW_CHECK_INT(passed, n);
  fprintf(stderr, "  botocore error cases: %zu/%zu\n", passed, n);
  json_object_put(doc);
  free(text);
}

static void test_botocore_query_compatible_cases(void) {
  size_t len;
  char *text = sw_test_fixture(
      "aws-responses/protocol-tests/json_1_0-query-compatible.output.json",
      &len);
  if (text == NULL)
    SW_SKIP("fixture absent");
  struct json_object *doc = sw_json_parse(text, len, NULL);
  size_t passed = 0, total = 0;
  for (size_t g = 0; g < json_object_array_length(doc); g++) {
    struct json_object *cases =
        sw_json_arr(json_object_array_get_idx(doc, g), "cases");
    for (size_t i = 0; cases && i < json_object_array_length(cases); i++) {
      total++;
      passed += (size_t)check_case(json_object_array_get_idx(cases, i), 1);
    }
  }
  SW_CHECK_INT(total, 2);
  SW_CHECK_INT(passed, total);
  json_object_put(doc);
  free(text);
}

/* Splits a raw HTTP response (the *.http fixtures) into its parts. */
static int split_http(char *raw, long *status, struct sw_headers *h,
                      const char **body) {
  char *line = raw, *end;
  if (sscanf(raw, "HTTP/1.1 %ld", status) != 1)
    return -1;
  line = strstr(raw, "\r\n");
  while (line && strncmp(line, "\r\n\r\n", 4) != 0) {
    line += 2;
    end = strstr(line, "\r\n");
    char *colon = memchr(line, ':', (size_t)(end - line));
    if (end == NULL || colon == NULL)
      return -1;
    char *v = colon + 1;
    while (*v == ' ')
      v++;
    sw_headers_add_n(h, line, (size_t)(colon - line), v, (size_t)(end - v));
    line = end;
  }
  if (line == NULL)
    return -1;
  *body = line + 4;
  return 0;
}

struct fixture_case {
  const char *file;
  long status;      /* 0: from the .http file */
  int json;         /* 1: JSON protocol, 0: XML */
  const char *code; /* expected */
  enum sw_err_kind kind;
  const char *request_id; /* NULL: not checked */
  const char *message_start;
};

static void test_service_error_fixtures(void) {
  static const struct fixture_case cases[] = {
      {"cloudtrail/error-throttling.json", 400, 1, "ThrottlingException",
       SW_ERR_THROTTLED, NULL, "Rate exceeded"},
      {"cloudtrail/error-invalid-time-range.json", 400, 1,
       "InvalidTimeRangeException", SW_ERR_VALIDATION, NULL,
       "Start time must be"},
      {"logs/error-throttling.json", 400, 1, "ThrottlingException",
       SW_ERR_THROTTLED, NULL, "Rate exceeded"},
      {"logs/error-resource-not-found.json", 400, 1,
       "ResourceNotFoundException", SW_ERR_NOT_FOUND, NULL,
       "The specified log group"},
      {"secretsmanager/error-resource-not-found.json", 400, 1,
       "ResourceNotFoundException", SW_ERR_NOT_FOUND, NULL, "Secrets Manager"},
      {"secretsmanager/error-access-denied.json", 400, 1,
       "AccessDeniedException", SW_ERR_ACCESS_DENIED, NULL, "User: arn:aws"},
      {"secretsmanager/error-decryption-failure.json", 400, 1,
       "DecryptionFailure", SW_ERR_VALIDATION, NULL, "The ciphertext"},
      {"cloudwatch/error-invalid-parameter-value.json10.http", 0, 1,
       "InvalidParameterValue", SW_ERR_VALIDATION,
       "5d0b4b8e-2f1c-4a9e-8b7d-3c6e1f0a2b94", "The parameter StartTime"},
      {"cloudwatch/error-throttling.json10.http", 0, 1, "Throttling",
       SW_ERR_THROTTLED, "0c2b1a3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
       "Rate exceeded"},
      {"cloudwatch/error-throttling.query.xml", 400, 0, "Throttling",
       SW_ERR_THROTTLED, "43732e6e-4618-11e6-9498-bf6b383bb542",
       "Rate exceeded"},
      {"cloudwatch/error-invalid-parameter-value.query.xml", 400, 0,
       "InvalidParameterValue", SW_ERR_VALIDATION,
       "5d0b4b8e-2f1c-4a9e-8b7d-3c6e1f0a2b94", "The parameter"},
      {"sns/error-invalid-parameter.xml", 400, 0, "InvalidParameter",
       SW_ERR_VALIDATION, "8c4c8aa7-436b-5b46-91d5-c0a339158557", "TopicArn"},
      {"sns/error-throttling.xml", 400, 0, "Throttling", SW_ERR_THROTTLED,
       "9f2e4c1a-7b3d-5e6f-8a9b-0c1d2e3f4a5b", "Rate exceeded"},
      {"sts/error-access-denied.xml", 403, 0, "AccessDenied",
       SW_ERR_ACCESS_DENIED, "8088f6eb-b7fb-11e2-8d25-4b9f3b52b80f",
       "GetSessionToken call failed"},
      {"sts/error-throttling.xml", 400, 0, "Throttling", SW_ERR_THROTTLED, NULL,
       "Rate exceeded"},
      {"sts/error-expired-token.xml", 400, 0, "ExpiredToken", SW_ERR_AUTH,
       "3c0e7f4a-9d1b-4b2e-8a6c-5f0d2e1b7c93", "The security token"},
      {"iam/error-no-such-entity.xml", 404, 0, "NoSuchEntity", SW_ERR_NOT_FOUND,
       "358299bb-b7f8-11e2-8d39-e3a125f625ee", "The user with name foobar"},
      {"s3/error-access-denied.xml", 403, 0, "AccessDenied",
       SW_ERR_ACCESS_DENIED, "9C7D5181867045BB", "Access Denied"},
      {"s3/error-bucket-already-owned-by-you.xml", 409, 0,
       "BucketAlreadyOwnedByYou", SW_ERR_CONFLICT, "96380E1CB938DDF7",
       "Your previous request"},
      {"s3/error-slow-down.xml", 503, 0, "SlowDown", SW_ERR_THROTTLED,
       "4442587FB7D0A2F9", "Please reduce your request rate."},
  };
  if (sw_testdata() == NULL)
    SW_SKIP("shared test data absent");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct fixture_case *fc = &cases[i];
    char rel[256];
    size_t len;
    snprintf(rel, sizeof(rel), "aws-responses/%s", fc->file);
    char *raw = sw_test_fixture(rel, &len);
    SW_CHECK(raw != NULL);
    if (raw == NULL)
      continue;
    struct sw_headers h;
    struct sw_error err;
    long status = fc->status;
    const char *body = raw;
    sw_headers_init(&h);
    sw_error_clear(&err);
    if (status == 0)
      SW_CHECK_INT(split_http(raw, &status, &h, &body), 0);
    if (fc->json)
      SW_CHECK_INT(sw_proto_json_error(status, &h, body, strlen(body),
                                       strstr(fc->file, "json10") != NULL,
                                       &err),
                   -1);
    else
      SW_CHECK_INT(sw_proto_xml_error(status, &h, body, strlen(body), &err),
                   -1);
    SW_CHECK_STR(err.code, fc->code);
    SW_CHECK_INT(err.kind, fc->kind);
    SW_CHECK_INT(err.http_status, status);
    if (fc->request_id)
      SW_CHECK_STR(err.request_id, fc->request_id);
    SW_CHECK(strncmp(err.message, fc->message_start,
                     strlen(fc->message_start)) == 0);
    if (err.kind != fc->kind || strcmp(err.code, fc->code) != 0)
      fprintf(stderr, "  in %s\n", fc->file);
    sw_headers_clean_up(&h);
    free(raw);
  }
}

/* Bodies an attacker, a proxy or a truncated transfer could produce. */
static void test_hostile_xml_error_bodies(void) {
  static const struct {
    const char *body;
    long status;
    const char *code;
    enum sw_err_kind kind;
  } cases[] = {
      /* no body (HEAD): the status is the code */
      {"", 404, "404", SW_ERR_NOT_FOUND},
      {"", 403, "403", SW_ERR_ACCESS_DENIED},
      {"", 503, "503", SW_ERR_SERVER},
      /* not XML, truncated, not an AWS error document */
      {"<html><body>Bad Gateway</body></html>", 502, "", SW_ERR_SERVER},
      {"<ErrorResponse><Error><Code>Throttling</Co", 400, "",
       SW_ERR_VALIDATION},
      {"Service Unavailable", 503, "", SW_ERR_SERVER},
      {"<Other><Error><Code>X</Code></Error></Other>", 400, "",
       SW_ERR_VALIDATION},
      /* DTDs and entities are refused, not expanded */
      {"<?xml version=\"1.0\"?><!DOCTYPE Error [<!ENTITY a \"Throttling\">]>"
       "<Error><Code>&a;</Code></Error>",
       400, "", SW_ERR_VALIDATION},
      {"<?xml version=\"1.0\"?><!DOCTYPE Error SYSTEM "
       "\"file:///etc/passwd\"><Error><Code>X</Code></Error>",
       400, "", SW_ERR_VALIDATION},
      /* The EC2-style layout */
      {"<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>"
       "slow</Message></Error></Errors><RequestID>r-1</RequestID></Response>",
       503, "RequestLimitExceeded", SW_ERR_THROTTLED},
      /* Error element without a code: classified by status */
      {"<ErrorResponse><Error><Message>m</Message></Error></ErrorResponse>",
       500, "", SW_ERR_SERVER},
      /* Namespaced code values are stripped like JSON ones */
      {"<Error><Code>ns#SlowDown</Code></Error>", 503, "SlowDown",
       SW_ERR_THROTTLED},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_proto_xml_error(cases[i].status, NULL, cases[i].body,
                                    strlen(cases[i].body), &err),
                 -1);
    SW_CHECK_STR(err.code, cases[i].code);
    SW_CHECK_INT(err.kind, cases[i].kind);
    SW_CHECK_INT(err.http_status, cases[i].status);
    /* Without a usable code, the message says what was wrong. */
    if (cases[i].code[0] == '\0')
      SW_CHECK(err.message[0] != '\0');
  }
  /* The request id falls back to the header. */
  struct sw_headers h;
  struct sw_error err;
  sw_headers_init(&h);
  sw_headers_add(&h, "x-amz-request-id", "HDR-ID");
  sw_error_clear(&err);
  sw_proto_xml_error(404, &h, NULL, 0, &err);
  SW_CHECK_STR(err.request_id, "HDR-ID");
  sw_proto_xml_error(500, &h, "<Error><Code>InternalError</Code></Error>", 41,
                     &err);
  SW_CHECK_STR(err.request_id, "HDR-ID");
  SW_CHECK_INT(err.kind, SW_ERR_SERVER);
  sw_headers_clean_up(&h);
}

static void test_hostile_json_error_bodies(void) {
  static const struct {
    const char *body;
    long status;
    const char *code;
    enum sw_err_kind kind;
  } cases[] = {
      {"", 500, "", SW_ERR_SERVER},
      {"   ", 429, "", SW_ERR_THROTTLED},
      {"<html>Bad Gateway</html>", 502, "", SW_ERR_SERVER},
      {"{\"__type\":\"ThrottlingExcep", 400, "", SW_ERR_VALIDATION},
      {"[\"ThrottlingException\"]", 400, "", SW_ERR_VALIDATION},
      {"{\"__type\":42,\"message\":\"m\"}", 400, "", SW_ERR_VALIDATION},
      {"{\"__type\":null}", 403, "", SW_ERR_ACCESS_DENIED},
      {"{\"__type\":\"ThrottlingException\"} trailing", 400, "",
       SW_ERR_VALIDATION},
      {"{\"__type\":\"ns#ExpiredTokenException\",\"message\":\"x\"}", 400,
       "ExpiredTokenException", SW_ERR_AUTH},
      {"{\"code\":\"A\",\"__type\":\"B\"}", 400, "A", SW_ERR_VALIDATION},
      {"{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature "
       "expired: 20261127T000000Z is now earlier than ...\"}",
       400, "InvalidSignatureException", SW_ERR_AUTH},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_proto_json_error(cases[i].status, NULL, cases[i].body,
                                     strlen(cases[i].body), 0, &err),
                 -1);
    SW_CHECK_STR(err.code, cases[i].code);
    SW_CHECK_INT(err.kind, cases[i].kind);
  }
  /* Signature expired is a clock skew. */
  struct sw_error err;
  sw_error_clear(&err);
  const char *exp = "{\"__type\":\"InvalidSignatureException\",\"message\":"
                    "\"Signature expired: 20261127T000000Z\"}";
  sw_proto_json_error(400, NULL, exp, strlen(exp), 0, &err);
  SW_CHECK_INT(err.clock_skew, 1);

  /* Control characters, bidi overrides and oversize text are sanitized
   * and bounded. */
  char body[4096];
  char longcode[1000];
  memset(longcode, 'C', sizeof(longcode) - 1);
  longcode[sizeof(longcode) - 1] = '\0';
  snprintf(body, sizeof(body),
           "{\"__type\":\"%s\",\"message\":\"line1\\nline2\\u202e "
           "\\u0007bell\"}",
           longcode);
  sw_error_clear(&err);
  sw_proto_json_error(400, NULL, body, strlen(body), 0, &err);
  SW_CHECK(strlen(err.code) < sizeof(err.code));
  SW_CHECK(strchr(err.message, '\n') == NULL);
  SW_CHECK(strchr(err.message, '\a') == NULL);
  SW_CHECK(strstr(err.message, "\xe2\x80\xae") == NULL);
  SW_CHECK(strncmp(err.message, "line1?line2", 11) == 0);

  /* X-Amzn-ErrorType wins over the body; a query-compatible header only
   * counts for query-compatible services. */
  struct sw_headers h;
  sw_headers_init(&h);
  sw_headers_add(&h, "X-Amzn-ErrorType", "HeaderError:http://x/");
  sw_headers_add(&h, "x-amzn-query-error", "QueryCode;Sender");
  sw_headers_add(&h, "x-amzn-RequestId", "req-1");
  const char *b = "{\"__type\":\"BodyError\"}";
  sw_error_clear(&err);
  sw_proto_json_error(400, &h, b, strlen(b), 0, &err);
  SW_CHECK_STR(err.code, "HeaderError");
  SW_CHECK_STR(err.request_id, "req-1");
  sw_error_clear(&err);
  sw_proto_json_error(400, &h, b, strlen(b), 1, &err);
  SW_CHECK_STR(err.code, "QueryCode");
  sw_headers_set(&h, "x-amzn-query-error", ";Sender");
  sw_error_clear(&err);
  sw_proto_json_error(400, &h, b, strlen(b), 1, &err);
  SW_CHECK_STR(err.code, "HeaderError");
  sw_headers_clean_up(&h);
}

static void test_success_answers(void) {
  struct sw_error err;
  struct json_object *o;
  o = sw_proto_json_result("", 0, &err);
  SW_CHECK(o && json_object_is_type(o, json_type_object));
  json_object_put(o);
  o = sw_proto_json_result(NULL, 0, &err);
  SW_CHECK(o && json_object_object_length(o) == 0);
  json_object_put(o);
  o = sw_proto_json_result(" \r\n", 3, &err);
  SW_CHECK(o != NULL);
  json_object_put(o);
  static const char *const bad[] = {"[]", "\"str\"", "{\"a\":", "{} {}", "nul"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sw_error_clear(&err);
    SW_CHECK(sw_proto_json_result(bad[i], strlen(bad[i]), &err) == NULL);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  }
  size_t len;
  char *t = sw_test_fixture("aws-responses/cloudtrail/lookup-events."
                            "getsecretvalue.json",
                            &len);
  if (t) {
    o = sw_proto_json_result(t, len, &err);
    SW_CHECK(sw_json_arr(o, "Events") != NULL);
    json_object_put(o);
    free(t);
  }
  t = sw_test_fixture("aws-responses/sts/get-caller-identity.iam-user.xml",
                      &len);
  if (t) {
    xmlDoc *d = sw_proto_xml_result(t, len, &err);
    SW_CHECK(d != NULL);
    xmlFreeDoc(d);
    free(t);
  }
  sw_error_clear(&err);
  SW_CHECK(sw_proto_xml_result("<a><b></a>", 10, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  SW_CHECK(sw_proto_xml_result("", 0, &err) == NULL);
}

static void test_service_protocol_facts(void) {
  SW_CHECK_INT(sw_service_protocol(SW_SVC_CLOUDWATCH)->json_version, 10);
  SW_CHECK_STR(sw_service_protocol(SW_SVC_CLOUDWATCH)->query_version,
               "2010-08-01");
  SW_CHECK_INT(sw_service_protocol(SW_SVC_S3)->rest_xml, 1);
  SW_CHECK_INT(sw_service_protocol(SW_SVC_SNS)->json_version, 0);
  SW_CHECK_INT(sw_service_protocol(SW_SVC_COUNT)->json_version, 0);
  SW_CHECK(sw_service_protocol(SW_SVC_COUNT)->target_prefix == NULL);
}

int main(void) {
  SW_RUN(test_json_headers_per_service);
  SW_RUN(test_query_compatible_request_matches_botocore_case);
  SW_RUN(test_query_body_encoding);
  SW_RUN(test_strip_error_type);
  SW_RUN(test_botocore_error_cases);
  SW_RUN(test_botocore_query_compatible_cases);
  SW_RUN(test_service_error_fixtures);
  SW_RUN(test_hostile_xml_error_bodies);
  SW_RUN(test_hostile_json_error_bodies);
  SW_RUN(test_success_answers);
  SW_RUN(test_service_protocol_facts);
  return sw_test_done();
}
