/* Protocol adapters: JSON 1.0/1.1, query and REST-XML (see protocol.h). */
#include "lib/protocol.h"
#include "lib/json.h"
#include "lib/sigv4.h"
#include "lib/text.h"
#include "lib/xml.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Target prefixes and API versions from the services' models (botocore
 * service-2.json metadata: targetPrefix, jsonVersion, apiVersion). */
static const struct sw_service_protocol protocols[SW_SVC_COUNT] = {
    [SW_SVC_CLOUDTRAIL] = {11,
                           "com.amazonaws.cloudtrail.v20131101."
                           "CloudTrail_20131101",
                           0, NULL, 0},
    [SW_SVC_CLOUDWATCH] = {10, "GraniteServiceVersion20100801", 1, "2010-08-01",
                           0},
    [SW_SVC_LOGS] = {11, "Logs_20140328", 0, NULL, 0},
    [SW_SVC_SECRETSMANAGER] = {11, "secretsmanager", 0, NULL, 0},
    [SW_SVC_SNS] = {0, NULL, 0, "2010-03-31", 0},
    [SW_SVC_IAM] = {0, NULL, 0, "2010-05-08", 0},
    [SW_SVC_STS] = {0, NULL, 0, "2011-06-15", 0},
    [SW_SVC_S3] = {0, NULL, 0, NULL, 1},
};

const struct sw_service_protocol *sw_service_protocol(enum sw_service svc) {
  static const struct sw_service_protocol none = {0, NULL, 0, NULL, 0};
  if ((int)svc < 0 || svc >= SW_SVC_COUNT)
    return &none;
  return &protocols[svc];
}

/* Operation and action names are identifiers: they go into a header and a
 * form body verbatim. */
static int plain_identifier(const char *s) {
  if (s == NULL || *s == '\0' || strlen(s) > 64)
    return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s))
      return 0;
  return 1;
}

int sw_proto_json_headers(enum sw_service svc, const char *operation,
                          struct sw_headers *out, struct sw_error *err) {
  const struct sw_service_protocol *p = sw_service_protocol(svc);
  char target[160];
  int rc = 0;
  if (p->json_version == 0)
    return sw_error_set(err, SW_ERR_CONFIG, "%s has no AWS JSON API",
                        sw_service_name(svc));
  if (!plain_identifier(operation))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "operation name \"%s\" is not an identifier",
                        operation ? operation : "(null)");
  snprintf(target, sizeof(target), "%s.%s", p->target_prefix, operation);
  rc |= sw_headers_set(out, "Content-Type",
                       p->json_version == 10 ? "application/x-amz-json-1.0"
                                             : "application/x-amz-json-1.1");
  rc |= sw_headers_set(out, "X-Amz-Target", target);
  if (p->query_compatible)
    rc |= sw_headers_set(out, "x-amzn-query-mode", "true");
  if (rc != 0)
    return sw_error_set(err, SW_ERR_INTERNAL, "out of memory");
  return 0;
}

static int form_pair(struct sw_buf *out, const char *name, const char *value) {
  if (out->len > 0 && sw_buf_append_char(out, '&') != 0)
    return -1;
  if (sw_uri_encode(out, name, strlen(name), 0) != 0 ||
      sw_buf_append_char(out, '=') != 0 ||
      sw_uri_encode(out, value, strlen(value), 0) != 0)
    return -1;
  return 0;
}

int sw_proto_query_body(enum sw_service svc, const char *action,
                        const struct sw_headers *params, struct sw_buf *out,
                        struct sw_error *err) {
  const struct sw_service_protocol *p = sw_service_protocol(svc);
  if (p->query_version == NULL)
    return sw_error_set(err, SW_ERR_CONFIG, "%s has no AWS query API",
                        sw_service_name(svc));
  if (!plain_identifier(action))
    return sw_error_set(err, SW_ERR_CONFIG,
                        "action name \"%s\" is not an identifier",
                        action ? action : "(null)");
  if (form_pair(out, "Action", action) != 0 ||
      form_pair(out, "Version", p->query_version) != 0)
    goto too_big;
  for (size_t i = 0; params && i < params->count; i++)
    if (form_pair(out, params->items[i].name, params->items[i].value) != 0)
      goto too_big;
  return 0;
too_big:
  return sw_error_set(err, SW_ERR_INTERNAL,
                      "%s %s request body larger than %zu bytes or out of "
                      "memory",
                      sw_service_name(svc), action, out->max_len);
}

char *sw_proto_strip_error_type(char *s) {
  char *hash, *colon;
  if (s == NULL)
    return NULL;
  colon = strchr(s, ':');
  if (colon)
    *colon = '\0';
  hash = strrchr(s, '#');
  if (hash)
    memmove(s, hash + 1, strlen(hash + 1) + 1);
  return s;
}

static void set_request_id(struct sw_error *err, const char *id) {
  if (err && id && *id)
    sw_text_sanitize_str(err->request_id, sizeof(err->request_id), id);
}

static const char *header_request_id(const struct sw_headers *headers) {
  const char *id;
  if (headers == NULL)
    return NULL;
  id = sw_headers_get(headers, "x-amzn-RequestId");
  if (id == NULL)
    id = sw_headers_get(headers, "x-amz-request-id");
  return id;
}

