/* Step 5: the trail: multi-region (unless --no-multi-region), log file
 * validation, read and write management events, delivering to the bucket
 * and the log group, logging. */
#include "provision/steps.h"

#include "lib/cloudtrail.h"
#include "lib/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define STEP "trail"
/* Role propagation: AWS answers InvalidCloudWatchLogsRoleArnException for
 * several seconds after CreateRole (and S3 may not yet show the new bucket
 * policy). Bounded: at most this many attempts and this much time. */
#define TRAIL_ATTEMPTS 12
#define TRAIL_WAIT_MAX_MS 120000L
#define TRAIL_LIMIT 5 /* trails per region (CloudTrail quotas) */

static void trail_req(const struct pv_ctx *c, struct sw_ct_trail_req *r,
                      const struct sw_tag *tag) {
  memset(r, 0, sizeof(*r));
  r->name = c->n.trail;
  r->s3_bucket_name = c->n.bucket;
  r->cloud_watch_logs_log_group_arn = c->n.log_group_trail_arn;
  r->cloud_watch_logs_role_arn = c->n.role_arn;
  r->include_global_service_events = 1;
  r->is_multi_region_trail = c->o->multi_region ? 1 : 0;
  r->enable_log_file_validation = 1;
  r->is_organization_trail = SW_CT_UNSET;
  r->tags = tag;
  r->tag_count = tag ? 1 : 0;
}

