/* SNS (query): request parameters, the shared fixtures (compared with
 * botocore's expected parse), and malformed answers. */
#include "lib/json.h"
#include "lib/sns.h"
#include "lib/xml.h"
#include "sw_svc_test.h"

/* A member of botocore's expected parse (a sibling .expected.json). */
static char *expected(const char *rel, const char *key) {
  size_t len;
  struct sw_error err;
  char *t = sw_test_fixture(rel, &len);
  struct json_object *o = t ? sw_json_parse(t, len, &err) : NULL;
  const char *v = sw_json_str(o, key);
  char *s = v ? strdup(v) : NULL;
  json_object_put(o);
  free(t);
  return s;
}

static void test_requests(void) {
  struct sw_tag tags[] = {{"secretwatch:stack", "prod"}};
  struct sw_tag attrs[] = {{"DisplayName", "secretwatch"}};
  struct sw_params p;
  struct sw_error err;
  sw_params_init(&p);
  SW_CHECK_INT(
      sw_sns_create_topic_request("sw-prod", tags, 1, attrs, 1, &p, &err), 0);
  check_query(&p, "Name=sw-prod&Attributes.entry.1.key=DisplayName&"
                  "Attributes.entry.1.value=secretwatch&"
                  "Tags.member.1.Key=secretwatch:stack&"
                  "Tags.member.1.Value=prod");
  SW_CHECK_INT(sw_sns_create_topic_request("", NULL, 0, NULL, 0, &p, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_CONFIG);
  SW_CHECK_INT(sw_sns_topic_arn_request("arn:t", &p, &err), 0);
  check_query(&p, "TopicArn=arn:t");
  SW_CHECK_INT(
      sw_sns_set_topic_attributes_request("arn:t", "Policy", "{}", &p, &err),
      0);
  check_query(&p, "TopicArn=arn:t&AttributeName=Policy&AttributeValue={}");
  SW_CHECK_INT(
      sw_sns_subscribe_request("arn:t", "email", "ops@example.com", &p, &err),
      0);
  check_query(&p, "TopicArn=arn:t&Protocol=email&Endpoint=ops@example.com");
  SW_CHECK_INT(sw_sns_subscribe_request("arn:t", "email", "nobody", &p, &err),
               -1);
  SW_CHECK_INT(p.list.count, 0);
  SW_CHECK_INT(sw_sns_list_subscriptions_request("arn:t", "n", &p, &err), 0);
  check_query(&p, "TopicArn=arn:t&NextToken=n");
  SW_CHECK_INT(sw_sns_unsubscribe_request("arn:t:1", &p, &err), 0);
  check_query(&p, "SubscriptionArn=arn:t:1");
  SW_CHECK_INT(sw_sns_unsubscribe_request("PendingConfirmation", &p, &err), -1);
  SW_CHECK_INT(sw_sns_list_tags_request("arn:t", &p, &err), 0);
  check_query(&p, "ResourceArn=arn:t");
  sw_params_clean_up(&p);
}

static void test_fixtures_match_botocore(void) {
  static const struct {
    const char *xml, *expected_json, *key;
    int subscribe;
  } cases[] = {
      {"aws-responses/sns/create-topic.xml",
       "aws-responses/sns/create-topic.expected.json", "TopicArn", 0},
      {"aws-responses/sns/subscribe.pending.xml",
       "aws-responses/sns/subscribe.pending.expected.json", "SubscriptionArn",
       1},
  };
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    xmlDoc *doc = xml_fixture(cases[i].xml);
    char *want = expected(cases[i].expected_json, cases[i].key);
    char *got = NULL;
    struct sw_error err;
    SW_CHECK(doc && want);
    SW_CHECK_INT(cases[i].subscribe
                     ? sw_sns_subscribe_parse(doc, &got, &err)
                     : sw_sns_create_topic_parse(doc, &got, &err),
                 0);
    SW_CHECK_STR(got, want);
    free(got);
    free(want);
    xmlFreeDoc(doc);
  }
}

static void test_subscription_states(void) {
  xmlDoc *doc;
  char *arn = NULL;
  struct sw_error err;
  if (!sw_testdata())
    SW_SKIP("no shared test data");
  doc = xml_fixture("aws-responses/sns/subscribe.pending.xml");
  SW_CHECK_INT(sw_sns_subscribe_parse(doc, &arn, &err), 0);
  SW_CHECK(sw_sns_subscription_pending(arn));
  free(arn);
  xmlFreeDoc(doc);
  doc = xml_fixture("aws-responses/sns/subscribe.confirmed.xml");
  SW_CHECK_INT(sw_sns_subscribe_parse(doc, &arn, &err), 0);
  SW_CHECK_STR(arn, "arn:aws:sns:us-east-1:123456789012:My-Topic:80289ba6-"
                    "0fd4-4079-afb4-ce8c8260f0ca");
  SW_CHECK(!sw_sns_subscription_pending(arn));
  free(arn);
  xmlFreeDoc(doc);
  SW_CHECK(sw_sns_subscription_pending("PendingConfirmation"));
  /* An error document is not an answer. */
  doc = xml_fixture("aws-responses/sns/error-invalid-parameter.xml");
  SW_CHECK_INT(sw_sns_create_topic_parse(doc, &arn, &err), -1);
  SW_CHECK_INT(err.kind, SW_ERR_PARSE);
  SW_CHECK(arn == NULL);
  xmlFreeDoc(doc);
}

