#include "lib/svc.h"
#include "lib/client.h"
#include "lib/crypto.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The lists keep no capacity: they hold 4, 8, 16, ... slots, so they grow
 * when count reaches 4 or a power of two above it (amortized O(1)). */
static int grow_at(size_t count) {
  return count == 0 || (count >= 4 && (count & (count - 1)) == 0);
}

static size_t grown(size_t count) {
  return count == 0 ? 4 : count * 2;
}

void sw_tag_list_init(struct sw_tag_list *l) {
  l->items = NULL;
  l->count = 0;
}

void sw_tag_list_clean_up(struct sw_tag_list *l) {
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++) {
    free((char *)l->items[i].key);
    free((char *)l->items[i].value);
  }
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

const char *sw_tag_list_get(const struct sw_tag_list *l, const char *key) {
  if (l == NULL || key == NULL)
    return NULL;
  for (size_t i = 0; i < l->count; i++)
    if (l->items[i].key && strcmp(l->items[i].key, key) == 0)
      return l->items[i].value ? l->items[i].value : "";
  return NULL;
}

int sw_tag_list_add(struct sw_tag_list *l, const char *key, const char *value,
                    size_t max, struct sw_error *err) {
  struct sw_tag *n;
  char *k = NULL, *v = NULL;
  if (l->count >= max)
    return sw_error_set(err, SW_ERR_PARSE, "more than %zu tags in the answer",
                        max);
  if (sw_svc_dup(key ? key : "", SW_SVC_MAX_STR, "tag key", &k, err) != 0)
    return -1;
  if (sw_svc_dup(value ? value : "", SW_SVC_MAX_STR, "tag value", &v, err) !=
      0) {
    free(k);
    return -1;
  }
  if (grow_at(l->count)) {
    n = realloc(l->items, grown(l->count) * sizeof(*n));
    if (n == NULL) {
      free(k);
      free(v);
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    }
    l->items = n;
  }
  l->items[l->count].key = k;
  l->items[l->count].value = v;
  l->count++;
  return 0;
}

void sw_str_list_init(struct sw_str_list *l) {
  l->items = NULL;
  l->count = 0;
}

void sw_str_list_clean_up(struct sw_str_list *l) {
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i]);
  free(l->items);
  l->items = NULL;
  l->count = 0;
}

int sw_str_list_add(struct sw_str_list *l, const char *s, size_t max,
                    struct sw_error *err) {
  char **n;
  char *copy = NULL;
  if (l->count >= max)
    return sw_error_set(err, SW_ERR_PARSE, "more than %zu list items", max);
  if (sw_svc_dup(s ? s : "", SW_SVC_MAX_STR, "list item", &copy, err) != 0)
    return -1;
  if (grow_at(l->count)) {
    n = realloc(l->items, grown(l->count) * sizeof(*n));
    if (n == NULL) {
      free(copy);
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    }
    l->items = n;
  }
  l->items[l->count++] = copy;
  return 0;
}

int sw_svc_dup(const char *s, size_t max, const char *what, char **out,
               struct sw_error *err) {
  size_t len;
  *out = NULL;
  if (s == NULL)
    return 0;
  len = strnlen(s, max + 1);
  if (len > max)
    return sw_error_set(err, SW_ERR_PARSE, "%s: longer than %zu bytes", what,
                        max);
  *out = malloc(len + 1);
  if (*out == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  memcpy(*out, s, len);
  (*out)[len] = '\0';
  return 0;
}

int sw_svc_json_dup(struct json_object *obj, const char *key, size_t max,
                    char **out, struct sw_error *err) {
  return sw_svc_dup(sw_json_str(obj, key), max, key, out, err);
}

int sw_svc_xml_dup(xmlNode *parent, const char *path, size_t max, char **out,
                   struct sw_error *err) {
  char *s = sw_xml_path_text(parent, path);
  int rc;
  *out = NULL;
  if (s == NULL)
    return 0;
  if (strlen(s) > max) {
    free(s);
    return sw_error_set(err, SW_ERR_PARSE, "%s: longer than %zu bytes", path,
                        max);
  }
  rc = 0;
  *out = s;
  return rc;
}

int sw_svc_copy(char *dst, size_t dst_size, const char *s) {
  size_t len;
  if (dst_size == 0)
    return 1;
  if (s == NULL) {
    dst[0] = '\0';
    return 0;
  }
  len = strnlen(s, dst_size);
  if (len >= dst_size) {
    memcpy(dst, s, dst_size - 1);
    dst[dst_size - 1] = '\0';
    return 1;
  }
  memcpy(dst, s, len + 1);
  return 0;
}

/* Strips the whitespace the XML pretty-printing may leave around a value.
 */
static char *trimmed(char *s) {
  char *end;
  while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
    s++;
  end = s + strlen(s);
  while (end > s && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' ||
                     end[-1] == '\t'))
    *--end = '\0';
  return s;
}

