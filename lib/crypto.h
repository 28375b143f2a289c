/* Hashes, MACs, encodings and secure wiping.
 *
 * The only module that includes OpenSSL. All functions are pure and
 * thread-safe. */
#ifndef SW_CRYPTO_H
#define SW_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define SW_SHA256_LEN 32
#define SW_SHA256_BLOCK 64 /* the hash's block size, for HMAC */
#define SW_SHA256_HEX_LEN 64
#define SW_MD5_LEN 16

/* Overwrites len bytes at p in a way the compiler cannot drop. */
void sw_wipe(void *p, size_t len);

void sw_sha256(const void *data, size_t len, uint8_t out[SW_SHA256_LEN]);
/* Writes 64 lowercase hex digits and a NUL into out. */
void sw_sha256_hex(const void *data, size_t len,
                   char out[SW_SHA256_HEX_LEN + 1]);
void sw_hmac_sha256(const void *key, size_t key_len, const void *data,
                    size_t len, uint8_t out[SW_SHA256_LEN]);
void sw_md5(const void *data, size_t len, uint8_t out[SW_MD5_LEN]);

/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void sw_hex(const uint8_t *in, size_t len, char *out);

/* Standard base64 with padding; out needs 4*((len+2)/3)+1 bytes. Returns the
 * length written (without the NUL). */
size_t sw_base64_encode(const uint8_t *in, size_t len, char *out);
/* Decodes standard base64 (padding optional, no whitespace); returns the
 * number of bytes written to out (at most out_cap) or -1 on bad input. */
long sw_base64_decode(const char *in, size_t len, uint8_t *out, size_t out_cap);

/* Cryptographically random bytes; 0 or -1. */
int sw_random_bytes(void *out, size_t len);
/* A uniformly random double in [0, 1) from the CSPRNG (for jitter). */
double sw_random_unit(void);

#endif