/* An error answer we could not read: classified by status alone. */
static int status_only_error(long status, const char *what,
                             struct sw_error *err) {
  char msg[160];
  snprintf(msg, sizeof(msg), "HTTP %ld with %s", status, what);
  return sw_error_set_aws(err, status, NULL, 0, msg, strlen(msg));
}

int sw_proto_json_error(long status, const struct sw_headers *headers,
                        const char *body, size_t len, int query_compatible,
                        struct sw_error *err) {
  struct json_object *doc = NULL;
  const char *raw_code = NULL, *message = NULL, *h;
  char code[128] = "";
  struct sw_error perr;

  sw_error_clear(err);
  sw_error_clear(&perr);
  if (body && len > 0)
    doc = sw_json_parse(body, len, &perr);
  if (doc) {
    message = sw_json_str(doc, "message");
    if (message == NULL)
      message = sw_json_str(doc, "Message");
  }
  /* Query-compatible services keep their legacy query code in a header:
   * "Code;Sender". */
  h = headers ? sw_headers_get(headers, "x-amzn-query-error") : NULL;
  if (query_compatible && h && *h && *h != ';') {
    size_t n = strcspn(h, ";");
    snprintf(code, sizeof(code), "%.*s", (int)n, h);
  } else {
    raw_code = headers ? sw_headers_get(headers, "X-Amzn-ErrorType") : NULL;
    if ((raw_code == NULL || *raw_code == '\0') && doc)
      raw_code = sw_json_str(doc, "code");
    if ((raw_code == NULL || *raw_code == '\0') && doc)
      raw_code = sw_json_str(doc, "__type");
    if (raw_code)
      sw_strlcpy(code, raw_code, sizeof(code));
    sw_proto_strip_error_type(code);
  }
  if (code[0] == '\0' && message == NULL) {
    json_object_put(doc);
    status_only_error(status,
                      (body == NULL || len == 0) ? "an empty error body"
                      : doc == NULL              ? "an error body that is not "
                                                   "JSON"
                                    : "no error type in the JSON body",
                      err);
    set_request_id(err, header_request_id(headers));
    return -1;
  }
  sw_error_set_aws(err, status, code[0] ? code : NULL, strlen(code), message,
                   message ? strlen(message) : 0);
  set_request_id(err, header_request_id(headers));
  json_object_put(doc);
  return -1;
}

/* Finds the <Error> element of the three layouts AWS uses. */
static xmlNode *find_error(xmlNode *root, xmlNode **id_parent) {
  const char *name = (const char *)root->name;
  *id_parent = root;
  if (strcmp(name, "Error") == 0)
    return root;
  if (strcmp(name, "ErrorResponse") == 0)
    return sw_xml_child(root, "Error");
  if (strcmp(name, "Response") == 0)
    return sw_xml_path(root, "Errors/Error");
  return NULL;
}

int sw_proto_xml_error(long status, const struct sw_headers *headers,
                       const char *body, size_t len, struct sw_error *err) {
  xmlDoc *doc;
  xmlNode *error, *id_parent;
  char *code, *message, *id;
  struct sw_error perr;

  sw_error_clear(err);
  if (body == NULL || len == 0) {
    /* HEAD answers and some proxies carry no body: the status is all we
     * have, and S3 clients conventionally report it as the code. */
    char num[24];
    char msg[96];
    snprintf(num, sizeof(num), "%ld", status);
    snprintf(msg, sizeof(msg), "HTTP %ld with an empty error body", status);
    sw_error_set_aws(err, status, num, strlen(num), msg, strlen(msg));
    set_request_id(err, header_request_id(headers));
    return -1;
  }
  sw_error_clear(&perr);
  doc = sw_xml_parse(body, len, &perr);
  error = doc ? find_error(sw_xml_root(doc), &id_parent) : NULL;
  if (error == NULL) {
    status_only_error(status,
                      doc ? "an XML body that is not an AWS error"
                          : "an error body that is not XML",
                      err);
    set_request_id(err, header_request_id(headers));
    xmlFreeDoc(doc);
    return -1;
  }
  code = sw_xml_path_text(error, "Code");
  message = sw_xml_path_text(error, "Message");
  id = sw_xml_path_text(id_parent, "RequestId");
  if (id == NULL)
    id = sw_xml_path_text(id_parent, "RequestID");
  if (code)
    sw_proto_strip_error_type(code);
  sw_error_set_aws(err, status, code && *code ? code : NULL,
                   code ? strlen(code) : 0, message,
                   message ? strlen(message) : 0);
  set_request_id(err, id && *id ? id : header_request_id(headers));
  free(code);
  free(message);
  free(id);
  xmlFreeDoc(doc);
  return -1;
}

struct json_object *sw_proto_json_result(const char *body, size_t len,
                                         struct sw_error *err) {
  struct json_object *doc;
  size_t i = 0;
  while (body && i < len && isspace((unsigned char)body[i]))
    i++;
  if (body == NULL || i == len)
    return json_object_new_object();
  doc = sw_json_parse(body, len, err);
  if (doc && !json_object_is_type(doc, json_type_object)) {
    json_object_put(doc);
    sw_error_set(err, SW_ERR_PARSE, "JSON answer is not an object");
    return NULL;
  }
  return doc;
}

xmlDoc *sw_proto_xml_result(const char *body, size_t len,
                            struct sw_error *err) {
  return sw_xml_parse(body, len, err);
}
