/* Step 7: the SNS topic the alarms publish to, its policy (CloudWatch may
 * publish only from this stack's alarms) and one email subscription per
 * --email (reported while pending confirmation). */
#include "provision/steps.h"
#include "provision/policy.h"

#include "lib/sns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STEP "topic"
#define STEP_S "subscription"

/* 1 exists (policy copied into *policy, heap), 0 absent, -1 error. */
static int read_topic(struct pv_ctx *c, char **policy) {
  struct sw_tag_list attrs;
  struct sw_error err;
  int rc;
  *policy = NULL;
  sw_tag_list_init(&attrs);
  rc = sw_sns_get_topic_attributes(c->client, c->n.topic_arn, &attrs, &err);
  if (rc == 0) {
    const char *p = sw_tag_list_get(&attrs, "Policy");
    *policy = p ? strdup(p) : NULL;
    rc = 1;
  } else if (err.kind == SW_ERR_NOT_FOUND) {
    rc = 0;
  } else {
    rc = pv_fail(c, STEP, c->n.topic, "GetTopicAttributes", &err);
  }
  sw_tag_list_clean_up(&attrs);
  return rc;
}

/* 1 owned, 0 untagged, -1 error or another stack's (reported). */
static int topic_owned(struct pv_ctx *c) {
  struct sw_tag_list tags;
  struct sw_error err;
  int own;
  sw_tag_list_init(&tags);
  if (sw_sns_list_tags(c->client, c->n.topic_arn, &tags, &err) != 0)
    own = pv_fail(c, STEP, c->n.topic, "ListTagsForResource", &err);
  else if ((own = pv_owned(c, &tags)) == -1)
    pv_failf(c, STEP, c->n.topic, "belongs to another stack");
  sw_tag_list_clean_up(&tags);
  return own;
}

static int create(struct pv_ctx *c) {
  struct sw_tag tag = {PV_TAG_STACK, c->n.stack};
  struct sw_error err;
  char *arn = NULL;
  int rc = sw_sns_create_topic(c->client, c->n.topic, &tag, 1, &arn, &err);
  if (rc == 0 && strcmp(arn, c->n.topic_arn) != 0)
    rc = sw_error_set(&err, SW_ERR_PARSE,
                      "SNS answered ARN %.200s, "
                      "expected %.200s",
                      arn, c->n.topic_arn);
  free(arn);
  return pv_did(c, 1, STEP, c->n.topic, NULL, "CreateTopic", rc, &err);
}

static int converge_policy(struct pv_ctx *c, int exists, const char *have) {
  const char *arns[PV_MAX_SECRETS + 1];
  struct sw_error err;
  size_t n = pv_known_alarm_arns(c, arns, PV_MAX_SECRETS + 1);
  char *want = pv_policy_topic(&c->n, arns, n);
  int rc = 0;
  if (!want)
    return pv_failf(c, STEP, c->n.topic, "out of memory");
  if (!pv_policy_equal(want, have) &&
      pv_need(c, !exists, STEP, c->n.topic, "publish from this stack's alarms"))
    rc = pv_did(c, 0, STEP, c->n.topic, "policy: this stack's alarms only",
                "SetTopicAttributes",
                sw_sns_set_topic_attributes(c->client, c->n.topic_arn, "Policy",
                                            want, &err),
                &err);
  free(want);
  return rc;
}

static int converge_subscriptions(struct pv_ctx *c, int exists) {
  struct sw_sns_subscription_list subs = {0};
  struct sw_error err;
  int rc = 0;
  if (exists && sw_sns_list_subscriptions(c->client, c->n.topic_arn, NULL,
                                          &subs, &err) != 0) {
    sw_sns_subscription_list_clean_up(&subs);
    return pv_fail(c, STEP_S, c->n.topic, "ListSubscriptionsByTopic", &err);
  }
  for (size_t i = 0; i < c->o->n_emails && rc == 0; i++) {
    const char *email = c->o->emails[i];
    const struct sw_sns_subscription *found = NULL;
    for (size_t j = 0; j < subs.count; j++)
      if (subs.items[j].protocol &&
          strcmp(subs.items[j].protocol, "email") == 0 &&
          subs.items[j].endpoint &&
          strcasecmp(subs.items[j].endpoint, email) == 0)
        found = &subs.items[j];
    if (found && !sw_sns_subscription_pending(found->subscription_arn))
      continue;
    if (found) {
      pv_report_item(c->rep, STEP_S, email, "pending",
                     "confirm with the link in the email SNS sent");
    } else if (pv_need(c, 1, STEP_S, email, "email")) {
      char *arn = NULL;
      rc = sw_sns_subscribe(c->client, c->n.topic_arn, "email", email, &arn,
                            &err);
      free(arn);
      rc = pv_did(c, 1, STEP_S, email, "pending confirmation", "Subscribe", rc,
                  &err);
    }
  }
  /* Subscriptions that apply was not told about are still reported while
   * they wait for confirmation. */
  for (size_t j = 0; j < subs.count && c->o->n_emails == 0; j++)
    if (sw_sns_subscription_pending(subs.items[j].subscription_arn))
      pv_report_item(c->rep, STEP_S, subs.items[j].endpoint, "pending",
                     "not confirmed yet");
  sw_sns_subscription_list_clean_up(&subs);
  return rc;
}

static int converge(struct pv_ctx *c) {
  char *policy = NULL;
  int exists = read_topic(c, &policy), rc = 0;
  if (exists < 0)
    return -1;
  if (exists) {
    int own = topic_owned(c);
    if (own < 0)
      rc = -1;
    else if (own == 0)
      rc = pv_failf(c, STEP, c->n.topic,
                    "exists and is not tagged %s=%s: not touching it",
                    PV_TAG_STACK, c->n.stack);
  } else if (pv_need(c, 1, STEP, c->n.topic, NULL)) {
    rc = create(c);
  }
  if (rc == 0)
    rc = converge_policy(c, exists, policy);
  free(policy);
  if (rc == 0)
    rc = converge_subscriptions(c, exists);
  return rc;
}

static int destroy(struct pv_ctx *c) {
  struct sw_error err;
  char *policy = NULL;
  int exists = read_topic(c, &policy), own;
  free(policy);
  if (exists <= 0) {
    if (exists == 0)
      pv_report_item(c->rep, STEP, c->n.topic, "absent", NULL);
    return exists;
  }
  own = topic_owned(c);
  if (own < 0)
    return -1;
  if (own == 0) {
    pv_report_item(c->rep, STEP, c->n.topic, "kept",
                   "not tagged for this stack");
    return 0;
  }
  if (sw_sns_delete_topic(c->client, c->n.topic_arn, &err) != 0)
    return pv_fail(c, STEP, c->n.topic, "DeleteTopic", &err);
  pv_report_item(c->rep, STEP, c->n.topic, "deleted", "and its subscriptions");
  return 0;
}

static const char *resource(const struct pv_ctx *c) {
  return c->n.topic;
}

const struct pv_step pv_step_topic = {STEP, converge, destroy, resource};