int sw_svc_xml_time(xmlNode *parent, const char *path, double *out_s) {
  char *s = sw_xml_path_text(parent, path);
  double v;
  int rc = -1;
  if (s == NULL)
    return -1;
  if (sw_time_parse_iso8601(trimmed(s), &v) == 0) {
    *out_s = v;
    rc = 0;
  }
  free(s);
  return rc;
}

int sw_svc_xml_double(xmlNode *parent, const char *path, double *out) {
  char *s = sw_xml_path_text(parent, path), *t, *end;
  double v;
  int rc = -1;
  if (s == NULL)
    return -1;
  t = trimmed(s);
  errno = 0;
  v = strtod(t, &end);
  if (*t && *end == '\0' && errno == 0 && v == v && v - v == 0) {
    *out = v;
    rc = 0;
  }
  free(s);
  return rc;
}

int sw_svc_xml_int64(xmlNode *parent, const char *path, long long *out) {
  char *s = sw_xml_path_text(parent, path), *t, *end;
  long long v;
  int rc = -1;
  if (s == NULL)
    return -1;
  t = trimmed(s);
  errno = 0;
  v = strtoll(t, &end, 10);
  if (*t && *end == '\0' && errno == 0) {
    *out = v;
    rc = 0;
  }
  free(s);
  return rc;
}

int sw_svc_xml_bool(xmlNode *parent, const char *path, int *out) {
  char *s = sw_xml_path_text(parent, path), *t;
  int rc = -1;
  if (s == NULL)
    return -1;
  t = trimmed(s);
  if (strcasecmp(t, "true") == 0) {
    *out = 1;
    rc = 0;
  } else if (strcasecmp(t, "false") == 0) {
    *out = 0;
    rc = 0;
  }
  free(s);
  return rc;
}

int sw_svc_xml_str_list(xmlNode *parent, const char *path, size_t max,
                        struct sw_str_list *out, struct sw_error *err) {
  xmlNode *list = sw_xml_path(parent, path);
  for (xmlNode *m = sw_xml_child(list, "member"); m; m = sw_xml_next(m)) {
    char *s = sw_xml_text(m);
    int rc;
    if (s == NULL)
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    rc = sw_str_list_add(out, s, max, err);
    free(s);
    if (rc != 0)
      return -1;
  }
  return 0;
}

int sw_svc_json_str_list(struct json_object *obj, const char *key, size_t max,
                         struct sw_str_list *out, struct sw_error *err) {
  struct json_object *arr = sw_json_arr(obj, key);
  size_t n = arr ? json_object_array_length(arr) : 0;
  for (size_t i = 0; i < n; i++) {
    struct json_object *v = json_object_array_get_idx(arr, i);
    if (!json_object_is_type(v, json_type_string))
      return sw_error_set(err, SW_ERR_PARSE, "%s[%zu] is not a string", key, i);
    if (sw_str_list_add(out, json_object_get_string(v), max, err) != 0)
      return -1;
  }
  return 0;
}

xmlNode *sw_svc_query_result(xmlDoc *doc, const char *action,
                             struct sw_error *err) {
  char name[128];
  xmlNode *root = sw_xml_root(doc), *res;
  snprintf(name, sizeof(name), "%sResponse", action);
  if (root == NULL || strcmp((const char *)root->name, name) != 0) {
    sw_error_set(err, SW_ERR_PARSE, "%s: expected a <%s> document, got <%s>",
                 action, name, root ? (const char *)root->name : "nothing");
    return NULL;
  }
  snprintf(name, sizeof(name), "%sResult", action);
  res = sw_xml_child(root, name);
  if (res == NULL)
    sw_error_set(err, SW_ERR_PARSE, "%s: answer has no <%s>", action, name);
  return res;
}

int sw_svc_empty(const char *s) {
  return s == NULL || s[0] == '\0';
}

