/* One error type for every caller of lib/.
 *
 * An error carries a kind (what the caller can act on), the HTTP status, the
 * AWS error code and message (already sanitized: safe to log) and the request
 * id. This is the one place that classifies AWS error codes. */
#ifndef SW_ERROR_H
#define SW_ERROR_H

#include <stddef.h>

enum sw_err_kind {
  SW_ERR_NONE = 0,
  SW_ERR_NETWORK,       /* DNS, connect, reset, timeout: no HTTP answer */
  SW_ERR_THROTTLED,     /* rate limited; retry later */
  SW_ERR_AUTH,          /* bad/expired signature, token or clock skew */
  SW_ERR_ACCESS_DENIED, /* authenticated but not allowed */
  SW_ERR_NOT_FOUND,     /* the resource does not exist */
  SW_ERR_CONFLICT,      /* already exists / in use / limit of that kind */
  SW_ERR_VALIDATION,    /* the request was wrong (other 4xx) */
  SW_ERR_SERVER,        /* 5xx */
  SW_ERR_PARSE,         /* the answer could not be understood */
  SW_ERR_CREDENTIALS,   /* no usable credentials from any provider */
  SW_ERR_CONFIG,        /* bad option, endpoint or region */
  SW_ERR_INTERNAL       /* out of memory, a limit of ours */
};

struct sw_error {
  enum sw_err_kind kind;
  long http_status;  /* 0 when there was no HTTP answer */
  char code[96];     /* AWS error code, e.g. "ThrottlingException" */
  char message[512]; /* human text, sanitized */
  char request_id[80];
  int clock_skew; /* the error says our clock is off */
};

void sw_error_clear(struct sw_error *err);

/* Sets kind and a message from a format (the formatted text is sanitized).
 * err may be NULL. Always returns -1, so callers can `return sw_error_set()`.
 */
int sw_error_set(struct sw_error *err, enum sw_err_kind kind, const char *fmt,
                 ...) __attribute__((format(printf, 3, 4)));

/* Records an AWS error answer: code and message are raw bytes from the
 * response (either may be NULL), copied sanitized and bounded; the kind is
 * classified from the code and status. Returns -1. */
int sw_error_set_aws(struct sw_error *err, long http_status, const char *code,
                     size_t code_len, const char *message, size_t message_len);

/* Classifies an AWS error code (after its "namespace#" prefix and ":suffix"
 * were stripped) with the HTTP status as fallback. */
enum sw_err_kind sw_error_classify(const char *code, long http_status);

/* 1 when the code names one of AWS's throttling errors. */
int sw_error_is_throttling_code(const char *code);
/* 1 when the code says the request time or signature expired (clock skew).*/
int sw_error_is_clock_skew_code(const char *code, const char *message);

/* A short stable name for the kind ("throttled", "access-denied", ...). */
const char *sw_error_kind_name(enum sw_err_kind kind);

/* Writes "<kind>: <code>: <message>" style text for logs into out. */
const char *sw_error_describe(const struct sw_error *err, char *out,
                              size_t out_size);

#endif