static int propagating(const struct sw_error *err) {
  return strcmp(err->code, "InvalidCloudWatchLogsRoleArnException") == 0 ||
         strcmp(err->code, "InsufficientS3BucketPolicyException") == 0 ||
         strcmp(err->code, "InvalidCloudWatchLogsLogGroupArnException") == 0;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* CreateTrail or UpdateTrail, retried while the role propagates. */
static int write_trail(struct pv_ctx *c, int create, struct sw_error *err) {
  struct sw_tag tag = {PV_TAG_STACK, c->n.stack};
  struct sw_ct_trail_req req;
  long long start = sw_time_mono_ms();
  long delay_ms = 1000;
  trail_req(c, &req, create ? &tag : NULL);
  for (int attempt = 1;; attempt++) {
    struct sw_ct_trail out = {0};
    int rc = create ? sw_ct_create_trail(c->client, &req, &out, err)
                    : sw_ct_update_trail(c->client, &req, &out, err);
    sw_ct_trail_clean_up(&out);
    if (rc == 0 || !propagating(err) || attempt >= TRAIL_ATTEMPTS ||
        sw_time_mono_ms() - start + delay_ms > TRAIL_WAIT_MAX_MS)
      return rc;
    char detail[256];
    snprintf(detail, sizeof(detail),
             "%s: new role or bucket policy not visible yet, retry %d in %ld s",
             err->code, attempt, delay_ms / 1000);
    pv_report_item(c->rep, STEP, c->n.trail, "waiting", detail);
    sleep_ms(delay_ms);
    delay_ms = delay_ms * 2 > 8000 ? 8000 : delay_ms * 2;
  }
}

static int create(struct pv_ctx *c) {
  struct sw_error err;
  if (c->trail.region_trail_count >= TRAIL_LIMIT)
    goto limit;
  if (write_trail(c, 1, &err) == 0)
    return pv_did(c, 1, STEP, c->n.trail, NULL, "CreateTrail", 0, &err);
  if (strcmp(err.code, "MaximumNumberOfTrailsExceededException") != 0)
    return pv_fail(c, STEP, c->n.trail, "CreateTrail", &err);
limit:
  return pv_failf(c, STEP, c->n.trail,
                  "region %s already has %d trails (CloudTrail allows %d "
                  "per region): delete one, or tag an existing trail %s=%s "
                  "so apply adopts it",
                  c->n.region, c->trail.region_trail_count, TRAIL_LIMIT,
                  PV_TAG_STACK, c->n.stack);
}

static int same_str(const char *a, const char *b) {
  return a && b && strcmp(a, b) == 0;
}

/* What differs between the trail and the desired state ("" when nothing). */
static void trail_drift(const struct pv_ctx *c, const struct sw_ct_trail *t,
                        char *out, size_t size) {
  out[0] = '\0';
  if (!same_str(t->s3_bucket_name, c->n.bucket))
    strncat(out, "bucket ", size - strlen(out) - 1);
  if (!same_str(t->cloud_watch_logs_log_group_arn, c->n.log_group_trail_arn) &&
      !same_str(t->cloud_watch_logs_log_group_arn, c->n.log_group_arn))
    strncat(out, "log-group ", size - strlen(out) - 1);
  if (!same_str(t->cloud_watch_logs_role_arn, c->n.role_arn))
    strncat(out, "role ", size - strlen(out) - 1);
  if (t->is_multi_region_trail != (c->o->multi_region ? 1 : 0))
    strncat(out, "multi-region ", size - strlen(out) - 1);
  if (t->log_file_validation_enabled != 1)
    strncat(out, "log-file-validation ", size - strlen(out) - 1);
  if (t->include_global_service_events != 1)
    strncat(out, "global-events ", size - strlen(out) - 1);
}

static int converge_settings(struct pv_ctx *c) {
  struct sw_ct_trail t = {0};
  struct sw_error err;
  char drift[160];
  if (sw_ct_get_trail(c->client, c->n.trail, &t, &err) != 0)
    return pv_fail(c, STEP, c->n.trail, "GetTrail", &err);
  trail_drift(c, &t, drift, sizeof(drift));
  sw_ct_trail_clean_up(&t);
  if (drift[0] && pv_need(c, 0, STEP, c->n.trail, drift))
    return pv_did(c, 0, STEP, c->n.trail, drift, "UpdateTrail",
                  write_trail(c, 0, &err), &err);
  return 0;
}

static int converge_selectors(struct pv_ctx *c, int exists) {
  struct sw_ct_event_selectors sel = {0};
  struct sw_error err;
  int ok = 0, rc = 0;
  static const char what[] = "management events, read and write";
  if (exists) {
    if (sw_ct_get_event_selectors(c->client, c->n.trail, &sel, &err) != 0)
      rc = pv_fail(c, STEP, c->n.trail, "GetEventSelectors", &err);
    ok = !sel.has_advanced && sel.count == 1 &&
         strcmp(sel.items[0].read_write_type, "All") == 0 &&
         sel.items[0].include_management_events == 1;
    sw_ct_event_selectors_clean_up(&sel);
  }
  if (rc == 0 && !ok && pv_need(c, !exists, STEP, c->n.trail, what)) {
    rc = sw_ct_put_event_selectors(c->client, c->n.trail, "All", 1, &sel, &err);
    sw_ct_event_selectors_clean_up(&sel);
    rc = pv_did(c, 0, STEP, c->n.trail, what, "PutEventSelectors", rc, &err);
  }
  return rc;
}

/* A delivery error (the role or log group broken behind our back) is a
 * finding for status and a warning otherwise: nothing apply can retry. */
static void report_delivery_error(struct pv_ctx *c, const char *error) {
  char detail[400];
  if (!error || !*error)
    return;
  snprintf(detail, sizeof(detail), "CloudWatch Logs delivery error: %.300s",
           error);
  if (c->o->command == PV_CMD_STATUS)
    pv_need(c, 0, STEP, c->n.trail, detail);
  else
    pv_report_item(c->rep, STEP, c->n.trail, "warning", detail);
}

static int converge_logging(struct pv_ctx *c, int exists) {
  struct sw_ct_trail_status st = {0};
  struct sw_error err;
  int logging = 0, rc = 0;
  if (exists) {
    if (sw_ct_get_trail_status(c->client, c->n.trail, &st, &err) != 0)
      rc = pv_fail(c, STEP, c->n.trail, "GetTrailStatus", &err);
    logging = st.is_logging == 1;
    if (rc == 0)
      report_delivery_error(c, st.latest_cwl_delivery_error);
    sw_ct_trail_status_clean_up(&st);
  }
  if (rc == 0 && !logging && pv_need(c, !exists, STEP, c->n.trail, "logging"))
    rc = pv_did(c, 0, STEP, c->n.trail, "logging started", "StartLogging",
                sw_ct_start_logging(c->client, c->n.trail, &err), &err);
  return rc;
}

static int converge(struct pv_ctx *c) {
  int exists = c->trail.exists;
  if (exists && c->trail.other_tag)
    return pv_failf(c, STEP, c->n.trail, "belongs to another stack");
  if (exists && !c->trail.owned)
    return pv_failf(c, STEP, c->n.trail,
                    "exists and is not tagged %s=%s: not touching it (tag "
                    "it to let apply adopt it)",
                    PV_TAG_STACK, c->n.stack);
  if (!exists) {
    if (pv_need(c, 1, STEP, c->n.trail,
                c->o->multi_region ? "multi-region" : "this region only")) {
      if (create(c) != 0)
        return -1;
      c->trail.exists = c->trail.owned = 1;
    }
  } else if (converge_settings(c) != 0) {
    return -1;
  }
  if (converge_selectors(c, exists) != 0)
    return -1;
  return converge_logging(c, exists);
}

static int destroy(struct pv_ctx *c) {
  struct sw_error err;
  if (!c->trail.exists) {
    pv_report_item(c->rep, STEP, c->n.trail, "absent", NULL);
    return 0;
  }
  if (!c->trail.owned) {
    pv_report_item(c->rep, STEP, c->n.trail, "kept",
                   "not tagged for this stack");
    return 0;
  }
  if (sw_ct_delete_trail(c->client, c->n.trail, &err) != 0)
    return pv_fail(c, STEP, c->n.trail, "DeleteTrail", &err);
  pv_report_item(c->rep, STEP, c->n.trail, "deleted", NULL);
  return 0;
}

static const char *resource(const struct pv_ctx *c) {
  return c->n.trail;
}

const struct pv_step pv_step_trail = {STEP, converge, destroy, resource};