static void test_malformed_answers(void) {
  static const char *bad[] = {
      "<CreateTopicResponse/>",
      "<CreateTopicResponse><CreateTopicResult/></CreateTopicResponse>",
      "<CreateTopicResponse><CreateTopicResult><TopicArn></TopicArn>"
      "</CreateTopicResult></CreateTopicResponse>",
      "<SubscribeResponse><SubscribeResult><TopicArn>x</TopicArn>"
      "</SubscribeResult></SubscribeResponse>",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    xmlDoc *doc = xml_text(bad[i]);
    char *arn = NULL;
    struct sw_error err;
    sw_error_clear(&err);
    SW_CHECK_INT(sw_sns_create_topic_parse(doc, &arn, &err), -1);
    SW_CHECK_INT(err.kind, SW_ERR_PARSE);
    SW_CHECK(arn == NULL);
    xmlFreeDoc(doc);
  }
}

static void test_attributes_subscriptions_tags(void) {
  xmlDoc *doc = xml_text(
      "<GetTopicAttributesResponse><GetTopicAttributesResult><Attributes>"
      "<entry><key>Owner</key><value>123456789012</value></entry>"
      "<entry><key>Policy</key><value>{&quot;Version&quot;:&quot;2012-10-17"
      "&quot;}</value></entry><entry><key>SubscriptionsPending</key><value>1"
      "</value></entry></Attributes></GetTopicAttributesResult>"
      "</GetTopicAttributesResponse>");
  struct sw_tag_list l;
  struct sw_sns_subscription_list s;
  struct sw_error err;
  SW_CHECK_INT(sw_sns_get_topic_attributes_parse(doc, &l, &err), 0);
  SW_CHECK_INT(l.count, 3);
  SW_CHECK_STR(sw_tag_list_get(&l, "Policy"), "{\"Version\":\"2012-10-17\"}");
  SW_CHECK_STR(sw_tag_list_get(&l, "SubscriptionsPending"), "1");
  sw_tag_list_clean_up(&l);
  xmlFreeDoc(doc);
  doc = xml_text("<GetTopicAttributesResponse><GetTopicAttributesResult>"
                 "<Attributes><entry><value>1</value></entry></Attributes>"
                 "</GetTopicAttributesResult></GetTopicAttributesResponse>");
  SW_CHECK_INT(sw_sns_get_topic_attributes_parse(doc, &l, &err), -1);
  SW_CHECK_INT(l.count, 0);
  xmlFreeDoc(doc);
  doc = xml_text(
      "<ListSubscriptionsByTopicResponse><ListSubscriptionsByTopicResult>"
      "<Subscriptions><member><TopicArn>arn:t</TopicArn><Protocol>email"
      "</Protocol><SubscriptionArn>PendingConfirmation</SubscriptionArn>"
      "<Owner>1</Owner><Endpoint>a@example.com</Endpoint></member><member>"
      "<SubscriptionArn>arn:t:2</SubscriptionArn><Endpoint>b@example.com"
      "</Endpoint></member></Subscriptions><NextToken>nt</NextToken>"
      "</ListSubscriptionsByTopicResult></ListSubscriptionsByTopicResponse>");
  SW_CHECK_INT(sw_sns_list_subscriptions_parse(doc, &s, &err), 0);
  SW_CHECK_INT(s.count, 2);
  if (s.count == 2) {
    SW_CHECK(sw_sns_subscription_pending(s.items[0].subscription_arn));
    SW_CHECK_STR(s.items[0].endpoint, "a@example.com");
    SW_CHECK(!sw_sns_subscription_pending(s.items[1].subscription_arn));
    SW_CHECK(s.items[1].protocol == NULL);
  }
  SW_CHECK_STR(s.next_token, "nt");
  sw_sns_subscription_list_clean_up(&s);
  xmlFreeDoc(doc);
  doc = xml_text("<ListTagsForResourceResponse><ListTagsForResourceResult>"
                 "<Tags><member><Key>secretwatch:stack</Key><Value>prod"
                 "</Value></member></Tags></ListTagsForResourceResult>"
                 "</ListTagsForResourceResponse>");
  SW_CHECK_INT(sw_sns_list_tags_parse(doc, &l, &err), 0);
  SW_CHECK_STR(sw_tag_list_get(&l, "secretwatch:stack"), "prod");
  sw_tag_list_clean_up(&l);
  xmlFreeDoc(doc);
}

int main(void) {
  SW_RUN(test_requests);
  SW_RUN(test_fixtures_match_botocore);
  SW_RUN(test_subscription_states);
  SW_RUN(test_malformed_answers);
  SW_RUN(test_attributes_subscriptions_tags);
  return sw_test_done();
}
