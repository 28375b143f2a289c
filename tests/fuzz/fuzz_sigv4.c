/* Fuzzes lib/sigv4.h with a request built from the input: byte 0 holds
 * switches (S3 mode, no path normalization, presigning, session token, a
 * precomputed payload hash, no query), then lines for the method, the path
 * and the query, "Name: value" header lines up to an empty line, and the
 * rest is the body. The canonical request, header signing and presigning
 * must succeed or fail cleanly; on failure the outputs are unchanged; on
 * success Authorization is the last field added and names the signed
 * headers that the canonical request listed. */
#include "fuzz_common.h"

#include "lib/sigv4.h"

#define SWITCH_S3 0x01
#define SWITCH_NO_NORMALIZE 0x02
#define SWITCH_PRESIGN 0x04
#define SWITCH_TOKEN 0x08
#define SWITCH_UNSIGNED 0x10
#define SWITCH_NO_QUERY 0x20
#define SWITCH_CONTENT_SHA 0x40

static void canonical(const struct sw_sigv4_request *req,
                      const struct sw_sigv4_params *params, int presign) {
  struct sw_buf out, signed_headers;
  struct sw_error err;
  sw_buf_init(&out, 1 << 20);
  sw_buf_init(&signed_headers, 1 << 16);
  sw_error_clear(&err);
  if (sw_sigv4_canonical_request(req, params, presign, &out, &signed_headers,
                                 &err) != 0) {
    FUZZ_ASSERT(out.len == 0 && signed_headers.len == 0);
    fuzz_check_error(&err);
  }
  sw_buf_clean_up(&out);
  sw_buf_clean_up(&signed_headers);
}

static void sign(const struct sw_sigv4_request *req,
                 const struct sw_sigv4_params *params) {
  struct sw_headers add;
  struct sw_error err;
  sw_headers_init(&add);
  sw_error_clear(&err);
  if (sw_sigv4_sign(req, params, NULL, &add, &err) == 0) {
    FUZZ_ASSERT(add.count >= 2);
    FUZZ_ASSERT(strcmp(add.items[add.count - 1].name, "Authorization") == 0);
    FUZZ_ASSERT(strncmp(add.items[add.count - 1].value,
                        "AWS4-HMAC-SHA256 Credential=", 28) == 0);
  } else {
    FUZZ_ASSERT(add.count == 0);
    fuzz_check_error(&err);
  }
  sw_headers_clean_up(&add);
}

static void presign(const struct sw_sigv4_request *req,
                    const struct sw_sigv4_params *params) {
  struct sw_buf out;
  struct sw_error err;
  sw_buf_init(&out, 1 << 20);
  sw_error_clear(&err);
  if (sw_sigv4_presign(req, params, NULL, &out, &err) == 0)
    FUZZ_ASSERT(out.len > 0 &&
                strstr(sw_buf_cstr(&out), "X-Amz-Signature=") != NULL);
  else
    FUZZ_ASSERT(out.len == 0);
  sw_buf_clean_up(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  uint8_t sw = data[0];
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  struct sw_headers h;
  sw_headers_init(&h);
  char *method = fuzz_take_line(&p, &n);
  char *path = fuzz_take_line(&p, &n);
  char *query = fuzz_take_line(&p, &n);
  fuzz_take_headers(&p, &n, &h);
  uint8_t *body = malloc(n ? n : 1);
  FUZZ_ASSERT(body != NULL);
  if (n)
    memcpy(body, p, n);

  struct sw_sigv4_request req = {
      .method = method,
      .path = path,
      .query = (sw & SWITCH_NO_QUERY) ? NULL : query,
      .headers = &h,
      .body = body,
      .body_len = n,
      .payload_hash = (sw & SWITCH_UNSIGNED) ? "UNSIGNED-PAYLOAD" : NULL};
  struct sw_sigv4_params params = {
      .access_key_id = "AKIDEXAMPLE",
      .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      .session_token = (sw & SWITCH_TOKEN) ? "FQoGZXIvYXdzEXAMPLETOKEN" : NULL,
      .region = "us-east-1",
      .service = (sw & SWITCH_S3) ? "s3" : "logs",
      .time_s = 1440938160,
      .s3_mode = (sw & SWITCH_S3) != 0,
      .presign_expires_s = 300,
      .no_path_normalize = (sw & SWITCH_NO_NORMALIZE) != 0,
      .content_sha256_header = (sw & SWITCH_CONTENT_SHA) != 0};
  canonical(&req, &params, 0);
  if (sw & SWITCH_PRESIGN) {
    canonical(&req, &params, 1);
    presign(&req, &params);
  } else {
    sign(&req, &params);
  }
  free(body);
  free(method);
  free(path);
  free(query);
  sw_headers_clean_up(&h);
  return 0;
}
