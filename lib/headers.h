/* An ordered list of HTTP header fields (name/value), shared by the signer,
 * the HTTP layer and the protocol adapters. Names keep their case; lookups
 * ignore it. */
#ifndef SW_HEADERS_H
#define SW_HEADERS_H

#include <stddef.h>

struct sw_header {
  char *name;
  char *value;
};

struct sw_headers {
  struct sw_header *items;
  size_t count;
  size_t cap;
};

#define SW_HEADERS_MAX                                   \
  256 /* more fields than this in one message is hostile \
       */

void sw_headers_init(struct sw_headers *h);
/* Frees every field; the values are wiped first (they may hold tokens). */
void sw_headers_clean_up(struct sw_headers *h);
/* Appends a copy of name and value (value_len bytes; value need not be
 * terminated). 0, or -1 on out of memory or SW_HEADERS_MAX fields. */
int sw_headers_add(struct sw_headers *h, const char *name, const char *value);
int sw_headers_add_n(struct sw_headers *h, const char *name, size_t name_len,
                     const char *value, size_t value_len);
/* Replaces the first field of that name, or appends. 0 or -1. */
int sw_headers_set(struct sw_headers *h, const char *name, const char *value);
/* The value of the first field of that name (case-insensitive), or NULL. */
const char *sw_headers_get(const struct sw_headers *h, const char *name);

#endif
