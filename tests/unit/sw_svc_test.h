/* Helpers shared by the service-module unit tests: parse test inputs and
 * compare built requests with the exact text expected. */
#ifndef SW_SVC_TEST_H
#define SW_SVC_TEST_H

#include "lib/client.h"
#include "lib/json.h"
#include "lib/xml.h"
#include "sw_test.h"

/* Parses literal test text (NULL when it is not valid). */
static inline struct json_object *json_text(const char *t) {
  struct sw_error err;
  return sw_json_parse(t, strlen(t), &err);
}

static inline xmlDoc *xml_text(const char *t) {
  struct sw_error err;
  return sw_xml_parse(t, strlen(t), &err);
}

/* Parses a shared fixture (NULL when absent or invalid). */
static inline struct json_object *json_fixture(const char *rel) {
  size_t len;
  struct sw_error err;
  char *t = sw_test_fixture(rel, &len);
  struct json_object *o = t ? sw_json_parse(t, len, &err) : NULL;
  free(t);
  return o;
}

static inline xmlDoc *xml_fixture(const char *rel) {
  size_t len;
  struct sw_error err;
  char *t = sw_test_fixture(rel, &len);
  xmlDoc *d = t ? sw_xml_parse(t, len, &err) : NULL;
  free(t);
  return d;
}

/* The query parameters as "k=v&k=v" (unencoded), a heap string. */
static inline char *params_text(const struct sw_params *p) {
  size_t n = 1;
  char *s, *o;
  for (size_t i = 0; i < p->list.count; i++)
    n += strlen(p->list.items[i].name) + strlen(p->list.items[i].value) + 2;
  s = o = malloc(n);
  *o = '\0';
  for (size_t i = 0; i < p->list.count; i++)
    o += sprintf(o, "%s%s=%s", i ? "&" : "", p->list.items[i].name,
                 p->list.items[i].value);
  return s;
}

/* Checks the parameters against want, then empties p for the next case. */
#define check_query(p, want)      \
  do {                            \
    char *sw_q_ = params_text(p); \
    SW_CHECK_STR(sw_q_, want);    \
    free(sw_q_);                  \
    sw_params_clean_up(p);        \
    sw_params_init(p);            \
  } while (0)

/* Checks a builder's heap result against the exact body, and frees it. */
#define check_body(got, want)  \
  do {                         \
    char *sw_b_ = (got);       \
    SW_CHECK_STR(sw_b_, want); \
    free(sw_b_);               \
  } while (0)

#endif