int sw_svc_check_tags(const char *op, const struct sw_tag *tags, size_t count,
                      size_t max, struct sw_error *err) {
  if (count > max)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: %zu tags, at most %zu allowed",
                        op, count, max);
  if (count > 0 && tags == NULL)
    return sw_error_set(err, SW_ERR_CONFIG, "%s: tag list missing", op);
  for (size_t i = 0; i < count; i++) {
    if (sw_svc_empty(tags[i].key) || strlen(tags[i].key) > 128)
      return sw_error_set(err, SW_ERR_CONFIG,
                          "%s: tag %zu needs a key of 1 to 128 bytes", op, i);
    if (tags[i].value && strlen(tags[i].value) > 256)
      return sw_error_set(err, SW_ERR_CONFIG,
                          "%s: tag \"%s\" has a value over 256 bytes", op,
                          tags[i].key);
  }
  return 0;
}

struct json_object *sw_svc_json_tag_array(const struct sw_tag *tags,
                                          size_t count, const char *key_name,
                                          const char *value_name) {
  struct json_object *arr = json_object_new_array();
  for (size_t i = 0; arr && i < count; i++) {
    struct json_object *t = json_object_new_object();
    if (t == NULL || sw_json_add_str(t, key_name, tags[i].key) != 0 ||
        sw_json_add_str(t, value_name, tags[i].value ? tags[i].value : "") !=
            0 ||
        json_object_array_add(arr, t) != 0) {
      json_object_put(t);
      json_object_put(arr);
      return NULL;
    }
  }
  return arr;
}

struct json_object *sw_svc_json_tag_map(const struct sw_tag *tags,
                                        size_t count) {
  struct json_object *map = json_object_new_object();
  for (size_t i = 0; map && i < count; i++)
    if (sw_json_add_str(map, tags[i].key, tags[i].value ? tags[i].value : "") !=
        0) {
      json_object_put(map);
      return NULL;
    }
  return map;
}

char *sw_svc_json_finish(struct json_object *obj, const char *op,
                         struct sw_error *err) {
  char *s = obj ? sw_json_dump(obj) : NULL;
  json_object_put(obj);
  if (s == NULL)
    sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory building request",
                 op);
  return s;
}

int sw_svc_params_tags(struct sw_params *p, const char *prefix,
                       const char *key_name, const char *value_name,
                       const struct sw_tag *tags, size_t count,
                       struct sw_error *err) {
  char name[160];
  for (size_t i = 0; i < count; i++) {
    snprintf(name, sizeof(name), "%s.%zu.%s", prefix, i + 1, key_name);
    if (sw_params_add(p, name, tags[i].key) != 0)
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
    snprintf(name, sizeof(name), "%s.%zu.%s", prefix, i + 1, value_name);
    if (sw_params_add(p, name, tags[i].value ? tags[i].value : "") != 0)
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  }
  return 0;
}

int sw_svc_params_list(struct sw_params *p, const char *prefix,
                       const char *const *items, size_t count,
                       struct sw_error *err) {
  char name[160];
  for (size_t i = 0; i < count; i++) {
    snprintf(name, sizeof(name), "%s.%zu", prefix, i + 1);
    if (sw_params_add(p, name, items[i] ? items[i] : "") != 0)
      return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  }
  return 0;
}

int sw_svc_json_call(struct sw_client *c, enum sw_service svc, const char *op,
                     char *body, int wipe, struct json_object **out,
                     struct sw_error *err) {
  struct json_object *root = NULL;
  int rc;
  if (out)
    *out = NULL;
  if (body == NULL)
    return -1;
  rc = sw_client_json(c, svc, op, body, &root, err);
  if (wipe)
    sw_wipe(body, strlen(body));
  free(body);
  if (rc == 0 && out)
    *out = root;
  else
    json_object_put(root);
  return rc;
}

