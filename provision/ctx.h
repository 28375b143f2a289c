/* The state one command run shares between its steps: options, the AWS
 * client, the stack's names, the watched secrets, and the report. */
#ifndef PV_CTX_H
#define PV_CTX_H

#include "lib/client.h"
#include "lib/credentials.h"
#include "lib/error.h"
#include "provision/args.h"
#include "provision/names.h"
#include "provision/pattern.h"
#include "provision/report.h"

#include <stddef.h>

/* How a step runs: look only (plan, status) or converge (apply). */
enum pv_mode { PV_MODE_CHECK = 0, PV_MODE_APPLY = 1 };

struct pv_secret {
  char input[2048]; /* as given (name or ARN), or the discovered ARN */
  char arn[2048];   /* "" until known */
  char name[520];
  int want_create; /* --create-secret: apply creates it when missing */
  int exists;
  int created_by_stack; /* tagged secretwatch:created by this stack */
  int scheduled_deletion;
  int discovered; /* found through an alarm of the stack, not an option */
  struct pv_secret_names sn;
  char pattern[PV_PATTERN_MAX + 1];
  int has_names; /* sn and pattern are filled (the ARN is known) */
};

struct pv_trail_info {
  int exists;    /* a trail with n.trail exists in the region */
  int owned;     /* ... and carries this stack's tag */
  int other_tag; /* ... tagged for another stack */
  int region_trail_count;
};

struct pv_ctx {
  const struct pv_opts *o;
  enum pv_mode mode;
  struct sw_creds_provider *creds;
  struct sw_client *client;
  struct pv_names n;
  char caller_arn[2048];
  struct pv_secret secrets[PV_MAX_SECRETS + 1];
  size_t n_secrets;
  struct pv_trail_info trail;
  struct pv_report *rep;
  int step_changes; /* changes (or findings) in the running step */
};

/* The stack tag as a one-element list for the service builders. */
extern const char *const pv_stack_tag_key;

/* 1 when tags carry secretwatch:stack=<this stack>; -1 when they carry it
 * for another stack; 0 when untagged. */
struct sw_tag_list;
int pv_owned(const struct pv_ctx *c, const struct sw_tag_list *tags);

/* In CHECK mode records a finding ("create"/"update" for plan,
 * "missing"/"drift" for status) and returns 0; in APPLY mode returns 1: the
 * caller performs the change and then calls pv_did. */
int pv_need(struct pv_ctx *c, int create, const char *step,
            const char *resource, const char *detail);
/* Reports the change just made ("created"/"updated") or, when rc != 0, the
 * error (operation, resource, what AWS said). Returns rc. */
int pv_did(struct pv_ctx *c, int create, const char *step, const char *resource,
           const char *detail, const char *operation, int rc,
           const struct sw_error *err);
/* Reports a failed read. Returns -1. */
int pv_fail(struct pv_ctx *c, const char *step, const char *resource,
            const char *operation, const struct sw_error *err);
/* Reports a problem that is not an AWS error (a name taken, a limit). -1. */
int pv_failf(struct pv_ctx *c, const char *step, const char *resource,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
