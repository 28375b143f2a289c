/* Fuzzes lib/profile.h: the AWS config and credentials file parser, with the
 * same bytes read as both kinds. Invariants: a parse either fails with the
 * file cleaned up, or every profile is found by its own name, keys are
 * lowercase and unique per section, and each key reads back its value. */
#include "fuzz_common.h"

#include "lib/profile.h"

#include <ctype.h>

static void check_file(const struct sw_profile_file *f) {
  FUZZ_ASSERT(f->count <= SW_PROFILE_MAX_SECTIONS);
  for (size_t i = 0; i < f->count; i++) {
    const struct sw_profile_section *s = &f->sections[i];
    FUZZ_ASSERT(s->name != NULL && s->count <= SW_PROFILE_MAX_KEYS);
    if (s->is_profile)
      FUZZ_ASSERT(sw_profile_find(f, s->name) == s);
    for (size_t k = 0; k < s->count; k++) {
      const char *key = s->entries[k].key;
      FUZZ_ASSERT(key != NULL && s->entries[k].value != NULL);
      for (const char *c = key; *c; c++)
        FUZZ_ASSERT(!isupper((unsigned char)*c));
      if (s->is_profile)
        FUZZ_ASSERT(sw_profile_get(f, s->name, key) == s->entries[k].value);
    }
  }
  (void)sw_profile_get(f, "default", "aws_secret_access_key");
  (void)sw_profile_get(f, "default", "s3.max_concurrent_requests");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const enum sw_profile_kind kinds[] = {SW_PROFILE_CONFIG,
                                               SW_PROFILE_CREDENTIALS};
  for (size_t i = 0; i < 2; i++) {
    struct sw_profile_file f;
    struct sw_error err;
    sw_profile_file_init(&f);
    sw_error_clear(&err);
    if (sw_profile_parse((const char *)data, size, "fuzz", kinds[i], &f,
                         &err) == 0) {
      check_file(&f);
    } else {
      FUZZ_ASSERT(f.count == 0 && f.sections == NULL);
      fuzz_check_error(&err);
    }
    sw_profile_file_clean_up(&f);
  }
  return 0;
}
