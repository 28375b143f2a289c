/* json-c helpers with limits, for untrusted AWS answers and our own files.
 *
 * Getters return borrowed references owned by the parent object (never
 * json_object_put them). A value of the wrong type is treated as absent, so a
 * hostile answer cannot make a caller misread a field. */
#ifndef SW_JSON_H
#define SW_JSON_H

#include "lib/error.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define SW_JSON_MAX_DEPTH 64
#define SW_JSON_MAX_SIZE ((size_t)32 << 20)

/* Parses len bytes (no NUL needed). The whole input must be one JSON value
 * with nothing but whitespace after it, at most SW_JSON_MAX_DEPTH deep and
 * SW_JSON_MAX_SIZE long. Returns a new reference (json_object_put it) or
 * NULL with err set to SW_ERR_PARSE naming what was wrong. */
struct json_object *sw_json_parse(const char *text, size_t len,
                                  struct sw_error *err);

/* obj[key] when obj is an object and the member has that type, else NULL. */
struct json_object *sw_json_obj(struct json_object *obj, const char *key);
struct json_object *sw_json_arr(struct json_object *obj, const char *key);
const char *sw_json_str(struct json_object *obj, const char *key);

/* Numbers: 0 when present with a usable type, -1 otherwise (out unchanged).
 * sw_json_int64 takes integers and integral doubles; sw_json_double takes
 * either. sw_json_bool takes only booleans. */
int sw_json_int64(struct json_object *obj, const char *key, int64_t *out);
int sw_json_double(struct json_object *obj, const char *key, double *out);
int sw_json_bool(struct json_object *obj, const char *key, int *out);

/* An AWS timestamp member: epoch seconds as integer or double (including
 * Java-style "1.523477145713E9"), or an ISO 8601 string. 0 or -1. */
int sw_json_epoch(struct json_object *obj, const char *key, double *out);

/* Follows a dotted path of object keys ("userIdentity.sessionContext.x") and
 * returns the string there, or NULL. */
const char *sw_json_path_str(struct json_object *obj, const char *path);

/* Adds members to an object under construction; 0 or -1 (out of memory). */
int sw_json_add_str(struct json_object *obj, const char *key, const char *v);
int sw_json_add_int64(struct json_object *obj, const char *key, int64_t v);
int sw_json_add_bool(struct json_object *obj, const char *key, int v);

/* Serializes compactly, without escaping '/'. Returns a heap string the
 * caller frees, or NULL. */
char *sw_json_dump(struct json_object *obj);

#endif
