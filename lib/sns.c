#include "lib/sns.h"
#include "lib/xml.h"

#include <stdlib.h>
#include <string.h>

static int need(const char *op, const char *field, const char *v,
                struct sw_error *err) {
  if (sw_svc_empty(v))
    return sw_error_set(err, SW_ERR_CONFIG, "%s: %s is required", op, field);
  return 0;
}

static int oom(const char *op, struct sw_error *err) {
  return sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
}

/* Sends an SNS action with the parameters a builder filled. */
static int call(struct sw_client *c, const char *action, struct sw_params *p,
                int built, xmlDoc **doc, struct sw_error *err) {
  return sw_svc_query_call(c, SW_SVC_SNS, action, p, built, doc, err);
}

/* The text at path under the op's result, as a required heap string. */
static int result_text(xmlDoc *doc, const char *op, const char *path,
                       char **out, struct sw_error *err) {
  xmlNode *res = sw_svc_query_result(doc, op, err);
  *out = NULL;
  if (res == NULL)
    return -1;
  if (sw_svc_xml_dup(res, path, 4096, out, err))
    return -1;
  if (*out == NULL || **out == '\0') {
    free(*out);
    *out = NULL;
    return sw_error_set(err, SW_ERR_PARSE, "%s: answer has no %s", op, path);
  }
  return 0;
}

/* ---- CreateTopic ---- */

int sw_sns_create_topic_request(const char *name, const struct sw_tag *tags,
                                size_t tag_count,
                                const struct sw_tag *attributes,
                                size_t attribute_count, struct sw_params *p,
                                struct sw_error *err) {
  const char *op = "CreateTopic";
  if (need(op, "Name", name, err) ||
      sw_svc_check_tags(op, tags, tag_count, SW_SVC_MAX_TAGS, err))
    return -1;
  if (strlen(name) > 256)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: Name over 256 bytes", op);
  if (sw_params_add(p, "Name", name) != 0)
    return oom(op, err);
  if (sw_svc_params_tags(p, "Attributes.entry", "key", "value", attributes,
                         attribute_count, err) ||
      sw_svc_params_tags(p, "Tags.member", "Key", "Value", tags, tag_count,
                         err))
    return -1;
  return 0;
}

int sw_sns_create_topic_parse(xmlDoc *doc, char **topic_arn_out,
                              struct sw_error *err) {
  return result_text(doc, "CreateTopic", "TopicArn", topic_arn_out, err);
}

int sw_sns_create_topic(struct sw_client *c, const char *name,
                        const struct sw_tag *tags, size_t tag_count,
                        char **topic_arn_out, struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  *topic_arn_out = NULL;
  rc =
      call(c, "CreateTopic", &p,
           sw_sns_create_topic_request(name, tags, tag_count, NULL, 0, &p, err),
           &doc, err);
  if (rc == 0)
    rc = sw_sns_create_topic_parse(doc, topic_arn_out, err);
  xmlFreeDoc(doc);
  return rc;
}

/* ---- GetTopicAttributes / SetTopicAttributes ---- */

int sw_sns_topic_arn_request(const char *topic_arn, struct sw_params *p,
                             struct sw_error *err) {
  if (need("SNS", "TopicArn", topic_arn, err))
    return -1;
  return sw_params_add(p, "TopicArn", topic_arn) ? oom("SNS", err) : 0;
}

int sw_sns_get_topic_attributes_parse(xmlDoc *doc, struct sw_tag_list *out,
                                      struct sw_error *err) {
  xmlNode *res;
  sw_tag_list_init(out);
  res = sw_svc_query_result(doc, "GetTopicAttributes", err);
  if (res == NULL)
    return -1;
  return sw_svc_xml_pairs(res, "Attributes", "entry", "key", "value", 100,
                          "GetTopicAttributes", out, err);
}

int sw_sns_get_topic_attributes(struct sw_client *c, const char *topic_arn,
                                struct sw_tag_list *out, struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  sw_tag_list_init(out);
  rc = call(c, "GetTopicAttributes", &p,
            sw_sns_topic_arn_request(topic_arn, &p, err), &doc, err);
  if (rc == 0)
    rc = sw_sns_get_topic_attributes_parse(doc, out, err);
  xmlFreeDoc(doc);
  return rc;
}

