/* CloudTrail record parsing: every shared sample record, then hostile and
 * incomplete variants, then secret-name matching. */
#include "lib/ctrecord.h"
#include "lib/error.h"
#include "sw_test.h"

#define REC_DIR "aws-responses/cloudtrail-records/"

/* Parses a fixture with sw_ctrec_parse_many; NULL (test skipped by the
 * caller) when the data folder is absent. */
static int load_many(const char *name, struct sw_ctrec_list *l) {
  size_t len;
  struct sw_error err;
  char *text = sw_test_fixture(name, &len);
  int rc;
  if (text == NULL)
    return -2;
  sw_error_clear(&err);
  rc = sw_ctrec_parse_many(text, len, l, &err);
  if (rc != 0)
    fprintf(stderr, "%s: %s\n", name, err.message);
  free(text);
  return rc;
}

static void test_fixture_counts_and_forms(void) {
  static const struct {
    const char *file;
    size_t count;
  } cases[] = {
      {REC_DIR "stratus.getsecretvalue.iamuser.json", 21},
      {REC_DIR "stratus.batchgetsecretvalue.iamuser.json", 5},
      {REC_DIR "stratus.assumerole-then-accessdenied.json", 3},
      {REC_DIR "awsdocs.secretsmanager-rotationfailed.json", 1},
      {REC_DIR "awsdocs.s3-logfile-errorcode-example.json", 1},
      {REC_DIR "getsecretvalue.assumedrole-vpce.json", 1},
      {REC_DIR "getsecretvalue.accessdenied.json", 1},
  };
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_ctrec_list l;
    sw_ctrec_list_init(&l);
    SW_CHECK_INT(load_many(cases[i].file, &l), 0);
    SW_CHECK_INT(l.count, cases[i].count);
    for (size_t j = 0; j < l.count; j++) {
      SW_CHECK(l.items[j].event_id[0] != '\0');
      SW_CHECK(l.items[j].has_event_time);
      SW_CHECK(!l.items[j].truncated);
    }
    sw_ctrec_list_clean_up(&l);
  }
}

static void test_assumed_role_via_vpce_fields(void) {
  struct sw_ctrec_list l;
  const struct sw_ctrec *r;
  sw_ctrec_list_init(&l);
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  SW_CHECK_INT(load_many(REC_DIR "getsecretvalue.assumedrole-vpce.json", &l),
               0);
  if (l.count != 1)
    return;
  r = &l.items[0];
  SW_CHECK_STR(r->event_id, "7d9b1f0c-3a4e-4d55-8f2b-6c1e0a9d8e47");
  SW_CHECK_STR(r->event_name, "GetSecretValue");
  SW_CHECK_STR(r->event_source, "secretsmanager.amazonaws.com");
  SW_CHECK_STR(r->event_time, "2024-07-31T12:40:05Z");
  SW_CHECK(r->event_time_s == 1722429605.0);
  SW_CHECK_STR(r->aws_region, "us-east-1");
  SW_CHECK_STR(r->source_ip, "10.0.12.34");
  SW_CHECK_STR(r->vpc_endpoint_id, "vpce-0123456789abcdef0");
  SW_CHECK_STR(r->recipient_account_id, "123456789012");
  SW_CHECK_STR(r->error_code, "");
  SW_CHECK_INT(r->read_only, 1);
  SW_CHECK_STR(r->event_type, "AwsApiCall");
  SW_CHECK_STR(r->identity.type, "AssumedRole");
  SW_CHECK_STR(r->identity.arn, "arn:aws:sts::123456789012:assumed-role/"
                                "app-server-role/i-0abcd1234ef567890");
  SW_CHECK_STR(r->identity.access_key_id, "ASIAEXAMPLEVPCE12345");
  SW_CHECK_STR(r->identity.account_id, "123456789012");
  SW_CHECK_STR(r->identity.principal_id,
               "AROAEXAMPLEROLEID1234:i-0abcd1234ef567890");
  SW_CHECK_STR(r->identity.issuer_arn,
               "arn:aws:iam::123456789012:role/app-server-role");
  SW_CHECK_STR(r->identity.issuer_user_name, "app-server-role");
  SW_CHECK_STR(r->secret_id, "arn:aws:secretsmanager:us-east-1:123456789012:"
                             "secret:prod/app/db-credentials-AbCdEf");
  SW_CHECK_INT(r->resource_count, 0);
  SW_CHECK(sw_ctrec_names_secret(r, "prod/app/db-credentials", NULL));
  sw_ctrec_list_clean_up(&l);
}

