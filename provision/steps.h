/* The ordered list of resource steps. Each step converges its resources
 * (looking only in PV_MODE_CHECK, changing in PV_MODE_APPLY: the same code
 * decides both, so plan shows exactly what apply does) and destroys them.
 * Commands are loops over this list (commands.c). */
#ifndef PV_STEPS_H
#define PV_STEPS_H

#include "provision/ctx.h"

struct pv_step {
  const char *name;
  /* 0, or -1 after reporting the error. */
  int (*converge)(struct pv_ctx *c);
  int (*destroy)(struct pv_ctx *c);
  /* The resource an "ok" line names when converge found nothing to do, or
   * NULL when the step reports each of its resources itself. */
  const char *(*resource)(const struct pv_ctx *c);
};

extern const struct pv_step pv_step_secret;
extern const struct pv_step pv_step_bucket;
extern const struct pv_step pv_step_log_group;
extern const struct pv_step pv_step_role;
extern const struct pv_step pv_step_trail;
extern const struct pv_step pv_step_alarms;
extern const struct pv_step pv_step_topic;

/* In apply order; destroy runs it backwards. */
extern const struct pv_step *const pv_steps[];
extern const size_t pv_step_count;

/* Reads what the commands need before the steps run: the caller's account,
 * the stack's trail (adopted by tag), the names, and the watched secrets
 * (options plus those the stack's alarms record). 0 or -1 (reported). */
int pv_discover(struct pv_ctx *c);

/* Fills s->sn and s->pattern once s->arn and s->name are known. 0 or -1
 * (reported). */
int pv_secret_prepare(struct pv_ctx *c, struct pv_secret *s);

/* The principal globs the secret's metric filter excludes, as AWS holds
 * it (read-only; 0 when the filter is absent or unreadable). */
size_t pv_filter_allowed(struct pv_ctx *c, const struct pv_secret *s,
                         char (*globs)[300], size_t max);

/* Number of secrets whose ARN is known (alarms can exist for them). */
size_t pv_known_alarm_arns(const struct pv_ctx *c, const char **arns,
                           size_t max);

#endif