int sw_sns_set_topic_attributes_request(const char *topic_arn, const char *name,
                                        const char *value, struct sw_params *p,
                                        struct sw_error *err) {
  const char *op = "SetTopicAttributes";
  if (need(op, "TopicArn", topic_arn, err) ||
      need(op, "AttributeName", name, err))
    return -1;
  if (sw_params_add(p, "TopicArn", topic_arn) ||
      sw_params_add(p, "AttributeName", name) ||
      sw_params_add(p, "AttributeValue", value ? value : ""))
    return oom(op, err);
  return 0;
}

int sw_sns_set_topic_attributes(struct sw_client *c, const char *topic_arn,
                                const char *name, const char *value,
                                struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(
      c, "SetTopicAttributes", &p,
      sw_sns_set_topic_attributes_request(topic_arn, name, value, &p, err),
      NULL, err);
}

/* ---- Subscribe ---- */

int sw_sns_subscribe_request(const char *topic_arn, const char *protocol,
                             const char *endpoint, struct sw_params *p,
                             struct sw_error *err) {
  const char *op = "Subscribe";
  if (need(op, "TopicArn", topic_arn, err) ||
      need(op, "Protocol", protocol, err) ||
      need(op, "Endpoint", endpoint, err))
    return -1;
  if (strcmp(protocol, "email") == 0 && strchr(endpoint, '@') == NULL)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "%s: \"%s\" is not an email address", op, endpoint);
  if (sw_params_add(p, "TopicArn", topic_arn) ||
      sw_params_add(p, "Protocol", protocol) ||
      sw_params_add(p, "Endpoint", endpoint))
    return oom(op, err);
  return 0;
}

int sw_sns_subscribe_parse(xmlDoc *doc, char **arn_out, struct sw_error *err) {
  return result_text(doc, "Subscribe", "SubscriptionArn", arn_out, err);
}

int sw_sns_subscribe(struct sw_client *c, const char *topic_arn,
                     const char *protocol, const char *endpoint, char **arn_out,
                     struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  *arn_out = NULL;
  rc = call(c, "Subscribe", &p,
            sw_sns_subscribe_request(topic_arn, protocol, endpoint, &p, err),
            &doc, err);
  if (rc == 0)
    rc = sw_sns_subscribe_parse(doc, arn_out, err);
  xmlFreeDoc(doc);
  return rc;
}

/* ---- ListSubscriptionsByTopic ---- */

void sw_sns_subscription_list_clean_up(struct sw_sns_subscription_list *l) {
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].subscription_arn);
    free(l->items[i].owner);
    free(l->items[i].protocol);
    free(l->items[i].endpoint);
    free(l->items[i].topic_arn);
  }
  free(l->items);
  free(l->next_token);
  memset(l, 0, sizeof(*l));
}

int sw_sns_subscription_pending(const char *subscription_arn) {
  return subscription_arn == NULL ||
         strcmp(subscription_arn, "PendingConfirmation") == 0 ||
         strcmp(subscription_arn, SW_SNS_PENDING) == 0;
}

int sw_sns_list_subscriptions_request(const char *topic_arn,
                                      const char *next_token,
                                      struct sw_params *p,
                                      struct sw_error *err) {
  if (sw_sns_topic_arn_request(topic_arn, p, err))
    return -1;
  if (!sw_svc_empty(next_token) && sw_params_add(p, "NextToken", next_token))
    return oom("ListSubscriptionsByTopic", err);
  return 0;
}

static int parse_subscription(xmlNode *m, size_t i, void *item,
                              struct sw_error *err) {
  struct sw_sns_subscription *s = item;
  (void)i;
  return sw_svc_xml_dup(m, "SubscriptionArn", 2048, &s->subscription_arn,
                        err) ||
                 sw_svc_xml_dup(m, "Owner", 256, &s->owner, err) ||
                 sw_svc_xml_dup(m, "Protocol", 64, &s->protocol, err) ||
                 sw_svc_xml_dup(m, "Endpoint", 4096, &s->endpoint, err) ||
                 sw_svc_xml_dup(m, "TopicArn", 2048, &s->topic_arn, err)
             ? -1
             : 0;
}

