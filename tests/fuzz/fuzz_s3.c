/* Fuzzes the answer parsers of lib/s3.h (REST-XML, used by the
 * provisioner): GetBucketTagging and ListObjectsV2, plus the bucket name
 * check. S3's error answers are covered by fuzz_protocol. Invariants:
 * lists are bounded; an accepted bucket name is 3..63 bytes of
 * [a-z0-9.-]. */
#include "fuzz_common.h"

#include "lib/s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  struct sw_tag_list tags;
  struct sw_s3_list_resp l;
  sw_tag_list_init(&tags);
  if (sw_s3_tagging_parse((const char *)data, size, &tags, &err) == 0)
    FUZZ_ASSERT(tags.count <= SW_SVC_MAX_LIST);
  sw_tag_list_clean_up(&tags);
  memset(&l, 0, sizeof(l));
  if (sw_s3_list_objects_parse((const char *)data, size, &l, &err) == 0)
    FUZZ_ASSERT(l.count <= SW_SVC_MAX_LIST);
  sw_s3_list_resp_clean_up(&l);

  char *name = fuzz_strndup(data, size < 128 ? size : 128);
  if (sw_s3_bucket_name_valid(name)) {
    size_t n = strlen(name);
    FUZZ_ASSERT(n >= 3 && n <= 63);
    FUZZ_ASSERT(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n);
  }
  free(name);
  return 0;
}
