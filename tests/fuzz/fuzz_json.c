/* Fuzzes lib/json.h: sw_json_parse on any bytes, then every typed getter on
 * every member of the parsed tree, dotted paths, and a serialize/re-parse
 * round trip. Invariants: the depth limit holds, a member has at most one
 * type, numbers handed out are finite, a dump parses back. */
#include "fuzz_common.h"

#include "lib/json.h"

#include <math.h>

static void check_member(struct json_object *o, const char *key) {
  int64_t i64;
  double d;
  int b;
  int typed = (sw_json_obj(o, key) != NULL) + (sw_json_arr(o, key) != NULL) +
              (sw_json_str(o, key) != NULL);
  FUZZ_ASSERT(typed <= 1);
  (void)sw_json_int64(o, key, &i64);
  if (sw_json_double(o, key, &d) == 0)
    FUZZ_ASSERT(isfinite(d));
  if (sw_json_bool(o, key, &b) == 0)
    FUZZ_ASSERT(b == 0 || b == 1);
  (void)sw_json_epoch(o, key, &d);
}

/* "key.key2" through sw_json_path_str must agree with two getters. */
static void check_path(struct json_object *o, const char *key,
                       struct json_object *child) {
  char path[300];
  if (key[0] == '\0' || strchr(key, '.') || strlen(key) >= 128 ||
      !json_object_is_type(child, json_type_object))
    return;
  json_object_object_foreach(child, key2, val2) {
    (void)val2;
    if (key2[0] == '\0' || strchr(key2, '.') || strlen(key2) >= 128)
      continue;
    snprintf(path, sizeof(path), "%s.%s", key, key2);
    FUZZ_ASSERT(sw_json_path_str(o, path) == sw_json_str(child, key2));
  }
}

static void walk(struct json_object *o, int depth) {
  FUZZ_ASSERT(depth <= SW_JSON_MAX_DEPTH);
  if (json_object_is_type(o, json_type_object)) {
    json_object_object_foreach(o, key, val) {
      check_member(o, key);
      check_path(o, key, val);
      walk(val, depth + 1);
    }
  } else if (json_object_is_type(o, json_type_array)) {
    size_t n = json_object_array_length(o);
    for (size_t i = 0; i < n; i++)
      walk(json_object_array_get_idx(o, i), depth + 1);
  }
  /* Getters on a non-object must answer "absent", never crash. */
  FUZZ_ASSERT(sw_json_str(json_object_is_type(o, json_type_object) ? NULL : o,
                          "x") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct sw_error err;
  sw_error_clear(&err);
  struct json_object *root = sw_json_parse((const char *)data, size, &err);
  if (root == NULL) {
    FUZZ_ASSERT(err.kind == SW_ERR_PARSE);
    fuzz_check_error(&err);
    return 0;
  }
  walk(root, 1);
  (void)sw_json_path_str(root, "userIdentity.sessionContext.sessionIssuer.arn");
  (void)sw_json_path_str(root, "a..b");
  (void)sw_json_path_str(root, ".");
  char *dump = sw_json_dump(root);
  FUZZ_ASSERT(dump != NULL);
  struct json_object *again = sw_json_parse(dump, strlen(dump), &err);
  FUZZ_ASSERT(again != NULL);
  json_object_put(again);
  free(dump);
  json_object_put(root);
  return 0;
}
