/* Step 3: the CloudWatch Logs log group the trail delivers to, with its
 * retention. */
#include "provision/steps.h"

#include "lib/logs.h"

#include <stdio.h>
#include <string.h>

#define STEP "log-group"

/* Looks the group up: 1 found (retention in *days), 0 absent, -1 error. */
static int find(struct pv_ctx *c, int *days) {
  struct sw_logs_describe_groups_req req = {c->n.log_group, NULL, 50};
  struct sw_logs_describe_groups_resp resp = {0};
  struct sw_error err;
  if (sw_logs_describe_log_groups(c->client, &req, &resp, &err) != 0)
    return pv_fail(c, STEP, c->n.log_group, "DescribeLogGroups", &err);
  const struct sw_logs_group *g =
      sw_logs_describe_groups_find(&resp, c->n.log_group);
  int found = g != NULL;
  if (g)
    *days = g->retention_days;
  sw_logs_describe_groups_resp_clean_up(&resp);
  return found;
}

/* -1 error, 1 owned, 0 untagged, 2 another stack's (reported). */
static int ownership(struct pv_ctx *c) {
  struct sw_tag_list tags;
  struct sw_error err;
  int own;
  sw_tag_list_init(&tags);
  if (sw_logs_list_tags(c->client, c->n.log_group_arn, &tags, &err) != 0) {
    sw_tag_list_clean_up(&tags);
    return pv_fail(c, STEP, c->n.log_group, "ListTagsForResource", &err);
  }
  own = pv_owned(c, &tags);
  if (own == -1) {
    pv_failf(c, STEP, c->n.log_group, "belongs to stack %s",
             sw_tag_list_get(&tags, PV_TAG_STACK));
    own = 2;
  }
  sw_tag_list_clean_up(&tags);
  return own;
}

static int converge(struct pv_ctx *c) {
  struct sw_error err;
  struct sw_tag tag = {PV_TAG_STACK, c->n.stack};
  const char *g = c->n.log_group;
  char detail[64];
  int days = 0, found = find(c, &days), own;
  snprintf(detail, sizeof(detail), "retention %d days", c->o->retention_days);
  if (found < 0)
    return -1;
  if (!found) {
    if (pv_need(c, 1, STEP, g, NULL) &&
        pv_did(c, 1, STEP, g, NULL, "CreateLogGroup",
               sw_logs_create_log_group(c->client, g, NULL, &tag, 1, &err),
               &err) != 0)
      return -1;
  } else if ((own = ownership(c)) < 0 || own == 2) {
    return -1;
  } else if (own == 0 && pv_need(c, 0, STEP, g, "tag") &&
             pv_did(c, 0, STEP, g, "adopted: tagged", "TagResource",
                    sw_logs_tag_resource(c->client, c->n.log_group_arn, &tag, 1,
                                         &err),
                    &err) != 0) {
    return -1;
  }
  if (days != c->o->retention_days && pv_need(c, !found, STEP, g, detail))
    return pv_did(
        c, 0, STEP, g, detail, "PutRetentionPolicy",
        sw_logs_put_retention_policy(c->client, g, c->o->retention_days, &err),
        &err);
  return 0;
}

static int destroy(struct pv_ctx *c) {
  struct sw_error err;
  int days, found = find(c, &days), own;
  if (found <= 0) {
    if (found == 0)
      pv_report_item(c->rep, STEP, c->n.log_group, "absent", NULL);
    return found;
  }
  own = ownership(c);
  if (own < 0 || own == 2)
    return own == 2 ? 0 : -1;
  if (own == 0) {
    pv_report_item(c->rep, STEP, c->n.log_group, "kept",
                   "not tagged for this stack");
    return 0;
  }
  if (sw_logs_delete_log_group(c->client, c->n.log_group, &err) != 0)
    return pv_fail(c, STEP, c->n.log_group, "DeleteLogGroup", &err);
  pv_report_item(c->rep, STEP, c->n.log_group, "deleted", NULL);
  return 0;
}

static const char *resource(const struct pv_ctx *c) {
  return c->n.log_group;
}

const struct pv_step pv_step_log_group = {STEP, converge, destroy, resource};
