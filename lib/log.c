#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>

static sw_log_fn log_fn;
static void *log_ctx;

void sw_log_set_handler(sw_log_fn fn, void *ctx) {
  log_fn = fn;
  log_ctx = ctx;
}

void sw_log(enum sw_log_level level, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  if (log_fn == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  log_fn(level, msg, log_ctx);
}
