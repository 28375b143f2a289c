#include "lib/headers.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sw_headers_init(struct sw_headers *h) {
  memset(h, 0, sizeof(*h));
}

void sw_headers_clean_up(struct sw_headers *h) {
  if (h == NULL)
    return;
  for (size_t i = 0; i < h->count; i++) {
    free(h->items[i].name);
    if (h->items[i].value)
      sw_wipe(h->items[i].value, strlen(h->items[i].value));
    free(h->items[i].value);
  }
  free(h->items);
  sw_headers_init(h);
}

int sw_headers_add_n(struct sw_headers *h, const char *name, size_t name_len,
                     const char *value, size_t value_len) {
  if (h->count >= SW_HEADERS_MAX)
    return -1;
  if (h->count == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 16;
    struct sw_header *items = realloc(h->items, cap * sizeof(*items));
    if (items == NULL)
      return -1;
    h->items = items;
    h->cap = cap;
  }
  char *n = strndup(name, name_len);
  char *v = strndup(value, value_len);
  if (n == NULL || v == NULL) {
    free(n);
    free(v);
    return -1;
  }
  h->items[h->count].name = n;
  h->items[h->count].value = v;
  h->count++;
  return 0;
}

int sw_headers_add(struct sw_headers *h, const char *name, const char *value) {
  return sw_headers_add_n(h, name, strlen(name), value, strlen(value));
}

int sw_headers_set(struct sw_headers *h, const char *name, const char *value) {
  for (size_t i = 0; i < h->count; i++) {
    if (strcasecmp(h->items[i].name, name) == 0) {
      char *v = strdup(value);
      if (v == NULL)
        return -1;
      sw_wipe(h->items[i].value, strlen(h->items[i].value));
      free(h->items[i].value);
      h->items[i].value = v;
      return 0;
    }
  }
  return sw_headers_add(h, name, value);
}

const char *sw_headers_get(const struct sw_headers *h, const char *name) {
  for (size_t i = 0; i < h->count; i++)
    if (strcasecmp(h->items[i].name, name) == 0)
      return h->items[i].value;
  return NULL;
}
