/* Matching records to secrets and judging the principal. */
#include "plugin/match.h"

#include "lib/text.h"

#include <stdlib.h>
#include <string.h>

static int is_secretsmanager(const struct sw_ctrec *rec) {
  return strcmp(rec->event_source, "secretsmanager.amazonaws.com") == 0;
}

/* sw_ctrec_names_secret also reads the id from an AccessDenied record's
 * errorMessage ("... on resource: <id> because ..."), since AWS may leave
 * requestParameters null there. */
static int names_secret(const struct sw_ctrec *rec, const char *id,
                        const char *arn) {
  return sw_ctrec_names_secret(rec, id, arn);
}

int swp_match_record(const struct sw_ctrec *rec,
                     const struct swp_secret_conf *s) {
  const char *arn = NULL;
  if (!is_secretsmanager(rec))
    return 0;
  if (strcmp(rec->event_name, "GetSecretValue") != 0 &&
      !(strcmp(rec->event_name, "BatchGetSecretValue") == 0 &&
        rec->error_code[0] != '\0'))
    return 0;
  if (strncmp(s->secret_id, "arn:", 4) == 0)
    arn = s->secret_id;
  return names_secret(rec, s->secret_id, arn) ? 1 : 0;
}

const char *swp_record_principal(const struct sw_ctrec *rec) {
  if (rec->identity.arn[0])
    return rec->identity.arn;
  if (rec->identity.invoked_by[0])
    return rec->identity.invoked_by;
  if (rec->identity.principal_id[0])
    return rec->identity.principal_id;
  return "unknown";
}

static int allowed(const struct sw_ctrec *rec,
                   const struct swp_secret_conf *s) {
  for (size_t i = 0; i < s->allow_num; i++) {
    if (rec->identity.arn[0] && sw_glob_match(s->allow[i], rec->identity.arn))
      return 1;
    /* An assumed role's session ARN changes per session; allowing the
     * role's own ARN is the stable way to say "this role may read". */
    if (rec->identity.issuer_arn[0] &&
        sw_glob_match(s->allow[i], rec->identity.issuer_arn))
      return 1;
  }
  return 0;
}

enum swp_verdict swp_classify(const struct sw_ctrec *rec,
                              const struct swp_secret_conf *s) {
  if (rec->error_code[0] != '\0')
    return SWP_VERDICT_DENIED;
  if (s->mode == SWP_MODE_HONEYTOKEN)
    return SWP_VERDICT_UNEXPECTED;
  return allowed(rec, s) ? SWP_VERDICT_ALLOWED : SWP_VERDICT_UNEXPECTED;
}

const char *swp_verdict_name(enum swp_verdict v) {
  switch (v) {
  case SWP_VERDICT_ALLOWED:
    return "allowed";
  case SWP_VERDICT_UNEXPECTED:
    return "unexpected";
  case SWP_VERDICT_DENIED:
    return "denied";
  case SWP_VERDICT_NONE:
    break;
  }
  return "none";
}
