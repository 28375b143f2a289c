/* Reporting helpers shared by the steps. */
#include "provision/ctx.h"

#include "lib/svc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const pv_stack_tag_key = PV_TAG_STACK;

int pv_owned(const struct pv_ctx *c, const struct sw_tag_list *tags) {
  const char *v = sw_tag_list_get(tags, PV_TAG_STACK);
  if (!v)
    return 0;
  return strcmp(v, c->o->stack) == 0 ? 1 : -1;
}

int pv_need(struct pv_ctx *c, int create, const char *step,
            const char *resource, const char *detail) {
  c->step_changes++;
  if (c->mode == PV_MODE_APPLY)
    return 1;
  const char *action;
  if (c->o->command == PV_CMD_PLAN)
    action = create ? "create" : "update";
  else
    action = create ? "missing" : "drift";
  pv_report_item(c->rep, step, resource, action, detail);
  return 0;
}

int pv_did(struct pv_ctx *c, int create, const char *step, const char *resource,
           const char *detail, const char *operation, int rc,
           const struct sw_error *err) {
  if (rc != 0)
    return pv_fail(c, step, resource, operation, err);
  pv_report_item(c->rep, step, resource, create ? "created" : "updated",
                 detail);
  return 0;
}

int pv_fail(struct pv_ctx *c, const char *step, const char *resource,
            const char *operation, const struct sw_error *err) {
  char line[1200], desc[800];
  sw_error_describe(err, desc, sizeof(desc));
  snprintf(line, sizeof(line), "%s %s: %s failed: %s", step, resource,
           operation, desc);
  pv_report_error(c->rep, line);
  return -1;
}

int pv_failf(struct pv_ctx *c, const char *step, const char *resource,
             const char *fmt, ...) {
  char msg[900], line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  snprintf(line, sizeof(line), "%s %s: %s", step, resource, msg);
  pv_report_error(c->rep, line);
  return -1;
}
