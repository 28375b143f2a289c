/* Making untrusted text safe to show.
 *
 * Everything AWS returns is attacker-controlled (a user agent is whatever the
 * caller sent). This is the one place that turns such bytes into text fit for
 * a log line, a collectd field, a notification or the provisioner's output. */
#ifndef SW_TEXT_H
#define SW_TEXT_H

#include <stddef.h>

/* Copies src (src_len bytes; may hold NULs and invalid UTF-8) into dst, a
 * buffer of dst_size bytes (at least 1), always NUL-terminating it.
 * - C0 controls (newline included), DEL, C1 controls, the line and paragraph
 *   separators and the bidirectional overrides become '?';
 * - bytes that are not valid UTF-8 (overlong, surrogates, truncated) become
 *   '?' one byte at a time;
 * - when it does not fit, the text is cut at a character boundary and ends in
 *   "..." so the reader sees it was cut.
 * Returns the length written, excluding the NUL. */
size_t sw_text_sanitize(char *dst, size_t dst_size, const char *src,
                        size_t src_len);

/* The same for a NUL-terminated string; NULL src gives "". */
size_t sw_text_sanitize_str(char *dst, size_t dst_size, const char *src);

/* Copies at most dst_size-1 bytes and always terminates (no sanitizing; for
 * trusted text). Returns 0, or -1 when src was cut. */
int sw_strlcpy(char *dst, const char *src, size_t dst_size);

/* Shell-style glob match supporting '*' (any run, including '/') and '?'
 * (one byte). Returns 1 on match. Iterative: linear in practice, no
 * recursion, so hostile patterns or subjects cannot exhaust the stack. */
int sw_glob_match(const char *pattern, const char *subject);

#endif
