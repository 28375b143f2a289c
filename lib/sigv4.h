/* AWS Signature Version 4, as pure stages.
 *
 * canonical request -> string to sign -> signing key -> signature, each
 * callable and tested on its own (the official suite checks every stage).
 * Time and credentials are arguments: nothing here reads a clock, a file or
 * the environment. Reference: AWS General Reference, "Signature Version 4
 * signing process" and "Create a canonical request". */
#ifndef SW_SIGV4_H
#define SW_SIGV4_H

#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/error.h"
#include "lib/headers.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* A request as it will be sent. */
struct sw_sigv4_request {
  const char *method;               /* "GET", "POST", ... */
  const char *path;                 /* path as sent, "/" when empty */
  const char *query;                /* query string without '?', or NULL */
  const struct sw_headers *headers; /* fields as sent (Host included) */
  const void *body;                 /* payload, may be NULL */
  size_t body_len;
  const char *payload_hash; /* hex SHA-256 of body, "UNSIGNED-PAYLOAD",
                               or NULL to hash body here */
};

struct sw_sigv4_params {
  const char *access_key_id;
  const char *secret_access_key;
  const char *session_token; /* NULL without temporary credentials */
  const char *region;
  const char *service;    /* signing name: "logs", "monitoring", ... */
  time_t time_s;          /* request time, UTC epoch seconds */
  int s3_mode;            /* S3: path not normalized nor re-encoded,
                             x-amz-content-sha256 added */
  long presign_expires_s; /* presign only: X-Amz-Expires */
  /* Rarely needed switches; zero keeps the usual behaviour above. */
  int no_path_normalize;     /* keep "." "..", and empty path segments (the
                                official suite's "unnormalized" cases) */
  int content_sha256_header; /* add x-amz-content-sha256 outside s3_mode */
  int omit_session_token;    /* send the token but leave it out of the
                                signature (header after signing) */
};

/* Input limits: anything longer is refused with an error, never cut. */
#define SW_SIGV4_MAX_PATH 8192
#define SW_SIGV4_MAX_QUERY 65536
#define SW_SIGV4_MAX_QUERY_PARAMS 1024
#define SW_SIGV4_MAX_HEADER_VALUE 16384
#define SW_SIGV4_MAX_TOKEN 8192
#define SW_SIGV4_MAX_EXPIRES_S 604800L /* seven days, the AWS maximum */

/* Caches signing keys per (date, region, service, access key id): a key is
 * good for a day, and deriving it is four HMACs. One client signs for
 * several services (monitoring, cloudtrail, logs, sts), so the cache holds
 * a few keys; a full cache replaces its least recently used one.
 * Thread-safe; the key material is wiped on replacement and on clean-up. */
#define SW_SIGV4_CACHE_SLOTS 6
struct sw_sigv4_key_slot {
  char date[9];
  char region[64];
  char service[64];
  char access_key_id[128];
  uint8_t key[SW_SHA256_LEN];
  uint8_t secret_tag[SW_SHA256_LEN]; /* SHA-256 of the secret: a rotated
                                        secret under the same key id misses */
  unsigned long used; /* the cache's clock at the last hit; 0: empty */
};
struct sw_sigv4_key_cache {
  pthread_mutex_t lock;
  struct sw_sigv4_key_slot slots[SW_SIGV4_CACHE_SLOTS];
  unsigned long clock;
  unsigned long hits, misses; /* for benchmarks */
};

void sw_sigv4_key_cache_init(struct sw_sigv4_key_cache *c);
void sw_sigv4_key_cache_clean_up(struct sw_sigv4_key_cache *c);

/* Stage 1. Appends the canonical request to out and, when signed_headers is
 * non-NULL, the semicolon-separated signed header names to it (on error
 * both are left unchanged). Header names
 * are lowercased and sorted, values trimmed with inner runs of spaces folded;
 * the path is normalized and URI-encoded twice except in s3_mode; the query is
 * decoded, re-encoded and sorted. With presign set, the canonical query
 * includes the X-Amz-* signing parameters (params must then be complete).
 * 0, or -1 with err. */
int sw_sigv4_canonical_request(const struct sw_sigv4_request *req,
                               const struct sw_sigv4_params *params,
                               int presign, struct sw_buf *out,
                               struct sw_buf *signed_headers,
                               struct sw_error *err);

/* Stage 2. "AWS4-HMAC-SHA256\n<amz date>\n<scope>\n<hex sha256(creq)>". */
int sw_sigv4_string_to_sign(const char *amz_date, const char *scope,
                            const char *canonical_request, struct sw_buf *out);

/* "<yyyymmdd>/<region>/<service>/aws4_request" into out (bounded). */
void sw_sigv4_scope(const char *date8, const char *region, const char *service,
                    char *out, size_t out_size);

/* Stage 3. The derived signing key. */
void sw_sigv4_signing_key(const char *secret_access_key, const char *date8,
                          const char *region, const char *service,
                          uint8_t out[SW_SHA256_LEN]);

/* Stage 3 through the cache (cache may be NULL). */
void sw_sigv4_signing_key_cached(struct sw_sigv4_key_cache *cache,
                                 const struct sw_sigv4_params *params,
                                 const char *date8, uint8_t out[SW_SHA256_LEN]);

/* Stage 4. Lowercase hex HMAC of the string to sign. */
void sw_sigv4_signature(const uint8_t key[SW_SHA256_LEN],
                        const char *string_to_sign,
                        char out[SW_SHA256_HEX_LEN + 1]);

/* All stages for header signing. Appends to add_headers the fields the
 * caller must send in addition to req->headers: X-Amz-Date,
 * X-Amz-Security-Token (with a session token), x-amz-content-sha256 (s3_mode)
 * and Authorization. The added X-Amz-* fields are signed. 0, or -1 with err.
 * Every field of req->headers is signed, so pass only what will be sent
 * unchanged (not User-Agent, which proxies may rewrite). A request that
 * already carries Authorization or a field the signer adds is refused.
 * Thread-safe when each thread has its own add_headers; cache may be NULL.
 */
int sw_sigv4_sign(const struct sw_sigv4_request *req,
                  const struct sw_sigv4_params *params,
                  struct sw_sigv4_key_cache *cache,
                  struct sw_headers *add_headers, struct sw_error *err);

/* All stages for query signing (presigned URL). Appends to out the full query
 * string to send: the request's own parameters and X-Amz-Algorithm,
 * X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
 * [X-Amz-Security-Token], X-Amz-Signature. 0, or -1 with err (out then
 * unchanged). In s3_mode a NULL payload_hash means UNSIGNED-PAYLOAD, as S3
 * presigned URLs require; elsewhere the body is hashed. */
int sw_sigv4_presign(const struct sw_sigv4_request *req,
                     const struct sw_sigv4_params *params,
                     struct sw_sigv4_key_cache *cache, struct sw_buf *out,
                     struct sw_error *err);

/* "yyyymmddThhmmssZ" for time_s into out; 0, or -1 for a time outside
 * years 1970..9999. */
int sw_sigv4_amz_date(time_t time_s, char out[17]);

/* RFC 3986 encoding as SigV4 wants it: unreserved characters kept, the rest
 * %XX in uppercase; '/' kept when keep_slash. Appends to out. 0 or -1. */
int sw_uri_encode(struct sw_buf *out, const char *s, size_t len,
                  int keep_slash);

#endif
