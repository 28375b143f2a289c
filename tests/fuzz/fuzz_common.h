/* Shared helpers of the libFuzzer targets in tests/fuzz.
 *
 * Each fuzz_<parser>.c defines LLVMFuzzerTestOneInput and includes this
 * header. The helpers turn fuzzer bytes into the shapes the parsers take
 * (terminated strings, header lists) and check invariants that must hold
 * for ANY input; a broken invariant calls abort(), which libFuzzer and the
 * replay runner report as a crash. */
#ifndef SW_FUZZ_COMMON_H
#define SW_FUZZ_COMMON_H

#include "lib/error.h"
#include "lib/headers.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message naming the broken invariant. */
#define FUZZ_ASSERT(cond)                                                  \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, \
              #cond);                                                      \
      abort();                                                             \
    }                                                                      \
  } while (0)

/* A heap copy of n bytes with a NUL after them (embedded NULs kept). */
static inline char *fuzz_strndup(const uint8_t *p, size_t n) {
  char *s = malloc(n + 1);
  if (s == NULL)
    abort();
  if (n)
    memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

/* Length of the line starting at p (up to '\n', not included), or the rest.
 */
static inline size_t fuzz_line_len(const uint8_t *p, size_t n) {
  const uint8_t *nl = memchr(p, '\n', n);
  return nl ? (size_t)(nl - p) : n;
}

/* Takes the next line (without "\n" and a trailing "\r") off the input (p, n)
 * as a heap string; an exhausted input gives "". */
static inline char *fuzz_take_line(const uint8_t **p, size_t *n) {
  size_t len = fuzz_line_len(*p, *n);
  size_t used = len < *n ? len + 1 : len;
  size_t keep = len;
  if (keep > 0 && (*p)[keep - 1] == '\r')
    keep--;
  char *s = fuzz_strndup(*p, keep);
  *p += used;
  *n -= used;
  return s;
}

/* Reads "Name: value" lines into h until an empty line or the end; lines
 * without ':' are skipped. Used to give parsers fuzzed HTTP headers. */
static inline void fuzz_take_headers(const uint8_t **p, size_t *n,
                                     struct sw_headers *h) {
  while (*n > 0) {
    char *line = fuzz_take_line(p, n);
    char *colon = strchr(line, ':');
    int end = line[0] == '\0';
    if (colon) {
      char *v = colon + 1;
      while (*v == ' ' || *v == '\t')
        v++;
      sw_headers_add_n(h, line, (size_t)(colon - line), v, strlen(v));
    }
    free(line);
    if (end)
      break;
  }
}

/* 1 when s (NUL-terminated within size bytes) is text fit for a log line:
 * valid UTF-8 without C0/C1 controls, DEL, U+2028/9 or bidi controls, the
 * output promise of lib/text.h. */
static inline int fuzz_text_is_safe(const char *s, size_t size) {
  const unsigned char *u = (const unsigned char *)s;
  size_t len = strnlen(s, size);
  if (len == size)
    return 0; /* not terminated */
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n;
    if (u[i] < 0x80) {
      cp = u[i];
      n = 1;
    } else if ((u[i] & 0xe0) == 0xc0) {
      cp = u[i] & 0x1f;
      n = 2;
    } else if ((u[i] & 0xf0) == 0xe0) {
      cp = u[i] & 0x0f;
      n = 3;
    } else if ((u[i] & 0xf8) == 0xf0) {
      cp = u[i] & 0x07;
      n = 4;
    } else {
      return 0;
    }
    if (i + n > len)
      return 0;
    for (size_t k = 1; k < n; k++) {
      if ((u[i + k] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (u[i + k] & 0x3f);
    }
    static const uint32_t min_by_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_by_len[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
        cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069))
      return 0;
    i += n;
  }
  return 1;
}

/* Every text field of an error is promised sanitized (lib/error.h). */
static inline void fuzz_check_error(const struct sw_error *err) {
  FUZZ_ASSERT(fuzz_text_is_safe(err->code, sizeof(err->code)));
  FUZZ_ASSERT(fuzz_text_is_safe(err->message, sizeof(err->message)));
  FUZZ_ASSERT(fuzz_text_is_safe(err->request_id, sizeof(err->request_id)));
}

#endif
