/* STS (query): GetCallerIdentity, AssumeRole with ExternalId and
 * AssumeRoleWithWebIdentity: parameters, the shared fixtures, and answers
 * that lack or mangle credentials (which must leave nothing behind). */
#include "lib/sts.h"
#include "lib/xml.h"
#include "sw_svc_test.h"

static void test_caller_identity_fixtures(void) {
  static const struct {
    const char *file, *arn, *user_id;
  } cases[] = {
      {"aws-responses/sts/get-caller-identity.iam-user.xml",
       "arn:aws:iam::123456789012:user/Alice", "AKIAI44QH8DHBEXAMPLE"},
      {"aws-responses/sts/get-caller-identity.assumed-role.xml",
       "arn:aws:sts::123456789012:assumed-role/my-role-name/"
       "my-role-session-name",
       "AKIAI44QH8DHBEXAMPLE:my-role-session-name"},
      {"aws-responses/sts/get-caller-identity.federated-user.xml",
       "arn:aws:sts::123456789012:federated-user/my-federated-user-name",
       "123456789012:my-federated-user-name"},
  };
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    xmlDoc *doc = xml_fixture(cases[i].file);
    struct sw_sts_identity id;
    struct sw_error err;
    SW_CHECK_INT(sw_sts_get_caller_identity_parse(doc, &id, &err), 0);
    SW_CHECK_STR(id.account, "123456789012");
    SW_CHECK_STR(id.arn, cases[i].arn);
    SW_CHECK_STR(id.user_id, cases[i].user_id);
    xmlFreeDoc(doc);
  }
}

