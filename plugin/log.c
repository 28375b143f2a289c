/* Forwards plugin and lib/ log lines to collectd. */
#include "plugin/log.h"

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/plugin.h"

#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>

void swp_log(int level, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  plugin_log(level, "secretwatch plugin: %s", msg);
}

static void lib_hook(enum sw_log_level level, const char *msg, void *ctx) {
  (void)ctx;
  plugin_log((int)level, "secretwatch plugin: %s", msg);
}

void swp_log_install_lib_hook(void) {
  sw_log_set_handler(lib_hook, NULL);
}
