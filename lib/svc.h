/* Shared shapes of the AWS service modules (tags, string lists, bounded
 * copies of untrusted answer text).
 *
 * Request-side structs borrow the caller's strings; response-side lists own
 * heap copies and have one clean-up function each. Every list parsed from an
 * answer is bounded (SW_SVC_MAX_LIST items) and every string is bounded
 * (SW_SVC_MAX_STR bytes unless a field says otherwise).
 *
 * Across lib/'s service modules (cloudtrail, ctrecord, cloudwatch, logs,
 * secretsmanager, sns, iam, sts, s3): request builders and answer parsers
 * are pure (memory in, structs out; no I/O, no clock) and thread-safe; the
 * call wrappers use a struct sw_client, which is used by one thread at a
 * time. Every error pointer may be NULL. */
#ifndef SW_SVC_H
#define SW_SVC_H

#include "lib/client.h"
#include "lib/error.h"

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stddef.h>

/* Longest string copied from an answer (longer ones are refused as a parse
 * error, never silently cut: they would be matched against). */
#define SW_SVC_MAX_STR ((size_t)64 << 10)
/* Most items taken from one list of one answer page. */
#define SW_SVC_MAX_LIST 10000
/* Most tags AWS accepts on one resource (IAM, S3, CloudTrail: 50). */
#define SW_SVC_MAX_TAGS 50

/* A tag in a request: both strings borrowed from the caller. In a parsed
 * answer (struct sw_tag_list) both are heap copies owned by the list. */
struct sw_tag {
  const char *key;
  const char *value;
};

/* Tags parsed from an answer; clean up with sw_tag_list_clean_up. */
struct sw_tag_list {
  struct sw_tag *items;
  size_t count;
};
void sw_tag_list_init(struct sw_tag_list *l);
void sw_tag_list_clean_up(struct sw_tag_list *l);
/* The value of key in the list, or NULL (borrowed from the list). */
const char *sw_tag_list_get(const struct sw_tag_list *l, const char *key);
/* Appends copies of key and value; 0, or -1 with err (SW_ERR_PARSE when the
 * list already holds max items, SW_ERR_INTERNAL on out of memory). */
int sw_tag_list_add(struct sw_tag_list *l, const char *key, const char *value,
                    size_t max, struct sw_error *err);

/* Strings parsed from an answer (heap copies owned by the list). */
struct sw_str_list {
  char **items;
  size_t count;
};
void sw_str_list_init(struct sw_str_list *l);
void sw_str_list_clean_up(struct sw_str_list *l);
/* Appends a copy of s; 0, or -1 with err as sw_tag_list_add. */
int sw_str_list_add(struct sw_str_list *l, const char *s, size_t max,
                    struct sw_error *err);

/* Bounded copies of answer text.
 * sw_svc_dup: a heap copy of s (NULL stays NULL: *out = NULL, returns 0), or
 * -1 with err SW_ERR_PARSE ("<what>: longer than N bytes") when s is longer
 * than max bytes, SW_ERR_INTERNAL on out of memory. */
int sw_svc_dup(const char *s, size_t max, const char *what, char **out,
               struct sw_error *err);
/* The string member key of obj (wrong type = absent), copied as sw_svc_dup.
 */
int sw_svc_json_dup(struct json_object *obj, const char *key, size_t max,
                    char **out, struct sw_error *err);
/* The text of the element at path under parent, copied as sw_svc_dup; an
 * absent element gives *out = NULL and 0. */
int sw_svc_xml_dup(xmlNode *parent, const char *path, size_t max, char **out,
                   struct sw_error *err);
/* Copies s into a fixed field of dst_size bytes, NUL-terminated, cutting at
 * dst_size-1 bytes. Returns 1 when s was cut, else 0 (NULL s gives ""). */
int sw_svc_copy(char *dst, size_t dst_size, const char *s);

/* Element text at path parsed as an ISO 8601 timestamp / a double / an
 * integer / a boolean ("true"/"false"). 0, or -1 when absent or malformed
 * (out unchanged). */
int sw_svc_xml_time(xmlNode *parent, const char *path, double *out_s);
int sw_svc_xml_double(xmlNode *parent, const char *path, double *out);
int sw_svc_xml_int64(xmlNode *parent, const char *path, long long *out);
int sw_svc_xml_bool(xmlNode *parent, const char *path, int *out);

/* Parses a query-protocol <member> list found at path under parent (e.g.
 * "AlarmActions") into a string list; absent or empty gives an empty list.
 * 0 or -1 with err (too many items, too long an item). */
int sw_svc_xml_str_list(xmlNode *parent, const char *path, size_t max,
                        struct sw_str_list *out, struct sw_error *err);
/* The same for a JSON array of strings (non-string items are an error:
 * SW_ERR_PARSE naming key). */
int sw_svc_json_str_list(struct json_object *obj, const char *key, size_t max,
                         struct sw_str_list *out, struct sw_error *err);

/* The result element of a query answer: <ActionResponse><ActionResult>.
 * Returns it, or NULL with err SW_ERR_PARSE naming the expected element when
 * the document is not such an answer. action is e.g. "CreateTopic". */
