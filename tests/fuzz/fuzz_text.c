/* Fuzzes lib/text.h. sw_text_sanitize must, for any bytes and any buffer
 * size: return the length it wrote, stay inside the buffer, terminate it,
 * produce valid UTF-8 without control characters (fuzz_text_is_safe), keep
 * text that was already safe and fits unchanged, and not depend on what the
 * buffer held before. Also sw_glob_match (pattern and subject split at the
 * first NUL) and sw_strlcpy. The first two bytes pick the buffer size. */
#include "fuzz_common.h"

#include "lib/text.h"

static void check_sanitize(const char *src, size_t len, size_t dst_size) {
  char *a = malloc(dst_size), *b = malloc(dst_size);
  FUZZ_ASSERT(a != NULL && b != NULL);
  memset(a, 0x00, dst_size);
  memset(b, 0x80, dst_size); /* continuation bytes: must never be read */
  size_t na = sw_text_sanitize(a, dst_size, src, len);
  size_t nb = sw_text_sanitize(b, dst_size, src, len);
  FUZZ_ASSERT(na < dst_size && a[na] == '\0' && strlen(a) == na);
  FUZZ_ASSERT(fuzz_text_is_safe(a, dst_size));
  FUZZ_ASSERT(na == nb && memcmp(a, b, na + 1) == 0);
  /* Safe text that fits is copied unchanged. */
  if (len < dst_size && memchr(src, '\0', len) == NULL) {
    char *copy = fuzz_strndup((const uint8_t *)src, len);
    if (fuzz_text_is_safe(copy, len + 1))
      FUZZ_ASSERT(na == len && memcmp(a, src, len) == 0);
    free(copy);
  }
  free(a);
  free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  size_t dst_size = 1 + ((size_t)data[0] << 8 | data[1]) % 2048;
  const char *src = (const char *)data + 2;
  size_t len = size - 2;
  check_sanitize(src, len, dst_size);
  check_sanitize(src, len, 1);
  check_sanitize(src, len, 4);
  check_sanitize(src, len, 5);

  char *all = fuzz_strndup(data + 2, len);
  char buf[64];
  size_t plen = strlen(all);
  const char *subject = plen < len ? all + plen + 1 : "";
  (void)sw_glob_match(all, subject);
  FUZZ_ASSERT(sw_glob_match("*", subject) == 1);
  FUZZ_ASSERT(sw_glob_match(subject, subject) == 1);
  int cut = sw_strlcpy(buf, all, sizeof(buf));
  FUZZ_ASSERT(strlen(buf) < sizeof(buf));
  FUZZ_ASSERT((cut == -1) == (plen >= sizeof(buf)));
  free(all);
  return 0;
}
