#include "lib/json.h"
#include "lib/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct json_object *sw_json_parse(const char *text, size_t len,
                                  struct sw_error *err) {
  struct json_tokener *tok;
  struct json_object *obj;
  enum json_tokener_error jerr;
  size_t used;

  if (len > SW_JSON_MAX_SIZE) {
    sw_error_set(err, SW_ERR_PARSE, "JSON document of %zu bytes exceeds %zu",
                 len, SW_JSON_MAX_SIZE);
    return NULL;
  }
  if (len == 0) {
    sw_error_set(err, SW_ERR_PARSE, "empty JSON document");
    return NULL;
  }
  tok = json_tokener_new_ex(SW_JSON_MAX_DEPTH);
  if (tok == NULL) {
    sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    return NULL;
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  obj = json_tokener_parse_ex(tok, text, (int)len);
  jerr = json_tokener_get_error(tok);
  used = json_tokener_get_parse_end(tok);
  if (obj == NULL && jerr == json_tokener_continue) {
    /* json-c completes a number only at a delimiter, so a bare top-level
     * number ending the input ("1") is still pending: supply the end. */
    obj = json_tokener_parse_ex(tok, " ", 1);
    jerr = json_tokener_get_error(tok);
    used = len;
  }
  if (obj == NULL || jerr != json_tokener_success) {
    if (jerr == json_tokener_continue)
      sw_error_set(err, SW_ERR_PARSE, "JSON document truncated at byte %zu",
                   len);
    else
      sw_error_set(err, SW_ERR_PARSE, "invalid JSON at byte %zu: %s", used,
                   json_tokener_error_desc(jerr));
    json_object_put(obj);
    json_tokener_free(tok);
    return NULL;
  }
  for (; used < len; used++) {
    char c = text[used];
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      sw_error_set(err, SW_ERR_PARSE, "trailing data after JSON at byte %zu",
                   used);
      json_object_put(obj);
      json_tokener_free(tok);
      return NULL;
    }
  }
  json_tokener_free(tok);
  return obj;
}

static struct json_object *member(struct json_object *obj, const char *key,
                                  enum json_type type) {
  struct json_object *v = NULL;
  if (obj == NULL || !json_object_is_type(obj, json_type_object))
    return NULL;
  if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
    return NULL;
  return json_object_is_type(v, type) ? v : NULL;
}

struct json_object *sw_json_obj(struct json_object *obj, const char *key) {
  return member(obj, key, json_type_object);
}

struct json_object *sw_json_arr(struct json_object *obj, const char *key) {
  return member(obj, key, json_type_array);
}

const char *sw_json_str(struct json_object *obj, const char *key) {
  struct json_object *v = member(obj, key, json_type_string);
  return v ? json_object_get_string(v) : NULL;
}

int sw_json_int64(struct json_object *obj, const char *key, int64_t *out) {
  struct json_object *v = member(obj, key, json_type_int);
  if (v) {
    *out = json_object_get_int64(v);
    return 0;
  }
  v = member(obj, key, json_type_double);
  if (v) {
    double d = json_object_get_double(v);
    if (isfinite(d) && d == floor(d) && fabs(d) < 9.2e18) {
      *out = (int64_t)d;
      return 0;
    }
  }
  return -1;
}

int sw_json_double(struct json_object *obj, const char *key, double *out) {
  struct json_object *v = member(obj, key, json_type_double);
  if (v == NULL)
    v = member(obj, key, json_type_int);
  if (v == NULL)
    return -1;
  double d = json_object_get_double(v);
  if (!isfinite(d))
    return -1;
  *out = d;
  return 0;
}

int sw_json_bool(struct json_object *obj, const char *key, int *out) {
  struct json_object *v = member(obj, key, json_type_boolean);
  if (v == NULL)
    return -1;
  *out = json_object_get_boolean(v) ? 1 : 0;
  return 0;
}

int sw_json_epoch(struct json_object *obj, const char *key, double *out) {
  const char *s;
  if (sw_json_double(obj, key, out) == 0)
    return 0;
  s = sw_json_str(obj, key);
  if (s == NULL)
    return -1;
  return sw_time_parse_iso8601(s, out);
}

const char *sw_json_path_str(struct json_object *obj, const char *path) {
  char key[128];
  const char *p = path;
  while (obj) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n == 0 || n >= sizeof(key))
      return NULL;
    memcpy(key, p, n);
    key[n] = '\0';
    if (dot == NULL)
      return sw_json_str(obj, key);
    obj = sw_json_obj(obj, key);
    p = dot + 1;
  }
  return NULL;
}

int sw_json_add_str(struct json_object *obj, const char *key, const char *v) {
  struct json_object *s = json_object_new_string(v);
  if (s == NULL)
    return -1;
  if (json_object_object_add(obj, key, s) != 0) {
    json_object_put(s);
    return -1;
  }
  return 0;
}

int sw_json_add_int64(struct json_object *obj, const char *key, int64_t v) {
  struct json_object *n = json_object_new_int64(v);
  if (n == NULL)
    return -1;
  if (json_object_object_add(obj, key, n) != 0) {
    json_object_put(n);
    return -1;
  }
  return 0;
}

int sw_json_add_bool(struct json_object *obj, const char *key, int v) {
  struct json_object *b = json_object_new_boolean(v ? 1 : 0);
  if (b == NULL)
    return -1;
  if (json_object_object_add(obj, key, b) != 0) {
    json_object_put(b);
    return -1;
  }
  return 0;
}

char *sw_json_dump(struct json_object *obj) {
  const char *s = json_object_to_json_string_ext(
      obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return s ? strdup(s) : NULL;
}
