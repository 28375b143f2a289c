/* Amazon SNS (query protocol): the topic the alarms publish to and its
 * email subscriptions (provisioner).
 *
 * Builders fill a caller-init'ed struct sw_params (Action and Version are
 * added by sw_client_query) and fail with err SW_ERR_CONFIG naming the
 * missing field. Parsers take the XML answer document and fill a
 * caller-owned result freed by its `_clean_up` (NULL ok; call after failures
 * too); a document that is not the expected <OpResponse><OpResult> is
 * SW_ERR_PARSE. Lists are bounded (SW_SVC_MAX_LIST).
 * Parsers overwrite *out without freeing what it held: clean up a previous
 * result before reusing a struct. */
#ifndef SW_SNS_H
#define SW_SNS_H

#include "lib/client.h"
#include "lib/error.h"
#include "lib/svc.h"

#include <libxml/tree.h>
#include <stddef.h>

/* The ARN SNS reports for a subscription not yet confirmed. */
#define SW_SNS_PENDING "pending confirmation"

/* ---- CreateTopic (idempotent: returns the existing topic's ARN) ---- */
/* Name, Tags.member.N.Key/Value, Attributes.entry.N.key/value. */
int sw_sns_create_topic_request(const char *name, const struct sw_tag *tags,
                                size_t tag_count,
                                const struct sw_tag *attributes,
                                size_t attribute_count, struct sw_params *p,
                                struct sw_error *err);
/* *topic_arn_out is a heap string the caller frees. TopicArn required. */
int sw_sns_create_topic_parse(xmlDoc *doc, char **topic_arn_out,
                              struct sw_error *err);
int sw_sns_create_topic(struct sw_client *c, const char *name,
                        const struct sw_tag *tags, size_t tag_count,
                        char **topic_arn_out, struct sw_error *err);

/* ---- GetTopicAttributes: Attributes entries key -> value ---- */
int sw_sns_topic_arn_request(const char *topic_arn, struct sw_params *p,
                             struct sw_error *err);
/* out (init'ed by the caller) receives every entry: Policy, Owner,
 * SubscriptionsConfirmed, SubscriptionsPending, ... */
int sw_sns_get_topic_attributes_parse(xmlDoc *doc, struct sw_tag_list *out,
                                      struct sw_error *err);
int sw_sns_get_topic_attributes(struct sw_client *c, const char *topic_arn,
                                struct sw_tag_list *out, struct sw_error *err);

/* ---- SetTopicAttributes: TopicArn, AttributeName, AttributeValue ---- */
int sw_sns_set_topic_attributes_request(const char *topic_arn, const char *name,
                                        const char *value, struct sw_params *p,
                                        struct sw_error *err);
int sw_sns_set_topic_attributes(struct sw_client *c, const char *topic_arn,
                                const char *name, const char *value,
                                struct sw_error *err);

/* ---- Subscribe: TopicArn, Protocol, Endpoint ----
 * (without ReturnSubscriptionArn, so that an unconfirmed subscription is
 * reported as SW_SNS_PENDING rather than as an ARN). */
int sw_sns_subscribe_request(const char *topic_arn, const char *protocol,
                             const char *endpoint, struct sw_params *p,
                             struct sw_error *err);
/* *arn_out heap: an ARN, or SW_SNS_PENDING when not confirmed yet. */
int sw_sns_subscribe_parse(xmlDoc *doc, char **arn_out, struct sw_error *err);
int sw_sns_subscribe(struct sw_client *c, const char *topic_arn,
                     const char *protocol, const char *endpoint, char **arn_out,
                     struct sw_error *err);

/* ---- ListSubscriptionsByTopic ---- */
struct sw_sns_subscription {
  char *subscription_arn; /* or "PendingConfirmation" */
  char *owner;
  char *protocol;
  char *endpoint;
  char *topic_arn;
};
struct sw_sns_subscription_list {
  struct sw_sns_subscription *items;
  size_t count;
  char *next_token;
};
void sw_sns_subscription_list_clean_up(struct sw_sns_subscription_list *l);
/* 1 when a subscription ARN means "not confirmed yet". */
int sw_sns_subscription_pending(const char *subscription_arn);
int sw_sns_list_subscriptions_request(const char *topic_arn,
                                      const char *next_token,
                                      struct sw_params *p,
                                      struct sw_error *err);
int sw_sns_list_subscriptions_parse(xmlDoc *doc,
                                    struct sw_sns_subscription_list *out,
                                    struct sw_error *err);
int sw_sns_list_subscriptions(struct sw_client *c, const char *topic_arn,
                              const char *next_token,
                              struct sw_sns_subscription_list *out,
                              struct sw_error *err);

/* ---- DeleteTopic (TopicArn) and Unsubscribe (SubscriptionArn) ---- */
int sw_sns_delete_topic(struct sw_client *c, const char *topic_arn,
                        struct sw_error *err);
int sw_sns_unsubscribe_request(const char *subscription_arn,
                               struct sw_params *p, struct sw_error *err);
int sw_sns_unsubscribe(struct sw_client *c, const char *subscription_arn,
                       struct sw_error *err);

/* ---- ListTagsForResource (ResourceArn) -> Tags.member Key/Value ---- */
int sw_sns_list_tags_request(const char *resource_arn, struct sw_params *p,
                             struct sw_error *err);
int sw_sns_list_tags_parse(xmlDoc *doc, struct sw_tag_list *out,
                           struct sw_error *err);
int sw_sns_list_tags(struct sw_client *c, const char *resource_arn,
                     struct sw_tag_list *out, struct sw_error *err);

#endif
