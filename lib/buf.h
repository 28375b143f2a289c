/* Growable byte buffer with a hard size cap.
 *
 * Every input from outside (HTTP bodies, files) is read into one of these, so
 * a hostile peer cannot make us allocate without bound. The data is always
 * NUL-terminated (the terminator is not counted in len). */
#ifndef SW_BUF_H
#define SW_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sw_buf {
  char *data;     /* NULL until the first append */
  size_t len;     /* bytes used, excluding the terminator */
  size_t cap;     /* bytes allocated */
  size_t max_len; /* appends that would pass this fail; 0 means 64 MiB */
  int overflow;   /* set once an append was refused for the cap */
};

#define SW_BUF_DEFAULT_MAX ((size_t)64 << 20)

/* Prepares a caller-owned buffer; max_len 0 means SW_BUF_DEFAULT_MAX. */
void sw_buf_init(struct sw_buf *b, size_t max_len);
/* Frees the data (wiping it first when wipe is set, for secrets). */
void sw_buf_clean_up(struct sw_buf *b);
void sw_buf_clean_up_secure(struct sw_buf *b);
/* Keeps the allocation, forgets the contents. */
void sw_buf_reset(struct sw_buf *b);

/* Appends; 0 on success, -1 when the cap would be passed (b->overflow set)
 * or memory ran out. On failure the buffer is unchanged. */
int sw_buf_append(struct sw_buf *b, const void *data, size_t len);
int sw_buf_append_str(struct sw_buf *b, const char *s);
int sw_buf_append_char(struct sw_buf *b, char c);
int sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sw_buf_vprintf(struct sw_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The contents as a C string ("" for an empty buffer); borrowed. */
const char *sw_buf_cstr(const struct sw_buf *b);

/* Hands the data to the caller (who frees it) and resets the buffer.
 * Never NULL except on allocation failure. */
char *sw_buf_steal(struct sw_buf *b, size_t *len_out);

#endif
