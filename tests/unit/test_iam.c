/* IAM (query): role, inline policy and tag requests; answers with
 * URL-encoded policy documents; malformed and foreign documents. */
#include "lib/iam.h"
#include "lib/xml.h"
#include "sw_svc_test.h"

static const char *trust =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":"
    "\"sts:AssumeRole\"}]}";

static void test_requests(void) {
  struct sw_tag tags[] = {{"secretwatch:stack", "prod"}};
  struct sw_iam_create_role_req r = {0};
  struct sw_params p;
  struct sw_error err;
  char want[1024];
  sw_params_init(&p);
  r.role_name = "secretwatch-prod-cloudtrail";
  r.assume_role_policy_document = trust;
  r.path = "/secretwatch/";
  r.tags = tags;
  r.tag_count = 1;
  SW_CHECK_INT(sw_iam_create_role_request(&r, &p, &err), 0);
  snprintf(want, sizeof(want),
           "RoleName=secretwatch-prod-cloudtrail&AssumeRolePolicyDocument=%s&"
           "Path=/secretwatch/&Tags.member.1.Key=secretwatch:stack&"
           "Tags.member.1.Value=prod",
           trust);
  check_query(&p, want);
  r.path = "secretwatch";
  SW_CHECK_INT(sw_iam_create_role_request(&r, &p, &err), -1);
  r.path = NULL;
  r.role_name = "bad name";
  SW_CHECK_INT(sw_iam_create_role_request(&r, &p, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  r.role_name = "r";
  r.assume_role_policy_document = NULL;
  SW_CHECK_INT(sw_iam_create_role_request(&r, &p, &err), -1);
  SW_CHECK_INT(p.list.count, 0);
  SW_CHECK_INT(sw_iam_put_role_policy_request("r", "logs", "{}", &p, &err), 0);
  check_query(&p, "RoleName=r&PolicyName=logs&PolicyDocument={}");
  SW_CHECK_INT(sw_iam_put_role_policy_request("r", "", "{}", &p, &err), -1);
  SW_CHECK_INT(sw_iam_role_policy_request("r", "logs", &p, &err), 0);
  check_query(&p, "RoleName=r&PolicyName=logs");
  SW_CHECK_INT(sw_iam_role_name_request("r", &p, &err), 0);
  check_query(&p, "RoleName=r");
  SW_CHECK_INT(sw_iam_tag_role_request("r", tags, 1, &p, &err), 0);
  check_query(&p, "RoleName=r&Tags.member.1.Key=secretwatch:stack&"
                  "Tags.member.1.Value=prod");
  SW_CHECK_INT(sw_iam_tag_role_request("r", tags, 0, &p, &err), -1);
  SW_CHECK_INT(sw_iam_list_role_tags_request("r", "m", &p, &err), 0);
  check_query(&p, "RoleName=r&Marker=m");
  char long_name[80];
  memset(long_name, 'a', 65);
  long_name[65] = '\0';
  SW_CHECK_INT(sw_iam_role_name_request(long_name, &p, &err), -1);
  sw_params_clean_up(&p);
}

static void test_role_answer_decodes_policy(void) {
  xmlDoc *doc = xml_text(
      "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
      "<GetRoleResult><Role><Path>/secretwatch/</"
      "Path><AssumeRolePolicyDocument>"
      "%7B%22Version%22%3A%222012-10-17%22%2C%22a%22%3A%22x+y%22%7D"
      "</AssumeRolePolicyDocument><MaxSessionDuration>3600</MaxSessionDuration>"
      "<RoleId>AROA1</RoleId><RoleName>r</RoleName><Arn>arn:aws:iam::1:role/"
      "secretwatch/r</Arn><CreateDate>2024-07-31T12:00:00Z</CreateDate>"
      "<Tags><member><Key>secretwatch:stack</Key><Value>prod</Value></member>"
      "</Tags></Role></GetRoleResult></GetRoleResponse>");
  struct sw_iam_role r;
  struct sw_error err;
  SW_CHECK_INT(sw_iam_role_parse(doc, "GetRole", &r, &err), 0);
  SW_CHECK_STR(r.role_name, "r");
  SW_CHECK_STR(r.arn, "arn:aws:iam::1:role/secretwatch/r");
  SW_CHECK_STR(r.assume_role_policy_document,
               "{\"Version\":\"2012-10-17\",\"a\":\"x+y\"}");
  SW_CHECK(r.has_create_date && r.create_date_s == 1722427200.0);
  SW_CHECK_INT(r.max_session_duration_s, 3600);
  SW_CHECK_STR(sw_tag_list_get(&r.tags, "secretwatch:stack"), "prod");
  sw_iam_role_clean_up(&r);
  /* CreateRole's parser refuses a GetRole answer. */
  SW_CHECK_INT(sw_iam_role_parse(doc, "CreateRole", &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  xmlFreeDoc(doc);
}

static void test_role_answer_malformed(void) {
  static const char *bad[] = {
      "<GetRoleResponse><GetRoleResult/></GetRoleResponse>",
      "<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName></Role>"
      "</GetRoleResult></GetRoleResponse>",
      "<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName><Arn>a"
      "</Arn><Tags><member><Value>v</Value></member></Tags></Role>"
      "</GetRoleResult></GetRoleResponse>",
      "<ErrorResponse><Error><Code>NoSuchEntity</Code></Error>"
      "</ErrorResponse>",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    xmlDoc *doc = xml_text(bad[i]);
    struct sw_iam_role r;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_iam_role_parse(doc, "GetRole", &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK(r.role_name == NULL && r.tags.count == 0);
    xmlFreeDoc(doc);
  }
}

static void test_fixtures_are_not_role_answers(void) {
  static const char *files[] = {"aws-responses/iam/get-user.xml",
                                "aws-responses/iam/error-no-such-entity.xml"};
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < 2; i++) {
    size_t len;
    struct sw_error err;
    char *t = sw_test_fixture(files[i], &len);
    xmlDoc *doc = t ? sw_xml_parse(t, len, &err) : NULL;
    struct sw_iam_role r;
    SW_CHECK(doc != NULL);
    SW_CHECK_INT(sw_iam_role_parse(doc, "GetRole", &r, &err), -1);
    SW_CHECK(strstr(err.message, "GetRoleResponse") != NULL);
    xmlFreeDoc(doc);
    free(t);
  }
}

static void test_role_policy_and_tags(void) {
  xmlDoc *doc = xml_text(
      "<GetRolePolicyResponse><GetRolePolicyResult><RoleName>r</RoleName>"
      "<PolicyName>logs</PolicyName><PolicyDocument>%7B%22a%22%3A1%7D"
      "</PolicyDocument></GetRolePolicyResult></GetRolePolicyResponse>");
  struct sw_iam_role_policy p;
  struct sw_iam_tags_page t;
  struct sw_error err;
  SW_CHECK_INT(sw_iam_get_role_policy_parse(doc, &p, &err), 0);
  SW_CHECK_STR(p.policy_document, "{\"a\":1}");
  SW_CHECK_STR(p.policy_name, "logs");
  sw_iam_role_policy_clean_up(&p);
  xmlFreeDoc(doc);
  doc = xml_text("<GetRolePolicyResponse><GetRolePolicyResult><RoleName>r"
                 "</RoleName></GetRolePolicyResult></GetRolePolicyResponse>");
  SW_CHECK_INT(sw_iam_get_role_policy_parse(doc, &p, &err), -1);
  SW_CHECK(p.role_name == NULL);
  xmlFreeDoc(doc);
  doc = xml_text("<ListRoleTagsResponse><ListRoleTagsResult><Tags><member>"
                 "<Key>a</Key><Value>1</Value></member><member><Key>b</Key>"
                 "<Value/></member></Tags><IsTruncated>true</IsTruncated>"
                 "<Marker>m2</Marker></ListRoleTagsResult>"
                 "</ListRoleTagsResponse>");
  SW_CHECK_INT(sw_iam_list_role_tags_parse(doc, &t, &err), 0);
  SW_CHECK_INT(t.tags.count, 2);
  SW_CHECK_STR(sw_tag_list_get(&t.tags, "b"), "");
  SW_CHECK_INT(t.is_truncated, 1);
  SW_CHECK_STR(t.marker, "m2");
  sw_iam_tags_page_clean_up(&t);
  xmlFreeDoc(doc);
}

static void test_url_decode(void) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"%7B%7d", "{}"}, {"a+b", "a+b"}, {"plain", "plain"}, {"%", NULL},
      {"%4", NULL},     {"%zz", NULL},  {"%00", NULL},      {"", ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *got = sw_iam_url_decode(cases[i].in, strlen(cases[i].in));
    SW_CHECK_STR(got, cases[i].out);
    free(got);
  }
}

static void test_update_assume_role_policy_request(void) {
  struct sw_params p;
  struct sw_error err;
  char *big = malloc(131074);
  sw_params_init(&p);
  SW_CHECK_INT(sw_iam_update_assume_role_policy_request(
                   "secretwatch-prod-cloudtrail", trust, &p, &err),
               0);
  char want[1024];
  snprintf(want, sizeof(want),
           "RoleName=secretwatch-prod-cloudtrail&PolicyDocument=%s", trust);
  check_query(&p, want);
  static const struct {
    const char *role, *doc;
  } bad[] = {{"r", ""},    {"r", NULL},   {"", "{}"},
             {NULL, "{}"}, {"a b", "{}"}, {"r/x", "{}"}};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sw_error_clear(&err);
    SW_CHECK_INT(sw_iam_update_assume_role_policy_request(bad[i].role,
                                                          bad[i].doc, &p, &err),
                 -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
    SW_CHECK(strstr(err.message, "UpdateAssumeRolePolicy") != NULL);
    SW_CHECK_INT(p.list.count, 0);
  }
  if (big) {
    memset(big, ' ', 131073);
    big[0] = '{';
    big[131073] = '\0';
    SW_CHECK_INT(sw_iam_update_assume_role_policy_request("r", big, &p, &err),
                 -1);
    big[131072] = '\0'; /* exactly the API's limit */
    SW_CHECK_INT(sw_iam_update_assume_role_policy_request("r", big, &p, &err),
                 0);
    sw_params_clean_up(&p);
    sw_params_init(&p);
  }
  free(big);
  /* The wrapper refuses bad input before using the client (NULL here). */
  SW_CHECK_INT(sw_iam_update_assume_role_policy(NULL, "r", "", &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  sw_params_clean_up(&p);
}

static void test_update_assume_role_policy_answer(void) {
  static const struct {
    const char *xml;
    int rc;
  } cases[] = {
      {"<UpdateAssumeRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/"
       "2010-05-08/\"><ResponseMetadata><RequestId>r-1</RequestId>"
       "</ResponseMetadata></UpdateAssumeRolePolicyResponse>",
       0},
      {"<UpdateAssumeRolePolicyResponse/>", 0},
      /* Another action's answer, an error document, a foreign root. */
      {"<PutRolePolicyResponse><ResponseMetadata/></PutRolePolicyResponse>",
       -1},
      {"<ErrorResponse><Error><Code>NoSuchEntity</Code></Error>"
       "</ErrorResponse>",
       -1},
      {"<UpdateAssumeRolePolicy/>", -1},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    xmlDoc *doc = xml_text(cases[i].xml);
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK(doc != NULL);
    SW_CHECK_INT(sw_iam_update_assume_role_policy_parse(doc, &err),
                 cases[i].rc);
    if (cases[i].rc != 0) {
      SW_CHECK_INT(err.kind, SW_ERR_PARSE);
      SW_CHECK(strstr(err.message, "UpdateAssumeRolePolicyResponse") != NULL);
    }
    xmlFreeDoc(doc);
  }
  struct sw_error err;
  SW_CHECK_INT(sw_iam_update_assume_role_policy_parse(NULL, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
}

int main(void) {
  SW_RUN(test_requests);
  SW_RUN(test_role_answer_decodes_policy);
  SW_RUN(test_role_answer_malformed);
  SW_RUN(test_fixtures_are_not_role_answers);
  SW_RUN(test_role_policy_and_tags);
  SW_RUN(test_url_decode);
  SW_RUN(test_update_assume_role_policy_request);
  SW_RUN(test_update_assume_role_policy_answer);
  return sw_test_done();
}
