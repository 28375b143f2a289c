/* The one collectd-facing symbol the plugin's pure parts (plugin/config.c,
 * plugin/state.c) call: swp_log, normally routed to collectd's plugin_log
 * by plugin/log.c. The harnesses link their own copy that formats the
 * message (so bad format arguments still show under ASan) and drops it. */
#ifndef SW_FUZZ_PLUGIN_STUB_H
#define SW_FUZZ_PLUGIN_STUB_H

#include "plugin/log.h"

#include <stdarg.h>
#include <stdio.h>

void swp_log(int level, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  (void)level;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
}

void swp_log_install_lib_hook(void) {
}

#endif