static void test_access_denied_has_error_and_null_params(void) {
  struct sw_ctrec_list l;
  const struct sw_ctrec *r;
  sw_ctrec_list_init(&l);
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  SW_CHECK_INT(load_many(REC_DIR "getsecretvalue.accessdenied.json", &l), 0);
  if (l.count != 1)
    return;
  r = &l.items[0];
  SW_CHECK_STR(r->error_code, "AccessDenied");
  SW_CHECK(strncmp(r->error_message, "User: arn:aws:sts::123456789012:", 32) ==
           0);
  SW_CHECK_STR(r->secret_id, ""); /* requestParameters is null */
  SW_CHECK_STR(r->denied_resource, "prod/app/db-credentials");
  SW_CHECK(sw_ctrec_names_secret(r, "prod/app/db-credentials", NULL));
  SW_CHECK(sw_ctrec_names_secret(
      r, NULL,
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/"
      "db-credentials-AbCdEf"));
  SW_CHECK(!sw_ctrec_names_secret(r, "prod/app/db", NULL));
  SW_CHECK_STR(r->source_ip, "198.51.100.23");
  SW_CHECK(strncmp(r->user_agent, "Boto3/1.34.144 ", 15) == 0);
  SW_CHECK_STR(r->vpc_endpoint_id, "");
  sw_ctrec_list_clean_up(&l);
}

static void test_service_event_without_identity_type(void) {
  struct sw_ctrec_list l;
  const struct sw_ctrec *r;
  sw_ctrec_list_init(&l);
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  SW_CHECK_INT(
      load_many(REC_DIR "awsdocs.secretsmanager-rotationfailed.json", &l), 0);
  if (l.count != 1)
    return;
  r = &l.items[0];
  SW_CHECK_STR(r->identity.type, "");
  SW_CHECK_STR(r->identity.arn, "");
  SW_CHECK_STR(r->identity.invoked_by, "secretsmanager.amazonaws.com");
  SW_CHECK_STR(r->identity.account_id, "123456789012");
  SW_CHECK_STR(r->event_type, "AwsServiceEvent");
  SW_CHECK_INT(r->read_only, 0);
  SW_CHECK_STR(r->error_code, "");
  SW_CHECK_STR(r->additional_secret_id,
               "arn:aws:secretsmanager:us-east-2:123456789012:secret:"
               "MyDatabaseSecret-a1b2c3");
  SW_CHECK(sw_ctrec_names_secret(r, "MyDatabaseSecret", NULL));
  sw_ctrec_list_clean_up(&l);
}

static void test_log_file_form_and_resources(void) {
  struct sw_ctrec_list l;
  sw_ctrec_list_init(&l);
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  SW_CHECK_INT(
      load_many(REC_DIR "awsdocs.s3-logfile-errorcode-example.json", &l), 0);
  if (l.count == 1) {
    SW_CHECK_STR(l.items[0].error_code, "TrailNotFoundException");
    SW_CHECK_STR(l.items[0].identity.user_name, "Alice");
    SW_CHECK_INT(l.items[0].read_only, -1);
  }
  sw_ctrec_list_clean_up(&l);
  SW_CHECK_INT(
      load_many(REC_DIR "stratus.assumerole-then-accessdenied.json", &l), 0);
  if (l.count == 3) {
    SW_CHECK_STR(l.items[0].event_name, "AssumeRole");
    SW_CHECK_INT(l.items[0].resource_count, 1);
    SW_CHECK_INT(l.items[0].resource_total, 1);
    SW_CHECK_STR(l.items[0].resource_arns[0],
                 "arn:aws:iam::307578594326:role/stratus-red-team-leave-org-"
                 "role");
    SW_CHECK_STR(l.items[1].error_code, "AccessDenied");
    SW_CHECK_STR(l.items[1].identity.type, "AssumedRole");
  }
  sw_ctrec_list_clean_up(&l);
}