int sw_svc_json_items(struct json_object *root, const char *key, size_t max,
                      size_t item_size,
                      int (*fn)(struct json_object *elem, size_t i, void *item,
                                struct sw_error *err),
                      const char *op, void **items, size_t *count,
                      struct sw_error *err) {
  struct json_object *arr = sw_json_arr(root, key);
  size_t n = arr ? json_object_array_length(arr) : 0;
  *items = NULL;
  *count = 0;
  if (n > max)
    return sw_error_set(err, SW_ERR_PARSE, "%s: %s has %zu items, over %zu", op,
                        key, n, max);
  if (n == 0)
    return 0;
  *items = calloc(n, item_size);
  if (*items == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
  for (size_t i = 0; i < n; i++) {
    *count = i + 1;
    if (fn(json_object_array_get_idx(arr, i), i, (char *)*items + i * item_size,
           err) != 0)
      return -1;
  }
  return 0;
}

int sw_svc_xml_items(xmlNode *parent, const char *list_name,
                     const char *item_name, size_t max, size_t item_size,
                     int (*fn)(xmlNode *elem, size_t i, void *item,
                               struct sw_error *err),
                     const char *op, void **items, size_t *count,
                     struct sw_error *err) {
  xmlNode *list = list_name ? sw_xml_child(parent, list_name) : parent, *m;
  size_t n = 0, i = 0;
  *items = NULL;
  *count = 0;
  for (m = sw_xml_child(list, item_name); m && n <= max; m = sw_xml_next(m))
    n++;
  if (n > max)
    return sw_error_set(err, SW_ERR_PARSE, "%s: more than %zu <%s> items", op,
                        max, item_name);
  if (n == 0)
    return 0;
  *items = calloc(n, item_size);
  if (*items == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "%s: out of memory", op);
  for (m = sw_xml_child(list, item_name); m; m = sw_xml_next(m), i++) {
    *count = i + 1;
    if (fn(m, i, (char *)*items + i * item_size, err) != 0)
      return -1;
  }
  return 0;
}

int sw_svc_xml_pairs(xmlNode *parent, const char *list_name,
                     const char *item_name, const char *key_name,
                     const char *value_name, size_t max, const char *op,
                     struct sw_tag_list *out, struct sw_error *err) {
  xmlNode *list = sw_xml_child(parent, list_name);
  for (xmlNode *m = sw_xml_child(list, item_name); m; m = sw_xml_next(m)) {
    char *k = sw_xml_path_text(m, key_name);
    char *v = sw_xml_path_text(m, value_name);
    int rc = k ? sw_tag_list_add(out, k, v, max, err)
               : sw_error_set(err, SW_ERR_PARSE, "%s: a <%s> has no <%s>", op,
                              item_name, key_name);
    free(k);
    free(v);
    if (rc != 0) {
      sw_tag_list_clean_up(out);
      return -1;
    }
  }
  return 0;
}

int sw_svc_json_pairs(struct json_object *obj, const char *list_key,
                      const char *key_name, const char *value_name, size_t max,
                      const char *op, struct sw_tag_list *out,
                      struct sw_error *err) {
  struct json_object *arr = sw_json_arr(obj, list_key);
  size_t n = arr ? json_object_array_length(arr) : 0;
  for (size_t i = 0; i < n; i++) {
    struct json_object *t = json_object_array_get_idx(arr, i);
    const char *k = sw_json_str(t, key_name);
    if (k == NULL) {
      sw_tag_list_clean_up(out);
      return sw_error_set(err, SW_ERR_PARSE, "%s: %s[%zu] has no string %s", op,
                          list_key, i, key_name);
    }
    if (sw_tag_list_add(out, k, sw_json_str(t, value_name), max, err) != 0) {
      sw_tag_list_clean_up(out);
      return -1;
    }
  }
  return 0;
}

int sw_svc_json_dup_len(struct json_object *obj, const char *key, size_t max,
                        const char *what, char **out, size_t *len_out,
                        struct sw_error *err) {
  struct json_object *v = NULL;
  size_t len;
  *out = NULL;
  *len_out = 0;
  if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
      !json_object_object_get_ex(obj, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return 0;
  len = (size_t)json_object_get_string_len(v);
  if (len > max)
    return sw_error_set(err, SW_ERR_PARSE, "%s of %zu bytes exceeds %zu", what,
                        len, max);
  *out = malloc(len + 1);
  if (*out == NULL)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  memcpy(*out, json_object_get_string(v), len);
  (*out)[len] = '\0';
  *len_out = len;
  return 0;
}

int sw_svc_query_call(struct sw_client *c, enum sw_service svc,
                      const char *action, struct sw_params *p, int built,
                      xmlDoc **doc, struct sw_error *err) {
  xmlDoc *answer = NULL;
  int rc = built;
  if (rc == 0)
    rc = sw_client_query(c, svc, action, p, &answer, err);
  sw_params_clean_up(p);
  if (rc == 0 && doc)
    *doc = answer;
  else
    xmlFreeDoc(answer);
  if (doc && rc != 0)
    *doc = NULL;
  return rc;
}