xmlNode *sw_svc_query_result(xmlDoc *doc, const char *action,
                             struct sw_error *err);

/* ---- Request-building helpers shared by the service modules ---- */
struct sw_params;
struct sw_client;

/* Checks request tags: 0..max tags, each with a non-empty key of at most
 * 128 bytes and a value (NULL taken as "") of at most 256 bytes. 0, or -1
 * with err SW_ERR_CONFIG naming op and the tag. */
int sw_svc_check_tags(const char *op, const struct sw_tag *tags, size_t count,
                      size_t max, struct sw_error *err);
/* [{"<key_name>":k,"<value_name>":v},...] as a new json-c array, or NULL on
 * out of memory. */
struct json_object *sw_svc_json_tag_array(const struct sw_tag *tags,
                                          size_t count, const char *key_name,
                                          const char *value_name);
/* {k:v,...} as a new json-c object, or NULL. */
struct json_object *sw_svc_json_tag_map(const struct sw_tag *tags,
                                        size_t count);
/* Serializes obj (consuming the reference) into a heap string; NULL with
 * err SW_ERR_INTERNAL naming op when obj is NULL or out of memory. */
char *sw_svc_json_finish(struct json_object *obj, const char *op,
                         struct sw_error *err);
/* Adds <prefix>.N.<key_name>=k and <prefix>.N.<value_name>=v for each tag
 * (N from 1). 0 or -1 (out of memory, err set). */
int sw_svc_params_tags(struct sw_params *p, const char *prefix,
                       const char *key_name, const char *value_name,
                       const struct sw_tag *tags, size_t count,
                       struct sw_error *err);
/* Adds <prefix>.N=item for each string. 0 or -1. */
int sw_svc_params_list(struct sw_params *p, const char *prefix,
                       const char *const *items, size_t count,
                       struct sw_error *err);
/* Sends a JSON request: body (a builder's result, consumed: freed, and
 * wiped first when wipe is set) may be NULL, meaning the builder failed
 * with err already set. On success *out is the parsed answer (put it) or,
 * when out is NULL, the answer is released. 0 or -1 with err. */
int sw_svc_json_call(struct sw_client *c, enum sw_service svc, const char *op,
                     char *body, int wipe, struct json_object **out,
                     struct sw_error *err);
/* 1 when s is NULL or "". */
int sw_svc_empty(const char *s);

/* ---- Answer-walking helpers shared by the service modules ---- */

/* Parses the array member key of root into a new heap array of item_size
 * elements (zeroed, then filled by fn(element, index, item, err)). Absent
 * (or of the wrong type) is an empty list. More than max elements is
 * SW_ERR_PARSE naming op and key. *count is the number of items fn was
 * called for, so that on failure the caller's clean-up frees exactly those
 * (the array itself included). 0 or -1. */
int sw_svc_json_items(struct json_object *root, const char *key, size_t max,
                      size_t item_size,
                      int (*fn)(struct json_object *elem, size_t i, void *item,
                                struct sw_error *err),
                      const char *op, void **items, size_t *count,
                      struct sw_error *err);
/* The same over XML: the elements named item_name under the child
 * list_name of parent (or directly under parent when list_name is NULL). */
int sw_svc_xml_items(xmlNode *parent, const char *list_name,
                     const char *item_name, size_t max, size_t item_size,
                     int (*fn)(xmlNode *elem, size_t i, void *item,
                               struct sw_error *err),
                     const char *op, void **items, size_t *count,
                     struct sw_error *err);

/* Key/value pairs from XML: under the child list_name of parent, each
 * element item_name holding key_name and value_name children (e.g. "Tags",
 * "member", "Key", "Value"). Appended to out; a pair without a key is
 * SW_ERR_PARSE naming op. On failure out is emptied. 0 or -1. */
int sw_svc_xml_pairs(xmlNode *parent, const char *list_name,
                     const char *item_name, const char *key_name,
                     const char *value_name, size_t max, const char *op,
                     struct sw_tag_list *out, struct sw_error *err);
/* The same from the JSON array member list_key of obj: [{key_name: k,
 * value_name: v}, ...]. A missing or non-string key is SW_ERR_PARSE. */
int sw_svc_json_pairs(struct json_object *obj, const char *list_key,
                      const char *key_name, const char *value_name, size_t max,
                      const char *op, struct sw_tag_list *out,
                      struct sw_error *err);

/* A string member that may be large (a record, a log message): heap copy
 * with its length (embedded NULs kept), NULL/0 when absent or not a
 * string; longer than max is SW_ERR_PARSE naming what. 0 or -1. */
int sw_svc_json_dup_len(struct json_object *obj, const char *key, size_t max,
                        const char *what, char **out, size_t *len_out,
                        struct sw_error *err);

/* Sends an AWS query call with the parameters a builder filled (built is
 * the builder's result: on -1 nothing is sent); p is cleaned up in every
 * case. On success *doc is the answer (xmlFreeDoc it; NULL on failure);
 * doc may be NULL when the answer is not needed. */
int sw_svc_query_call(struct sw_client *c, enum sw_service svc,
                      const char *action, struct sw_params *p, int built,
                      xmlDoc **doc, struct sw_error *err);

#endif
