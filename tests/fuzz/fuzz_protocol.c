/* Fuzzes the error and result parsers of lib/protocol.h with one input read
 * as an HTTP answer: when it starts with "HTTP/1." the status line and the
 * header fields come first (as in the *.http fixtures), otherwise the whole
 * input is the body of a 400. Every parser sees the same answer: JSON 1.0 and
 * 1.1 errors (plain and query-compatible), query/REST-XML errors, success
 * results, and the error type stripper. Invariants: error parsers always
 * return -1 with a kind set and sanitized text fields. */
#include "fuzz_common.h"

#include "lib/protocol.h"

static long take_status(const uint8_t **p, size_t *n) {
  long status = 400;
  if (*n >= 7 && memcmp(*p, "HTTP/1.", 7) == 0) {
    char *line = fuzz_take_line(p, n);
    const char *sp = strchr(line, ' ');
    if (sp)
      status = strtol(sp + 1, NULL, 10);
    free(line);
  }
  return status;
}

static void check_json_error(long status, const struct sw_headers *h,
                             const char *body, size_t len, int qc) {
  struct sw_error err;
  sw_error_clear(&err);
  FUZZ_ASSERT(sw_proto_json_error(status, h, body, len, qc, &err) == -1);
  FUZZ_ASSERT(err.kind != SW_ERR_NONE);
  fuzz_check_error(&err);
}

static void check_xml_error(long status, const struct sw_headers *h,
                            const char *body, size_t len) {
  struct sw_error err;
  sw_error_clear(&err);
  FUZZ_ASSERT(sw_proto_xml_error(status, h, body, len, &err) == -1);
  FUZZ_ASSERT(err.kind != SW_ERR_NONE);
  fuzz_check_error(&err);
}

static void check_results(const char *body, size_t len) {
  struct sw_error err;
  sw_error_clear(&err);
  struct json_object *j = sw_proto_json_result(body, len, &err);
  if (j) {
    FUZZ_ASSERT(json_object_is_type(j, json_type_object));
    json_object_put(j);
  } else {
    FUZZ_ASSERT(err.kind == SW_ERR_PARSE);
    fuzz_check_error(&err);
  }
  sw_error_clear(&err);
  xmlDoc *doc = sw_proto_xml_result(body, len, &err);
  if (doc)
    xmlFreeDoc(doc);
  else
    fuzz_check_error(&err);
}

static void check_strip(const uint8_t *data, size_t size) {
  /* The stripper works in place on a terminated string. */
  char *s = fuzz_strndup(data, size < 512 ? size : 512);
  size_t before = strlen(s);
  char *r = sw_proto_strip_error_type(s);
  FUZZ_ASSERT(r == s && strlen(r) <= before);
  free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *p = data;
  size_t n = size;
  struct sw_headers h;
  sw_headers_init(&h);
  long status = take_status(&p, &n);
  if (p != data)
    fuzz_take_headers(&p, &n, &h);
  /* An exact-size copy of the body, so reads past it are caught. */
  char *body = malloc(n ? n : 1);
  FUZZ_ASSERT(body != NULL);
  if (n)
    memcpy(body, p, n);
  check_json_error(status, &h, body, n, 0);
  check_json_error(status, &h, body, n, 1);
  check_xml_error(status, &h, body, n);
  check_json_error(status, NULL, body, n, 1);
  check_xml_error(status, NULL, NULL, 0);
  check_results(body, n);
  check_strip(data, size);
  free(body);
  sw_headers_clean_up(&h);
  return 0;
}
