#include "lib/buf.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sw_buf_init(struct sw_buf *b, size_t max_len) {
  memset(b, 0, sizeof(*b));
  b->max_len = max_len ? max_len : SW_BUF_DEFAULT_MAX;
}

void sw_buf_clean_up(struct sw_buf *b) {
  if (b == NULL)
    return;
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->overflow = 0;
}

void sw_buf_clean_up_secure(struct sw_buf *b) {
  if (b == NULL)
    return;
  if (b->data)
    sw_wipe(b->data, b->cap);
  sw_buf_clean_up(b);
}

void sw_buf_reset(struct sw_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

/* Makes room for len more bytes plus the terminator. */
static int buf_reserve(struct sw_buf *b, size_t len) {
  size_t max = b->max_len ? b->max_len : SW_BUF_DEFAULT_MAX;
  if (len > max || b->len > max - len) {
    b->overflow = 1;
    return -1;
  }
  size_t need = b->len + len + 1;
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap *= 2;
  if (cap > max + 1)
    cap = max + 1;
  char *p = realloc(b->data, cap);
  if (p == NULL)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int sw_buf_append(struct sw_buf *b, const void *data, size_t len) {
  if (buf_reserve(b, len) != 0)
    return -1;
  if (len)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int sw_buf_append_str(struct sw_buf *b, const char *s) {
  return sw_buf_append(b, s, strlen(s));
}

int sw_buf_append_char(struct sw_buf *b, char c) {
  return sw_buf_append(b, &c, 1);
}

int sw_buf_vprintf(struct sw_buf *b, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0 || buf_reserve(b, (size_t)n) != 0)
    return -1;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int sw_buf_printf(struct sw_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = sw_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

const char *sw_buf_cstr(const struct sw_buf *b) {
  return b->data ? b->data : "";
}

char *sw_buf_steal(struct sw_buf *b, size_t *len_out) {
  char *p = b->data;
  if (p == NULL)
    p = calloc(1, 1);
  if (len_out)
    *len_out = b->len;
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}
