#include "lib/error.h"
#include "lib/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void sw_error_clear(struct sw_error *err) {
  if (err)
    memset(err, 0, sizeof(*err));
}

int sw_error_set(struct sw_error *err, enum sw_err_kind kind, const char *fmt,
                 ...) {
  char raw[1024];
  va_list ap;
  if (err == NULL)
    return -1;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof(raw), fmt, ap);
  va_end(ap);
  err->kind = kind;
  sw_text_sanitize_str(err->message, sizeof(err->message), raw);
  return -1;
}

int sw_error_set_aws(struct sw_error *err, long http_status, const char *code,
                     size_t code_len, const char *message, size_t message_len) {
  if (err == NULL)
    return -1;
  err->http_status = http_status;
  if (code)
    sw_text_sanitize(err->code, sizeof(err->code), code, code_len);
  else
    err->code[0] = '\0';
  if (message)
    sw_text_sanitize(err->message, sizeof(err->message), message, message_len);
  else
    err->message[0] = '\0';
  err->kind = sw_error_classify(err->code, http_status);
  err->clock_skew = sw_error_is_clock_skew_code(err->code, err->message);
  return -1;
}

static int code_in(const char *code, const char *const *list) {
  for (; *list; list++)
    if (strcmp(code, *list) == 0)
      return 1;
  return 0;
}

int sw_error_is_throttling_code(const char *code) {
  /* The AWS SDKs' standard retry mode list of throttling codes. */
  static const char *const codes[] = {"Throttling",
                                      "ThrottlingException",
                                      "ThrottledException",
                                      "RequestThrottledException",
                                      "TooManyRequestsException",
                                      "ProvisionedThroughputExceededException",
                                      "TransactionInProgressException",
                                      "RequestLimitExceeded",
                                      "BandwidthLimitExceeded",
                                      "LimitExceededException",
                                      "RequestThrottled",
                                      "SlowDown",
                                      "PriorRequestNotComplete",
                                      "EC2ThrottledException",
                                      NULL};
  return code && code_in(code, codes);
}

int sw_error_is_clock_skew_code(const char *code, const char *message) {
  static const char *const codes[] = {"RequestTimeTooSkewed", "RequestExpired",
                                      "RequestInTheFuture", NULL};
  if (code == NULL)
    return 0;
  if (code_in(code, codes))
    return 1;
  if (strcmp(code, "InvalidSignatureException") == 0 && message &&
      strstr(message, "Signature expired") != NULL)
    return 1;
  return 0;
}

enum sw_err_kind sw_error_classify(const char *code, long http_status) {
  static const char *const auth[] = {"UnrecognizedClientException",
                                     "InvalidClientTokenId",
                                     "InvalidSignatureException",
                                     "SignatureDoesNotMatch",
                                     "IncompleteSignature",
                                     "MissingAuthenticationToken",
                                     "ExpiredToken",
                                     "ExpiredTokenException",
                                     "InvalidToken",
                                     "RequestExpired",
                                     "RequestTimeTooSkewed",
                                     "RequestInTheFuture",
                                     "InvalidAccessKeyId",
                                     "AuthFailure",
                                     NULL};
  static const char *const denied[] = {
      "AccessDenied",          "AccessDeniedException", "AuthorizationError",
      "UnauthorizedOperation", "NotAuthorized",         NULL};
  static const char *const not_found[] = {
      "ResourceNotFoundException",
      "ResourceNotFound",
      "NoSuchEntity",
      "NoSuchBucket",
      "NoSuchKey",
      "NoSuchBucketPolicy",
      "NotFound",
      "NotFoundException",
      "TrailNotFoundException",
      "NoSuchTagSet",
      "ServerSideEncryptionConfigurationNotFoundError",
      "NoSuchPublicAccessBlockConfiguration",
      NULL};
  static const char *const conflict[] = {
      "ResourceExistsException",
      "ResourceAlreadyExistsException",
      "EntityAlreadyExists",
      "BucketAlreadyOwnedByYou",
      "BucketAlreadyExists",
      "TrailAlreadyExistsException",
      "MaximumNumberOfTrailsExceededException",
      "OperationAbortedException",
      "ConflictException",
      "BucketNotEmpty",
      "DeleteConflict",
      NULL};
  if (code && *code) {
    if (sw_error_is_throttling_code(code))
      return SW_ERR_THROTTLED;
    if (code_in(code, auth))
      return SW_ERR_AUTH;
    if (code_in(code, denied))
      return SW_ERR_ACCESS_DENIED;
    if (code_in(code, not_found))
      return SW_ERR_NOT_FOUND;
    if (code_in(code, conflict))
      return SW_ERR_CONFLICT;
    if (strcmp(code, "InternalFailure") == 0 ||
        strcmp(code, "InternalError") == 0 ||
        strcmp(code, "InternalServiceError") == 0 ||
        strcmp(code, "ServiceUnavailable") == 0 ||
        strcmp(code, "ServiceUnavailableException") == 0)
      return SW_ERR_SERVER;
  }
  if (http_status == 429)
    return SW_ERR_THROTTLED;
  if (http_status >= 500)
    return SW_ERR_SERVER;
  if (http_status == 401)
    return SW_ERR_AUTH;
  if (http_status == 403)
    return SW_ERR_ACCESS_DENIED;
  if (http_status == 404)
    return SW_ERR_NOT_FOUND;
  if (http_status == 409)
    return SW_ERR_CONFLICT;
  return SW_ERR_VALIDATION;
}

const char *sw_error_kind_name(enum sw_err_kind kind) {
  switch (kind) {
  case SW_ERR_NONE:
    return "ok";
  case SW_ERR_NETWORK:
    return "network";
  case SW_ERR_THROTTLED:
    return "throttled";
  case SW_ERR_AUTH:
    return "auth";
  case SW_ERR_ACCESS_DENIED:
    return "access-denied";
  case SW_ERR_NOT_FOUND:
    return "not-found";
  case SW_ERR_CONFLICT:
    return "conflict";
  case SW_ERR_VALIDATION:
    return "validation";
  case SW_ERR_SERVER:
    return "server";
  case SW_ERR_PARSE:
    return "parse";
  case SW_ERR_CREDENTIALS:
    return "credentials";
  case SW_ERR_CONFIG:
    return "config";
  case SW_ERR_INTERNAL:
    return "internal";
  }
  return "unknown";
}

const char *sw_error_describe(const struct sw_error *err, char *out,
                              size_t out_size) {
  if (err->code[0] && err->http_status)
    snprintf(out, out_size, "%s (HTTP %ld): %s", err->code, err->http_status,
             err->message[0] ? err->message : "no message");
  else if (err->code[0])
    snprintf(out, out_size, "%s: %s", err->code,
             err->message[0] ? err->message : "no message");
  else
    snprintf(out, out_size, "%s error: %s", sw_error_kind_name(err->kind),
             err->message[0] ? err->message : "no message");
  return out;
}
