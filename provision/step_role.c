/* Step 4: the IAM role CloudTrail assumes to write the log group, with an
 * inline policy allowing only logs:CreateLogStream and logs:PutLogEvents. */
#include "provision/steps.h"
#include "provision/policy.h"

#include "lib/iam.h"

#include <stdio.h>
#include <stdlib.h>

#define STEP "role"

static int converge_policy(struct pv_ctx *c, int role_exists,
                           const char *want) {
  struct sw_iam_role_policy have = {0};
  struct sw_error err;
  int rc = 0, same = 0;
  if (role_exists) {
    if (sw_iam_get_role_policy(c->client, c->n.role, PV_ROLE_POLICY_NAME, &have,
                               &err) == 0)
      same = pv_policy_equal(want, have.policy_document);
    else if (err.kind != SW_ERR_NOT_FOUND)
      rc = pv_fail(c, STEP, c->n.role, "GetRolePolicy", &err);
  }
  sw_iam_role_policy_clean_up(&have);
  if (rc == 0 && !same &&
      pv_need(c, !role_exists, STEP, c->n.role, "write to the log group only"))
    rc = pv_did(c, 0, STEP, c->n.role, "inline policy: write to the log group",
                "PutRolePolicy",
                sw_iam_put_role_policy(c->client, c->n.role,
                                       PV_ROLE_POLICY_NAME, want, &err),
                &err);
  return rc;
}

static int converge_role(struct pv_ctx *c, const char *trust, int *exists) {
  struct sw_iam_role role = {0};
  struct sw_error err;
  struct sw_tag tag = {PV_TAG_STACK, c->n.stack};
  int rc = 0;
  *exists = 0;
  if (sw_iam_get_role(c->client, c->n.role, &role, &err) == 0) {
    *exists = 1;
    int own = pv_owned(c, &role.tags);
    if (own == -1)
      rc = pv_failf(c, STEP, c->n.role, "belongs to another stack");
    else if (own == 0 && pv_need(c, 0, STEP, c->n.role, "tag"))
      rc = pv_did(c, 0, STEP, c->n.role, "adopted: tagged", "TagRole",
                  sw_iam_tag_role(c->client, c->n.role, &tag, 1, &err), &err);
    if (rc == 0 && !pv_policy_equal(trust, role.assume_role_policy_document) &&
        pv_need(c, 0, STEP, c->n.role, "trust: this trail only"))
      rc = pv_did(
          c, 0, STEP, c->n.role, "trust: this trail only",
          "UpdateAssumeRolePolicy",
          sw_iam_update_assume_role_policy(c->client, c->n.role, trust, &err),
          &err);
  } else if (err.kind != SW_ERR_NOT_FOUND) {
    rc = pv_fail(c, STEP, c->n.role, "GetRole", &err);
  } else if (pv_need(c, 1, STEP, c->n.role, "trusted by this trail")) {
    struct sw_iam_create_role_req req = {0};
    req.role_name = c->n.role;
    req.assume_role_policy_document = trust;
    req.description = "secretwatch: CloudTrail writes the stack's log group";
    req.tags = &tag;
    req.tag_count = 1;
    sw_iam_role_clean_up(&role);
    rc = pv_did(c, 1, STEP, c->n.role, "trusted by this trail", "CreateRole",
                sw_iam_create_role(c->client, &req, &role, &err), &err);
  }
  sw_iam_role_clean_up(&role);
  return rc;
}

static int converge(struct pv_ctx *c) {
  char *trust = pv_policy_role_trust(&c->n);
  char *logs = pv_policy_role_logs(&c->n);
  int exists = 0, rc = -1;
  if (trust && logs && converge_role(c, trust, &exists) == 0)
    rc = converge_policy(c, exists, logs);
  else if (!trust || !logs)
    pv_failf(c, STEP, c->n.role, "out of memory");
  free(trust);
  free(logs);
  return rc;
}

static int destroy(struct pv_ctx *c) {
  struct sw_iam_role role = {0};
  struct sw_error err;
  int rc = 0;
  if (sw_iam_get_role(c->client, c->n.role, &role, &err) != 0) {
    if (err.kind == SW_ERR_NOT_FOUND)
      pv_report_item(c->rep, STEP, c->n.role, "absent", NULL);
    else
      rc = pv_fail(c, STEP, c->n.role, "GetRole", &err);
  } else if (pv_owned(c, &role.tags) != 1) {
    pv_report_item(c->rep, STEP, c->n.role, "kept",
                   "not tagged for this stack");
  } else if (sw_iam_delete_role_policy(c->client, c->n.role,
                                       PV_ROLE_POLICY_NAME, &err) != 0 &&
             err.kind != SW_ERR_NOT_FOUND) {
    rc = pv_fail(c, STEP, c->n.role, "DeleteRolePolicy", &err);
  } else if (sw_iam_delete_role(c->client, c->n.role, &err) != 0) {
    rc = pv_fail(c, STEP, c->n.role, "DeleteRole", &err);
  } else {
    pv_report_item(c->rep, STEP, c->n.role, "deleted", NULL);
  }
  sw_iam_role_clean_up(&role);
  return rc;
}

static const char *resource(const struct pv_ctx *c) {
  return c->n.role;
}

const struct pv_step pv_step_role = {STEP, converge, destroy, resource};
