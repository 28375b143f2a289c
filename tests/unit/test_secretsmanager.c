/* Secrets Manager: request bodies (the decoy value is random and never
 * reused), the GetSecretValue fixtures (parsed without keeping the value,
 * which is wiped), and malformed answers. */
#include "lib/json.h"
#include "lib/secretsmanager.h"
#include "sw_svc_test.h"

static void test_create_secret_decoy_is_random(void) {
  struct sw_tag tags[] = {{"secretwatch:stack", "prod"}};
  struct sw_sm_create_req r = {0};
  struct sw_error err;
  char *a, *b;
  struct json_object *ja, *jb;
  r.name = "TopSecretInfo";
  r.description = "decoy";
  r.tags = tags;
  r.tag_count = 1;
  a = sw_sm_create_secret_request(&r, &err);
  b = sw_sm_create_secret_request(&r, &err);
  SW_CHECK(a && b);
  if (!a || !b)
    return;
  ja = json_text(a);
  jb = json_text(b);
  SW_CHECK_STR(sw_json_str(ja, "Name"), "TopSecretInfo");
  SW_CHECK_STR(sw_json_str(ja, "Description"), "decoy");
  const char *va = sw_json_str(ja, "SecretString");
  const char *vb = sw_json_str(jb, "SecretString");
  SW_CHECK(va && vb && strcmp(va, vb) != 0);
  SW_CHECK(va && strlen(va) > 2 * SW_SM_DECOY_BYTES);
  struct json_object *inner = va ? json_text(va) : NULL;
  SW_CHECK(inner != NULL);
  SW_CHECK(sw_json_str(inner, "password") &&
           strlen(sw_json_str(inner, "password")) == 2 * SW_SM_DECOY_BYTES);
  json_object_put(inner);
  SW_CHECK(strstr(a, "\"Tags\":[{\"Key\":\"secretwatch:stack\",\"Value\":"
                     "\"prod\"}]") != NULL);
  json_object_put(ja);
  json_object_put(jb);
  free(a);
  free(b);
  r.name = "";
  SW_CHECK(sw_sm_create_secret_request(&r, &err) == NULL);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.name = "x";
  r.client_request_token = "short";
  SW_CHECK(sw_sm_create_secret_request(&r, &err) == NULL);
}

static void test_simple_request_bodies(void) {
  struct sw_tag tags[] = {{"k", "v"}};
  const char *vals[] = {"secretwatch:stack"};
  struct sw_sm_list_req l = {0};
  struct sw_error err;
  check_body(sw_sm_secret_id_request("TopSecretInfo", &err),
             "{\"SecretId\":\"TopSecretInfo\"}");
  SW_CHECK(sw_sm_secret_id_request("", &err) == NULL);
  check_body(sw_sm_delete_secret_request("s", 7, 0, &err),
             "{\"SecretId\":\"s\",\"RecoveryWindowInDays\":7}");
  check_body(sw_sm_delete_secret_request("s", 0, 1, &err),
             "{\"SecretId\":\"s\",\"ForceDeleteWithoutRecovery\":true}");
  SW_CHECK(sw_sm_delete_secret_request("s", 6, 0, &err) == NULL);
  SW_CHECK(sw_sm_delete_secret_request("s", 31, 0, &err) == NULL);
  SW_CHECK(sw_sm_delete_secret_request("s", 7, 1, &err) == NULL);
  check_body(sw_sm_tag_resource_request("s", tags, 1, &err),
             "{\"SecretId\":\"s\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}");
  SW_CHECK(sw_sm_tag_resource_request("s", tags, 0, &err) == NULL);
  check_body(sw_sm_get_secret_value_request("s", "AWSCURRENT", &err),
             "{\"SecretId\":\"s\",\"VersionStage\":\"AWSCURRENT\"}");
  check_body(sw_sm_list_secrets_request(&l, &err), "{}");
  l.max_results = 100;
  l.next_token = "t";
  l.filter_key = "tag-key";
  l.filter_values = vals;
  l.filter_value_count = 1;
  check_body(sw_sm_list_secrets_request(&l, &err),
             "{\"MaxResults\":100,\"NextToken\":\"t\",\"Filters\":[{\"Key\":"
             "\"tag-key\",\"Values\":[\"secretwatch:stack\"]}]}");
  l.filter_value_count = 0;
  SW_CHECK(sw_sm_list_secrets_request(&l, &err) == NULL);
  l.filter_value_count = 1;
  l.max_results = 101;
  SW_CHECK(sw_sm_list_secrets_request(&l, &err) == NULL);
}

