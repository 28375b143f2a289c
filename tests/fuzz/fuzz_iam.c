/* Fuzzes the answer parsers of lib/iam.h (query XML, used by the
 * provisioner): CreateRole/GetRole, GetRolePolicy, ListRoleTags, and the
 * URL decoder of policy documents. Invariants: required members are set on
 * success; the decoder never grows its input and refuses bad escapes. */
#include "fuzz_common.h"

#include "lib/iam.h"
#include "lib/xml.h"

static void check_decode(const uint8_t *data, size_t size) {
  char *d = sw_iam_url_decode((const char *)data, size);
  if (d) {
    FUZZ_ASSERT(strlen(d) <= size);
    free(d);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  check_decode(data, size);
  xmlDoc *doc = sw_xml_parse((const char *)data, size, &err);
  if (doc == NULL)
    return 0;
  static const char *const actions[] = {"CreateRole", "GetRole"};
  for (size_t i = 0; i < 2; i++) {
    struct sw_iam_role r;
    memset(&r, 0, sizeof(r));
    if (sw_iam_role_parse(doc, actions[i], &r, &err) == 0)
      FUZZ_ASSERT(r.role_name && r.arn && r.tags.count <= SW_SVC_MAX_LIST);
    sw_iam_role_clean_up(&r);
  }
  struct sw_iam_role_policy p;
  memset(&p, 0, sizeof(p));
  (void)sw_iam_get_role_policy_parse(doc, &p, &err);
  sw_iam_role_policy_clean_up(&p);
  struct sw_iam_tags_page t;
  memset(&t, 0, sizeof(t));
  if (sw_iam_list_role_tags_parse(doc, &t, &err) == 0)
    FUZZ_ASSERT(t.tags.count <= SW_SVC_MAX_LIST);
  sw_iam_tags_page_clean_up(&t);
  xmlFreeDoc(doc);
  return 0;
}
