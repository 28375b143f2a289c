#include "lib/text.h"

#include <stdint.h>
#include <string.h>

/* Decodes one UTF-8 character at s (n bytes available). Returns its length
 * and stores the code point, or returns 0 for an invalid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t len;
  uint32_t min;
  if ((s[0] & 0xe0) == 0xc0) {
    len = 2;
    min = 0x80;
    *cp = s[0] & 0x1f;
  } else if ((s[0] & 0xf0) == 0xe0) {
    len = 3;
    min = 0x800;
    *cp = s[0] & 0x0f;
  } else if ((s[0] & 0xf8) == 0xf0) {
    len = 4;
    min = 0x10000;
    *cp = s[0] & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    *cp = (*cp << 6) | (s[i] & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
    return 0;
  return len;
}

static int unsafe_code_point(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
    return 1;
  if (cp == 0x2028 || cp == 0x2029) /* line and paragraph separators */
    return 1;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
    return 1; /* bidirectional overrides and isolates */
  return 0;
}

size_t sw_text_sanitize(char *dst, size_t dst_size, const char *src,
                        size_t src_len) {
  const unsigned char *s = (const unsigned char *)src;
  size_t o = 0, i = 0;
  int cut = 0;
  if (dst_size == 0)
    return 0;
  while (i < src_len) {
    uint32_t cp = 0;
    size_t n = utf8_decode(s + i, src_len - i, &cp);
    const char *out = (const char *)s + i;
    size_t out_len = n;
    if (n == 0 || unsafe_code_point(cp)) {
      out = "?";
      out_len = 1;
      if (n == 0)
        n = 1;
    }
    if (out_len > dst_size - 1 - o) {
      cut = 1;
      break;
    }
    memcpy(dst + o, out, out_len);
    o += out_len;
    i += n;
  }
  if (cut && dst_size > 4) {
    /* Make room for "...", cutting at a character boundary. Only bytes
     * written above are looked at: dst[o] itself is unwritten when o did
     * not move. */
    if (o > dst_size - 4) {
      o = dst_size - 4;
      while (o > 0 && ((unsigned char)dst[o] & 0xc0) == 0x80)
        o--;
    }
    memcpy(dst + o, "...", 3);
    o += 3;
  }
  dst[o] = '\0';
  return o;
}

size_t sw_text_sanitize_str(char *dst, size_t dst_size, const char *src) {
  if (src == NULL) {
    if (dst_size)
      dst[0] = '\0';
    return 0;
  }
  return sw_text_sanitize(dst, dst_size, src, strlen(src));
}

int sw_strlcpy(char *dst, const char *src, size_t dst_size) {
  size_t n = strlen(src);
  if (dst_size == 0)
    return -1;
  if (n >= dst_size) {
    memcpy(dst, src, dst_size - 1);
    dst[dst_size - 1] = '\0';
    return -1;
  }
  memcpy(dst, src, n + 1);
  return 0;
}

int sw_glob_match(const char *p, const char *s) {
  const char *star_p = NULL, *star_s = NULL;
  while (*s) {
    if (*p == '*') {
      star_p = ++p;
      star_s = s;
    } else if (*p == '?' || *p == *s) {
      p++;
      s++;
    } else if (star_p) {
      p = star_p;
      s = ++star_s;
    } else {
      return 0;
    }
  }
  while (*p == '*')
    p++;
  return *p == '\0';
}
