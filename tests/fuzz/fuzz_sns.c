/* Fuzzes the answer parsers of lib/sns.h (query XML, used by the
 * provisioner): CreateTopic, GetTopicAttributes, Subscribe,
 * ListSubscriptionsByTopic and ListTagsForResource. Invariants: lists are
 * bounded, results clean up after success and failure. */
#include "fuzz_common.h"

#include "lib/sns.h"
#include "lib/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  xmlDoc *doc = sw_xml_parse((const char *)data, size, &err);
  if (doc == NULL)
    return 0;
  char *arn = NULL;
  if (sw_sns_create_topic_parse(doc, &arn, &err) == 0)
    FUZZ_ASSERT(arn != NULL);
  free(arn);
  arn = NULL;
  if (sw_sns_subscribe_parse(doc, &arn, &err) == 0) {
    FUZZ_ASSERT(arn != NULL);
    (void)sw_sns_subscription_pending(arn);
  }
  free(arn);

  struct sw_tag_list tags;
  sw_tag_list_init(&tags);
  if (sw_sns_get_topic_attributes_parse(doc, &tags, &err) == 0)
    FUZZ_ASSERT(tags.count <= SW_SVC_MAX_LIST);
  sw_tag_list_clean_up(&tags);
  sw_tag_list_init(&tags);
  if (sw_sns_list_tags_parse(doc, &tags, &err) == 0)
    FUZZ_ASSERT(tags.count <= SW_SVC_MAX_LIST);
  sw_tag_list_clean_up(&tags);

  struct sw_sns_subscription_list subs;
  memset(&subs, 0, sizeof(subs));
  if (sw_sns_list_subscriptions_parse(doc, &subs, &err) == 0) {
    FUZZ_ASSERT(subs.count <= SW_SVC_MAX_LIST);
    for (size_t i = 0; i < subs.count; i++)
      (void)sw_sns_subscription_pending(subs.items[i].subscription_arn);
  }
  sw_sns_subscription_list_clean_up(&subs);
  xmlFreeDoc(doc);
  return 0;
}