static void test_get_secret_value_fixtures_keep_no_value(void) {
  static const struct {
    const char *file;
    const char *name;
    int has_string, has_binary;
    double created;
  } cases[] = {
      {"aws-responses/secretsmanager/get-secret-value.json",
       "MyTestDatabaseSecret", 1, 0, 1523477145.713},
      {"aws-responses/secretsmanager/get-secret-value.binary.json",
       "MyBinarySecret", 0, 1, 1722430212.39},
      {"aws-responses/secretsmanager/get-secret-value.awscli-example-1.json",
       NULL, -1, -1, 0},
  };
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct json_object *root = json_fixture(cases[i].file);
    struct sw_sm_value_info v;
    struct sw_error err;
    SW_CHECK(root != NULL);
    SW_CHECK_INT(sw_sm_get_secret_value_parse(root, &v, &err), 0);
    if (cases[i].name) {
      SW_CHECK_STR(v.name, cases[i].name);
      SW_CHECK_INT(v.has_string, cases[i].has_string);
      SW_CHECK_INT(v.has_binary, cases[i].has_binary);
      SW_CHECK(v.has_created_date && v.created_date_s == cases[i].created);
    }
    SW_CHECK(v.arn && strncmp(v.arn, "arn:aws:secretsmanager:", 23) == 0);
    /* The value is overwritten in place before the answer is released. */
    const char *s = sw_json_str(root, "SecretString");
    size_t n = s ? strlen(s) : 0;
    sw_sm_wipe_secret_value(root);
    s = sw_json_str(root, "SecretString");
    for (size_t k = 0; s && k < n; k++)
      SW_CHECK(s[k] == '\0');
    s = sw_json_str(root, "SecretBinary");
    SW_CHECK(s == NULL || s[0] == '\0');
    sw_sm_value_info_clean_up(&v);
    json_object_put(root);
  }
  sw_sm_wipe_secret_value(NULL);
}

static void test_get_secret_value_malformed(void) {
  static const char *bad[] = {"[]", "{}", "{\"ARN\":5}", "\"x\""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct json_object *root = json_text(bad[i]);
    struct sw_sm_value_info v;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_sm_get_secret_value_parse(root, &v, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK(v.arn == NULL);
    json_object_put(root);
  }
}

static void test_describe_and_refs(void) {
  struct json_object *root = json_text(
      "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:1:secret:Top-AbCdEf\","
      "\"Name\":\"Top\",\"CreatedDate\":1.523477145713E9,\"DeletedDate\":"
      "1722430000,\"LastAccessedDate\":\"bad\",\"RotationEnabled\":false,"
      "\"Tags\":[{\"Key\":\"secretwatch:stack\",\"Value\":\"prod\"}]}");
  struct sw_sm_secret s;
  struct sw_sm_secret_ref r;
  struct sw_error err;
  SW_CHECK_INT(sw_sm_describe_secret_parse(root, &s, &err), 0);
  SW_CHECK_STR(s.name, "Top");
  SW_CHECK(s.has_created_date && s.created_date_s == 1523477145.713);
  SW_CHECK(s.has_deleted_date);
  SW_CHECK(!s.has_last_accessed_date);
  SW_CHECK_INT(s.rotation_enabled, 0);
  SW_CHECK_STR(sw_tag_list_get(&s.tags, "secretwatch:stack"), "prod");
  sw_sm_secret_clean_up(&s);
  SW_CHECK_INT(sw_sm_secret_ref_parse(root, &r, &err), 0);
  SW_CHECK_STR(r.name, "Top");
  SW_CHECK(r.version_id == NULL);
  sw_sm_secret_ref_clean_up(&r);
  json_object_put(root);
  root = json_text("{\"Name\":\"Top\"}");
  SW_CHECK_INT(sw_sm_describe_secret_parse(root, &s, &err), -1);
  SW_CHECK_INT(sw_sm_secret_ref_parse(root, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  json_object_put(root);
  root = json_text("{\"ARN\":\"a\",\"Name\":\"n\",\"Tags\":[{\"Value\":1}]}");
  SW_CHECK_INT(sw_sm_describe_secret_parse(root, &s, &err), -1);
  SW_CHECK(s.arn == NULL && s.tags.count == 0);
  json_object_put(root);
  root = json_text("{\"ARN\":\"a\",\"Name\":\"n\",\"DeletionDate\":"
                   "1.7224302E9}");
  SW_CHECK_INT(sw_sm_secret_ref_parse(root, &r, &err), 0);
  SW_CHECK(r.has_deletion_date && r.deletion_date_s == 1722430200.0);
  sw_sm_secret_ref_clean_up(&r);
  json_object_put(root);
}

static void test_list_secrets_parse(void) {
  struct json_object *root = json_text(
      "{\"SecretList\":[{\"ARN\":\"a1\",\"Name\":\"n1\"},{\"ARN\":\"a2\","
      "\"Name\":\"n2\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"v\"}]}],"
      "\"NextToken\":\"t\"}");
  struct sw_sm_list_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_sm_list_secrets_parse(root, &r, &err), 0);
  SW_CHECK_INT(r.count, 2);
  if (r.count == 2)
    SW_CHECK_STR(sw_tag_list_get(&r.secrets[1].tags, "k"), "v");
  SW_CHECK_STR(r.next_token, "t");
  sw_sm_list_resp_clean_up(&r);
  json_object_put(root);
  root = json_text("{\"SecretList\":[{\"ARN\":\"a1\",\"Name\":\"n1\"},4]}");
  SW_CHECK_INT(sw_sm_list_secrets_parse(root, &r, &err), -1);
  SW_CHECK_INT(r.count, 0);
  json_object_put(root);
}

int main(void) {
  SW_RUN(test_create_secret_decoy_is_random);
  SW_RUN(test_simple_request_bodies);
  SW_RUN(test_get_secret_value_fixtures_keep_no_value);
  SW_RUN(test_get_secret_value_malformed);
  SW_RUN(test_describe_and_refs);
  SW_RUN(test_list_secrets_parse);
  return sw_test_done();
}