static void test_caller_identity_malformed(void) {
  static const char *bad[] = {
      "<GetCallerIdentityResponse/>",
      "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>a</Arn>"
      "</GetCallerIdentityResult></GetCallerIdentityResponse>",
      "<ErrorResponse><Error><Code>AccessDenied</Code></Error>"
      "</ErrorResponse>",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    xmlDoc *doc = xml_text(bad[i]);
    struct sw_sts_identity id;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_sts_get_caller_identity_parse(doc, &id, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    xmlFreeDoc(doc);
  }
}

static void test_assume_role_fixture(void) {
  xmlDoc *doc;
  struct sw_sts_assume_role_resp r;
  struct sw_error err;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  doc = xml_fixture("aws-responses/sts/assume-role.xml");
  sw_sts_assume_role_resp_init(&r);
  SW_CHECK_INT(sw_sts_assume_role_parse(doc, &r, &err), 0);
  SW_CHECK_STR(r.creds.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  SW_CHECK_STR(r.creds.secret_access_key,
               "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  SW_CHECK(r.creds.session_token &&
           strncmp(r.creds.session_token, "AQoDYXdzEPT//", 13) == 0);
  SW_CHECK_INT(r.creds.expiration_s, 1310772513); /* 2011-07-15T23:28:33Z */
  SW_CHECK_STR(r.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/"
                                   "demo/Bob");
  SW_CHECK_STR(r.assumed_role_id, "ARO123EXAMPLE123:Bob");
  SW_CHECK_INT(r.packed_policy_size, 8);
  sw_sts_assume_role_resp_clean_up(&r);
  SW_CHECK(r.creds.session_token == NULL);
  SW_CHECK_STR(r.creds.secret_access_key, "");
  /* The AssumeRole parser refuses another operation's answer. */
  SW_CHECK_INT(sw_sts_web_identity_parse(doc, &r, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  xmlFreeDoc(doc);
}

/* Builds an AssumeRole answer with the given Credentials body. */
static xmlDoc *assume_doc(const char *op, const char *creds) {
  char buf[2048];
  snprintf(buf, sizeof(buf),
           "<%sResponse><%sResult>%s<AssumedRoleUser><Arn>arn:r</Arn>"
           "</AssumedRoleUser><SubjectFromWebIdentityToken>sub"
           "</SubjectFromWebIdentityToken><Audience>aud</Audience>"
           "<Provider>prov</Provider></%sResult></%sResponse>",
           op, op, creds, op, op);
  return xml_text(buf);
}

static void test_assume_role_missing_credentials(void) {
  static const char *bad[] = {
      "",
      "<Credentials/>",
      "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S"
      "</SecretAccessKey><Expiration>2030-01-01T00:00:00Z</Expiration>"
      "</Credentials>", /* no token */
      "<Credentials><AccessKeyId>A</AccessKeyId><SessionToken>T"
      "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>"
      "</Credentials>", /* no secret */
      "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S"
      "</SecretAccessKey><SessionToken>T</SessionToken><Expiration>soon"
      "</Expiration></Credentials>", /* bad expiration */
      "<Credentials><AccessKeyId></AccessKeyId><SecretAccessKey>S"
      "</SecretAccessKey><SessionToken>T</SessionToken><Expiration>"
      "2030-01-01T00:00:00Z</Expiration></Credentials>", /* empty key id */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    xmlDoc *doc = assume_doc("AssumeRole", bad[i]);
    struct sw_sts_assume_role_resp r;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK(doc != NULL);
    SW_CHECK_INT(sw_sts_assume_role_parse(doc, &r, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK(r.creds.session_token == NULL);
    SW_CHECK_STR(r.creds.secret_access_key, "");
    xmlFreeDoc(doc);
  }
  /* A secret key longer than its field is refused, not cut. */
  char creds[1024], big[300];
  memset(big, 'k', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  snprintf(creds, sizeof(creds),
           "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>%s"
           "</SecretAccessKey><SessionToken>T</SessionToken><Expiration>"
           "2030-01-01T00:00:00Z</Expiration></Credentials>",
           big);
  xmlDoc *doc = assume_doc("AssumeRole", creds);
  struct sw_sts_assume_role_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_sts_assume_role_parse(doc, &r, &err), -1);
  xmlFreeDoc(doc);
}

static void test_web_identity_answer(void) {
  xmlDoc *doc = assume_doc(
      "AssumeRoleWithWebIdentity",
      "<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>S"
      "</SecretAccessKey><SessionToken>T</SessionToken><Expiration>"
      "2030-01-01T00:00:00.5Z</Expiration></Credentials>");
  struct sw_sts_assume_role_resp r;
  struct sw_error err;
  SW_CHECK_INT(sw_sts_web_identity_parse(doc, &r, &err), 0);
  SW_CHECK_STR(r.creds.access_key_id, "ASIA1");
  SW_CHECK_STR(r.creds.session_token, "T");
  SW_CHECK_INT(r.creds.expiration_s, 1893456000);
  SW_CHECK_STR(r.subject_from_web_identity_token, "sub");
  SW_CHECK_STR(r.audience, "aud");
  SW_CHECK_STR(r.provider, "prov");
  SW_CHECK_INT(r.packed_policy_size, -1);
  sw_sts_assume_role_resp_clean_up(&r);
  xmlFreeDoc(doc);
}

static void test_requests(void) {
  struct sw_sts_assume_role_req a = {0};
  struct sw_sts_web_identity_req w = {0};
  struct sw_params p;
  struct sw_error err;
  char *got;
  sw_params_init(&p);
  a.role_arn = "arn:aws:iam::111122223333:role/secretwatch-reader";
  a.role_session_name = "secretwatch-42";
  a.external_id = "ext-123";
  a.duration_s = 900;
  SW_CHECK_INT(sw_sts_assume_role_request(&a, &p, &err), 0);
  got = params_text(&p);
  SW_CHECK_STR(got, "RoleArn=arn:aws:iam::111122223333:role/secretwatch-reader&"
                    "RoleSessionName=secretwatch-42&ExternalId=ext-123&"
                    "DurationSeconds=900");
  free(got);
  sw_params_clean_up(&p);
  static const struct {
    const char *arn, *session, *ext;
    int dur;
  } bad[] = {
      {NULL, "s1", NULL, 0},     {"role", "s1", NULL, 0},
      {"arn:r", "s", NULL, 0},   {"arn:r", "bad name", NULL, 0},
      {"arn:r", "s1", "x", 0},   {"arn:r", "s1", NULL, 899},
      {"arn:r", "s1", NULL, -1}, {"arn:r", "s1", NULL, 43201},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sw_sts_assume_role_req b = {bad[i].arn, bad[i].session, bad[i].ext,
                                       bad[i].dur, NULL};
    sw_params_init(&p);
    SW_CHECK_INT(sw_sts_assume_role_request(&b, &p, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
    SW_CHECK_INT(p.list.count, 0);
    sw_params_clean_up(&p);
  }
  sw_params_init(&p);
  w.role_arn = "arn:aws:iam::1:role/r";
  w.role_session_name = "s1";
  w.web_identity_token = "eyJhbGciOi";
  SW_CHECK_INT(sw_sts_web_identity_request(&w, &p, &err), 0);
  got = params_text(&p);
  SW_CHECK_STR(got, "RoleArn=arn:aws:iam::1:role/r&RoleSessionName=s1&"
                    "WebIdentityToken=eyJhbGciOi");
  free(got);
  sw_params_clean_up(&p);
  w.web_identity_token = "";
  sw_params_init(&p);
  SW_CHECK_INT(sw_sts_web_identity_request(&w, &p, &err), -1);
  /* The message never quotes the token. */
  SW_CHECK(strstr(err.message, "eyJ") == NULL);
  sw_params_clean_up(&p);
}

int main(void) {
  SW_RUN(test_caller_identity_fixtures);
  SW_RUN(test_caller_identity_malformed);
  SW_RUN(test_assume_role_fixture);
  SW_RUN(test_assume_role_missing_credentials);
  SW_RUN(test_web_identity_answer);
  SW_RUN(test_requests);
  return sw_test_done();
}
