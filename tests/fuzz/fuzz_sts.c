/* Fuzzes the answer parsers of lib/sts.h (query protocol XML):
 * GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity. Invariants:
 * fixed fields are terminated; a successful credentials parse has a key id
 * and a secret; a failed one leaves no session token behind. */
#include "fuzz_common.h"

#include "lib/sts.h"
#include "lib/xml.h"

#define TERMINATED(f) FUZZ_ASSERT(memchr((f), '\0', sizeof(f)) != NULL)

static void check_assume(xmlDoc *doc,
                         int (*parse)(xmlDoc *,
                                      struct sw_sts_assume_role_resp *,
                                      struct sw_error *)) {
  struct sw_sts_assume_role_resp r;
  struct sw_error err;
  sw_sts_assume_role_resp_init(&r);
  sw_error_clear(&err);
  if (parse(doc, &r, &err) == 0) {
    TERMINATED(r.creds.access_key_id);
    TERMINATED(r.creds.secret_access_key);
    TERMINATED(r.assumed_role_arn);
    TERMINATED(r.assumed_role_id);
    TERMINATED(r.subject_from_web_identity_token);
    TERMINATED(r.provider);
    TERMINATED(r.audience);
    FUZZ_ASSERT(r.creds.access_key_id[0] && r.creds.secret_access_key[0]);
  } else {
    FUZZ_ASSERT(r.creds.session_token == NULL);
    fuzz_check_error(&err);
  }
  sw_sts_assume_role_resp_clean_up(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  struct sw_sts_identity id;
  xmlDoc *doc = sw_xml_parse((const char *)data, size, &err);
  if (doc == NULL)
    return 0;
  sw_error_clear(&err);
  if (sw_sts_get_caller_identity_parse(doc, &id, &err) == 0) {
    TERMINATED(id.account);
    TERMINATED(id.arn);
    TERMINATED(id.user_id);
  } else {
    fuzz_check_error(&err);
  }
  check_assume(doc, sw_sts_assume_role_parse);
  check_assume(doc, sw_sts_web_identity_parse);
  xmlFreeDoc(doc);
  return 0;
}
