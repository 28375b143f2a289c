/* plan, apply, status, destroy and collectd-config: loops over the steps. */
#include "provision/commands.h"
#include "provision/collectd_conf.h"
#include "provision/steps.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

const struct pv_step *const pv_steps[] = {
    &pv_step_secret, &pv_step_bucket, &pv_step_log_group, &pv_step_role,
    &pv_step_trail,  &pv_step_alarms, &pv_step_topic};
const size_t pv_step_count = sizeof(pv_steps) / sizeof(pv_steps[0]);

int pv_cmd_converge(struct pv_ctx *c) {
  int changes = 0, rc = 0;
  c->mode = c->o->command == PV_CMD_APPLY ? PV_MODE_APPLY : PV_MODE_CHECK;
  for (size_t i = 0; i < pv_step_count && rc == 0; i++) {
    c->step_changes = 0;
    rc = pv_steps[i]->converge(c);
    if (rc == 0 && c->step_changes == 0 && pv_steps[i]->resource)
      pv_report_item(c->rep, pv_steps[i]->name, pv_steps[i]->resource(c), "ok",
                     NULL);
    changes += c->step_changes;
  }
  json_object *n = json_object_new_int(changes);
  pv_report_attach(c->rep,
                   c->o->command == PV_CMD_STATUS ? "findings" : "changes", n);
  if (rc != 0) {
    pv_report_finish(c->rep, "error");
    return PV_EXIT_FAIL;
  }
  char line[96];
  if (c->o->command == PV_CMD_STATUS) {
    snprintf(line, sizeof(line), changes ? "%d findings: drift" : "in sync",
             changes);
    pv_report_line(c->rep, line);
    pv_report_finish(c->rep, changes ? "drift" : "ok");
    return changes ? PV_EXIT_DRIFT : PV_EXIT_OK;
  }
  if (changes == 0)
    snprintf(line, sizeof(line), "no changes");
  else
    snprintf(line, sizeof(line), "%d change%s%s", changes,
             changes == 1 ? "" : "s",
             c->o->command == PV_CMD_PLAN ? " to make" : " made");
  pv_report_line(c->rep, line);
  pv_report_finish(c->rep, changes ? "changed" : "no changes");
  return PV_EXIT_OK;
}

int pv_cmd_destroy(struct pv_ctx *c) {
  int rc = 0;
  /* Best effort: a step that fails (a bucket kept for its log files) does
   * not stop the others; the exit code still says so. */
  for (size_t i = pv_step_count; i > 0; i--)
    if (pv_steps[i - 1]->destroy(c) != 0)
      rc = -1;
  pv_report_finish(c->rep, rc ? "error" : "ok");
  return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}

int pv_cmd_collectd_config(struct pv_ctx *c) {
  static char globs[PV_MAX_SECRETS + 1][PV_MAX_ALLOW][300];
  static const char *allow[PV_MAX_SECRETS + 1][PV_MAX_ALLOW];
  struct pv_conf_secret secrets[PV_MAX_SECRETS + 1];
  struct pv_conf_in in = {0};
  struct sw_buf out;
  size_t n = 0;
  for (size_t i = 0; i < c->n_secrets; i++) {
    const struct pv_secret *s = &c->secrets[i];
    if (!s->has_names)
      continue;
    struct pv_conf_secret *cs = &secrets[n];
    memset(cs, 0, sizeof(*cs));
    cs->label = s->sn.label;
    cs->secret_id = s->arn;
    cs->metric_namespace = c->n.metric_namespace;
    cs->metric_name = s->sn.metric;
    cs->alarm_name = s->sn.alarm;
    if (c->o->n_allow) {
      cs->allow = c->o->allow;
      cs->allow_count = c->o->n_allow;
    } else {
      cs->allow_count = pv_filter_allowed(c, s, globs[n], PV_MAX_ALLOW);
      for (size_t j = 0; j < cs->allow_count; j++)
        allow[n][j] = globs[n][j];
      cs->allow = allow[n];
    }
    n++;
  }
  if (n == 0) {
    pv_report_error(c->rep, "collectd-config: the stack watches no secret "
                            "yet: run apply first");
    pv_report_finish(c->rep, "error");
    return PV_EXIT_FAIL;
  }
  in.account = c->n.stack;
  in.region = c->n.region;
  in.profile = c->o->profile;
  in.endpoint_url = c->o->endpoint_url;
  in.ca_file = c->o->ca_file;
  in.log_group = c->n.log_group;
  in.trail = c->n.trail_arn[0] ? c->n.trail_arn : c->n.trail;
  in.secrets = secrets;
  in.secret_count = n;
  sw_buf_init(&out, 1 << 20);
  int rc = pv_collectd_config(&in, &out);
  if (rc == 0 && c->o->output_json)
    pv_report_attach(c->rep, "config",
                     json_object_new_string(sw_buf_cstr(&out)));
  else if (rc == 0)
    fputs(sw_buf_cstr(&out), stdout);
  else
    pv_report_error(c->rep, "collectd-config: the block does not fit");
  sw_buf_clean_up(&out);
  pv_report_finish(c->rep, rc ? "error" : "ok");
  return rc ? PV_EXIT_FAIL : PV_EXIT_OK;
}
