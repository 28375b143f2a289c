/* S3 (REST-XML): exact request bodies and their Content-MD5, bucket name
 * rules, list/tagging answers, and foreign or malformed documents. */
#include "lib/s3.h"
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

int main(void) {
  SW_RUN(test_create_bucket_body);
  SW_RUN(test_config_bodies_and_md5);
  SW_RUN(test_bucket_names);
  SW_RUN(test_list_query);
  SW_RUN(test_list_parse);
  SW_RUN(test_tagging_parse);
  SW_RUN(test_fixtures_are_not_list_answers);
  return sw_test_done();
}
