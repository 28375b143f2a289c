/* Step 1: the secrets to watch. Existing ones are only described; a decoy
 * (--create-secret) is created with a random value the tool never sees. */
#include "provision/steps.h"

#include "lib/secretsmanager.h"

#include <stdio.h>
#include <string.h>

static int converge_one(struct pv_ctx *c, struct pv_secret *s) {
  struct sw_error err;
  if (s->exists) {
    if (s->scheduled_deletion)
      return pv_failf(c, "secret", s->name,
                      "scheduled for deletion: restore it "
                      "(RestoreSecret) or choose another name");
    if (s->want_create && !s->created_by_stack)
      return pv_failf(c, "secret", s->name,
                      "exists and was not created by stack %s: watch it "
                      "with --secret instead",
                      c->n.stack);
    pv_report_item(c->rep, "secret", s->name, "ok",
                   s->created_by_stack ? "decoy of this stack" : "watched");
    return 0;
  }
  if (!s->want_create && c->o->command == PV_CMD_STATUS) {
    pv_need(c, 1, "secret", s->input, "not found (DescribeSecret)");
    return 0;
  }
  if (!s->want_create)
    return pv_failf(c, "secret", s->input,
                    "not found in %s (DescribeSecret): check the name or "
                    "ARN and the region",
                    c->n.region);
  if (!pv_need(c, 1, "secret", s->name, "decoy with a random value"))
    return 0;
  struct sw_tag tags[] = {{PV_TAG_STACK, c->n.stack}, {PV_TAG_CREATED, "true"}};
  struct sw_sm_create_req req = {0};
  struct sw_sm_secret_ref ref = {0};
  req.name = s->name;
  req.description = "secretwatch decoy: any read of it raises an alarm";
  req.tags = tags;
  req.tag_count = 2;
  int rc = sw_sm_create_secret(c->client, &req, &ref, &err);
  if (rc == 0) {
    snprintf(s->arn, sizeof(s->arn), "%s", ref.arn);
    s->exists = s->created_by_stack = 1;
  }
  sw_sm_secret_ref_clean_up(&ref);
  if (pv_did(c, 1, "secret", s->name, "decoy with a random value",
             "CreateSecret", rc, &err) != 0)
    return -1;
  return pv_secret_prepare(c, s);
}

static int converge(struct pv_ctx *c) {
  if (c->n_secrets == 0) {
    /* plan and status still look at the rest of the stack */
    if (c->mode == PV_MODE_CHECK) {
      pv_need(c, 1, "secret", "(none)", "give --secret or --create-secret");
      return 0;
    }
    return pv_failf(c, "secret", c->n.stack,
                    "no secret to watch: give --secret NAME|ARN or "
                    "--create-secret NAME");
  }
  for (size_t i = 0; i < c->n_secrets; i++)
    if (converge_one(c, &c->secrets[i]) != 0)
      return -1;
  return 0;
}

/* Only a decoy this stack created is deleted, with a recovery window. */
static int destroy(struct pv_ctx *c) {
  struct sw_error err;
  for (size_t i = 0; i < c->n_secrets; i++) {
    struct pv_secret *s = &c->secrets[i];
    if (!s->exists) {
      pv_report_item(c->rep, "secret", s->name, "absent", NULL);
      continue;
    }
    if (!s->created_by_stack) {
      pv_report_item(c->rep, "secret", s->name, "kept",
                     "not created by this stack");
      continue;
    }
    if (s->scheduled_deletion) {
      pv_report_item(c->rep, "secret", s->name, "absent",
                     "already scheduled for deletion");
      continue;
    }
    struct sw_sm_secret_ref ref = {0};
    int rc = sw_sm_delete_secret(c->client, s->arn, c->o->recovery_days, 0,
                                 &ref, &err);
    sw_sm_secret_ref_clean_up(&ref);
    if (rc != 0)
      return pv_fail(c, "secret", s->name, "DeleteSecret", &err);
    char detail[80];
    snprintf(detail, sizeof(detail), "recoverable for %d days",
             c->o->recovery_days);
    pv_report_item(c->rep, "secret", s->name, "deleted", detail);
  }
  return 0;
}

const struct pv_step pv_step_secret = {"secret", converge, destroy, NULL};
