/* The benchmark's signing figure (issue 8, section 7): SigV4 header
 * signatures per second of a typical secretwatch request (a CloudTrail
 * LookupEvents POST), with the signing-key cache and without it.
 *
 * Usage: sw_sigv4_bench [SECONDS]   (default 1, at most 30 per variant)
 * Prints one line per variant: "sigv4 variant=cached|uncached
 * signatures=N seconds=S per_s=R ns_per_sig=X hits=H misses=M". */
#include "lib/headers.h"
#include "lib/sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_EVERY 256

static const char BODY[] =
    "{\"LookupAttributes\":[{\"AttributeKey\":\"EventName\",\"AttributeValue\""
    ":\"GetSecretValue\"}],\"StartTime\":1795770000,\"EndTime\":1795770900,"
    "\"MaxResults\":50}";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Signs the request until `seconds` have passed; -1 on a signing error. */
static int run(const char *variant, struct sw_sigv4_key_cache *cache,
               double seconds) {
  struct sw_headers h, add;
  struct sw_sigv4_request req;
  struct sw_sigv4_params params;
  struct sw_error err;
  unsigned long n = 0;
  double t0, t = 0;
  sw_headers_init(&h);
  sw_headers_add(&h, "Host", "cloudtrail.us-east-1.amazonaws.com");
  sw_headers_add(&h, "Content-Type", "application/x-amz-json-1.1");
  sw_headers_add(&h, "X-Amz-Target",
                 "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
                 "LookupEvents");
  memset(&req, 0, sizeof(req));
  req.method = "POST";
  req.path = "/";
  req.headers = &h;
  req.body = BODY;
  req.body_len = sizeof(BODY) - 1;
  memset(&params, 0, sizeof(params));
  params.access_key_id = "AKIAAWSSIMALICE00001";
  params.secret_access_key = "aliceSecretKey/awssim/000000000000000000";
  params.region = "us-east-1";
  params.service = "cloudtrail";
  params.time_s = 1795770000;
  t0 = now_s();
  for (;;) {
    sw_headers_init(&add);
    if (sw_sigv4_sign(&req, &params, cache, &add, &err) != 0) {
      fprintf(stderr, "signing failed\n");
      sw_headers_clean_up(&add);
      sw_headers_clean_up(&h);
      return -1;
    }
    sw_headers_clean_up(&add);
    n++;
    if (n % CHECK_EVERY == 0 && (t = now_s() - t0) >= seconds)
      break;
  }
  printf("sigv4 variant=%s signatures=%lu seconds=%.3f per_s=%.0f "
         "ns_per_sig=%.0f hits=%lu misses=%lu\n",
         variant, n, t, (double)n / t, t * 1e9 / (double)n,
         cache ? cache->hits : 0UL, cache ? cache->misses : 0UL);
  sw_headers_clean_up(&h);
  return 0;
}

/* Runs both variants; exit 0, 1 on a signing error, 2 on bad usage. */
int main(int argc, char **argv) {
  struct sw_sigv4_key_cache cache;
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  int rc;
  if (!(seconds > 0 && seconds <= 30)) {
    fprintf(stderr, "usage: %s [SECONDS (0..30]]\n", argv[0]);
    return 2;
  }
  sw_sigv4_key_cache_init(&cache);
  rc = run("cached", &cache, seconds);
  sw_sigv4_key_cache_clean_up(&cache);
  if (rc == 0)
    rc = run("uncached", NULL, seconds);
  return rc == 0 ? 0 : 1;
}
