/* S3 (REST-XML): exact request bodies and their Content-MD5, bucket name
 * and object key rules, list/tagging answers, foreign or malformed
 * documents, and (against a scripted loopback server) the requests
 * PutBucketPolicy and DeleteObject put on the wire. */
#include "lib/credentials.h"
#include "lib/s3.h"
#include "scripted_server.h"
#include "sw_svc_test.h"

static void test_create_bucket_body(void) {
  char *body = (char *)1;
  struct sw_error err;
  SW_CHECK_INT(sw_s3_create_bucket_body("us-east-1", &body, &err), 0);
  SW_CHECK(body == NULL);
  SW_CHECK_INT(sw_s3_create_bucket_body("eu-west-1", &body, &err), 0);
  SW_CHECK_STR(body, "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws."
                     "com/doc/2006-03-01/\"><LocationConstraint>eu-west-1"
                     "</LocationConstraint></CreateBucketConfiguration>");
  free(body);
  SW_CHECK_INT(sw_s3_create_bucket_body("", &body, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK_INT(sw_s3_create_bucket_body("eu-west-1<x>", &body, &err), -1);
  SW_CHECK(body == NULL);
}

static void test_config_bodies_and_md5(void) {
  struct sw_s3_public_access_block pab = {1, 1, 1, 0};
  struct sw_tag tags[] = {{"secretwatch:stack", "a&b<c>"}};
  struct sw_error err;
  char md5[SW_S3_MD5_B64_SIZE];
  char *body = sw_s3_public_access_block_body(&pab, &err);
  SW_CHECK_STR(body, "<PublicAccessBlockConfiguration xmlns=\"http://s3."
                     "amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true"
                     "</BlockPublicAcls><IgnorePublicAcls>true"
                     "</IgnorePublicAcls><BlockPublicPolicy>true"
                     "</BlockPublicPolicy><RestrictPublicBuckets>false"
                     "</RestrictPublicBuckets>"
                     "</PublicAccessBlockConfiguration>");
  free(body);
  body = sw_s3_encryption_body(NULL, 0, &err);
  SW_CHECK_STR(body, "<ServerSideEncryptionConfiguration xmlns=\"http://s3."
                     "amazonaws.com/doc/2006-03-01/\"><Rule>"
                     "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
                     "</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
                     "</Rule></ServerSideEncryptionConfiguration>");
  free(body);
  body = sw_s3_encryption_body("arn:aws:kms:us-east-1:1:key/k", 1, &err);
  SW_CHECK_STR(body, "<ServerSideEncryptionConfiguration xmlns=\"http://s3."
                     "amazonaws.com/doc/2006-03-01/\"><Rule>"
                     "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
                     "aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:"
                     "us-east-1:1:key/k</KMSMasterKeyID>"
                     "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>"
                     "true</BucketKeyEnabled></Rule>"
                     "</ServerSideEncryptionConfiguration>");
  free(body);
  body = sw_s3_tagging_body(tags, 1, &err);
  SW_CHECK_STR(body, "<Tagging xmlns=\"http://s3.amazonaws.com/doc/"
                     "2006-03-01/\"><TagSet><Tag><Key>secretwatch:stack</Key>"
                     "<Value>a&amp;b&lt;c&gt;</Value></Tag></TagSet>"
                     "</Tagging>");
  free(body);
  SW_CHECK(sw_s3_tagging_body(tags, 0, &err) == NULL);
  /* RFC 1864 example-style check: MD5("") and MD5("abc"). */
  sw_s3_content_md5("", 0, md5);
  SW_CHECK_STR(md5, "1B2M2Y8AsgTpgAmY7PhCfg==");
  sw_s3_content_md5("abc", 3, md5);
  SW_CHECK_STR(md5, "kAFQmDzST7DWlj99KOF/cg==");
}

static void test_bucket_names(void) {
  static const struct {
    const char *name;
    int ok;
  } cases[] = {
      {"secretwatch-prod-111122223333", 1},
      {"abc", 1},
      {"a.b.c", 1},
      {"ab", 0},
      {"Upper", 0},
      {"-abc", 0},
      {"abc-", 0},
      {"a..b", 0},
      {"a.-b", 0},
      {"192.168.5.4", 0},
      {"xn--abc", 0},
      {"abc-s3alias", 0},
      {"a_b", 0},
      {"", 0},
      {NULL, 0},
      {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    if (sw_s3_bucket_name_valid(cases[i].name) != cases[i].ok) {
      fprintf(stderr, "bucket name case %zu\n", i);
      SW_CHECK(0);
    }
}

static void test_list_query(void) {
  struct sw_s3_list_req r = {0};
  struct sw_error err;
  char *q = sw_s3_list_objects_query(&r, &err);
  SW_CHECK_STR(q, "list-type=2");
  free(q);
  r.prefix = "AWSLogs/1/CloudTrail/us-east-1/2024 07/";
  r.max_keys = 1000;
  r.continuation_token = "1/ab+c=";
  q = sw_s3_list_objects_query(&r, &err);
  SW_CHECK_STR(q, "continuation-token=1%2Fab%2Bc%3D&list-type=2&"
                  "max-keys=1000&prefix=AWSLogs%2F1%2FCloudTrail%2Fus-east-1"
                  "%2F2024%2007%2F");
  free(q);
  r.max_keys = 1001;
  SW_CHECK(sw_s3_list_objects_query(&r, &err) == NULL);
}

static void test_list_parse(void) {
  const char *xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\""
      "http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix/>"
      "<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true"
      "</IsTruncated><Contents><Key>a/1.json.gz</Key><LastModified>"
      "2024-07-31T12:00:00.000Z</LastModified><Size>123</Size></Contents>"
      "<Contents><Key>a/2 &amp; 3</Key></Contents><NextContinuationToken>"
      "tok</NextContinuationToken></ListBucketResult>";
  struct sw_s3_list_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_s3_list_objects_parse(xml, strlen(xml), &r, &err), 0);
  SW_CHECK_INT(r.count, 2);
  SW_CHECK_INT(r.key_count, 2);
  SW_CHECK_INT(r.is_truncated, 1);
  SW_CHECK_STR(r.next_continuation_token, "tok");
  if (r.count == 2) {
    SW_CHECK_STR(r.objects[0].key, "a/1.json.gz");
    SW_CHECK_INT(r.objects[0].size, 123);
    SW_CHECK(r.objects[0].has_last_modified &&
             r.objects[0].last_modified_s == 1722427200.0);
    SW_CHECK_STR(r.objects[1].key, "a/2 & 3");
    SW_CHECK_INT(r.objects[1].size, -1);
  }
  sw_s3_list_resp_clean_up(&r);
  static const char *bad[] = {
      "", "<ListBucketResult>", "<Error><Code>NoSuchBucket</Code></Error>",
      "<ListBucketResult><Contents><Size>1</Size></Contents>"
      "</ListBucketResult>"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sw_error_clear(&err);
    SW_CHECK_INT(sw_s3_list_objects_parse(bad[i], strlen(bad[i]), &r, &err),
                 -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK_INT(r.count, 0);
  }
}

static void test_tagging_parse(void) {
  const char *xml = "<Tagging><TagSet><Tag><Key>secretwatch:stack</Key><Value>"
                    "prod</Value></Tag><Tag><Key>k</Key><Value/></Tag>"
                    "</TagSet></Tagging>";
  struct sw_tag_list l;
  struct sw_error err;
  SW_CHECK_INT(sw_s3_tagging_parse(xml, strlen(xml), &l, &err), 0);
  SW_CHECK_INT(l.count, 2);
  SW_CHECK_STR(sw_tag_list_get(&l, "secretwatch:stack"), "prod");
  SW_CHECK_STR(sw_tag_list_get(&l, "k"), "");
  sw_tag_list_clean_up(&l);
  xml = "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>";
  SW_CHECK_INT(sw_s3_tagging_parse(xml, strlen(xml), &l, &err), -1);
  SW_CHECK_INT(l.count, 0);
}

static void test_fixtures_are_not_list_answers(void) {
  static const char *files[] = {
      "aws-responses/s3/list-buckets.xml",
      "aws-responses/s3/error-access-denied.xml",
      "aws-responses/s3/error-bucket-already-owned-by-you.xml",
      "aws-responses/s3/error-slow-down.xml"};
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
    size_t len;
    char *t = sw_test_fixture(files[i], &len);
    struct sw_s3_list_resp r;
    struct sw_tag_list l;
    struct sw_error err;
    SW_CHECK(t != NULL);
    if (t == NULL)
      continue;
    SW_CHECK_INT(sw_s3_list_objects_parse(t, len, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK(strstr(err.message, "ListBucketResult") != NULL);
    SW_CHECK_INT(sw_s3_tagging_parse(t, len, &l, &err), -1);
    free(t);
  }
}

static void test_object_keys(void) {
  char big[SW_S3_MAX_KEY + 2];
  struct sw_error err;
  memset(big, 'k', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  SW_CHECK_INT(sw_s3_object_key_valid(big), 0); /* 1025 bytes */
  big[SW_S3_MAX_KEY] = '\0';
  SW_CHECK_INT(sw_s3_object_key_valid(big), 1); /* 1024 bytes */
  SW_CHECK_INT(sw_s3_object_key_valid("a"), 1);
  SW_CHECK_INT(sw_s3_object_key_valid("AWSLogs/1/a b+c%.json.gz"), 1);
  SW_CHECK_INT(sw_s3_object_key_valid(""), 0);
  SW_CHECK_INT(sw_s3_object_key_valid(NULL), 0);
  /* Refused before any use of the client (NULL here). */
  static const struct {
    const char *bucket, *key;
  } bad[] = {{"b-1", ""}, {"b-1", NULL}, {"", "k"}, {NULL, "k"}, {"a/b", "k"}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sw_error_clear(&err);
    SW_CHECK_INT(sw_s3_delete_object(NULL, bad[i].bucket, bad[i].key, &err),
                 -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  }
  big[SW_S3_MAX_KEY] = 'k';
  SW_CHECK_INT(sw_s3_delete_object(NULL, "b-1", big, &err), -1);
  SW_CHECK(strstr(err.message, "DeleteObject") != NULL);
  SW_CHECK_INT(sw_s3_put_bucket_policy(NULL, "b-1", "", &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
}

#define WIRE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

struct wire {
  struct sw_srv srv;
  struct sw_creds_provider *creds;
  struct sw_client *c;
};

/* A client pointed at a scripted server that checks every signature. */
static int wire_start(struct wire *w, const char *script) {
  struct sw_error err;
  struct sw_creds_opts co = {.access_key_id = "AKIDEXAMPLE",
                             .secret_access_key = WIRE_SECRET};
  char url[64];
  memset(w, 0, sizeof(*w));
  sw_srv_isolate_env();
  if (sw_srv_start(&w->srv, script, NULL, NULL, WIRE_SECRET) != 0)
    return -1;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", w->srv.port);
  w->creds = sw_creds_provider_new(&co, &err);
  struct sw_client_opts o = {.region = "us-east-1",
                             .endpoint_url = url,
                             .timeout_ms = 20000,
                             .max_attempts = 1,
                             .creds = w->creds};
  w->c = w->creds ? sw_client_new(&o, &err) : NULL;
  return w->c ? 0 : -1;
}

static void wire_stop(struct wire *w) {
  sw_client_free(w->c);
  sw_creds_provider_free(w->creds);
  sw_srv_stop(&w->srv);
}

/* What was signed is what was sent (botocore's signer agrees). */
static void check_signed(struct json_object *reqs) {
  for (size_t i = 0; i < json_object_array_length(reqs); i++) {
    int ok = 0;
    SW_CHECK_INT(
        sw_json_bool(json_object_array_get_idx(reqs, i), "sig_ok", &ok), 0);
    SW_CHECK_INT(ok, 1);
  }
}

static void test_put_bucket_policy_sends_content_md5(void) {
  const char *policy =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      "\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":"
      "\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::trail-b\"}]}";
  struct wire w;
  struct sw_error err;
  if (wire_start(&w, "[{\"status\":204},{\"status\":400,\"body\":\"<Error>"
                     "<Code>MalformedPolicy</Code><Message>m</Message>"
                     "</Error>\"}]") != 0) {
    wire_stop(&w);
    SW_SKIP("no scripted server");
  }
  SW_CHECK_INT(sw_s3_put_bucket_policy(w.c, "trail-b", policy, &err), 0);
  SW_CHECK_INT(sw_s3_put_bucket_policy(w.c, "trail-b", "{}", &err), -1);
  SW_CHECK_STR(err.code, "MalformedPolicy");
  SW_CHECK_INT(err.kind, SW_ERR_VALIDATION);
  struct json_object *reqs = sw_srv_requests(&w.srv);
  SW_CHECK_INT(json_object_array_length(reqs), 2);
  struct json_object *r0 = json_object_array_get_idx(reqs, 0);
  SW_CHECK_STR(sw_json_str(r0, "method"), "PUT");
  SW_CHECK_STR(sw_json_str(r0, "path"), "/trail-b/?policy");
  SW_CHECK_STR(sw_json_str(r0, "body"), policy);
  /* base64(MD5(policy)), computed independently (Python hashlib). */
  SW_CHECK_STR(sw_srv_header(reqs, 0, "Content-MD5"),
               "E5XN/VXejk3gkZGVHduq6Q==");
  /* MD5("{}"): the header follows the body it is sent with. */
  SW_CHECK_STR(sw_srv_header(reqs, 1, "Content-MD5"),
               "mZFLkyvTelC5g8XnyQrpOw==");
  const char *auth = sw_srv_header(reqs, 0, "Authorization");
  SW_CHECK(auth && strstr(auth, "content-md5") != NULL);
  check_signed(reqs);
  json_object_put(reqs);
  wire_stop(&w);
}

static void test_delete_object_path_and_answers(void) {
  struct wire w;
  struct sw_error err;
  if (wire_start(&w, "[{\"status\":204},{\"status\":204},{\"status\":404,"
                     "\"body\":\"<Error><Code>NoSuchBucket</Code><Message>"
                     "The specified bucket does not exist</Message>"
                     "</Error>\"}]") != 0) {
    wire_stop(&w);
    SW_SKIP("no scripted server");
  }
  SW_CHECK_INT(sw_s3_delete_object(
                   w.c, "trail-b",
                   "AWSLogs/1/CloudTrail/us-east-1/2024/07/31/a b+c%~.json.gz",
                   &err),
               0);
  /* S3 answers 204 for a key that was never there, too. */
  SW_CHECK_INT(sw_s3_delete_object(w.c, "trail-b", "gone", &err), 0);
  SW_CHECK_INT(sw_s3_delete_object(w.c, "no-bucket", "k", &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_NOT_FOUND);
  SW_CHECK_STR(err.code, "NoSuchBucket");
  struct json_object *reqs = sw_srv_requests(&w.srv);
  SW_CHECK_INT(json_object_array_length(reqs), 3);
  struct json_object *r0 = json_object_array_get_idx(reqs, 0);
  SW_CHECK_STR(sw_json_str(r0, "method"), "DELETE");
  /* Encoded once, '/' kept: %20, %2B and %25, never %2525. */
  SW_CHECK_STR(sw_json_str(r0, "path"),
               "/trail-b/AWSLogs/1/CloudTrail/us-east-1/2024/07/31/"
               "a%20b%2Bc%25~.json.gz");
  SW_CHECK_STR(sw_json_str(r0, "body"), "");
  SW_CHECK(sw_srv_header(reqs, 0, "Content-MD5") == NULL);
  SW_CHECK_STR(sw_json_str(json_object_array_get_idx(reqs, 1), "path"),
               "/trail-b/gone");
  check_signed(reqs);
  json_object_put(reqs);
  wire_stop(&w);
}

int main(void) {
  SW_RUN(test_create_bucket_body);
  SW_RUN(test_config_bodies_and_md5);
  SW_RUN(test_bucket_names);
  SW_RUN(test_list_query);
  SW_RUN(test_list_parse);
  SW_RUN(test_tagging_parse);
  SW_RUN(test_fixtures_are_not_list_answers);
  SW_RUN(test_object_keys);
  SW_RUN(test_put_bucket_policy_sends_content_md5);
  SW_RUN(test_delete_object_path_and_answers);
  return sw_test_done();
}