static void test_stratus_reads_name_their_secrets(void) {
  struct sw_ctrec_list l;
  size_t reads = 0;
  sw_ctrec_list_init(&l);
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  SW_CHECK_INT(load_many(REC_DIR "stratus.getsecretvalue.iamuser.json", &l), 0);
  for (size_t i = 0; i < l.count; i++) {
    if (strcmp(l.items[i].event_name, "GetSecretValue") != 0)
      continue;
    reads++;
    SW_CHECK_STR(l.items[i].identity.type, "IAMUser");
    SW_CHECK(sw_ctrec_names_secret(&l.items[i],
                                   "arn:aws:secretsmanager:cn-centraleast-1r:"
                                   "903144391865:secret:stratus-red-team-"
                                   "retrieve-secret-",
                                   NULL) == 0);
  }
  SW_CHECK_INT(reads, 20);
  SW_CHECK(sw_ctrec_names_secret(&l.items[0],
                                 "stratus-red-team-retrieve-secret-18", NULL));
  SW_CHECK(!sw_ctrec_names_secret(&l.items[0],
                                  "stratus-red-team-retrieve-secret-1", NULL));
  sw_ctrec_list_clean_up(&l);
}

/* Documents that must be refused, each for its own reason. */
static void test_malformed_documents_are_refused(void) {
  static const char *bad[] = {
      "",
      "{",
      "{\"eventID\":\"x\"",           /* truncated */
      "{\"eventID\":\"x\"} trailing", /* trailing data */
      "[{\"eventID\":\"a\"}, 5]",     /* non-object element */
      "[{\"eventID\":\"a\"}, null]",  /* null element */
      "{\"Records\": {\"a\": 1}}",    /* Records not an array */
      "{\"Records\": null}",          /* Records null */
      "\"just a string\"",            /* not an object */
      "42",
      "{\"eventID\":\"a\\uZZZZ\"}", /* bad escape */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct sw_ctrec_list l;
    struct sw_error err;
    sw_ctrec_list_init(&l);
    sw_error_clear(&err);
    SW_CHECK_INT(sw_ctrec_parse_many(bad[i], strlen(bad[i]), &l, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK(err.message[0] != '\0');
    SW_CHECK_INT(l.count, 0);
    SW_CHECK(l.items == NULL);
  }
}

static void test_too_deep_record_is_refused(void) {
  char doc[512];
  size_t n = 0;
  struct sw_ctrec rec;
  struct sw_error err;
  n += (size_t)snprintf(doc + n, sizeof(doc) - n, "{\"eventID\":\"d\",\"x\":");
  for (int i = 0; i < 100; i++)
    doc[n++] = '[';
  for (int i = 0; i < 100; i++)
    doc[n++] = ']';
  doc[n++] = '}';
  doc[n] = '\0';
  sw_error_clear(&err);
  SW_CHECK_INT(sw_ctrec_parse(doc, n, &rec, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
}

static void test_wrong_types_are_absent(void) {
  const char *doc =
      "{\"eventID\":7,\"eventName\":[\"GetSecretValue\"],\"eventTime\":"
      "\"not a time\",\"userIdentity\":\"IAMUser\",\"readOnly\":\"maybe\","
      "\"requestParameters\":{\"secretId\":{\"a\":1}},\"resources\":"
      "[5,{\"ARN\":3},{\"ARN\":\"arn:aws:secretsmanager:r:1:secret:s-AbCdEf\"}"
      "],\"errorCode\":null,\"sourceIPAddress\":true}";
  struct sw_ctrec rec;
  struct sw_error err;
  SW_CHECK_INT(sw_ctrec_parse(doc, strlen(doc), &rec, &err), 0);
  SW_CHECK_STR(rec.event_id, "");
  SW_CHECK_STR(rec.event_name, "");
  SW_CHECK_STR(rec.event_time, "not a time");
  SW_CHECK_INT(rec.has_event_time, 0);
  SW_CHECK_STR(rec.identity.type, "");
  SW_CHECK_INT(rec.read_only, -1);
  SW_CHECK_STR(rec.secret_id, "");
  SW_CHECK_STR(rec.error_code, "");
  SW_CHECK_STR(rec.source_ip, "");
  SW_CHECK_INT(rec.resource_count, 1);
  SW_CHECK_STR(rec.resource_arns[0],
               "arn:aws:secretsmanager:r:1:secret:s-AbCdEf");
  SW_CHECK(sw_ctrec_names_secret(&rec, "s", NULL));
}

static void test_missing_everything_is_empty_record(void) {
  struct sw_ctrec rec;
  struct sw_error err;
  SW_CHECK_INT(sw_ctrec_parse("{}", 2, &rec, &err), 0);
  SW_CHECK_STR(rec.event_id, "");
  SW_CHECK_INT(rec.read_only, -1);
  SW_CHECK_INT(rec.resource_count, 0);
  SW_CHECK(!sw_ctrec_names_secret(&rec, "x", NULL));
  SW_CHECK(!sw_ctrec_names_secret(&rec, "", ""));
}

static void test_oversized_strings_are_cut_and_flagged(void) {
  size_t big = 5000;
  char *doc = malloc(big + 200);
  struct sw_ctrec rec;
  struct sw_error err;
  size_t n = (size_t)sprintf(doc, "{\"eventName\":\"GetSecretValue\","
                                  "\"userAgent\":\"");
  memset(doc + n, 'A', big);
  n += big;
  n += (size_t)sprintf(doc + n, "\\n[0] X\"}");
  SW_CHECK_INT(sw_ctrec_parse(doc, n, &rec, &err), 0);
  SW_CHECK_INT(strlen(rec.user_agent), SW_CTREC_TEXT_SIZE - 1);
  SW_CHECK_INT(rec.truncated, 1);
  SW_CHECK_STR(rec.event_name, "GetSecretValue");
  free(doc);
  /* Raw copy: a newline inside a short user agent is kept (the plugin
   * sanitizes at its boundary). */
  const char *raw = "{\"userAgent\":\"a\\nb\"}";
  SW_CHECK_INT(sw_ctrec_parse(raw, strlen(raw), &rec, &err), 0);
  SW_CHECK_STR(rec.user_agent, "a\nb");
  SW_CHECK_INT(rec.truncated, 0);
}

static void test_resources_are_bounded(void) {
  char doc[8192];
  size_t n = (size_t)snprintf(doc, sizeof(doc), "{\"resources\":[");
  struct sw_ctrec rec;
  struct sw_error err;
  for (int i = 0; i < 20; i++)
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s{\"ARN\":\"arn:%d\"}",
                          i ? "," : "", i);
  n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]}");
  SW_CHECK_INT(sw_ctrec_parse(doc, n, &rec, &err), 0);
  SW_CHECK_INT(rec.resource_count, SW_CTREC_MAX_RESOURCES);
  SW_CHECK_INT(rec.resource_total, 20);
  SW_CHECK_STR(rec.resource_arns[7], "arn:7");
}

static void test_record_count_is_bounded(void) {
  size_t n_rec = SW_CTREC_MAX_RECORDS + 1;
  char *doc = malloc(n_rec * 3 + 4);
  size_t n = 0;
  struct sw_ctrec_list l;
  struct sw_error err;
  doc[n++] = '[';
  for (size_t i = 0; i < n_rec; i++) {
    if (i)
      doc[n++] = ',';
    doc[n++] = '{';
    doc[n++] = '}';
  }
  doc[n++] = ']';
  sw_ctrec_list_init(&l);
  SW_CHECK_INT(sw_ctrec_parse_many(doc, n, &l, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  SW_CHECK_INT(l.count, 0);
  /* exactly the limit is accepted */
  n -= 4; /* drop ",{}]" */
  doc[n++] = ']';
  SW_CHECK_INT(sw_ctrec_parse_many(doc, n, &l, &err), 0);
  SW_CHECK_INT(l.count, SW_CTREC_MAX_RECORDS);
  sw_ctrec_list_clean_up(&l);
  free(doc);
}

static void test_empty_forms(void) {
  struct sw_ctrec_list l;
  struct sw_error err;
  sw_ctrec_list_init(&l);
  SW_CHECK_INT(sw_ctrec_parse_many("[]", 2, &l, &err), 0);
  SW_CHECK_INT(l.count, 0);
  SW_CHECK_INT(sw_ctrec_parse_many("{\"Records\":[]}", 14, &l, &err), 0);
  SW_CHECK_INT(l.count, 0);
  struct sw_ctrec rec;
  SW_CHECK_INT(sw_ctrec_parse("[]", 2, &rec, &err), -1);
}

static void test_denied_resource_only_for_refused_calls(void) {
  static const struct {
    const char *doc, *want;
  } cases[] = {
      {"{\"errorCode\":\"AccessDenied\",\"errorMessage\":\"x on resource: "
       "Top because y\"}",
       "Top"},
      {"{\"errorCode\":\"AccessDenied\",\"errorMessage\":\"x on resource: "
       "Top\"}",
       "Top"},
      {"{\"errorMessage\":\"x on resource: Top because y\"}", ""},
      {"{\"errorCode\":\"AccessDenied\",\"errorMessage\":\"x on resource: "
       "Top\",\"requestParameters\":{\"secretId\":\"Other\"}}",
       ""},
      {"{\"errorCode\":\"AccessDenied\",\"errorMessage\":\"denied\"}", ""},
      {"{\"errorCode\":\"AccessDenied\",\"errorMessage\":5}", ""},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_ctrec rec;
    struct sw_error err;
    SW_CHECK_INT(sw_ctrec_parse(cases[i].doc, strlen(cases[i].doc), &rec, &err),
                 0);
    SW_CHECK_STR(rec.denied_resource, cases[i].want);
  }
}

static void test_bool_and_string_read_only(void) {
  struct sw_ctrec rec;
  struct sw_error err;
  SW_CHECK_INT(sw_ctrec_parse("{\"readOnly\":\"true\"}", 19, &rec, &err), 0);
  SW_CHECK_INT(rec.read_only, 1);
  SW_CHECK_INT(sw_ctrec_parse("{\"readOnly\":false}", 18, &rec, &err), 0);
  SW_CHECK_INT(rec.read_only, 0);
}

/* How a record's secret reference matches the watched secret. */
static void test_secret_matching_table(void) {
#define FULL \
  "arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-AbCdEf"
#define PARTIAL \
  "arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo"
  const char *full = FULL;
  static const struct {
    const char *in_record;
    const char *watched;
    int match;
  } cases[] = {
      {"TopSecretInfo", "TopSecretInfo", 1},
      {FULL, "TopSecretInfo", 1},
      {PARTIAL, "TopSecretInfo", 1},
      {"TopSecretInfo", FULL, 1},
      {"TopSecretInfo", PARTIAL, 1},
      {FULL, FULL, 1},
      {PARTIAL, FULL, 1},
      {FULL, PARTIAL, 1},
      {"TopSecretInfo2", "TopSecretInfo", 0},
      {"TopSecret", "TopSecretInfo", 0},
      {"topsecretinfo", "TopSecretInfo", 0},
      {"arn:aws:secretsmanager:us-east-1:999999999999:secret:TopSecretInfo-"
       "AbCdEf",
       FULL, 0},
      {"arn:aws:secretsmanager:us-east-1:111122223333:secret:TopSecretInfo-"
       "ZZZZZZ",
       FULL, 0},
      {"arn:aws:secretsmanager:us-east-1:111122223333:secret:Other-AbCdEf",
       "TopSecretInfo", 0},
      {"", "TopSecretInfo", 0},
      {"TopSecretInfo-AbCdEf", "TopSecretInfo", 0}, /* a name, not an ARN */
      {"prod/app/db", "prod/app/db", 1},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sw_ctrec rec;
    memset(&rec, 0, sizeof(rec));
    snprintf(rec.secret_id, sizeof(rec.secret_id), "%s", cases[i].in_record);
    if (sw_ctrec_names_secret(&rec, cases[i].watched, NULL) != cases[i].match) {
      fprintf(stderr, "case %zu: %s vs %s\n", i, cases[i].in_record,
              cases[i].watched);
      SW_CHECK(0);
    }
  }
  /* watched_arn is compared too */
  struct sw_ctrec rec;
  memset(&rec, 0, sizeof(rec));
  snprintf(rec.secret_id, sizeof(rec.secret_id), "%s", full);
  SW_CHECK(sw_ctrec_names_secret(&rec, "label-not-a-name", full));
  SW_CHECK(!sw_ctrec_names_secret(&rec, "label-not-a-name", NULL));
  SW_CHECK(!sw_ctrec_names_secret(NULL, "x", NULL));
}

int main(void) {
  SW_RUN(test_fixture_counts_and_forms);
  SW_RUN(test_assumed_role_via_vpce_fields);
  SW_RUN(test_access_denied_has_error_and_null_params);
  SW_RUN(test_service_event_without_identity_type);
  SW_RUN(test_log_file_form_and_resources);
  SW_RUN(test_stratus_reads_name_their_secrets);
  SW_RUN(test_malformed_documents_are_refused);
  SW_RUN(test_too_deep_record_is_refused);
  SW_RUN(test_wrong_types_are_absent);
  SW_RUN(test_missing_everything_is_empty_record);
  SW_RUN(test_oversized_strings_are_cut_and_flagged);
  SW_RUN(test_resources_are_bounded);
  SW_RUN(test_record_count_is_bounded);
  SW_RUN(test_empty_forms);
  SW_RUN(test_denied_resource_only_for_refused_calls);
  SW_RUN(test_bool_and_string_read_only);
  SW_RUN(test_secret_matching_table);
  return sw_test_done();
}
