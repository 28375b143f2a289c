/* The embedded CloudTrail record of a LookupEvents event or a Logs event:
 * the plugin hands it to sw_ctrec_parse, and so do the harnesses. */
#ifndef SW_FUZZ_RECORD_H
#define SW_FUZZ_RECORD_H

#include "fuzz_common.h"

#include "lib/ctrecord.h"

/* Checks the record text is within its bound and parses it like the
 * plugin; a refusal must carry sanitized error text. NULL text is absent. */
static inline void fuzz_embedded_record(const char *text, size_t len,
                                        size_t max_len) {
  struct sw_error err;
  struct sw_ctrec *rec;
  if (text == NULL)
    return;
  FUZZ_ASSERT(len <= max_len);
  rec = malloc(sizeof(*rec));
  FUZZ_ASSERT(rec != NULL);
  sw_error_clear(&err);
  if (sw_ctrec_parse(text, len, rec, &err) != 0)
    fuzz_check_error(&err);
  free(rec);
}

#endif
