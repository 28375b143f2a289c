#include "lib/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

void sw_wipe(void *p, size_t len) {
  if (p && len)
    OPENSSL_cleanse(p, len);
}

void sw_sha256(const void *data, size_t len, uint8_t out[SW_SHA256_LEN]) {
  unsigned int n = 0;
  EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void sw_sha256_hex(const void *data, size_t len,
                   char out[SW_SHA256_HEX_LEN + 1]) {
  uint8_t md[SW_SHA256_LEN];
  sw_sha256(data, len, md);
  sw_hex(md, sizeof(md), out);
}

void sw_hmac_sha256(const void *key, size_t key_len, const void *data,
                    size_t len, uint8_t out[SW_SHA256_LEN]) {
  unsigned int n = SW_SHA256_LEN;
  HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n);
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
