#include "lib/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

void sw_wipe(void *p, size_t len) {
  if (p && len)
    OPENSSL_cleanse(p, len);
}

/* SHA-256, fetched from the provider once: EVP_sha256() in a one-shot
 * call looks the algorithm up again on every call, which cost more than
 * hashing a request. Kept for the life of the process. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void) {
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void) {
  pthread_once(&sha256_once, fetch_sha256);
  return sha256_md ? sha256_md : EVP_sha256();
}

void sw_sha256(const void *data, size_t len, uint8_t out[SW_SHA256_LEN]) {
  unsigned int n = 0;
  EVP_Digest(data, len, out, &n, sha256(), NULL);
}

void sw_sha256_hex(const void *data, size_t len,
                   char out[SW_SHA256_HEX_LEN + 1]) {
  uint8_t md[SW_SHA256_LEN];
  sw_sha256(data, len, md);
  sw_hex(md, sizeof(md), out);
}

/* One HMAC pass: H((key ^ pad) || data). */
static int hmac_pass(EVP_MD_CTX *ctx, const uint8_t k[SW_SHA256_BLOCK],
                     uint8_t pad, const void *data, size_t len,
                     uint8_t out[SW_SHA256_LEN]) {
  uint8_t kp[SW_SHA256_BLOCK];
  unsigned int n = 0;
  int ok;
  for (size_t i = 0; i < sizeof(kp); i++)
    kp[i] = k[i] ^ pad;
  ok = EVP_DigestInit_ex(ctx, sha256(), NULL) == 1 &&
       EVP_DigestUpdate(ctx, kp, sizeof(kp)) == 1 &&
       EVP_DigestUpdate(ctx, data, len) == 1 &&
       EVP_DigestFinal_ex(ctx, out, &n) == 1;
  sw_wipe(kp, sizeof(kp));
  return ok ? 0 : -1;
}

/* HMAC (RFC 2104) over the pre-fetched digest; OpenSSL's one-shot HMAC()
 * fetches the MAC and the digest on each call. */
void sw_hmac_sha256(const void *key, size_t key_len, const void *data,
                    size_t len, uint8_t out[SW_SHA256_LEN]) {
  uint8_t k[SW_SHA256_BLOCK], inner[SW_SHA256_LEN];
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned int n = SW_SHA256_LEN;
  memset(k, 0, sizeof(k));
  if (key_len > sizeof(k))
    sw_sha256(key, key_len, k);
  else if (key_len > 0)
    memcpy(k, key, key_len);
  if (ctx == NULL || hmac_pass(ctx, k, 0x36, data, len, inner) != 0 ||
      hmac_pass(ctx, k, 0x5c, inner, sizeof(inner), out) != 0)
    HMAC(sha256(), key, (int)key_len, data, len, out, &n); /* the slow way */
  EVP_MD_CTX_free(ctx);
  sw_wipe(k, sizeof(k));
  sw_wipe(inner, sizeof(inner));
}

void sw_md5(const void *data, size_t len, uint8_t out[SW_MD5_LEN]) {
  unsigned int n = 0;
  EVP_Digest(data, len, out, &n, EVP_md5(), NULL);
}

void sw_hex(const uint8_t *in, size_t len, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 0xf];
  }
  out[2 * len] = '\0';
}

size_t sw_base64_encode(const uint8_t *in, size_t len, char *out) {
  int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
  return n < 0 ? 0 : (size_t)n;
}

static int b64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

long sw_base64_decode(const char *in, size_t len, uint8_t *out,
                      size_t out_cap) {
  while (len > 0 && in[len - 1] == '=')
    len--;
  if (len % 4 == 1)
    return -1;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b64_value((unsigned char)in[i]);
    if (v < 0)
      return -1;
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o >= out_cap)
        return -1;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  return (long)o;
}

int sw_random_bytes(void *out, size_t len) {
  return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

double sw_random_unit(void) {
  uint64_t r = 0;
  if (sw_random_bytes(&r, sizeof(r)) != 0)
    return 0.5;
  return (double)(r >> 11) / (double)(1ULL << 53);
}
