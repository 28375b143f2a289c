/* Fuzzes the answer parsers of lib/secretsmanager.h (JSON 1.1, used by the
 * provisioner): secret references, DescribeSecret, ListSecrets and
 * GetSecretValue, plus the in-place wipe of a parsed secret value.
 * Invariants: required members are set on success, lists are bounded, and
 * the wipe leaves no byte of SecretString behind. */
#include "fuzz_common.h"

#include "lib/json.h"
#include "lib/secretsmanager.h"

static void check_wipe(struct json_object *root) {
  const char *before = sw_json_str(root, "SecretString");
  size_t n = before ? strlen(before) : 0;
  char *copy = before ? strdup(before) : NULL;
  sw_sm_wipe_secret_value(root);
  const char *after = sw_json_str(root, "SecretString");
  /* Whatever is left must not hold the value (a value of one repeated byte
   * could coincide with the wipe pattern: skipped). */
  int uniform = 1;
  for (size_t i = 1; i < n; i++)
    uniform &= copy[i] == copy[0];
  if (copy && n >= 4 && !uniform && after)
    FUZZ_ASSERT(strstr(after, copy) == NULL);
  free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  struct json_object *root = sw_json_parse((const char *)data, size, &err);
  if (root == NULL)
    return 0;
  struct sw_sm_secret_ref ref;
  memset(&ref, 0, sizeof(ref));
  if (sw_sm_secret_ref_parse(root, &ref, &err) == 0)
    FUZZ_ASSERT(ref.arn && ref.name);
  sw_sm_secret_ref_clean_up(&ref);

  struct sw_sm_secret s;
  memset(&s, 0, sizeof(s));
  if (sw_sm_describe_secret_parse(root, &s, &err) == 0)
    FUZZ_ASSERT(s.arn && s.name && s.tags.count <= SW_SVC_MAX_LIST);
  sw_sm_secret_clean_up(&s);

  struct sw_sm_list_resp l;
  memset(&l, 0, sizeof(l));
  if (sw_sm_list_secrets_parse(root, &l, &err) == 0)
    FUZZ_ASSERT(l.count <= SW_SVC_MAX_LIST);
  sw_sm_list_resp_clean_up(&l);

  struct sw_sm_value_info v;
  memset(&v, 0, sizeof(v));
  if (sw_sm_get_secret_value_parse(root, &v, &err) == 0)
    FUZZ_ASSERT(v.arn != NULL);
  sw_sm_value_info_clean_up(&v);

  check_wipe(root);
  sw_sm_wipe_secret_value(NULL);
  json_object_put(root);
  return 0;
}
