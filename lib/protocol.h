/* The AWS wire protocols we speak, as pure builders and parsers.
 *
 * AWS JSON 1.1 and 1.0 (X-Amz-Target, CloudWatch's query-compatible mode),
 * AWS query (form-encoded body, XML answers) and S3's REST-XML. Request
 * builders add headers or a body; error parsers turn an error answer into
 * struct sw_error (through sw_error_set_aws, the one classifier). Nothing
 * here does I/O or reads a clock. References: Smithy "AWS JSON 1.0/1.1
 * protocol", "AWS query protocol", "AWS restXml protocol" specifications and
 * the botocore protocol test suites in the shared test data. */
#ifndef SW_PROTOCOL_H
#define SW_PROTOCOL_H

#include "lib/buf.h"
#include "lib/endpoint.h"
#include "lib/error.h"
#include "lib/headers.h"

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stddef.h>

/* What a service speaks. json_version is 0 (no JSON API), 10 or 11. */
struct sw_service_protocol {
  int json_version;
  const char *target_prefix; /* X-Amz-Target prefix, or NULL */
  int query_compatible;      /* JSON 1.0 with x-amzn-query-mode: true */
  const char *query_version; /* AWS query Version=, or NULL */
  int rest_xml;              /* S3 */
};

/* Static facts for svc (never NULL for a valid service). */
const struct sw_service_protocol *sw_service_protocol(enum sw_service svc);

/* Adds Content-Type, X-Amz-Target "<prefix>.<operation>" and, for
 * query-compatible services, x-amzn-query-mode: true. 0, or -1 with err
 * (SW_ERR_CONFIG when svc has no JSON API or the operation name is not a
 * plain identifier). */
int sw_proto_json_headers(enum sw_service svc, const char *operation,
                          struct sw_headers *out, struct sw_error *err);

/* Appends "Action=<action>&Version=<version>&<params...>" to out, every name
 * and value RFC 3986 encoded. params is an ordered name/value list (NULL for
 * none). 0, or -1 with err. */
int sw_proto_query_body(enum sw_service svc, const char *action,
                        const struct sw_headers *params, struct sw_buf *out,
                        struct sw_error *err);

/* The Content-Type of an AWS query request body. */
#define SW_PROTO_FORM_CONTENT_TYPE \
  "application/x-www-form-urlencoded; charset=utf-8"

/* Strips a "namespace#" prefix and a ":suffix" from an error type in place
 * ("aws.x#FooError:http://..." -> "FooError"). Returns s. */
char *sw_proto_strip_error_type(char *s);

/* Fills err from a JSON 1.0/1.1 error answer. The code comes from
 * x-amzn-query-error ("Code;Sender", only when query_compatible), then the
 * X-Amzn-ErrorType header, then the body's "__type" or "code"; the message
 * from "message" or "Message"; the request id from x-amzn-RequestId. A body
 * that is empty or not JSON still gives an error classified by status.
 * err is cleared first. Always returns -1. */
int sw_proto_json_error(long status, const struct sw_headers *headers,
                        const char *body, size_t len, int query_compatible,
                        struct sw_error *err);

/* Fills err from an AWS query or REST-XML error answer:
 * <ErrorResponse><Error>..</Error><RequestId/></ErrorResponse>,
 * <Response><Errors><Error>..</Error></Errors><RequestID/></Response>, or a
 * bare <Error> (S3). The request id falls back to the x-amzn-RequestId or
 * x-amz-request-id header. An answer without a body (HEAD) or with an
 * unparseable one is classified by status, the status number as code.
 * err is cleared first. Always returns -1. */
int sw_proto_xml_error(long status, const struct sw_headers *headers,
                       const char *body, size_t len, struct sw_error *err);

/* Parses a successful JSON answer: an empty body gives an empty object.
 * Returns a new reference, or NULL with err (SW_ERR_PARSE). A body that is
 * not a JSON object is refused. */
struct json_object *sw_proto_json_result(const char *body, size_t len,
                                         struct sw_error *err);

/* Parses a successful XML answer. Returns a document (xmlFreeDoc), or NULL
 * with err (SW_ERR_PARSE). */
xmlDoc *sw_proto_xml_result(const char *body, size_t len, struct sw_error *err);

#endif
