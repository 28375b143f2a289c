/* Which watched secret a CloudTrail record reads, and how to judge it.
 *
 * Pure functions over a parsed record (lib/ctrecord.h) and the secret's
 * configuration; no I/O, thread-safe. */
#ifndef SW_PLUGIN_MATCH_H
#define SW_PLUGIN_MATCH_H

#include "plugin/config.h"

#include "lib/ctrecord.h"

enum swp_verdict {
  SWP_VERDICT_NONE = 0,   /* not a read of this secret */
  SWP_VERDICT_ALLOWED,    /* a read by an allowed principal (guarded mode) */
  SWP_VERDICT_UNEXPECTED, /* a read nobody was allowed to make */
  SWP_VERDICT_DENIED      /* an attempt AWS refused (the record has
                             errorCode) */
};

/* 1 when rec is a read (or attempted read) of secret s: a Secrets Manager
 * GetSecretValue naming it by name, full ARN or partial ARN (in
 * requestParameters.secretId or resources), or a failed BatchGetSecretValue
 * naming it. A successful BatchGetSecretValue is not a match: AWS writes
 * one GetSecretValue record per secret it returned, and those are. */
int swp_match_record(const struct sw_ctrec *rec,
                     const struct swp_secret_conf *s);

/* The verdict for a record that swp_match_record accepted: DENIED when it
 * has an errorCode, else UNEXPECTED in honeytoken mode, else ALLOWED when
 * the principal ARN (or, for an assumed role, the role's ARN) matches one of
 * the AllowPrincipal globs, else UNEXPECTED. */
enum swp_verdict swp_classify(const struct sw_ctrec *rec,
                              const struct swp_secret_conf *s);

/* The principal shown for a record: userIdentity.arn, else invokedBy (AWS
 * services), else the principal id, else "unknown". Borrowed from rec. */
const char *swp_record_principal(const struct sw_ctrec *rec);

/* "allowed", "unexpected", "denied" or "none". */
const char *swp_verdict_name(enum swp_verdict v);

#endif
