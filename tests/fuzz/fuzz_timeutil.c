/* Fuzzes the timestamp parsers of lib/timeutil.h: ISO 8601 as AWS writes it
 * and HTTP dates. Invariants: a parsed time is finite, and a whole-second
 * time in the years 1970..9999 formats back to text that parses to the same
 * second. */
#include "fuzz_common.h"

#include "lib/timeutil.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = fuzz_strndup(data, size < 256 ? size : 256);
  double t;
  time_t ht;
  if (sw_time_parse_iso8601(s, &t) == 0) {
    FUZZ_ASSERT(isfinite(t));
    if (t >= 0 && t < 253402300800.0) {
      char iso[21];
      double back;
      time_t whole = (time_t)floor(t);
      sw_time_iso8601(whole, iso);
      FUZZ_ASSERT(sw_time_parse_iso8601(iso, &back) == 0);
      FUZZ_ASSERT(back == (double)whole);
    }
  }
  if (sw_time_parse_http_date(s, &ht) == 0 && ht >= 0 && ht < 253402300800) {
    char iso[21];
    double back;
    sw_time_iso8601(ht, iso);
    FUZZ_ASSERT(sw_time_parse_iso8601(iso, &back) == 0);
    FUZZ_ASSERT(back == (double)ht);
  }
  free(s);
  return 0;
}