int sw_sns_list_subscriptions_parse(xmlDoc *doc,
                                    struct sw_sns_subscription_list *out,
                                    struct sw_error *err) {
  const char *op = "ListSubscriptionsByTopic";
  xmlNode *res;
  memset(out, 0, sizeof(*out));
  res = sw_svc_query_result(doc, op, err);
  if (res == NULL)
    return -1;
  if (sw_svc_xml_items(res, "Subscriptions", "member", SW_SVC_MAX_LIST,
                       sizeof(*out->items), parse_subscription, op,
                       (void **)&out->items, &out->count, err) ||
      sw_svc_xml_dup(res, "NextToken", SW_SVC_MAX_STR, &out->next_token, err)) {
    sw_sns_subscription_list_clean_up(out);
    return -1;
  }
  return 0;
}

int sw_sns_list_subscriptions(struct sw_client *c, const char *topic_arn,
                              const char *next_token,
                              struct sw_sns_subscription_list *out,
                              struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  memset(out, 0, sizeof(*out));
  rc = call(c, "ListSubscriptionsByTopic", &p,
            sw_sns_list_subscriptions_request(topic_arn, next_token, &p, err),
            &doc, err);
  if (rc == 0)
    rc = sw_sns_list_subscriptions_parse(doc, out, err);
  xmlFreeDoc(doc);
  return rc;
}

/* ---- DeleteTopic / Unsubscribe ---- */

int sw_sns_delete_topic(struct sw_client *c, const char *topic_arn,
                        struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(c, "DeleteTopic", &p,
              sw_sns_topic_arn_request(topic_arn, &p, err), NULL, err);
}

int sw_sns_unsubscribe_request(const char *subscription_arn,
                               struct sw_params *p, struct sw_error *err) {
  if (subscription_arn == NULL || strncmp(subscription_arn, "arn:", 4) != 0)
    return sw_error_set(err, SW_ERR_CONFIG,
                        "Unsubscribe: \"%s\" is not a subscription ARN "
                        "(pending subscriptions cannot be removed)",
                        subscription_arn ? subscription_arn : "");
  return sw_params_add(p, "SubscriptionArn", subscription_arn)
             ? oom("Unsubscribe", err)
             : 0;
}

int sw_sns_unsubscribe(struct sw_client *c, const char *subscription_arn,
                       struct sw_error *err) {
  struct sw_params p;
  sw_params_init(&p);
  return call(c, "Unsubscribe", &p,
              sw_sns_unsubscribe_request(subscription_arn, &p, err), NULL, err);
}

/* ---- ListTagsForResource ---- */

int sw_sns_list_tags_request(const char *resource_arn, struct sw_params *p,
                             struct sw_error *err) {
  if (need("ListTagsForResource", "ResourceArn", resource_arn, err))
    return -1;
  return sw_params_add(p, "ResourceArn", resource_arn)
             ? oom("ListTagsForResource", err)
             : 0;
}

int sw_sns_list_tags_parse(xmlDoc *doc, struct sw_tag_list *out,
                           struct sw_error *err) {
  xmlNode *res;
  sw_tag_list_init(out);
  res = sw_svc_query_result(doc, "ListTagsForResource", err);
  if (res == NULL)
    return -1;
  return sw_svc_xml_pairs(res, "Tags", "member", "Key", "Value",
                          SW_SVC_MAX_TAGS, "ListTagsForResource", out, err);
}

int sw_sns_list_tags(struct sw_client *c, const char *resource_arn,
                     struct sw_tag_list *out, struct sw_error *err) {
  struct sw_params p;
  xmlDoc *doc;
  int rc;
  sw_params_init(&p);
  sw_tag_list_init(out);
  rc = call(c, "ListTagsForResource", &p,
            sw_sns_list_tags_request(resource_arn, &p, err), &doc, err);
  if (rc == 0)
    rc = sw_sns_list_tags_parse(doc, out, err);
  xmlFreeDoc(doc);
  return rc;
}
